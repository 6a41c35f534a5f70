"""The work each Service Bus-triggered function does with one delivery: parse, call the handler."""
from __future__ import annotations

from bootstrap import get_services
from functions.deliveries import Delivery
from handlers.capture_call import capture_call
from handlers.capture_mail import capture_mail
from handlers.crm import record_contact
from handlers.lifecycle import handle_lifecycle
from schemas.contact_event import ContactEvent
from schemas.queued_notification import CallNotificationBody, LifecycleNotificationBody, MailNotificationBody


async def capture_mail_work(delivery: Delivery) -> None:
    await capture_mail(MailNotificationBody.model_validate_json(delivery.body), get_services().mail_capture())


async def capture_call_work(delivery: Delivery) -> None:
    await capture_call(CallNotificationBody.model_validate_json(delivery.body), get_services().call_capture())


async def handle_lifecycle_work(delivery: Delivery) -> None:
    note = LifecycleNotificationBody.model_validate_json(delivery.body)
    await handle_lifecycle(note, get_services().lifecycle())


def record_contact_work(delivery: Delivery) -> None:
    services = get_services()
    record_contact(ContactEvent.from_json(delivery.body), services.uow(), services.now(),
                   text_rule=services.policy.stored_text_for)


def archive_event_work(delivery: Delivery) -> None:
    get_services().archive.put(ContactEvent.from_json(delivery.body))
