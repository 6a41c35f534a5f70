"""Rich notifications of the simulated tenant: resource data encrypted and signed the way Graph does it.

For a subscription with `includeResourceData`: the message's `$select`ed fields are encrypted with
a fresh 32-byte key (AES-CBC, IV = the key's first 16 bytes, PKCS7), the key with the subscription's
certificate (RSA-OAEP, SHA-1), the ciphertext signed with HMAC-SHA256 under the key; and the POST
carries a validation token (RS256 JWT, v1 claims) signed by the tenant's own key, which it
publishes at `/common/discovery/v2.0/keys` like the Microsoft identity platform.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from devhost.tenant.odata import APP_ID, TENANT_ID, now
from devhost.tenant.store import TenantStore

CHANGE_TRACKING_APP_ID = "0bf30f3b-4a52-48df-9a82-234910c4a086"
TOKEN_LIFETIME = dt.timedelta(hours=1)
_ITEM = re.compile(r"^/?users/([^/]+)/messages/(.+)$", re.IGNORECASE)


def signing_key(store: TenantStore) -> rsa.RSAPrivateKey:
    """The tenant's token-signing key, made once and kept in its own database."""
    pem = store.meta("signing_key_pem")
    if pem is None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
        store.set_meta("signing_key_pem", pem)
    return serialization.load_pem_private_key(pem.encode("ascii"), password=None)


def key_id(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sim-" + hashlib.sha256(der).hexdigest()[:16]


async def jwks(request: Request) -> Response:
    """`GET /common/discovery/v2.0/keys`: the tenant's public signing key as a JWKS document."""
    key = signing_key(request.app.state.store)
    entry = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    entry.update(kid=key_id(key), use="sig", alg="RS256")
    return JSONResponse({"keys": [entry]})


def validation_token(store: TenantStore, sub: dict) -> str:
    key, stamp = signing_key(store), now()
    claims = {
        "aud": sub.get("notificationUrlAppId") or APP_ID,
        "iss": f"https://sts.windows.net/{TENANT_ID}/",
        "iat": int(stamp.timestamp()), "nbf": int(stamp.timestamp()),
        "exp": int((stamp + TOKEN_LIFETIME).timestamp()),
        "appid": CHANGE_TRACKING_APP_ID, "tid": TENANT_ID, "ver": "1.0",
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": key_id(key)})


def encrypt(certificate_b64: str, certificate_id: str | None, resource: dict) -> dict:
    """`encryptedContent` for `resource`, readable only with the certificate's private key."""
    der = base64.b64decode(certificate_b64)
    cert = x509.load_der_x509_certificate(der)
    key = os.urandom(32)
    padder = padding.PKCS7(128).padder()
    plain = padder.update(json.dumps(resource).encode("utf-8")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    data = encryptor.update(plain) + encryptor.finalize()
    oaep = asym.OAEP(mgf=asym.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303 - Graph's
    return {
        "data": base64.b64encode(data).decode("ascii"),
        "dataKey": base64.b64encode(cert.public_key().encrypt(key, oaep)).decode("ascii"),
        "dataSignature": base64.b64encode(hmac.new(key, data, hashlib.sha256).digest()).decode("ascii"),
        "encryptionCertificateId": certificate_id,
        "encryptionCertificateThumbprint": hashlib.sha1(der).hexdigest().upper(),  # noqa: S324 - Graph's thumbprint
    }


def _selected(resource: str) -> tuple[list[str], bool]:
    """The subscription's `$select` fields, and whether it expands singleValueExtendedProperties."""
    query = parse_qs(urlsplit(resource).query)
    fields = [f.strip() for f in (query.get("$select") or [""])[0].split(",") if f.strip()]
    return fields, "singlevalueextendedproperties" in (query.get("$expand") or [""])[0].lower()


def with_resource_data(store: TenantStore, item: dict) -> tuple[dict, list[str] | None]:
    """The item with `encryptedContent` (and the tokens for the POST) when its subscription is rich."""
    sub = store.subscription(item.get("subscriptionId") or "")
    match = _ITEM.match(item.get("resource") or "")
    if not sub or not sub.get("includeResourceData") or not sub.get("encryptionCertificate") or not match:
        return item, None
    message = store.message(match.group(1).lower(), unquote(match.group(2)))
    if message is None:
        return item, None
    fields, expand = _selected(sub["resource"])
    expanded = "singleValueExtendedProperties" if expand else None
    shaped = {k: v for k, v in message.items() if k in fields or k == expanded}
    shaped["id"] = message["id"]
    content = encrypt(sub["encryptionCertificate"], sub.get("encryptionCertificateId"), shaped)
    return {**item, "encryptedContent": content}, [validation_token(store, sub)]
