"""Graph payload parsing: raw JSON + Loket's pydantic models vs msgraph-sdk's kiota model parsing.

Why it matters: every captured mail and call is one Graph read; the adapter returns raw JSON
(`send_primitive_async(..., "bytes", ...)`) instead of letting the SDK build its models, and this
measures what that saves on the hot path. Same bytes for every parser; the parsers are warmed up
first (the SDK's first parse also pays for importing its model modules, not counted here).
"""

from __future__ import annotations

import copy
import json
import timeit
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tenant"


def _payloads(full: bool) -> list[tuple[str, str, bytes]]:
    """(label, kind, bytes): a citizen mail, both call-record layouts, and a 60-session page."""
    message = (FIXTURES / "message_citizen.json").read_bytes()
    documented = json.loads((FIXTURES / "callrecord_documented_cq.json").read_text(encoding="utf-8"))
    real = json.loads((FIXTURES / "callrecord_real_layout_cq.json").read_text(encoding="utf-8"))
    big = copy.deepcopy(real)
    sessions = 60 if full else 20
    big["sessions"] = [{**copy.deepcopy(real["sessions"][i % 4]), "id": f"s{i}"} for i in range(sessions)]
    return [
        ("message (citizen mail, all selected fields)", "message", message),
        ("callRecord, documented composition (3 sessions)", "call", json.dumps(documented).encode()),
        ("callRecord, real-tenant layout (4 sessions)", "call", json.dumps(real).encode()),
        (f"callRecord, {sessions} sessions with segments", "call", json.dumps(big).encode()),
    ]


def _parsers():
    from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
    from msgraph.generated.models.call_records.call_record import CallRecord
    from msgraph.generated.models.message import Message

    from schemas.graph_callrecord import parse_call_record
    from schemas.graph_message import parse_message

    factory = JsonParseNodeFactory()
    loket = {"message": parse_message, "call": parse_call_record}
    sdk = {"message": Message, "call": CallRecord}

    def raw(kind, data):
        return json.loads(data)

    def ours(kind, data):
        return loket[kind](json.loads(data))

    def theirs(kind, data):
        return factory.get_root_parse_node("application/json", data).get_object_value(sdk[kind])

    return raw, ours, theirs


def _per_call_us(fn, kind: str, data: bytes, repeats: int) -> float:
    """Best time per call in µs; autorange picks a loop count that runs about 0.2 s."""
    fn(kind, data)  # warm up
    timer = timeit.Timer(lambda: fn(kind, data))
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeats, number=number)) / number * 1e6


def run(full: bool) -> str:
    raw, ours, theirs = _parsers()
    repeats = 7 if full else 3
    rows = []
    for label, kind, data in _payloads(full):
        t_raw, t_ours, t_sdk = (_per_call_us(fn, kind, data, repeats) for fn in (raw, ours, theirs))
        ratio = t_sdk / t_ours
        cells = (label, f"{len(data):,}", f"{t_raw:,.0f}", f"{t_ours:,.0f}", f"{t_sdk:,.0f}", f"{ratio:.0f}×")
        rows.append("| " + " | ".join(cells) + " |")
    head = (
        "## Graph payload parsing (bench_graph_parse)\n\n"
        "Microseconds per payload, best of several runs. *Loket* = `json.loads` + Loket's pydantic model "
        "(what the adapter's raw JSON feeds); *SDK* = kiota's JsonParseNodeFactory into msgraph-sdk 1.65 "
        "models (what `GraphServiceClient…get()` does after the HTTP call).\n\n"
        "| payload | bytes | json.loads µs | Loket (json + pydantic) µs | SDK models µs | SDK / Loket |\n"
        "|---|---:|---:|---:|---:|---:|\n"
    )
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(run(full=False))
