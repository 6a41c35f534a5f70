"""clientState = HMAC(GRAPH_CLIENT_STATE_KEY, a subscription's nonce): one read-only secret."""
from __future__ import annotations

import hashlib
import hmac
import secrets


def new_nonce() -> str:
    """Stored with a subscription when it is created; never secret on its own."""
    return secrets.token_urlsafe(24)


def client_state_for(key: str, nonce: str) -> str:
    """What Loket sends Graph as the subscription's clientState (64 hex characters, under Graph's 128)."""
    return hmac.new(key.encode("utf-8"), nonce.encode("utf-8"), hashlib.sha256).hexdigest()


def client_state_matches(key: str, nonce: str | None, presented: str | None) -> bool:
    """Constant-time check of a notification's clientState against *that* subscription's nonce."""
    if not nonce or not presented or not isinstance(presented, str) or not presented.isascii():
        return False  # compare_digest raises on non-ASCII text: a stranger's value is just wrong
    return hmac.compare_digest(client_state_for(key, nonce), presented)
