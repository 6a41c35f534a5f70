"""Rich mail notifications, verified behind the queue before any of their data is used.

Order (graph-contracts.md §3.4, §3.5): every validation token (RS256 signature against the
issuer's published keys, issuer of the tenant, audience = Loket's app id, caller = Graph's
change-tracking app, not expired), then the data signature (HMAC-SHA256 with the symmetric key
from RSA-OAEP), and only then decryption (AES-CBC, IV = the key's first 16 bytes, PKCS7). Any
failure raises RichRejected with a stable reason code; nothing of the payload is used or logged.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric import padding as asym
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

GRAPH_CHANGE_TRACKING_APP_ID = "0bf30f3b-4a52-48df-9a82-234910c4a086"
LEEWAY = dt.timedelta(minutes=5)
# Without these the mail normaliser cannot decide; the other selected fields may be absent for good
# reason (Graph leaves out the headers of mail that never crossed SMTP), so they do not force a read.
RICH_REQUIRED = ("internetMessageId", "from", "toRecipients", "receivedDateTime", "parentFolderId",
                 "isDraft")


class RichRejected(Exception):
    """A rich notification that failed verification; `reason` is a stable code, safe to log and count."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"rich notification rejected: {reason}")
        self.reason = reason


class SigningKeys(Protocol):
    """The token issuer's published keys (adapters/graph/jwks.py caches them)."""

    async def key(self, kid: str) -> Any:
        """The public key for `kid`, or None when the issuer publishes no such key."""
        ...


def issuers(tenant_id: str) -> frozenset[str]:
    """v1 and v2 issuers of the Microsoft identity platform for the tenant."""
    return frozenset({f"https://sts.windows.net/{tenant_id}/",
                      f"https://login.microsoftonline.com/{tenant_id}/v2.0"})


@dataclass(frozen=True)
class RichVerifier:
    keys: SigningKeys
    tenant_id: str
    app_id: str
    private_keys: Mapping[str, Any]  # encryptionCertificateId -> RSA private key
    now: Callable[[], dt.datetime]

    async def open(self, tokens: tuple[str, ...] | list[str], content: Mapping[str, Any] | None) -> dict:
        """Verify every token, then the signature, then decrypt: the resource's selected fields."""
        if not tokens:
            raise RichRejected("no_validation_tokens")
        for token in tokens:
            await self.verify_token(token)
        return decrypt_content(content or {}, self.private_keys)

    async def verify_token(self, token: str) -> dict:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise RichRejected("malformed_token") from None
        if header.get("alg") != "RS256" or not header.get("kid"):
            raise RichRejected("unexpected_token_algorithm")
        key = await self.keys.key(str(header["kid"]))
        if key is None:
            raise RichRejected("unknown_signing_key")
        try:  # time claims are checked below against Loket's clock (movable in tests)
            claims = jwt.decode(token, key, algorithms=["RS256"], options={
                "verify_exp": False, "verify_nbf": False, "verify_iat": False,
                "verify_aud": False, "verify_iss": False, "require": ["exp", "aud", "iss"]})
        except jwt.InvalidSignatureError:
            raise RichRejected("bad_token_signature") from None
        except jwt.PyJWTError:
            raise RichRejected("malformed_token") from None
        self._check_claims(claims)
        return claims

    def _check_claims(self, claims: dict) -> None:
        audience = claims.get("aud")
        if (audience if isinstance(audience, list) else [audience]) != [self.app_id]:
            raise RichRejected("wrong_audience")
        if claims.get("iss") not in issuers(self.tenant_id):
            raise RichRejected("wrong_issuer")
        caller = claims.get("azp") if claims.get("ver") == "2.0" else claims.get("appid")
        if caller != GRAPH_CHANGE_TRACKING_APP_ID:
            raise RichRejected("wrong_caller")
        now = self.now().timestamp()
        try:
            expires, not_before = float(claims["exp"]), float(claims.get("nbf", 0))
        except (TypeError, ValueError):
            raise RichRejected("malformed_token") from None
        if now > expires + LEEWAY.total_seconds():
            raise RichRejected("expired_token")
        if not_before > now + LEEWAY.total_seconds():
            raise RichRejected("token_not_yet_valid")


def decrypt_content(content: Mapping[str, Any], private_keys: Mapping[str, Any]) -> dict:
    """`encryptedContent` -> the resource JSON; the HMAC is checked before anything is decrypted."""
    private_key = private_keys.get(str(content.get("encryptionCertificateId")))
    if private_key is None:
        raise RichRejected("unknown_certificate")
    try:
        data = base64.b64decode(content["data"], validate=True)
        data_key = base64.b64decode(content["dataKey"], validate=True)
        signature = base64.b64decode(content["dataSignature"], validate=True)
    except (KeyError, TypeError, binascii.Error):
        raise RichRejected("malformed_encrypted_content") from None
    try:
        oaep = asym.OAEP(mgf=asym.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303 - Graph's
        key = private_key.decrypt(data_key, oaep)
    except ValueError:
        raise RichRejected("undecryptable_key") from None
    if not hmac.compare_digest(hmac.new(key, data, hashlib.sha256).digest(), signature):
        raise RichRejected("bad_data_signature")
    return _aes_cbc_json(key, data)


def _aes_cbc_json(key: bytes, data: bytes) -> dict:
    try:
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        padded = decryptor.update(data) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        value = json.loads((unpadder.update(padded) + unpadder.finalize()).decode("utf-8"))
    except ValueError:  # bad key size, bad padding, not UTF-8, not JSON
        raise RichRejected("undecryptable_data") from None
    if not isinstance(value, dict):
        raise RichRejected("undecryptable_data")
    return value


def complete_message(data: dict, message_id: str) -> dict | None:
    """The decrypted message ready for the normaliser, or None when a field it needs is missing
    (then capture reads the message from Graph instead)."""
    if any(name not in data for name in RICH_REQUIRED):
        return None
    return {**{k: v for k, v in data.items() if "@odata" not in k}, "id": message_id}
