"""User functions are called as the worker calls them: async or sync, with `context` when asked for."""
from __future__ import annotations

import azure.functions as func
import pytest
from azure.functions.timer import TimerRequest

from devhost.function_index import index_app
from devhost.host_invoke import invoke
from settings import Settings


def only_function(app: func.FunctionApp):
    (function,) = index_app(app, Settings()).values()
    return function


def test_an_async_function_runs_to_completion_and_gets_its_context():
    app = func.FunctionApp()

    @app.timer_trigger(arg_name="timer", schedule="0 * * * * *")
    async def tick(timer: func.TimerRequest, context: func.Context) -> str:
        return f"{context.function_name} {timer.past_due} {bool(context.invocation_id)}"

    function = only_function(app)
    assert invoke(function, {"timer": TimerRequest(past_due=True)}) == "tick True True"


def test_a_parameter_the_host_cannot_bind_is_refused_by_name():
    app = func.FunctionApp()

    @app.timer_trigger(arg_name="timer", schedule="0 * * * * *")
    def tick(timer: func.TimerRequest, mystery: object) -> None: ...

    with pytest.raises(TypeError, match="mystery"):
        invoke(only_function(app), {"timer": None})
