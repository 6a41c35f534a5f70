"""The Service Bus-triggered functions, registered for the chosen settlement mode (design.md).

`plain` (default): the GA trigger with `func.ServiceBusMessage`; the host completes on return and
abandons on an exception. `actions`: the pre-release SDK-type binding with
`ServiceBusMessageActions` and `auto_complete_messages=False`; the settlement helper settles.
"""

from collections.abc import Callable
from typing import Any

import azure.functions as func

from functions import consumers
from functions.settlement import Work, settle

CONNECTION = "ServiceBusConnection"
# (function name, queue setting or (topic setting, subscription), entity as operators name it, work)
QUEUE_FUNCTIONS = (
    ("capture_mail", "MAIL_NOTIFICATIONS_QUEUE", consumers.capture_mail_work),
    ("capture_call", "CALL_NOTIFICATIONS_QUEUE", consumers.capture_call_work),
    ("handle_lifecycle", "LIFECYCLE_NOTIFICATIONS_QUEUE", consumers.handle_lifecycle_work),
)
TOPIC_FUNCTIONS = (
    ("record_contact", "crm", consumers.record_contact_work),
    ("archive_event", "archive", consumers.archive_event_work),
)


def blueprint(mode: str) -> func.Blueprint:
    """Every Service Bus function, with the trigger type `mode` needs."""
    bp = func.Blueprint()
    for name, setting, work in QUEUE_FUNCTIONS:
        trigger = dict(queue_name=f"%{setting}%")
        _register(bp, mode, name, trigger, _queue_entity(setting), work, bp.service_bus_queue_trigger)
    for name, subscription, work in TOPIC_FUNCTIONS:
        trigger = dict(topic_name="%CONTACT_EVENTS_TOPIC%", subscription_name=subscription)
        entity = _topic_entity(subscription)
        _register(bp, mode, name, trigger, entity, work, bp.service_bus_topic_trigger)
    return bp


def _queue_entity(setting: str) -> Callable[[], str]:
    from bootstrap import get_services

    return lambda: getattr(get_services().settings, setting.lower())


def _topic_entity(subscription: str) -> Callable[[], str]:
    from bootstrap import get_services

    return lambda: f"{get_services().settings.contact_events_topic}/{subscription}"


def _register(bp: func.Blueprint, mode: str, name: str, trigger: dict, entity: Callable[[], str],
              work: Work, decorator: Any) -> None:
    if mode == "actions":
        user_function = _actions_function(entity, work)
        options = dict(auto_complete_messages=False)
    else:
        user_function = _plain_function(entity, work)
        options = {}
    user_function.__name__ = name
    builder = decorator(arg_name="msg", connection=CONNECTION, **trigger, **options)
    bp.function_name(name)(builder(user_function))


def _plain_function(entity: Callable[[], str], work: Work) -> Callable[..., Any]:
    async def run(msg: func.ServiceBusMessage) -> None:
        await settle(msg, entity(), work)

    return run


def _actions_function(entity: Callable[[], str], work: Work) -> Callable[..., Any]:
    from azurefunctions.extensions.bindings import servicebus

    async def run(msg: servicebus.ServiceBusReceivedMessage,
                  message_actions: servicebus.ServiceBusMessageActions) -> None:
        await settle(msg, entity(), work, actions=message_actions)

    return run
