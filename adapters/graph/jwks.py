"""The signing keys of Graph's validation tokens: fetched from the issuer's JWKS URL and cached.

Microsoft rotates keys (expect daily); a token naming an unknown `kid` triggers one refetch, at most
every `refetch_gap`, so a flood of forged kids cannot make Loket hammer the key endpoint.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import httpx
import jwt

from errors import TransientError

log = logging.getLogger(__name__)
MICROSOFT_JWKS_URL = "https://login.microsoftonline.com/common/discovery/v2.0/keys"


class JwksKeys:
    """`SigningKeys` (handlers/rich_notifications.py) over a JWKS URL."""

    def __init__(self, url: str = MICROSOFT_JWKS_URL, *, ttl: dt.timedelta = dt.timedelta(hours=12),
                 refetch_gap: dt.timedelta = dt.timedelta(minutes=5),
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url, self.ttl, self.refetch_gap, self._transport = url, ttl, refetch_gap, transport
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self.fetches = 0

    async def key(self, kid: str) -> Any:
        if self._stale() or (kid not in self._keys and self._may_refetch()):
            await self._refresh()
        return self._keys.get(kid)

    def _stale(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at > self.ttl.total_seconds()

    def _may_refetch(self) -> bool:
        gap = self.refetch_gap.total_seconds()
        return self._fetched_at is None or time.monotonic() - self._fetched_at > gap

    async def _refresh(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=10, transport=self._transport) as client:
                answer = await client.get(self.url)
                answer.raise_for_status()
                document = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            if self._keys:  # keep verifying with the keys we have; try again later
                log.warning("could not refresh the token signing keys: %s", type(exc).__name__)
                return
            raise TransientError(f"token signing keys unavailable: {type(exc).__name__}") from exc
        self._keys = parse_jwks(document)
        self._fetched_at = time.monotonic()
        self.fetches += 1


def parse_jwks(document: dict) -> dict[str, Any]:
    """kid -> public key for every RSA signing key of a JWKS document (others are skipped)."""
    keys = {}
    for entry in document.get("keys") or []:
        if entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig" or not entry.get("kid"):
            continue
        try:
            keys[entry["kid"]] = jwt.PyJWK(entry, algorithm="RS256").key
        except jwt.PyJWTError:
            log.warning("skipped an unreadable key in the JWKS document")
    return keys
