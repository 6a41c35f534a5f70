"""The body of POST /api/contacts/search: personal data travels in the body, never in the URL."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SearchRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    reason: str = Field(min_length=1, max_length=500)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=320)
    name: str | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _one_query(self) -> SearchRequest:
        if sum(v is not None and v.strip() != "" for v in (self.phone, self.email, self.name)) != 1:
            raise ValueError("give exactly one of phone, email, name")
        return self
