"""Who is calling the API: the principal a bearer token (or the local key) stands for."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

STAFF_ROLE = "Loket.Staff"
OPERATOR_ROLE = "Loket.Operator"
PRIVACY_ROLE = "Loket.Privacy"  # data-protection officer: audit, erasure approval, rectification, restriction
ROLES = (STAFF_ROLE, OPERATOR_ROLE, PRIVACY_ROLE)


class Principal(BaseModel):
    """`actor` is what the audit names (UPN, else object id, else the calling app's id).

    `all_departments` is the local key's stand-in: it sees restricted departments too.
    """

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    actor: str
    roles: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    all_departments: bool = False

    def has(self, role: str) -> bool:
        return role in self.roles
