"""Over real HTTP and the real embedded bus: a notification, a dropped letter and a poison message,
end to end through the hosted function_app.py, with Graph served by the simulated tenant."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid

import httpx
import pytest

from adapters.store.subscriptions import SubscriptionEntry
from handlers.client_state import client_state_for, new_nonce
from handlers.ports.bus import MAX_DELIVERY_REASON, OutgoingMessage
from tests.conftest import FIXTURES
from tests.e2e.conftest import load, wait_for
from tests.fixtures.post.pdfs import image_only_pdf, text_layer_pdf

MAILBOX_ID = "6d2f0a11-0002-4a6b-8c1d-000000000002"  # burgerzaken@stad.example in the sample policy
LETTER = """Jan Peeters
Kerkstraat 12
3580 Beringen
jan.peeters@example.be

Betreft: aanvraag parkeerkaart

Geachte,
Graag had ik een bewonerskaart aangevraagd.
Met vriendelijke groeten,
Jan Peeters
"""


def subscribe(loket, resource: str) -> None:
    """What the subscription manager does: create with a clientState, remember the nonce."""
    nonce = new_nonce()
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    body = {"changeType": "created,updated", "resource": resource,
            "notificationUrl": f"{loket.url}/api/graph/notifications",
            "lifecycleNotificationUrl": f"{loket.url}/api/graph/lifecycle",
            "expirationDateTime": expires.isoformat().replace("+00:00", "Z"),
            "clientState": client_state_for(loket.services.client_state_key, nonce)}
    created = httpx.post(f"{loket.tenant.base_url}/subscriptions", json=body, timeout=30)
    assert created.status_code == 201, created.text  # the tenant ran the handshake against our host
    entry = SubscriptionEntry(created.json()["id"], resource, nonce, expires)
    loket.services.subscriptions.save(entry, loket.services.now())


def drop_letter(loket, name: str, pdf: bytes) -> None:
    """As the post room does: write, then rename, so a half-written file is never read."""
    inbox = loket.data_dir / "post-inbox" / "burgerzaken"
    inbox.mkdir(parents=True, exist_ok=True)
    partial = inbox / f".{name}.part"
    partial.write_bytes(pdf)
    os.replace(partial, inbox / name)


def test_a_mail_notification_becomes_a_contact_found_by_look_up(loket):
    subscribe(loket, f"users/{MAILBOX_ID}/messages")
    message = load(FIXTURES / "tenant" / "message_citizen.json")
    added = httpx.post(f"{loket.tenant.root_url}/_sim/mailboxes/{MAILBOX_ID}/messages",
                       json={"folder": "inbox", "message": message, "copies": 2}, timeout=30)
    assert added.status_code == 201
    parties = wait_for(lambda: loket.search(email="Els.VandenBroeck@telenet.be"))
    assert parties, "the mail was not captured within 30 s"
    [entry] = parties[0]["timeline"]
    assert (entry["channel"], entry["direction"], entry["outcome"]) == ("mail", "inbound", "received")
    assert entry["departments"] == ["Burgerzaken"]


def test_a_letter_with_a_text_layer_dropped_in_the_post_inbox_becomes_a_contact(loket):
    drop_letter(loket, "brief-1.pdf", text_layer_pdf(LETTER))
    parties = wait_for(lambda: loket.search(email="jan.peeters@example.be"))
    assert parties, "the letter was not captured within 30 s"
    [entry] = parties[0]["timeline"]
    assert (entry["channel"], entry["outcome"]) == ("post", "received")
    assert entry["departments"] == ["Burgerzaken"]


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed (make ocr)")
def test_an_image_only_scan_is_read_by_ocr_and_becomes_a_contact(loket):
    drop_letter(loket, "scan-2.pdf", image_only_pdf(LETTER.replace("jan.peeters", "jan.peeters2")))
    parties = wait_for(lambda: loket.search(email="jan.peeters2@example.be"), timeout=60)
    assert parties, "the image-only scan was not captured within 60 s"


def test_a_poison_message_ends_in_the_dead_letter_queue_with_its_reason(loket):
    bus = loket.services.bus
    bus.publish("contact-events", [OutgoingMessage(body=b'{"not": "a contact event"}',
                                                   message_id=f"poison-{uuid.uuid4()}",
                                                   application_properties={"loket-target": "crm"})])

    def dead_letters():
        return bus.peek("contact-events/crm", dead_letter=True)

    [dead] = wait_for(dead_letters)
    assert dead.dead_letter_reason == MAX_DELIVERY_REASON  # plain mode: the broker's own reason
    with loket.services.store.engine.connect() as conn:
        from sqlalchemy import text

        reasons = {r for (r,) in conn.execute(text("select reason from failure_log where message_id = :m"),
                                              {"m": dead.message_id})}
    assert reasons == {"MalformedPayload"}  # and Loket's failure log says why
    assert bus.peek("contact-events/archive", dead_letter=True) == []  # loket-target kept it from archive


def test_a_call_record_notification_becomes_an_answered_phone_contact(loket):
    subscribe(loket, "communications/callRecords")
    record = load(FIXTURES / "tenant" / "callrecord_real_layout_cq.json")
    added = httpx.post(f"{loket.tenant.root_url}/_sim/callRecords", json={"record": record}, timeout=30)
    assert added.status_code in (200, 201)
    parties = wait_for(lambda: loket.search(phone="0478 12 34 56"))
    assert parties, "the call was not captured within 30 s"
    [entry] = parties[0]["timeline"]
    assert (entry["channel"], entry["direction"], entry["outcome"]) == ("phone", "inbound", "answered")
    assert entry["agent"] is not None
