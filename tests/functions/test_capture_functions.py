"""capture_letter, archive_event, the look-up routes and the timers, as built user functions."""

from __future__ import annotations

import datetime as dt
import json

import azure.functions as func
from azure.functions.blob import InputStream
from azure.functions.timer import TimerRequest
from sqlalchemy import text

from handlers.event_ids import pdf_sha256, post_event_id
from schemas.contact_event import ContactEvent
from tests.fixtures.post.pdfs import text_layer_pdf
from tests.functions.conftest import built_functions, trigger_message

LETTER = "An Smets\nDorpsstraat 4\n3580 Beringen\nan.smets@example.be\n\nBetreft: vraag\n\nGeachte,\nDank.\n"


def blob(name: str, data: bytes) -> InputStream:
    return InputStream(
        data=data, name=f"scanned-post/{name}", length=len(data), uri=f"http://127.0.0.1/scanned-post/{name}"
    )


def published(services) -> list[ContactEvent]:
    return [ContactEvent.from_json(m.body) for m in services.bus.peek("contact-events/crm", max_messages=50)]


def test_a_scanned_letter_is_published_and_its_later_sidecar_republishes_it_as_version_2(services):
    capture = built_functions()["capture_letter"].get_user_function()
    pdf = text_layer_pdf(LETTER)
    inbox = services.settings.data_dir / "post-inbox" / "financien"
    inbox.mkdir(parents=True)
    (inbox / "b.pdf").write_bytes(pdf)
    capture(blob("financien/b.pdf", pdf))
    sidecar = json.dumps({"sender": {"name": "An Smets", "email": "an.smets@example.be"}}).encode()
    (inbox / "b.pdf.json").write_bytes(sidecar)
    capture(blob("financien/b.pdf.json", sidecar))
    first, second = published(services)
    assert first.event_id == second.event_id == post_event_id(pdf_sha256(pdf))
    assert (first.source.version, second.source.version) == (1, 2)
    assert first.departments == ("Financiën",)
    assert second.citizen.email == "an.smets@example.be"


def test_a_letter_without_sidecar_is_dated_when_its_scan_arrived_not_when_it_was_processed(services):
    import os

    capture = built_functions()["capture_letter"].get_user_function()
    pdf = text_layer_pdf(LETTER)
    inbox = services.settings.data_dir / "post-inbox" / "onthaal"
    inbox.mkdir(parents=True)
    (inbox / "late.pdf").write_bytes(pdf)
    scanned = dt.datetime(2026, 11, 20, 8, 30, 15, tzinfo=dt.UTC)  # a week before it is processed
    os.utime(inbox / "late.pdf", (scanned.timestamp(), scanned.timestamp()))
    capture(blob("onthaal/late.pdf", pdf))
    [event] = published(services)
    assert event.occurred_at == scanned and event.captured_at > scanned


def test_an_unreadable_scan_is_logged_for_triage_and_nothing_is_published(services):
    built_functions()["capture_letter"].get_user_function()(blob("onthaal/kapot.pdf", b"%PDF-1.4 garbage"))
    assert published(services) == []
    with services.store.engine.connect() as conn:
        reasons = [r for (r,) in conn.execute(text("select reason from failure_log"))]
    assert reasons == ["unreadable_pdf"]


def test_archive_event_keeps_one_object_per_event_and_version(services):
    pdf = text_layer_pdf(LETTER)
    built_functions()["capture_letter"].get_user_function()(blob("x.pdf", pdf))
    [event] = published(services)
    archive = built_functions()["archive_event"].get_user_function()
    import asyncio

    for _ in range(2):
        asyncio.run(archive(trigger_message(event.to_json().encode())))
    files = list((services.settings.data_dir / "archive").rglob("*.json"))
    assert [f.name for f in files] == ["v1.json"]
    assert ContactEvent.from_json(files[0].read_bytes()) == event


def search(body: dict, key: str | None) -> func.HttpResponse:
    headers = {"x-functions-key": key} if key else {}
    request = func.HttpRequest(
        "POST",
        "/api/contacts/search",
        headers=headers,
        params={},
        route_params={},
        body=json.dumps(body).encode(),
    )
    return built_functions()["search_contacts"].get_user_function()(request)


def test_look_ups_need_the_key_and_a_reason(services):
    assert search({"reason": "x", "email": "a@b.be"}, None).status_code == 401
    assert search({"reason": "x", "email": "a@b.be"}, "wrong").status_code == 401
    assert search({"email": "a@b.be"}, services.api_key).status_code == 400
    answer = search({"reason": "terugbellen", "email": "a@b.be"}, services.api_key)
    assert answer.status_code == 200
    assert json.loads(answer.get_body())["parties"] == []


def test_the_retention_timer_erases_contacts_older_than_the_policy_allows(services):
    from handlers.crm import record_contact
    from handlers.event_ids import phone_event_id

    old = services.now() - dt.timedelta(days=400)  # phone is kept 365 days in the sample policy
    event = ContactEvent(
        event_id=phone_event_id("old"),
        channel="phone",
        direction="inbound",
        occurred_at=old,
        outcome="missed",
        source={"system": "graph-callrecords", "id": "old"},
        captured_at=old,
    )
    record_contact(event, services.uow(), old)
    built_functions()["enforce_retention"].get_user_function()(TimerRequest(past_due=False))
    with services.store.engine.connect() as conn:
        assert conn.execute(text("select count(*) from contacts")).scalar_one() == 0


def test_the_text_extractor_follows_the_document_intelligence_setting(services):
    """Azure Functions have no Tesseract: with an endpoint set, image-only scans go to the cloud reader
    (each built in the child process the extractor reads in: `factory`)."""
    import bootstrap
    from adapters.text_extraction.document_intelligence import DocumentIntelligenceExtractor
    from adapters.text_extraction.tesseract_ocr import TesseractOcrExtractor

    assert isinstance(services.text_extractor.factory().ocr, TesseractOcrExtractor)
    settings = services.settings.model_copy(update={"document_intelligence_endpoint": "https://di.example"})
    azure = bootstrap.Services(
        settings=settings, clock=services.clock, bus=services.bus, policy=services.policy
    )
    assert isinstance(azure.text_extractor.factory().ocr, DocumentIntelligenceExtractor)
