"""Which Graph subscriptions the capture policy calls for, with changeType and lifetime per resource.

Lifetimes (graph-contracts.md §4.3): Outlook messages 10,080 min (1,440 min with resource data),
callRecords 4,230 min. Loket asks a little under the maximum and renews at half-life, so a day of
failed renewals still leaves the subscription alive.

callRecords privacy trade-off: by default the subscription is filtered to the city's call-queue
and auto-attendant resource accounts (`participants/any(p:p/id in (…))`), so Loket is told only
about calls that reached a service number. `GRAPH_CALLRECORDS_TENANT_WIDE=true` subscribes to every
call in the tenant (staff-to-staff calls, meetings): normalisation still skips them, but Loket then
reads metadata of calls it has no purpose for. Use it only if the filter proves to miss calls in
the tenant (whether a queue's resource account id always appears as a participant id is
unverified, graph-contracts.md §4.4). Either way the app holds CallRecords.Read.All, which Graph
cannot narrow; the filter limits what flows, not what is permitted.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from schemas.capture_policy import CapturePolicy

if TYPE_CHECKING:
    from handlers.subscriptions import SubscriptionConfig

MAIL_LIFETIME = dt.timedelta(minutes=10080 - 30)
RICH_MAIL_LIFETIME = dt.timedelta(minutes=1440 - 30)
CALLS_LIFETIME = dt.timedelta(minutes=4230 - 30)
EXPANDED = "singleValueExtendedProperties"
MESSAGE_CLASS_EXPAND = "singleValueExtendedProperties($filter=id eq 'String 0x001A')"


@dataclass(frozen=True)
class Wanted:
    """One subscription the policy calls for."""

    kind: Literal["mail", "calls"]
    resource: str
    change_type: str
    lifetime: dt.timedelta
    mailbox: str | None = None
    rich: bool = False

    @property
    def renew_within(self) -> dt.timedelta:
        return self.lifetime / 2

    def body(self, now: dt.datetime, config: SubscriptionConfig, client_state: str) -> dict:
        """The `POST /subscriptions` body (graph-contracts.md §4.1, §10.2)."""
        body = {
            "changeType": self.change_type,
            "notificationUrl": config.notification_url,
            "lifecycleNotificationUrl": config.lifecycle_url,
            "resource": self.resource,
            "expirationDateTime": now + self.lifetime,
            "clientState": client_state,
            "latestSupportedTlsVersion": "v1_2",
        }
        if self.rich:
            body.update(includeResourceData=True, encryptionCertificate=config.certificate,
                        encryptionCertificateId=config.certificate_id)
        return body


def mail_resource(user_id: str, rich: bool) -> str:
    """The whole mailbox; with resource data, `$select` every field the mail normaliser reads."""
    if not rich:
        return f"users/{user_id}/messages"
    from handlers.capture_mail import MAIL_SELECT

    fields = ",".join(f for f in MAIL_SELECT if f != EXPANDED)
    return f"users/{user_id}/messages?$select={fields}&$expand={MESSAGE_CLASS_EXPAND}"


def calls_resource(policy: CapturePolicy, tenant_wide: bool) -> str:
    ids = sorted({q.resource_account_id.lower() for q in policy.call_queues})
    if tenant_wide or not ids:
        return "communications/callRecords"
    quoted = ",".join(f"'{i}'" for i in ids)
    return f"communications/callRecords?$filter=participants/any(p:p/id in ({quoted}))"


def wanted_subscriptions(policy: CapturePolicy, calls_tenant_wide: bool, rich: bool) -> list[Wanted]:
    """Mail: `created` (a new message anywhere in the mailbox). Calls: `updated`, which Graph fires
    for a record's first sighting and for every later version (graph-contracts.md §1.4)."""
    wanted = [
        Wanted("mail", mail_resource(box.user_id, rich), "created",
               RICH_MAIL_LIFETIME if rich else MAIL_LIFETIME, mailbox=box.user_id, rich=rich)
        for box in policy.mailboxes if box.user_id
    ]
    if policy.call_queues:
        wanted.append(Wanted("calls", calls_resource(policy, calls_tenant_wide), "updated", CALLS_LIFETIME))
    return wanted


def mailbox_of(resource: str) -> str | None:
    """The mailbox user id of a mail subscription's resource, else None."""
    head, _, rest = resource.partition("?")
    parts = head.strip("/").split("/")
    if len(parts) == 3 and parts[0].lower() == "users" and parts[2].lower() == "messages":
        return parts[1]
    return None


def is_calls(resource: str) -> bool:
    return resource.lower().startswith("communications/callrecords")
