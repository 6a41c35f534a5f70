"""Call one user function the way the Python worker does: bound arguments, `context`, sync or async."""
from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import uuid
from typing import Any

import azure.functions as func

from devhost.function_index import IndexedFunction

log = logging.getLogger(__name__)


class InvocationContext(func.Context):
    """The `context` parameter: invocation id and function name, as the worker gives them."""

    def __init__(self, function_name: str, function_directory: str = "") -> None:
        self._invocation_id = str(uuid.uuid4())
        self._function_name = function_name
        self._function_directory = function_directory
        self._local = threading.local()

    @property
    def invocation_id(self) -> str:
        return self._invocation_id

    @property
    def function_name(self) -> str:
        return self._function_name

    @property
    def function_directory(self) -> str:
        return self._function_directory

    @property
    def thread_local_storage(self) -> Any:
        return self._local

    @property
    def trace_context(self) -> Any:
        return None

    @property
    def retry_context(self) -> Any:
        return None


def bind(function: IndexedFunction, arguments: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments for the user function: `arguments` plus `context` when it asks for one."""
    parameters = function.parameters
    call_args = dict(arguments)
    if "context" in parameters and "context" not in call_args:
        call_args["context"] = InvocationContext(function.name)
    unbound = [name for name, p in parameters.items()
               if name not in call_args and p.default is inspect.Parameter.empty]
    if unbound:
        raise TypeError(f"function {function.name}: the local host cannot bind parameter(s) {unbound}")
    return call_args


def invoke(function: IndexedFunction, arguments: dict[str, Any]) -> Any:
    """Run the user function with `arguments` (by parameter name) in this thread; return its result.

    A coroutine function runs to completion on the calling thread's own long-lived event loop (the
    host calls this from its worker threads). Like the Functions worker's loop, it outlives one
    invocation, so clients bound to a loop (msgraph-sdk's) and their caches are reused, not rebuilt
    per call. Exceptions propagate: the caller applies the trigger's rule.
    """
    result = function.user_function(**bind(function, arguments))
    if inspect.isawaitable(result):
        result = _thread_loop().run_until_complete(_await(result))
    return result


_threads = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop = getattr(_threads, "loop", None)
    if loop is None or loop.is_closed():
        loop = _threads.loop = asyncio.new_event_loop()
    return loop


async def _await(awaitable: Any) -> Any:
    return await awaitable
