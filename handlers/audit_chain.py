"""The audit as a hash chain: each entry carries the hash of the one before it, so an edited, deleted or
reordered entry shows (`loket audit verify`).

An entry's hash is sha256(previous hash, canonical JSON of its fields): keys sorted, no spaces, UTF-8,
the instant in UTC with microseconds. The party is chained as `party_ref` (a hash of its id), never as
the plain id: after erasure the plain id is cleared from the audit and the chain still verifies, while
the data-protection officer can still ask "who looked at party 42?" by hashing 42 again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

GENESIS = "0" * 64


def party_ref(party_id: int | None) -> str | None:
    """The party's pseudonym in the audit (and in the privacy log kept outside the database)."""
    if party_id is None:
        return None
    return hashlib.sha256(f"party:{party_id}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainedFields:
    """What the hash covers: everything an entry says except the clearable plain party id."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    party_ref: str | None
    reason: str
    detail: str | None
    route: str | None
    shown: str | None

    def canonical(self) -> bytes:
        body = {
            "seq": self.seq,
            "at": self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor": self.actor,
            "action": self.action,
            "party_ref": self.party_ref,
            "reason": self.reason,
            "detail": self.detail,
            "route": self.route,
            "shown": self.shown,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(prev_hash: str, fields: ChainedFields) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + fields.canonical()).hexdigest()


@dataclass(frozen=True)
class StoredEntry:
    """An audit row as read back for verification."""

    fields: ChainedFields
    party_id: int | None
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class ChainHead:
    """The chain's last entry, and where it starts (later than 1 once retention removed old entries)."""

    seq: int
    entry_hash: str
    first_seq: int = 1
    anchor_hash: str = GENESIS


@dataclass
class ChainReport:
    ok: bool = True
    entries: int = 0
    first_seq: int = 1
    last_seq: int = 0
    head_hash: str = GENESIS
    problems: list[dict[str, object]] = field(default_factory=list)

    def problem(self, seq: int | None, what: str) -> None:
        self.ok = False
        if len(self.problems) < 100:
            self.problems.append({"seq": seq, "problem": what})

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "head_hash": self.head_hash,
            "problems": self.problems,
        }


def active_checkpoints(records: Iterable[dict[str, object]]) -> dict[int, str]:
    """Chain heads recorded outside the database (privacy log), oldest first: `audit_checkpoint`
    records name a head; an `audit_restored` record (written by restore-check) withdraws those beyond
    the restored head, since a restore legitimately loses the entries after its backup."""
    found: dict[int, str] = {}
    for record in records:
        kind, seq = record.get("kind"), record.get("seq")
        if not isinstance(seq, int):
            continue
        if kind == "audit_checkpoint":
            found[seq] = str(record.get("hash"))
        elif kind == "audit_restored":
            found = {s: h for s, h in found.items() if s <= seq}
    return found


def check_checkpoints(report: ChainReport, checkpoints: dict[int, str], hashes_at: dict[int, str]) -> None:
    """Each checkpoint still in the chain's range must be there with the same hash: this catches a
    rewritten history or a removed tail even when the head row was rewritten to match."""
    for seq, digest in sorted(checkpoints.items()):
        if seq < report.first_seq:
            continue  # removed by retention since
        if hashes_at.get(seq) != digest:
            report.problem(seq, "differs from the chain head kept outside the database: rewritten or removed")


def verify_chain(head: ChainHead, entries: Iterable[StoredEntry], anchors: Iterable[str] = ()) -> ChainReport:
    """Walk the entries in `seq` order from the head's anchor to its last entry.

    Detects: an edited entry (its hash no longer matches its fields), a deleted one (a gap in `seq`, or
    a link to a hash that is not its predecessor's), reordered ones (the links no longer follow), a
    removed tail (the head names a later entry), a plain party id that is not the chained one, and a
    chain start that no retention entry vouches for (`anchors`: hashes named by retention entries).
    """
    report = ChainReport(first_seq=head.first_seq, head_hash=head.entry_hash)
    if head.first_seq > 1 and head.anchor_hash not in set(anchors):
        report.problem(head.first_seq, "the chain starts later than entry 1 but no retention entry says so")
    expected_seq, expected_prev = head.first_seq, head.anchor_hash
    for entry in entries:
        seq = entry.fields.seq
        if seq != expected_seq:
            report.problem(seq, f"expected entry {expected_seq} here: entries missing or reordered")
        if entry.prev_hash != expected_prev:
            report.problem(seq, "does not link to the entry before it")
        if entry_hash(entry.prev_hash, entry.fields) != entry.entry_hash:
            report.problem(seq, "its content does not match its hash: edited")
        if entry.party_id is not None and party_ref(entry.party_id) != entry.fields.party_ref:
            report.problem(seq, "its party id is not the party it was recorded for")
        report.entries += 1
        report.last_seq = seq
        expected_seq, expected_prev = seq + 1, entry.entry_hash
    if (
        report.last_seq if report.entries else head.first_seq - 1
    ) != head.seq or expected_prev != head.entry_hash:
        report.problem(head.seq, "the last entry is not the chain's head: entries removed at the end")
    return report
