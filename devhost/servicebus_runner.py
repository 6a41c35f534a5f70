"""Service Bus triggers fed from the bus port with the Functions host's peek-lock and settlement rules."""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from devhost.function_index import IndexedFunction, ServiceBusSpec, annotations_of
from devhost.host_invoke import invoke
from devhost.host_sb_messages import (
    InFlight,
    InFlightRegistry,
    message_actions_class,
    to_sdk_message,
    to_trigger_message,
)
from handlers.ports.bus import MessageBus, ReceivedMessage, UnknownEntityError
from handlers.ports.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceBusOptions:
    """host.json `extensions.serviceBus`, the parts the local host honours."""

    max_concurrent_calls: int = 16
    max_message_batch_size: int = 32
    max_auto_lock_renewal: dt.timedelta = dt.timedelta(minutes=5)
    receive_wait_seconds: float = 0.5
    renew_every_seconds: float = 1.0


class TracedOnce:
    """A message that keeps failing logs its traceback once, then one line per further attempt.

    Remembers the most recent `size` keys only, so a long run with many failures stays flat in memory.
    """

    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self._seen: OrderedDict[tuple[str, ...], None] = OrderedDict()
        self._lock = threading.Lock()  # the runner's worker threads share one

    def first(self, *key: str) -> bool:
        with self._lock:
            if key in self._seen:
                self._seen.move_to_end(key)
                return False
            self._seen[key] = None
            if len(self._seen) > self.size:
                self._seen.popitem(last=False)
            return True


