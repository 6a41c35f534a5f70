"""Read the Bicep under infra/ with pycep-parser and resolve the plain values the tests assert on."""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from pycep import BicepParser

from settings import PROJECT_ROOT

INFRA = PROJECT_ROOT / "infra"
MAIN = INFRA / "main.bicep"


def bicep_files() -> list[Path]:
    return sorted(INFRA.rglob("*.bicep"))


@functools.cache
def parse(path: Path) -> dict[str, Any]:
    """The parsed template (pycep's JSON shape: parameters, variables, resources, modules, outputs)."""
    return BicepParser().parse(file_path=path)


def app(name: str) -> dict[str, Any]:
    return parse(INFRA / "app" / f"{name}.bicep")


def text(value: Any) -> Any:
    """A Bicep string as written, with pycep's escaped quotes undone."""
    return value.replace("\\'", "'") if isinstance(value, str) else value


def resolve(doc: dict[str, Any], value: Any, _seen: frozenset[str] = frozenset()) -> Any:
    """Follow a bare identifier to its variable's value or its parameter's default, recursively.

    pycep gives identifiers and string literals the same shape, so a string naming a variable or
    parameter of this template is taken for that name; nothing here uses such a literal.
    """
    if isinstance(value, str):
        if value in _seen:
            return value
        seen = _seen | {value}
        if value in doc.get("variables", {}):
            return resolve(doc, doc["variables"][value]["value"], seen)
        if value in doc.get("parameters", {}) and "default" in doc["parameters"][value]:
            return resolve(doc, doc["parameters"][value]["default"], seen)
        return text(value)
    if isinstance(value, list):
        return [resolve(doc, item, _seen) for item in value]
    if isinstance(value, dict):
        return {key: resolve(doc, item, _seen) for key, item in value.items()}
    return value


def module(doc: dict[str, Any], name: str) -> dict[str, Any]:
    """The resolved params of a module call."""
    return resolve(doc, doc["modules"][name]["config"]["params"])


def modules_by_path(doc: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """Calls of a registry module (e.g. avm/res/service-bus/namespace), resolved params."""
    return [
        resolve(doc, m["config"]["params"])
        for m in doc.get("modules", {}).values()
        if m.get("detail", {}).get("path") == path
    ]


def config(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource's body; pycep nests it one level deeper when the resource has an `if`."""
    body = resource["config"]
    return body["config"] if "condition" in body and "config" in body else body


def resources_of(doc: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    """Resources of one type (not `existing` references), name -> resolved config."""
    return {
        name: resolve(doc, config(r))
        for name, r in doc.get("resources", {}).items()
        if r["type"] == type_ and not r.get("existing")
    }


def app_settings() -> dict[str, Any]:
    """The Functions app settings api.bicep sets (key -> the value as written)."""
    return parse(INFRA / "app" / "api.bicep")["variables"]["appSettings"]["value"]


def servicebus_entities() -> tuple[dict[str, dict], dict[str, dict]]:
    """(queues by name, topics by name) as the Service Bus module receives them."""
    (namespace,) = modules_by_path(app("servicebus"), "avm/res/service-bus/namespace")
    return (
        {q["name"]: q for q in namespace["queues"]},
        {t["name"]: t for t in namespace["topics"]},
    )


def evaluate(doc: dict[str, Any], value: Any, params: dict[str, Any] | None = None) -> Any:
    """`value` with the template's parameters set (`params` over their defaults), the way ARM would.

    Knows identifiers, `cond ? a : b`, `==`, `!=`, `!`, `empty(x)` and `string(x)`: what the tests need to
    check a template's branches (e.g. the Burstable tier) without the Bicep CLI.
    """
    params = params or {}
    if isinstance(value, str) and "${" in value:  # interpolation of plain identifiers
        return re.sub(r"\$\{(\w+)\}", lambda m: str(evaluate(doc, m[1], params)), text(value))
    if isinstance(value, str):
        if value in params:
            return params[value]
        if value in doc.get("variables", {}):
            return evaluate(doc, doc["variables"][value]["value"], params)
        if value in doc.get("parameters", {}) and "default" in doc["parameters"][value]:
            return evaluate(doc, doc["parameters"][value]["default"], params)
        return text(value)
    if isinstance(value, list):
        return [evaluate(doc, item, params) for item in value]
    if isinstance(value, dict) and "operator" in value:
        op, operands = value["operator"]["type"], value["operator"]["operands"]
        if op == "conditional":
            branch = "true_value" if evaluate(doc, operands["condition"], params) else "false_value"
            return evaluate(doc, operands[branch], params)
        if op in ("equals", "not_equals"):
            left, right = (evaluate(doc, operands[k], params) for k in ("operand_1", "operand_2"))
            same = left == right
            return same if op == "equals" else not same
        if op == "logical_not":
            return not evaluate(doc, operands["bool_value"], params)
        return value  # anything else (property access, other functions) stays as written
    if isinstance(value, dict) and "function" in value and value["function"]["type"] == "empty":
        return not evaluate(doc, value["function"]["parameters"]["item_to_test"], params)
    if isinstance(value, dict) and "function" in value and value["function"]["type"] == "string":
        return str(evaluate(doc, value["function"]["parameters"]["value_to_convert"], params))
    if isinstance(value, dict):
        return {key: evaluate(doc, item, params) for key, item in value.items()}
    return value


def dotted(value: Any) -> Any:
    """A property access such as `postgres.outputs.appPort` as that text; anything else unchanged."""
    if isinstance(value, dict) and value.get("operator", {}).get("type") == "property_accessor":
        operands = value["operator"]["operands"]
        return f"{dotted(operands['operand_1'])}.{dotted(operands['operand_2'])}"
    return value


def role_definition(doc: dict[str, Any], assignment: dict[str, Any]) -> str:
    """The role GUID of a roleAssignments resource written `subscriptionResourceId('…', x)`."""
    body = config(assignment)
    name = body["properties"]["roleDefinitionId"]["function"]["parameters"]["resource_name_1"]
    return resolve(doc, dotted(name) if not isinstance(name, str) else name)


def bodies(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    """The bodies of a template's resources of one type, as written (nothing resolved)."""
    return [config(r) for r in doc.get("resources", {}).values() if r["type"] == type_]


def resources_named(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    """The resources (with their `config`) of one type, as written."""
    return [r for r in doc.get("resources", {}).values() if r["type"] == type_]
