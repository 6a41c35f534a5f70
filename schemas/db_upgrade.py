"""The body of POST /api/ops/db/upgrade: who signs in to PostgreSQL, and for which app role."""
from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class DbUpgradeRequest(BaseModel):
    """A member of the PostgreSQL Entra admin group asks the app (inside the network) to upgrade.

    `token` is the member's own Entra access token for Azure Database for PostgreSQL: it is the
    password the server checks for the group's name, used for this request only, never logged.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    admin: str = Field(min_length=1, max_length=128, description="the Entra admin group's name")
    role: str = Field(min_length=1, max_length=128, description="the app identity's name (its database role)")
    object_id: uuid.UUID = Field(description="the app identity's principal (object) id")
    token: SecretStr = Field(min_length=1, max_length=16384)


class DbUpgradeResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    revision: str | None
