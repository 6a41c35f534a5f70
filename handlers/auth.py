"""Authorisation rules, the same on every hosting plan: app roles per route, restricted departments.

Staff (`Loket.Staff`) look citizens up; operators (`Loket.Operator`) see queues and replay; the
data-protection officer (`Loket.Privacy`) reads the audit, approves erasures, rectifies, restricts. A
department the policy marks as restricted (Sociale dienst) is visible only to members of its group
(the token's `groups` claim): a contact routed to such a department is left out for everyone else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from handlers.lookup import Visibility
from schemas.auth import ROLES, Principal

LOCAL_ACTOR = "local-api-key"


def local_principal() -> Principal:
    """The local `x-functions-key` stands in for every role (design.md, HTTP); for erasure's four eyes
    it counts as one person."""
    return Principal(actor=LOCAL_ACTOR, roles=frozenset(ROLES), all_departments=True)


def visibility(principal: Principal, restricted: Mapping[str, str]) -> Visibility:
    """`can_see` for handlers.lookup: every restricted department on a contact must be the caller's."""

    def can_see(departments: Sequence[str]) -> bool:
        if principal.all_departments:
            return True
        return all(restricted[d] in principal.groups for d in departments if d in restricted)

    return can_see
