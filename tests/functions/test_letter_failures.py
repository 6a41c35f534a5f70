"""Letters that cannot be read are visible (failure log, queues, health) and recoverable by replay.

Each test drops real files in the post inbox and runs the built capture_letter function, as the
local host's blob trigger does; the reader runs in its child process as in production.
"""
from __future__ import annotations

import json

import pytest
from azure.functions.blob import InputStream
from sqlalchemy import text

from adapters.text_extraction.child_process import ChildProcessExtractor
from errors import TransientError
from handlers.capture_letter import letter_id
from handlers.crm import record_contact
from handlers.replay_jobs import create_job, run_job
from schemas.contact_event import ContactEvent
from schemas.ops import ReplayRequest
from tests.fixtures.post import extractors
from tests.fixtures.post.pdfs import image_only_pdf, text_layer_pdf
from tests.functions.conftest import built_functions
from tests.functions.ops_support import body, request

LETTER = "An Smets\nDorpsstraat 4\n3580 Beringen\nan.smets@example.be\n\nBetreft: vraag\n\nGeachte,\nDank.\n"
SCANNED = "Betreft: aanvraag parkeerkaart\n\nJan Peeters\nKerkstraat 12\n3580 Beringen\nTel. 0475 12 34 56\n"


def drop(services, name: str, data: bytes) -> InputStream:
    path = services.settings.data_dir / "post-inbox" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return InputStream(data=data, name=f"scanned-post/{name}", length=len(data),
                       uri=f"http://127.0.0.1/scanned-post/{name}")


def capture(stream: InputStream) -> None:
    built_functions()["capture_letter"].get_user_function()(stream)


def published(services) -> list[ContactEvent]:
    return [ContactEvent.from_json(m.body) for m in services.bus.peek("contact-events/crm", max_messages=50)]


def failure_rows(services) -> list[tuple[str, str, str]]:
    with services.store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("select message_id, entity, reason from failure_log"))]


def use_reader(services, factory, budget: float = 30.0) -> ChildProcessExtractor:
    services.__dict__.pop("text_extractor", None)
    extractor = ChildProcessExtractor(factory, budget_seconds=budget, max_chars=20_000, workers=1)
    services.__dict__["text_extractor"] = extractor
    return extractor


@pytest.fixture(autouse=True)
def graph_reachable(monkeypatch):
    """No simulated tenant runs here: Graph's reachability is not what these tests are about."""
    monkeypatch.setattr("adapters.health_checks.check_graph", lambda *a, **k: "ok")


def health(services) -> dict:
    return body(built_functions()["health"].get_user_function()(request("GET", "health")))


def queue_row(services, entity: str = "scanned-post") -> dict:
    route = built_functions()["ops_queues"].get_user_function()
    report = body(route(request("GET", "ops/queues", key=services.api_key)))
    return next(r for r in report["entities"] if r["entity"] == entity)


def test_a_pdf_over_the_size_limit_is_refused_as_too_large_before_it_is_read(services):
    services.settings = services.settings.model_copy(update={"letter_pdf_max_bytes": 2048})
    pdf = text_layer_pdf(LETTER + "x" * 4000)
    stream = drop(services, "onthaal/groot.pdf", pdf)
    stream.read = lambda *a: pytest.fail("an oversized scan was read")
    capture(stream)
    assert published(services) == []
    assert failure_rows(services) == [(letter_id("onthaal/groot.pdf"), "scanned-post", "too_large")]


def test_a_failed_letter_shows_in_the_queues_report_and_turns_health_to_attention(services):
    assert health(services)["status"] == "ok"
    capture(drop(services, "onthaal/kapot.pdf", b"not a pdf at all"))
    row = queue_row(services)
    assert (row["kind"], row["dead_lettered"]) == ("letters", 1)
    assert row["dead_letter_reasons"] == {"unreadable_pdf": 1}
    assert row["health"] == "warning"
    answer = health(services)
    assert answer["status"] == "attention" and answer["components"]["letters"] == "attention: 1 unreadable"


def test_a_reader_over_its_budget_fails_transiently_once_then_permanently_with_its_reason(services):
    use_reader(services, extractors.stuck_in_c, budget=1.5)
    with pytest.raises(TransientError):
        capture(drop(services, "onthaal/bom.pdf", b"%PDF-1.4 a text bomb"))
    assert queue_row(services)["dead_lettered"] == 0  # retrying is not failing yet
    capture(drop(services, "onthaal/bom.pdf", b"%PDF-1.4 a text bomb"))  # permanent now, recorded
    assert [r for r in failure_rows(services) if r[1] == "scanned-post"] == [
        (letter_id("onthaal/bom.pdf"), "scanned-post", "extraction_timeout")]
    assert published(services) == []


