"""Shared by the operators' view tests: bearer tokens signed by a test key, requests, poisoned messages."""

from __future__ import annotations

import datetime as dt
import functools
import json
import time

import azure.functions as func
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from handlers.auth_tokens import TokenVerifier
from handlers.ports.bus import OutgoingMessage
from schemas.auth import OPERATOR_ROLE, STAFF_ROLE

TENANT = "5a1c9d3e-0000-4e6f-9a1b-2c3d4e5f6a7b"
ISSUER = f"https://login.microsoftonline.com/{TENANT}/v2.0"
AUDIENCE = "8b7c6d5e-4f3a-4b2c-9d1e-0f1a2b3c4d5e"
SOCIAL_GROUP = "9c1e2d3f-5555-4a6b-8c7d-5e6f7a8b9c05"  # policy/stad.example.yaml: Sociale dienst


@functools.cache
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(
    *roles: str,
    groups: tuple[str, ...] = (),
    key=None,
    audience: str = AUDIENCE,
    issuer: str = ISSUER,
    expires_in: int = 3600,
    user: str = "an.operator@stad.example",
) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + expires_in,
        "oid": "0a0a0a0a-1111-2222-3333-444444444444",
        "preferred_username": user,
        "roles": list(roles),
        "groups": list(groups),
        "ver": "2.0",
    }
    return jwt.encode(claims, key or signing_key(), algorithm="RS256", headers={"kid": "test-key"})


def install_verifier(services) -> None:
    """As LOKET_API_CLIENT_ID would, with the tenant's keys replaced by the test key."""
    public = signing_key().public_key()
    verifier = TokenVerifier([AUDIENCE, f"api://{AUDIENCE}"], ISSUER, lambda t: public)
    services.__dict__["token_verifier"] = verifier


STAFF = (STAFF_ROLE,)
OPERATOR = (OPERATOR_ROLE,)


def request(
    method: str,
    route: str,
    *,
    bearer: str | None = None,
    key: str | None = None,
    body: object = None,
    params: dict | None = None,
    route_params: dict | None = None,
    headers: dict | None = None,
) -> func.HttpRequest:
    sent = {"Content-Type": "application/json", **(headers or {})}
    if bearer:
        sent["Authorization"] = f"Bearer {bearer}"
    if key:
        sent["x-functions-key"] = key
    data = b"" if body is None else json.dumps(body).encode()
    return func.HttpRequest(
        method, f"/api/{route}", headers=sent, params=params or {}, route_params=route_params or {}, body=data
    )


def body(response: func.HttpResponse):
    return json.loads(response.get_body())


def poison(
    services,
    entity: str = "mail-notifications",
    reason: str = "MalformedPayload",
    message_id: str = "poison-1",
    payload: bytes = b"{not json",
) -> None:
    """A message Loket failed on in plain mode: failure logged on each attempt, dead-lettered by the
    broker after the max delivery count (so the broker's own reason is MaxDeliveryCountExceeded)."""
    bus = services.bus
    target, _, subscription = entity.partition("/")
    props = {"loket-target": subscription} if subscription else {}
    bus.publish(target, [OutgoingMessage(payload, message_id, application_properties=props)])
    for _ in range(10):
        (got,) = bus.receive(entity)
        services.record_failure(got.message_id, entity, reason)
        bus.abandon(got)


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)
