"""Carry out a simulated day inside the tenant: plan each contact, record its ground truth first,
then act through the tenant's own control API (so the same notifications go out as for any caller),
at `rate` contacts a second. `contacts` 0 runs until stopped (`loket run --rate R`)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

import httpx

from devhost.tenant.day import Action, Day, Plan, inbox_path
from devhost.tenant.day_letters import drop, drop_sidecar
from devhost.tenant.day_people import load_city
from devhost.tenant.notify import change_item, deliver
from devhost.tenant.odata import iso, now
from devhost.tenant.subscriptions import expired, is_calls
from devhost.tenant.truth import TruthStore

log = logging.getLogger(__name__)


class DayRunner:
    """One per tenant process; runs are asyncio tasks on the tenant's event loop."""

    def __init__(self, app, data_dir: Path) -> None:
        self.app, self.data_dir = app, Path(data_dir)
        self.truth = TruthStore(self.data_dir / "tenant.db")
        self.tasks: dict[str, asyncio.Task] = {}
        self.live: dict[str, dict] = {}

    def start(self, spec: dict) -> dict:
        run = {
            "id": uuid.uuid4().hex[:12],
            "contacts": int(spec.get("contacts") or 0),
            "rate": float(spec.get("rate") or 0),
            "faults": list(spec.get("faults") or []),
            "seed": int(spec.get("seed") if spec.get("seed") is not None else uuid.uuid4().int % 10**6),
            "generated": 0,
            "errors": 0,
            "done": False,
            "started": iso(now()),
        }
        day = Day(
            run["seed"],
            run["faults"],
            float(spec.get("faultRate") or 0.2),
            int(spec.get("imageLetters", 2)),
            now,
        )
        self.truth.put_run(run)
        self.live[run["id"]] = run
        self.tasks[run["id"]] = asyncio.create_task(self._run(run, day))
        return run

    def stop(self, run_id: str) -> bool:
        task = self.tasks.get(run_id)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def status(self, run_id: str) -> dict | None:
        return self.live.get(run_id) or self.truth.run(run_id)

    async def _run(self, run: dict, day: Day) -> None:
        loop, later = asyncio.get_running_loop(), set()
        interval = 1.0 / run["rate"] if run["rate"] > 0 else 0.0
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://tenant", timeout=60
        ) as client:
            try:
                await self._register_mailboxes(client)
                due = loop.time()
                while run["contacts"] == 0 or run["generated"] < run["contacts"]:
                    plan = await asyncio.to_thread(day.plan_contact)
                    self.truth.add(run["id"], run["generated"], plan.expect.to_json())
                    run["generated"] += 1
                    await self._carry_out(client, plan, later, run)
                    if run["generated"] % 10 == 0:
                        self.truth.put_run(run)
                    due += interval
                    await asyncio.sleep(max(0.0, due - loop.time()))
                await asyncio.gather(*later, return_exceptions=True)
            except asyncio.CancelledError:
                for task in later:
                    task.cancel()
            finally:
                run["done"] = True
                run["finished"] = iso(now())
                self.truth.put_run(run)

    async def _register_mailboxes(self, client: httpx.AsyncClient) -> None:
        """The directory: object id and address name the same mailbox (Graph notifies by object id)."""
        for box in load_city().mailboxes:
            await client.post(
                "/_sim/users",
                json={
                    "id": box["user_id"],
                    "userPrincipalName": box["address"],
                    "displayName": box["department"],
                },
            )

    async def _carry_out(self, client: httpx.AsyncClient, plan: Plan, later: set, run: dict) -> None:
        for action in plan.actions:
            if action.after > 0:
                task = asyncio.create_task(self._later(client, action, run))
                later.add(task)
                task.add_done_callback(later.discard)
            else:
                await self._act(client, action, run)

    async def _later(self, client: httpx.AsyncClient, action: Action, run: dict) -> None:
        await asyncio.sleep(action.after)
        await self._act(client, action, run)

    async def _act(self, client: httpx.AsyncClient, action: Action, run: dict) -> None:
        try:
            await self._dispatch(client, action)
        except Exception:  # one failed action must not end the day; it shows as missing
            run["errors"] += 1
            log.exception("simulated action %s failed", action.kind)

    async def _dispatch(self, client: httpx.AsyncClient, action: Action) -> None:
        args = action.args
        if action.kind == "message":
            body = {k: args[k] for k in ("folder", "message", "copies")}
            if args.get("oddities"):
                body["oddities"] = args["oddities"]
            (await client.post(f"/_sim/mailboxes/{args['user']}/messages", json=body)).raise_for_status()
        elif action.kind == "call":
            body = {
                "record": args["record"],
                "notify": args.get("notify", True),
                "copies": args.get("copies", 1),
                "oddities": args.get("oddities") or [],
            }
            (await client.post("/_sim/callRecords", json=body)).raise_for_status()
        elif action.kind == "stale":
            await self._stale_notification(args["id"], args["previous"])
        elif action.kind == "letter":
            await asyncio.to_thread(
                drop, inbox_path(self.data_dir), args["name"], args["pdf"], args.get("arrived")
            )
        elif action.kind == "sidecar":
            await asyncio.to_thread(drop_sidecar, inbox_path(self.data_dir), args["name"], args["sidecar"])
        elif action.kind == "fault":
            self.app.state.faults.append(dict(args))
        else:
            raise ValueError(f"unknown action {action.kind}")

    async def _stale_notification(self, record_id: str, previous: dict) -> None:
        """A late `updated` notification whose first read hits a lagging replica (an older version)."""
        state = self.app.state
        found = state.store.call_record(record_id)
        if found is None:
            return
        record, options = found
        state.store.put_call_record(record, {**options, "stale": {"record": previous, "reads": 1}})
        resource = f"communications/callRecords/{record_id}"
        for sub in state.store.subscriptions():
            if is_calls(sub["resource"]) and not expired(sub):
                kind = "updated" if "updated" in sub["changeType"] else "created"
                item = change_item(sub, kind, resource, "#Microsoft.Graph.callrecord", record_id)
                await deliver(state.http, state.store, sub["notificationUrl"], item, "call")
