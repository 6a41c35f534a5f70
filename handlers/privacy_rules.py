"""The hashed rules the citizen's other rights leave behind, like erasure's tombstones: the store, capture
and the privacy log outside the database keep these hashes, never the identifiers themselves.

- a rectification rule: "this identifier (or name) is not this party's" (Art. 16), so matching never
  re-attaches it when a later event carries it;
- a suppression key: "capture nothing carrying this identifier" (Art. 21, where the city decides so).
"""

from __future__ import annotations

import hashlib

from handlers.identity import fold
from handlers.ports.store import Identifier


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def identifier_rule(party_id: int, identifier: Identifier) -> str:
    return _digest(f"rectified:{party_id}:{identifier.type.value}:{identifier.value}")


def name_rule(party_id: int, name: str) -> str:
    return _digest(f"rectified:{party_id}:name:{fold(name)}")


def suppression_key(identifier: Identifier) -> str:
    return _digest(f"suppressed:{identifier.type.value}:{identifier.value}")
