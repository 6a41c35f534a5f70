"""Read the functions off a `FunctionApp` (triggers, bindings, `%SETTING%` values) for the local host."""
from __future__ import annotations

import inspect
import logging
import os
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import azure.functions as func
from azure.functions.decorators.function_app import Function

from errors import ConfigurationError
from settings import Settings

log = logging.getLogger(__name__)

_EXPRESSION = re.compile(r"%([^%]+)%")
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")


@dataclass(frozen=True)
class HttpSpec:
    route: str
    methods: tuple[str, ...]
    auth_level: str  # "anonymous" | "function" | "admin"


@dataclass(frozen=True)
class ServiceBusSpec:
    entity: str  # QUEUE or TOPIC/SUBSCRIPTION, as the bus port names it
    queue_name: str | None
    topic_name: str | None
    subscription_name: str | None
    connection: str | None
    many: bool
    sdk_type: bool  # trigger parameter annotated with the SDK-type ServiceBusReceivedMessage
    auto_complete: bool


@dataclass(frozen=True)
class BlobSpec:
    path: str  # e.g. scanned-post/{name}
    container: str
    connection: str | None
    source: str | None


@dataclass(frozen=True)
class TimerSpec:
    schedule: str
    run_on_startup: bool


TriggerSpec = HttpSpec | ServiceBusSpec | BlobSpec | TimerSpec


@dataclass(frozen=True)
class IndexedFunction:
    """One function the host can run: its name, trigger, and how to call the user function."""

    name: str
    trigger: TriggerSpec
    trigger_arg: str
    user_function: Callable[..., Any]
    function: Function

    @property
    def parameters(self) -> Mapping[str, inspect.Parameter]:
        return inspect.signature(self.user_function).parameters

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.user_function)


def annotations_of(user_function: Callable[..., Any]) -> dict[str, Any]:
    """Parameter annotations, resolved even when the module uses `from __future__ import annotations`."""
    try:
        return typing.get_type_hints(user_function)
    except Exception:  # noqa: BLE001 - an unresolvable hint: fall back to what the signature holds
        return {n: p.annotation for n, p in inspect.signature(user_function).parameters.items()
                if p.annotation is not inspect.Parameter.empty}


def setting_value(name: str, settings: Settings, environ: Mapping[str, str] | None = None) -> str | None:
    """A setting by its app-setting name: a `Settings` field alias first, then the environment."""
    for field_name, info in type(settings).model_fields.items():
        aliases = {info.alias, field_name}
        choices = getattr(info.validation_alias, "choices", None) or [info.validation_alias]
        aliases.update(c for c in choices if isinstance(c, str))
        if name in aliases:
            value = getattr(settings, field_name)
            return None if value is None else str(value)
    return (os.environ if environ is None else environ).get(name)


def resolve(value: str | None, settings: Settings, function_name: str) -> str | None:
    """Replace each `%SETTING%` in a binding value; a missing setting fails, naming it."""
    if value is None:
        return None

    def substitute(match: re.Match[str]) -> str:
        found = setting_value(match.group(1), settings)
        if found is None:
            raise ConfigurationError(match.group(1), f"not set, but function {function_name} binds to it")
        return found

    return _EXPRESSION.sub(substitute, value)


def index_app(app: func.FunctionApp, settings: Settings) -> dict[str, IndexedFunction]:
    """Every function of `app` the host can run, by name; unsupported triggers are skipped with a warning."""
    app.functions_bindings = None  # get_functions() remembers names and refuses a second call otherwise
    indexed: dict[str, IndexedFunction] = {}
    for function in app.get_functions():
        name = function.get_function_name()
        trigger = function.get_trigger()
        spec = _spec_for(trigger, function, settings)
        if spec is None:
            log.warning("function %s has a %s trigger the local host does not run", name, trigger.type,
                        extra={"function": name})
            continue
        _refuse_other_bindings(function, trigger.name)
        indexed[name] = IndexedFunction(name, spec, trigger.name, function.get_user_function(), function)
    return indexed


def _refuse_other_bindings(function: Function, trigger_name: str) -> None:
    """Input/output bindings besides the trigger and the HTTP `$return` are not hosted locally: say so at
    start rather than at the first call (Loket's functions publish through the bus port instead)."""
    others = [b for b in function.get_bindings() if b.name not in (trigger_name, "$return")]
    if others:
        kinds = ", ".join(f"{b.type} ({b.name})" for b in others)
        name = function.get_function_name()
        raise ValueError(f"function {name}: the local host does not run bindings {kinds}")


def _spec_for(trigger: Any, function: Function, settings: Settings) -> TriggerSpec | None:
    name = function.get_function_name()
    match trigger.type:
        case "httpTrigger":
            return _http_spec(trigger)
        case "serviceBusTrigger":
            return _servicebus_spec(trigger, function, settings)
        case "blobTrigger":
            path = resolve(trigger.path, settings, name) or ""
            source = getattr(trigger, "source", None)
            container = path.split("/", 1)[0]
            return BlobSpec(path, container, trigger.connection, None if source is None else str(source))
        case "timerTrigger":
            return TimerSpec(resolve(trigger.schedule, settings, name) or "", bool(trigger.run_on_startup))
    return None


def _http_spec(trigger: Any) -> HttpSpec:
    methods = tuple(str(getattr(m, "value", m)).upper() for m in trigger.methods or ()) or ALL_METHODS
    level = getattr(trigger.auth_level, "value", trigger.auth_level) or "function"
    return HttpSpec(str(trigger.route).strip("/"), methods, str(level).lower())


def _servicebus_spec(trigger: Any, function: Function, settings: Settings) -> ServiceBusSpec:
    name = function.get_function_name()
    queue = resolve(getattr(trigger, "queue_name", None), settings, name)
    topic = resolve(getattr(trigger, "topic_name", None), settings, name)
    subscription = resolve(getattr(trigger, "subscription_name", None), settings, name)
    entity = queue if queue else f"{topic}/{subscription}"
    cardinality = str(getattr(trigger.cardinality, "value", trigger.cardinality) or "one").lower()
    auto = getattr(trigger, "auto_complete_messages", None)
    return ServiceBusSpec(
        entity=entity, queue_name=queue, topic_name=topic, subscription_name=subscription,
        connection=trigger.connection, many=cardinality == "many",
        sdk_type=_is_sdk_type(function.get_user_function(), trigger.name), auto_complete=auto is not False,
    )


def _is_sdk_type(user_function: Callable[..., Any], arg_name: str) -> bool:
    """The worker's rule: the trigger parameter's annotation is (a list of) the extension's SdkType."""
    annotation = annotations_of(user_function).get(arg_name)
    if annotation is None:
        return False
    try:
        from azurefunctions.extensions.bindings.servicebus import ServiceBusConverter
    except ImportError:
        return False
    return bool(ServiceBusConverter.check_input_type_annotation(annotation))
