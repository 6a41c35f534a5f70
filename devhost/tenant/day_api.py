"""Control routes of simulated days, under /_sim/runs (not Graph):

POST   /_sim/runs             {"contacts": N (0 = until stopped), "rate": R per second,
                               "faults": ["throttle", …] or "all", "faultRate": 0.2, "seed": s,
                               "imageLetters": 2}  -> 201 the run
GET    /_sim/runs             every run;  GET /_sim/runs/{id}  one run (generated, done, errors)
GET    /_sim/runs/{id}/truth  the ground truth of that run: what Loket should make of each contact
DELETE /_sim/runs/{id}        stop a run
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devhost.tenant.day_run import DayRunner
from devhost.tenant.faults import parse_kinds
from devhost.tenant.odata import error


def _runner(request: Request) -> DayRunner:
    state = request.app.state
    if getattr(state, "day_runner", None) is None:
        state.day_runner = DayRunner(request.app, state.data_dir)
    return state.day_runner


async def start_run(request: Request) -> Response:
    body = await request.json()
    try:
        body["faults"] = parse_kinds(body.get("faults"))
        if int(body.get("contacts") or 0) < 0 or float(body.get("rate") or 0) < 0:
            raise ValueError("contacts and rate must not be negative")
    except (TypeError, ValueError) as exc:
        return error(400, "BadRequest", str(exc))
    return JSONResponse(_runner(request).start(body), status_code=201)


async def list_runs(request: Request) -> Response:
    return JSONResponse({"value": _runner(request).truth.runs()})


async def get_run(request: Request) -> Response:
    run = _runner(request).status(request.path_params["run_id"])
    return error(404, "NotFound", "No such run.") if run is None else JSONResponse(run)


async def get_truth(request: Request) -> Response:
    runner = _runner(request)
    run_id = request.path_params["run_id"]
    if runner.status(run_id) is None:
        return error(404, "NotFound", "No such run.")
    return JSONResponse({"run": run_id, "value": runner.truth.truth(run_id)})


async def stop_run(request: Request) -> Response:
    return Response(status_code=204 if _runner(request).stop(request.path_params["run_id"]) else 404)


def routes() -> list[Route]:
    return [
        Route("/_sim/runs", start_run, methods=["POST"]),
        Route("/_sim/runs", list_runs, methods=["GET"]),
        Route("/_sim/runs/{run_id}", get_run, methods=["GET"]),
        Route("/_sim/runs/{run_id}", stop_run, methods=["DELETE"]),
        Route("/_sim/runs/{run_id}/truth", get_truth, methods=["GET"]),
    ]