class ServiceBusRunner:
    """One pump thread per Service Bus function, each feeding its own pool of `max_concurrent_calls`.

    A slot is taken before a message is received, so nothing sits locked waiting for a worker;
    `stop()` ends the pumps, lets running invocations finish, and leaves nothing locked by us.
    """

    def __init__(self, functions: list[IndexedFunction], bus: MessageBus, clock: Clock,
                 options: ServiceBusOptions | None = None) -> None:
        self._bus, self._clock = bus, clock
        self._options = options or ServiceBusOptions()
        self._functions = [f for f in functions if isinstance(f.trigger, ServiceBusSpec)]
        self._registry = InFlightRegistry()
        self._traced = TracedOnce()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._pools: list[ThreadPoolExecutor] = []
        self._actions: Any = None
        if any(_spec(f).sdk_type for f in self._functions):
            self._actions = message_actions_class()(bus, self._registry)

    def check(self) -> None:
        """Fail at start when a function listens on an entity the bus lacks, naming the function."""
        for function in self._functions:
            try:
                self._bus.peek(_spec(function).entity, max_messages=1)
            except UnknownEntityError as exc:
                raise UnknownEntityError(f"function {function.name} listens on {_spec(function).entity!r}, "
                                         "which is not a queue or TOPIC/SUBSCRIPTION of the bus") from exc

    def start(self) -> None:
        for function in self._functions:
            pool = ThreadPoolExecutor(self._options.max_concurrent_calls, f"sb-{function.name}")
            slots = threading.BoundedSemaphore(self._options.max_concurrent_calls)
            self._pools.append(pool)
            self._spawn(f"sb-pump-{function.name}", self._pump, function, pool, slots)
        self._spawn("sb-lock-renewer", self._renew_loop)

    def _spawn(self, name: str, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout: float | None = 30.0) -> None:
        """Graceful: no new receives, finish what runs (its locks renewed meanwhile), then return."""
        self._stop.set()
        for thread in self._threads:
            if thread.name.startswith("sb-pump-"):
                thread.join(timeout)
        for pool in self._pools:
            pool.shutdown(wait=True)  # running invocations finish; their locks are renewed meanwhile
        leftover = self._registry.items()
        if leftover:
            log.warning("%d Service Bus messages still in flight at stop; their locks will expire",
                        len(leftover))

    def in_flight(self) -> list[tuple[str, dt.datetime | None]]:
        """(message id, lock held until) of each delivery whose invocation runs now (for operators, tests)."""
        return [(item.message.message_id, item.locked_until) for _, item in self._registry.items()]

    def _pump(self, function: IndexedFunction, pool: ThreadPoolExecutor, slots: threading.Semaphore) -> None:
        spec = _spec(function)
        batch = self._options.max_message_batch_size if spec.many else 1
        while not self._stop.is_set():
            if not slots.acquire(timeout=self._options.receive_wait_seconds):
                continue
            try:
                messages = self._bus.receive(spec.entity, max_messages=batch,
                                             max_wait=self._options.receive_wait_seconds)
            except Exception:  # noqa: BLE001 - an outage or throttling: keep pumping after a pause
                log.warning("receiving from %s failed; retrying", spec.entity, exc_info=True)
                slots.release()
                self._stop.wait(1.0)
                continue
            if not messages:
                slots.release()
                continue
            future = pool.submit(self._dispatch, function, messages)
            future.add_done_callback(lambda _f: slots.release())

    def _dispatch(self, function: IndexedFunction, messages: list[ReceivedMessage]) -> None:
        """One invocation: build the trigger input, call, then settle as the host would."""
        spec = _spec(function)
        tokens = [str(uuid.uuid4()) for _ in messages]
        now = self._clock.now()
        for token, message in zip(tokens, messages, strict=True):
            # the host renews single-message locks only; a batch must finish within its lock
            span = None if spec.many or message.locked_until is None else message.locked_until - now
            self._registry.add(token, InFlight(message, now, message.locked_until, span))
        try:
            inputs = [to_sdk_message(m, uuid.UUID(t)) if spec.sdk_type else _trigger_input(m, t)
                      for m, t in zip(messages, tokens, strict=True)]
            arguments: dict[str, Any] = {function.trigger_arg: inputs if spec.many else inputs[0]}
            arguments.update(self._actions_arguments(function))
            invoke(function, arguments)
        except Exception as exc:
            ids = [m.message_id for m in messages]
            log.warning("function %s raised %s on message(s) %s", function.name, type(exc).__name__, ids,
                        extra={"function": function.name, "entity": spec.entity},
                        exc_info=self._traced.first(function.name, *ids))
            self._after(spec, tokens, succeeded=False)
            return
        self._after(spec, tokens, succeeded=True)

    def _actions_arguments(self, function: IndexedFunction) -> dict[str, Any]:
        """The worker binds the one unbound GrpcClientType parameter (ServiceBusMessageActions) by type."""
        if self._actions is None:
            return {}
        from azurefunctions.extensions.base import GrpcClientType

        hints = annotations_of(function.user_function)
        return {name: self._actions for name, hint in hints.items()
                if isinstance(hint, type) and issubclass(hint, GrpcClientType)}

    def _after(self, spec: ServiceBusSpec, tokens: list[str], *, succeeded: bool) -> None:
        """autoCompleteMessages: complete on success, abandon on failure. Without it, what the
        function left unsettled is abandoned after a failure (redelivered at once rather than after
        the lock expires: same count, same dead-lettering) and left to its lock after a success."""
        for token in tokens:
            item = self._registry.pop(token)
            if item is None or item.settled:
                continue
            if not succeeded:
                self._settle(self._bus.abandon, item)
            elif spec.auto_complete:
                self._settle(self._bus.complete, item)
            else:
                log.warning("message %s left unsettled by %s: it comes back when its lock expires",
                            item.message.message_id, spec.entity, extra={"entity": spec.entity})

    @staticmethod
    def _settle(action: Any, item: InFlight) -> None:
        try:
            action(item.message)
        except Exception:  # noqa: BLE001 - LockLostError or an outage: the message comes back by itself
            log.warning("settling message %s failed; it will be delivered again", item.message.message_id,
                        exc_info=True)

    def _renew_loop(self) -> None:
        """Runs until stopped and nothing is in flight: a stop still renews what is finishing."""
        while True:
            self._renew_due()
            if self._stop.is_set() and not self._registry.items():
                return
            time.sleep(self._options.renew_every_seconds)

    def _renew_due(self) -> None:
        """Renew each single-message lock past half its life, up to maxAutoLockRenewalDuration."""
        now = self._clock.now()
        for _token, item in self._registry.items():
            if item.settled or item.locked_until is None or item.lock_span is None:
                continue
            if now - item.received_at > self._options.max_auto_lock_renewal:
                continue
            if item.locked_until - now < item.lock_span / 2:
                try:
                    item.locked_until = self._bus.renew_lock(item.message)
                except Exception:  # noqa: BLE001 - a lost lock means redelivery, nothing to do here
                    log.warning("lock renewal failed for message %s", item.message.message_id)


def _trigger_input(message: ReceivedMessage, token: str) -> Any:
    return to_trigger_message(_with_token(message, token))


def _with_token(message: ReceivedMessage, token: str) -> ReceivedMessage:
    return replace(message, lock_token=token)


def _spec(function: IndexedFunction) -> ServiceBusSpec:
    assert isinstance(function.trigger, ServiceBusSpec)
    return function.trigger
