"""Erasure reaches the source files (issue 15): `loket erase` deletes the citizen's scans and their
sidecars from the post inbox (and the scanned-post container), says so, and names the person first."""
from __future__ import annotations

import json

from azure.functions.blob import InputStream

from handlers.crm import record_contact
from handlers.ports.store import IdentifierType
from schemas.contact_event import ContactEvent
from tests.fixtures.post.pdfs import text_layer_pdf
from tests.functions.conftest import built_functions

AN = "An Smets\nDorpsstraat 4\n3580 Beringen\nan.smets@example.be\n\nBetreft: vraag\n\nGeachte,\nDank.\n"
JEF = "Jef Claes\nKerkstraat 9\n3580 Beringen\njef.claes@example.be\n\nBetreft: andere vraag\n"


def drop_and_capture(services, name: str, text: str, sidecar: dict | None = None) -> None:
    folder = services.settings.data_dir / "post-inbox"
    pdf = text_layer_pdf(text)
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    if sidecar is not None:
        (folder / (name + ".json")).write_bytes(json.dumps(sidecar).encode())
    (folder / name).write_bytes(pdf)
    built_functions()["capture_letter"].get_user_function()(
        InputStream(data=pdf, name=f"scanned-post/{name}", length=len(pdf), uri=f"file:///{name}"))


def test_erasure_deletes_the_citizen_s_scans_and_sidecars_and_no_one_else_s(services):
    drop_and_capture(services, "financien/an-1.pdf", AN, {"sender": {"name": "An Smets",
                                                                      "email": "an.smets@example.be"}})
    drop_and_capture(services, "onthaal/an-2.pdf", AN.replace("vraag", "tweede vraag"))
    drop_and_capture(services, "onthaal/jef.pdf", JEF)
    for message in services.bus.peek("contact-events/crm", max_messages=10):
        record_contact(ContactEvent.from_json(message.body), services.uow(), services.now())
    with services.uow() as uow:
        (an,) = uow.parties.find(IdentifierType.EMAIL, "an.smets@example.be", 5)
    _, purged = services.erase_everywhere(an, actor="privacy@stad.example", reason="request of the citizen")
    inbox = services.settings.data_dir / "post-inbox"
    assert purged.scans == 3  # two PDFs and one sidecar
    assert sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()) == [
        "onthaal/jef.pdf"]


def test_the_approval_names_the_person_it_erases(services):
    from cli.gdpr import _who
    from handlers.privacy import request_erasure

    drop_and_capture(services, "onthaal/an-1.pdf", AN)
    for message in services.bus.peek("contact-events/crm", max_messages=10):
        record_contact(ContactEvent.from_json(message.body), services.uow(), services.now())
    with services.uow() as uow:
        (an,) = uow.parties.find(IdentifierType.EMAIL, "an.smets@example.be", 5)
    request = request_erasure(services.uow(), an, actor="els@stad.example", reason="request", route="cli")
    assert _who(services, request.id) == f"An Smets (party {an})"