def test_a_bad_sidecar_never_takes_its_pdf_down_and_its_fault_is_reported(services):
    pdf = text_layer_pdf(LETTER)
    drop(services, "financien/b.pdf.json", b'{"received_at": "1899-01-01", "sender": {"name": "An Smets"}}')
    capture(drop(services, "financien/b.pdf", pdf))
    [event] = published(services)
    assert event.source.version == 1 and event.citizen.email == "an.smets@example.be"
    assert failure_rows(services) == [(letter_id("financien/b.pdf.json"), "scanned-post", "bad_sidecar")]
    assert queue_row(services)["dead_letter_reasons"] == {"bad_sidecar": 1}


@pytest.mark.parametrize("sidecar", [
    {"received_at": "1970-01-01T00:00:00"},  # before the floor: retention would delete it at once
    {"received_at": "2999-01-01"},  # years ahead: kept for ever
    {"received_at": 1764000000},  # a number is no date
    {"pages": -2},
    {"pages": "drie"},
    {"sender": "An Smets"},
], ids=["too-old", "future", "number-as-date", "negative-pages", "pages-as-text", "sender-as-text"])
def test_an_insane_sidecar_is_bad_and_the_letter_keeps_its_own_date(services, sidecar):
    pdf = text_layer_pdf(LETTER)
    drop(services, "financien/c.pdf", pdf)
    capture(drop(services, "financien/c.pdf.json", json.dumps(sidecar).encode()))
    assert published(services) == []  # the sidecar re-publishes nothing; the PDF stands as it was
    assert failure_rows(services) == [(letter_id("financien/c.pdf.json"), "scanned-post", "bad_sidecar")]


def test_a_sidecar_nested_too_deep_is_bad_not_a_crash(services):
    drop(services, "financien/d.pdf", text_layer_pdf(LETTER))
    capture(drop(services, "financien/d.pdf.json", b"[" * 100_000 + b"]" * 100_000))
    assert failure_rows(services) == [(letter_id("financien/d.pdf.json"), "scanned-post", "bad_sidecar")]


def test_an_image_only_scan_that_failed_without_ocr_is_recovered_by_replay_once_ocr_is_there(services):
    """Done when (issue 15): `loket replay letters` recovers it, with nothing duplicated."""
    use_reader(services, extractors.without_ocr)
    scan = image_only_pdf(SCANNED)
    capture(drop(services, "burgerzaken/scan-001.pdf", scan))
    capture(drop(services, "burgerzaken/brief.pdf", text_layer_pdf(LETTER)))  # a neighbour that works
    assert queue_row(services)["dead_letter_reasons"] == {"ocr_unavailable": 1}
    deps = services.replay_deps()

    dry = run_job(create_job(ReplayRequest(kind="letters", dry_run=True), "jan.operator", deps), deps)
    assert dry.summary["letters"] == [{"letter": letter_id("burgerzaken/scan-001.pdf")[:16],
                                       "reason": "ocr_unavailable"}]
    assert "scan-001" not in json.dumps(dry.model_dump(mode="json"))  # names carry citizens' names
    assert len(published(services)) == 1

    use_reader(services, extractors.with_ocr)  # "apt-get install tesseract-ocr-nld"
    job = run_job(create_job(ReplayRequest(kind="letters", dead_letter_reason="ocr_unavailable"),
                             "jan.operator", deps := services.replay_deps()), deps)
    assert (job.status, job.resubmitted, job.failed) == ("done", 1, 0)
    events = published(services)
    assert len(events) == 2 and events[1].citizen.phone == "+32475123456"
    assert queue_row(services)["dead_lettered"] == 0 and health(services)["status"] == "ok"

    for event in events + events:  # replayed again, redelivered: the store keeps one contact each
        record_contact(event, services.uow(), services.now())
    with services.store.engine.connect() as conn:
        assert conn.execute(text("select count(*) from contacts")).scalar_one() == 2
    again = run_job(create_job(ReplayRequest(kind="letters"), "jan.operator", deps), deps)
    assert again.summary["selected"] == 0 and len(published(services)) == 2


def test_the_operators_list_shows_failed_letters_by_hashed_id_and_reason_and_the_page_replays_them(services):
    capture(drop(services, "onthaal/Jan Peeters brief.pdf", b"not a pdf"))
    listing = built_functions()["ops_dead_letters"].get_user_function()(
        request("GET", "ops/dead-letters", key=services.api_key))
    (row,) = body(listing)
    assert (row["entity"], row["reason"]) == ("scanned-post", "unreadable_pdf")
    assert row["message_id"] == letter_id("onthaal/Jan Peeters brief.pdf")
    assert b"Peeters" not in listing.get_body()
    started = built_functions()["ops_replay"].get_user_function()(request(
        "POST", "ops/replay", key=services.api_key,
        body={"kind": "letters", "dead_letter_reason": "unreadable_pdf", "dry_run": True}))
    assert started.status_code == 202
