"""Reconcile a simulated day's ground truth (what the tenant says Loket should make of each contact)
against Loket's CRM store: captured, skipped (by reason), missing, duplicated, wrong.

Every truth row is one expected contact event (its `event_id` follows from the source id exactly as
design.md fixes it) or one expected skip (found by its hashed source id). A row is `captured` when its
contact is there with the right citizen, direction, departments, agent, outcome and version; `wrong`
when it is there (or skipped, or skipped for another reason) but differs; `missing` when neither a
contact nor a skip exists. `duplicated` counts extra contacts made from one source (an event id the
truth does not expect). generated = captured + skipped + missing + wrong.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from adapters.store.tables import Contact, ContactDepartment, PartyIdentifier
from adapters.store.tables_ops import SkipRecord
from handlers.event_ids import hashed_source_id, mail_event_id, phone_event_id, post_event_id

CHUNK = 400


def expected_event_id(row: dict) -> str:
    if row["channel"] == "mail":
        return str(mail_event_id(row["source_id"], row.get("recipient")))
    if row["channel"] == "phone":
        return str(phone_event_id(row["source_id"]))
    return str(post_event_id(row["source_id"]))


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    by_channel: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    skip_reasons: Counter = field(default_factory=Counter)
    wrong_fields: Counter = field(default_factory=Counter)
    problems: list[dict] = field(default_factory=list)

    def add(self, row: dict, verdict: str, fields: list[str] = ()) -> None:
        self.counts["generated"] += 1
        self.counts[verdict] += 1
        self.by_channel[row["channel"]]["generated"] += 1
        self.by_channel[row["channel"]][verdict] += 1
        if verdict == "skipped":
            self.skip_reasons[row["reason"]] += 1
        for name in fields:
            self.wrong_fields[name] += 1
        if verdict in ("missing", "wrong") and len(self.problems) < 25:
            self.problems.append(
                {
                    "scenario": row["scenario"],
                    "verdict": verdict,
                    "fields": list(fields),
                    "faults": row.get("faults") or [],
                }
            )

    @property
    def clean(self) -> bool:
        return not (self.counts["missing"] or self.counts["wrong"] or self.counts["duplicated"])

    def to_json(self) -> dict[str, Any]:
        """design.md's shape: top-level integers first, then the breakdowns."""
        keys = ("generated", "captured", "skipped", "missing", "duplicated", "wrong")
        channel_keys = keys
        return {
            **{k: int(self.counts[k]) for k in keys},
            "by_channel": {
                ch: {k: int(c[k]) for k in channel_keys} for ch, c in sorted(self.by_channel.items())
            },
            "skip_reasons": dict(sorted(self.skip_reasons.items())),
            "wrong_fields": dict(sorted(self.wrong_fields.items())),
            "problems": self.problems,
        }


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


@dataclass
class StoreView:
    """What the store holds for the truth's contacts, read in a few batched queries."""

    contacts: dict[str, Any]  # event_id -> row
    departments: dict[int, set[str]]
    identifiers: dict[int, set[tuple[str, str]]]
    skips: dict[str, str]  # hashed source id -> reason
    by_source: dict[str, set[str]]  # source id -> event ids stored for it

    @classmethod
    def read(cls, engine: Engine, truth: list[dict]) -> StoreView:
        event_ids = sorted({expected_event_id(r) for r in truth})
        sources = sorted({r["source_id"] for r in truth})
        hashes = sorted({hashed_source_id(r["source_id"]) for r in truth})
        with engine.connect() as conn:
            contacts = {
                r.event_id: r
                for ids in _chunks(event_ids)
                for r in conn.execute(
                    select(
                        Contact.id,
                        Contact.event_id,
                        Contact.version,
                        Contact.direction,
                        Contact.outcome,
                        Contact.party_id,
                        Contact.agent_id,
                    ).where(Contact.event_id.in_(ids))
                )
            }
            by_source: dict[str, set[str]] = defaultdict(set)
            for ids in _chunks(sources):
                for r in conn.execute(
                    select(Contact.source_id, Contact.event_id).where(Contact.source_id.in_(ids))
                ):
                    by_source[r.source_id].add(r.event_id)
            departments: dict[int, set[str]] = defaultdict(set)
            for ids in _chunks([c.id for c in contacts.values()]):
                for r in conn.execute(
                    select(ContactDepartment.contact_id, ContactDepartment.department).where(
                        ContactDepartment.contact_id.in_(ids)
                    )
                ):
                    departments[r.contact_id].add(r.department)
            identifiers: dict[int, set[tuple[str, str]]] = defaultdict(set)
            for ids in _chunks(sorted({c.party_id for c in contacts.values() if c.party_id is not None})):
                for r in conn.execute(
                    select(PartyIdentifier.party_id, PartyIdentifier.type, PartyIdentifier.value).where(
                        PartyIdentifier.party_id.in_(ids)
                    )
                ):
                    identifiers[r.party_id].add((r.type, r.value))
            skips = {
                r.hashed_source_id: r.reason
                for ids in _chunks(hashes)
                for r in conn.execute(
                    select(SkipRecord.hashed_source_id, SkipRecord.reason).where(
                        SkipRecord.hashed_source_id.in_(ids)
                    )
                )
            }
        return cls(contacts, departments, identifiers, skips, by_source)


def _wrong_fields(row: dict, contact: Any, view: StoreView) -> list[str]:
    wrong = []
    citizen = row.get("citizen")
    if citizen is None:
        if contact.party_id is not None:
            wrong.append("citizen")
    else:
        kind, value = next(iter(citizen.items()))
        if contact.party_id is None or (
            kind,
            value.lower() if kind == "email" else value,
        ) not in view.identifiers.get(contact.party_id, set()):
            wrong.append("citizen")
    if contact.direction != row["direction"]:
        wrong.append("direction")
    if view.departments.get(contact.id, set()) != set(row["departments"]):
        wrong.append("department")
    if (contact.agent_id or None) != (row.get("agent") or None):
        wrong.append("agent")
    if contact.outcome != row["outcome"]:
        wrong.append("outcome")
    if contact.version != row.get("version", 1):
        wrong.append("version")
    return wrong


def judge(row: dict, view: StoreView) -> tuple[str, list[str]]:
    """One truth row's verdict and, when wrong, which fields."""
    contact = view.contacts.get(expected_event_id(row))
    skip = view.skips.get(hashed_source_id(row["source_id"]))
    if row["captured"]:
        if contact is not None:
            fields = _wrong_fields(row, contact, view)
            return ("wrong", fields) if fields else ("captured", [])
        return ("wrong", [f"skipped:{skip}"]) if skip else ("missing", [])
    if contact is not None:
        return "wrong", ["captured_instead_of_skip"]
    if skip is None:
        return "missing", []
    return ("skipped", []) if skip == row["reason"] else ("wrong", [f"skip_reason:{skip}"])


def reconcile(truth: Iterable[dict], engine: Engine) -> Report:
    truth = list(truth)
    view = StoreView.read(engine, truth)
    report = Report()
    expected: dict[str, set[str]] = defaultdict(set)
    for row in truth:
        expected[row["source_id"]].add(expected_event_id(row))
    for row in truth:
        verdict, fields = judge(row, view)
        report.add(row, verdict, fields)
    for source, stored in view.by_source.items():
        extra = len(stored - expected[source])
        if extra:
            channel = next(r["channel"] for r in truth if r["source_id"] == source)
            report.counts["duplicated"] += extra
            report.by_channel[channel]["duplicated"] += extra
    return report
