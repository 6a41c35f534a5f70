"""Call records of the simulated tenant: by id with $expand and paged expansions, and a listing by start.

Records are stored exactly as given (the documented composition or the layout real tenants show,
callrecords-real.md), so both are served unchanged. Per record `options` can shrink page sizes
(`pageSize`), make the last page of an expansion point at itself (`repeatLastLink`, a documented
Graph quirk) and refuse two expansions in one request (`singleExpand`, as the docs describe it), so
Loket's reads are tested against what Graph may do.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse

from devhost.tenant.odata import error, iso, now, parse_expand, parse_time, passes, time_filter
from devhost.tenant.store import TenantStore

PAGE_SIZES = {"sessions": 60, "participants_v2": 130, "list": 60}
EXPANDABLE = ("sessions", "participants_v2")
CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#communications/callRecords"
NOT_FOUND = "Resource not found."


def store_call_record(store: TenantStore, record: dict, options: dict | None = None) -> dict:
    """Add a record or a new version of it: the version grows, lastModifiedDateTime moves on."""
    old = store.call_record(record["id"])
    # the tenant writes its own annotations (context, nextLinks); drop any the caller copied in
    rec = {k: v for k, v in record.items() if "@odata." not in k}
    old_version = old[0]["version"] if old else 0
    rec["version"] = max(int(rec.get("version") or 0), old_version + 1)
    rec.setdefault("lastModifiedDateTime", iso(now(), 7))
    if old and rec["lastModifiedDateTime"] <= old[0].get("lastModifiedDateTime", ""):
        rec["lastModifiedDateTime"] = iso(now(), 7)
    store.put_call_record(rec, options or (old[1] if old else {}))
    return rec


def _page_size(options: dict, prop: str) -> int:
    return int((options.get("pageSize") or {}).get(prop) or PAGE_SIZES[prop])


def _strip_segments(sessions: list[dict], keep: bool) -> list[dict]:
    return sessions if keep else [{k: v for k, v in s.items() if k != "segments"} for s in sessions]


def _page(
    items: list, skip: int, size: int, link_base: str, options: dict, self_link: str, extra: str = ""
) -> tuple[list, str | None]:
    """One page of `items` from `skip`; the nextLink, or the page's own link when the quirk is on."""
    chunk = items[skip : skip + size]
    if skip + size < len(items):
        return chunk, f"{link_base}?{extra}$skiptoken={skip + size}"
    return chunk, (self_link if options.get("repeatLastLink") and skip > 0 else None)


def _maybe_stale(store: TenantStore, record: dict, options: dict) -> dict:
    """`options.stale` = {"record": an older version, "reads": n}: the next n reads come from a lagging
    replica and show that older version (a fault of simulated days, faults.py)."""
    stale = options.get("stale")
    if not stale or int(stale.get("reads") or 0) <= 0:
        return record
    stale["reads"] = int(stale["reads"]) - 1
    store.put_call_record(record, options)
    return stale["record"]


async def get_call_record(request: Request) -> JSONResponse:
    store: TenantStore = request.app.state.store
    rid = request.path_params["record_id"]
    found = store.call_record(rid)
    if found is None:
        return error(404, "NotFound", NOT_FOUND)
    record, options = found
    record = _maybe_stale(store, record, options)
    try:
        expand = parse_expand(request.query_params.get("$expand"))
    except ValueError:
        return error(400, "BadRequest", "Invalid $expand.")
    if set(expand) - set(EXPANDABLE):
        return error(400, "BadRequest", "Could not find a navigation property for $expand.")
    if len(expand) > 1 and options.get("singleExpand"):  # as the docs show: one expansion per request
        return error(400, "BadRequest", "Only one navigation property can be expanded per request.")
    base = f"{request.app.state.base_url(request)}/communications/callRecords/{rid}"
    body = {"@odata.context": f"{CONTEXT}/$entity"}
    body.update({k: v for k, v in record.items() if k not in EXPANDABLE})
    if "organizer_v2" in body:
        body["organizer_v2@odata.context"] = f"{CONTEXT}('{rid}')/organizer_v2/$entity"
    for prop, nested in expand.items():
        items = record.get(prop) or []
        if prop == "sessions":
            items = _strip_segments(items, "segments" in nested)
        extra = "$expand=segments&" if "segments" in nested else ""
        chunk, link = _page(items, 0, _page_size(options, prop), f"{base}/{prop}", options, "", extra)
        body[f"{prop}@odata.context"] = f"{CONTEXT}('{rid}')/{prop}"
        body[prop] = chunk
        if link:
            body[f"{prop}@odata.nextLink"] = link
    return JSONResponse(body)


async def list_expansion(request: Request) -> JSONResponse:
    """`GET /communications/callRecords/{id}/sessions|participants_v2` pages."""
    store: TenantStore = request.app.state.store
    rid, prop = request.path_params["record_id"], request.path_params["prop"]
    found = store.call_record(rid)
    if found is None or prop not in EXPANDABLE:
        return error(404, "NotFound", NOT_FOUND)
    record, options = found
    params = request.query_params
    nested = parse_expand(params.get("$expand"))
    items = record.get(prop) or []
    if prop == "sessions":
        items = _strip_segments(items, "segments" in nested)
    extra = "$expand=segments&" if "segments" in nested else ""
    base = f"{request.app.state.base_url(request)}/communications/callRecords/{rid}/{prop}"
    skip = int(params.get("$skiptoken") or 0)
    chunk, link = _page(items, skip, _page_size(options, prop), base, options, str(request.url), extra)
    body = {"@odata.context": f"{CONTEXT}('{rid}')/{prop}", "value": chunk}
    if link:
        body["@odata.nextLink"] = link
    return JSONResponse(body)


async def list_call_records(request: Request) -> JSONResponse:
    """`GET /communications/callRecords?$filter=startDateTime ge … and startDateTime lt …` (unexpanded)."""
    store: TenantStore = request.app.state.store
    params = request.query_params
    try:
        clauses = time_filter(params.get("$filter"), "startDateTime")
        skip = int(params.get("$skiptoken") or 0)
    except ValueError:
        return error(
            400, "BadRequest", "Invalid filter clause: only startDateTime comparisons are supported."
        )
    records = [
        {k: v for k, v in r.items() if k not in EXPANDABLE}
        for r in store.call_records()
        if r.get("startDateTime") and passes(parse_time(r["startDateTime"]), clauses)
    ]
    base = f"{request.app.state.base_url(request)}/communications/callRecords"
    keep = f"$filter={quote(params['$filter'], safe=':')}&" if params.get("$filter") else ""
    chunk, link = _page(records, skip, PAGE_SIZES["list"], base, {}, "", keep)
    body = {"@odata.context": CONTEXT, "value": chunk}
    if link:
        body["@odata.nextLink"] = link
    return JSONResponse(body)
