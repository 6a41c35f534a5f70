"""Entra ID bearer tokens: signature against the tenant's keys (cached), issuer, audience, expiry.

The keys come from the tenant's JWKS document (PyJWT's PyJWKClient caches them and refetches on an
unknown `kid`, so a key rollover needs no restart). Tests pass their own key resolver.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import jwt

from schemas.auth import Principal

log = logging.getLogger(__name__)
KeyResolver = Callable[[str], Any]  # token -> the public key that signed it
ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 60
JWKS_CACHE_SECONDS = 3600


class InvalidToken(ValueError):
    """The token is missing, malformed, expired, or not for this API (the message names no claim value)."""


class TokenVerifier:
    def __init__(self, audiences: list[str], issuer: str, keys: KeyResolver) -> None:
        self.audiences, self.issuer, self._keys = audiences, issuer, keys

    @classmethod
    def from_settings(cls, settings: Any) -> TokenVerifier | None:
        """None unless LOKET_API_CLIENT_ID is set; the tenant is LOKET_API_TENANT_ID, else GRAPH_TENANT_ID."""
        client_id = settings.api_client_id
        tenant = settings.api_tenant_id or settings.graph_tenant_id
        if not client_id or not (tenant or (settings.api_issuer and settings.api_jwks_url)):
            return None
        issuer = settings.api_issuer or f"https://login.microsoftonline.com/{tenant}/v2.0"
        jwks_url = settings.api_jwks_url or f"https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys"
        client = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=JWKS_CACHE_SECONDS, timeout=5)
        bare = client_id.removeprefix("api://")
        return cls([bare, f"api://{bare}"], issuer, lambda token: client.get_signing_key_from_jwt(token).key)

    def verify(self, token: str) -> Principal:
        try:
            key = self._keys(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audiences,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise InvalidToken(type(exc).__name__) from None
        return principal_of(claims)


def principal_of(claims: dict[str, Any]) -> Principal:
    """Roles and groups from the claims; the actor is the UPN, else the object id, else the app id."""
    actor = claims.get("preferred_username") or claims.get("upn") or claims.get("oid") or claims.get("azp")
    if "_claim_names" in claims and "groups" in claims["_claim_names"]:
        log.warning("groups overage in token: restricted departments stay hidden for this caller")
    return Principal(
        actor=str(actor or claims.get("sub") or "unknown"),
        roles=frozenset(str(r) for r in claims.get("roles", [])),
        groups=frozenset(str(g) for g in claims.get("groups", [])),
    )
