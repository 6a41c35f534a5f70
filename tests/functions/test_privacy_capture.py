"""Objection at capture: a suppressed citizen's new mail and letters are skipped with reason
`suppressed`, recorded like any skip, and never reach the bus; everyone else's still do."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import text

from handlers.capture_mail import MailCapture, capture_mail
from handlers.citizen_rights import suppress
from handlers.crm import record_contact
from handlers.event_ids import hashed_source_id
from handlers.ports.graph import FolderResolver
from handlers.ports.store import IdentifierType
from handlers.skips import Skip, SkipReason
from schemas.queued_notification import MailNotificationBody
from tests.contract.store_backends import citizen, event
from tests.fixtures.post.pdfs import text_layer_pdf
from tests.functions.conftest import built_functions
from tests.functions.test_capture_functions import LETTER, blob, published

MESSAGE = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "mail" / "message_citizen_inbound.json").read_text()
)
ELS = citizen("Els Van den Broeck", "els.vandenbroeck@telenet.be", None)
MAILBOX = "6d2f0a11-0002-4a6b-8c1d-000000000002"  # burgerzaken@stad.example


class InboxGraph:
    async def get_message(self, user_id, message_id, select):
        return {**MESSAGE, "id": message_id}

    async def get_mail_folder(self, user_id, folder_id):
        return {"id": f"{folder_id}-id"}  # every folder is the well-known inbox


def _suppress(services, who) -> None:
    record_contact(event("earlier", who=who), services.uow(), services.now())
    with services.uow() as uow:
        (pid,) = uow.parties.find(IdentifierType.EMAIL, who.email, 5)
    suppress(services.uow(), pid, actor="dpo@stad.example", reason="Art. 21 objection", route="cli")


def _skips(services) -> dict[str, str]:
    with services.store.engine.connect() as conn:
        return dict(conn.execute(text("select hashed_source_id, reason from skip_records")).all())


def _capture_mail(services, message_id: str):
    graph = InboxGraph()
    deps = MailCapture(
        graph=graph,
        folders=FolderResolver(graph),
        policy=services.policy,
        bus=services.bus,
        topic="contact-events",
        record_skip=services.record_skip,
        now=services.now,
        suppressed=services.suppressed_keys,
    )
    note = MailNotificationBody(
        subscription_id="s1",
        change_type="created",
        mailbox_user_id=MAILBOX,
        message_id=message_id,
        received_at=services.now(),
    )
    return asyncio.run(capture_mail(note, deps))


def test_mail_is_published_while_the_citizen_has_not_objected(services):
    [captured] = _capture_mail(services, "AAMk-1")
    assert captured.citizen.email == ELS.email and len(published(services)) == 1


def test_a_suppressed_citizen_s_new_mail_is_skipped_with_its_reason_and_never_published(services):
    _suppress(services, ELS)
    assert _capture_mail(services, "AAMk-2") == []
    assert published(services) == []
    source_id = MESSAGE["internetMessageId"]
    assert _skips(services) == {hashed_source_id(source_id): SkipReason.SUPPRESSED.value}


def test_a_suppressed_citizen_s_letter_is_skipped_and_another_citizen_s_letter_is_not(services):
    _suppress(services, citizen("An Smets", "an.smets@example.be", None))
    capture = built_functions()["capture_letter"].get_user_function()
    inbox = services.settings.data_dir / "post-inbox" / "onthaal"
    inbox.mkdir(parents=True)
    for name, body in (
        ("an.pdf", LETTER),
        ("jef.pdf", LETTER.replace("An Smets", "Jef Claes").replace("an.smets", "jef.claes")),
    ):
        pdf = text_layer_pdf(body)
        (inbox / name).write_bytes(pdf)
        capture(blob(f"onthaal/{name}", pdf))
    [kept] = published(services)
    assert kept.citizen.email == "jef.claes@example.be"
    assert list(_skips(services).values()) == ["suppressed"]


def test_the_skip_helper_records_nothing_when_nobody_objected(services):
    from handlers.suppression import drop_suppressed

    recorded: list[Skip] = []
    events = [event("x", who=ELS)]
    assert drop_suppressed(events, services.suppressed_keys, recorded.append) == events and recorded == []
