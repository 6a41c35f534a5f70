"""`loket db restore-check`: after a database restore, re-apply what the privacy log outside the
database holds, before capture resumes.

A point-in-time restore (or an older backup) rolls back erasures, rectifications, suppressions and
restrictions made since. The privacy log keeps them as hashes, append-only, beside the event archive;
this puts every one of them back: tombstones re-added and the contacts they name deleted, erased
parties deleted again (with their audit entries reduced to the party's hash), rectification rules
re-added and the wrong identifiers and names they name removed again, suppressions re-added,
restrictions set (or lifted) as last recorded. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from handlers.audit_chain import party_ref
from handlers.crm import tombstone_key, utc_now
from handlers.ports.privacy_log import PrivacyLog
from handlers.ports.store import UnitOfWork
from handlers.privacy_rules import identifier_rule, name_rule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestoreReport:
    records: int = 0
    tombstones: int = 0
    contacts_removed: int = 0
    parties_removed: int = 0
    identifiers_removed: int = 0
    names_cleared: int = 0
    suppressions: int = 0
    restrictions: int = 0

    def to_json(self) -> dict[str, int]:
        return asdict(self)


def restore_check(
    uow: UnitOfWork, privacy_log: PrivacyLog, *, actor: str, now: dt.datetime | None = None
) -> RestoreReport:
    """Re-apply every record of the privacy log in one transaction; audited with the counts."""
    now = now or utc_now()
    records = privacy_log.records()
    of = _by_kind(records)
    with uow:
        by_ref = {party_ref(pid): pid for pid in uow.privacy.all_party_ids()}
        erased = _erasures(uow, of["erasure"], by_ref, now)
        identifiers, names = _rectifications(uow, of["rectification"], now)
        suppressions = 0
        for record in of["suppression"]:
            uow.privacy.add_suppressions(record["keys"], record["party_ref"], now)
            suppressions += len(record["keys"])
        restrictions = _restrictions(uow, records, by_ref, now)
        report = RestoreReport(len(records), *erased, identifiers, names, suppressions, restrictions)
        detail = ", ".join(f"{k} {v}" for k, v in report.to_json().items())
        uow.ledger.audit(
            actor,
            "restore_check",
            None,
            "re-apply the privacy log after a restore",
            now,
            detail=detail[:255],
            route="cli",
        )
        uow.commit()
    with uow:  # the restored chain is the chain from now on: checkpoints beyond it are withdrawn
        head = uow.privacy.audit_head()
    privacy_log.append(
        {
            "kind": "audit_restored",
            "at": now.astimezone(dt.UTC).isoformat(),
            "seq": head.seq,
            "hash": head.entry_hash,
        }
    )
    log.info("restore check done", extra=report.to_json())
    return report


def _by_kind(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("erasure", "rectification", "suppression", "restriction")
    }
    for record in records:
        found.setdefault(record.get("kind", ""), []).append(record)
    return found


def _erasures(
    uow: UnitOfWork, records: list[dict[str, Any]], by_ref: dict[str, int], now: dt.datetime
) -> tuple[int, int, int]:
    """(tombstones, contacts removed, parties removed)."""
    hashes = {h for r in records for h in r.get("event_hashes", [])}
    refs = {r["party_ref"] for r in records}
    doomed = {e for e in uow.privacy.all_event_ids() if tombstone_key(e) in hashes}
    parties = [by_ref[ref] for ref in refs if ref in by_ref]
    for pid in parties:  # contacts of an erased party recorded after the log's record was written
        doomed |= set(uow.contacts.event_ids_of(pid))
    hashes |= {tombstone_key(e) for e in doomed}
    uow.ledger.add_tombstones(hashes, now)
    uow.contacts.delete_events(sorted(doomed, key=str))
    for pid in parties:
        uow.parties.delete(pid)
        uow.privacy.forget_party(pid)
    for ref in refs:
        uow.privacy.close_requests(ref, now)
    return len(hashes), len(doomed), len(parties)


def _rectifications(uow: UnitOfWork, records: list[dict[str, Any]], now: dt.datetime) -> tuple[int, int]:
    """(identifiers removed, names cleared). A corrected name comes back as no name (the right one is
    personal data and stays out of the log); the next contact or the officer names the party again."""
    rules = {rule["hash"]: rule["kind"] for r in records for rule in r.get("rules", [])}
    for rule_hash, kind in rules.items():
        uow.privacy.add_rectification(rule_hash, kind, now)
    identifiers = names = 0
    for pid, identifier in uow.privacy.all_identifiers():
        if identifier_rule(pid, identifier) in rules and uow.parties.remove_identifier(pid, identifier):
            identifiers += 1
    for pid, name in uow.privacy.all_names():
        if name_rule(pid, name) in rules:
            uow.parties.rename(pid, None, now)
            names += 1
    return identifiers, names


def _restrictions(
    uow: UnitOfWork, records: list[dict[str, Any]], by_ref: dict[str, int], now: dt.datetime
) -> int:
    """The last word per party wins: a restriction, its lifting, or a suppression (which restricts)."""
    state: dict[str, bool] = {}
    for record in records:
        if record.get("kind") == "restriction":
            state[record["party_ref"]] = not record.get("lifted", False)
        elif record.get("kind") == "suppression":
            state[record["party_ref"]] = True
    changed = 0
    for ref, restricted in state.items():
        pid = by_ref.get(ref)
        if pid is None or uow.parties.get(pid) is None:
            continue
        if restricted and not uow.privacy.restricted([pid]):
            uow.privacy.restrict(pid, "re-applied by restore-check", now)
            changed += 1
        elif not restricted and uow.privacy.lift_restriction(pid):
            changed += 1
    return changed
