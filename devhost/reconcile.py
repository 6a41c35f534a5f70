"""Reconcile a simulated day's ground truth (what the tenant says Loket should make of each contact)
against the CRM store, independently of Loket: no Loket id function, no Loket model, only the store's
tables read as data and the truth's own source keys.

A truth row is found by its *source* key: inbound mail by internetMessageId, outbound mail by
internetMessageId + recipient, a call by its callRecord id, a letter by its PDF's sha256. Verdicts:
- `captured`: exactly the contact the truth describes (every field it knows, see `_field_checks`);
- `skipped`: no contact, and a skip record with the expected reason (by the hashed source id);
- `wrong`: there, but some field differs, or skipped for another reason, or captured instead of
  skipped, or its party holds other people's contacts (`party:merged`) or its person's contacts sit
  on several parties (`party:split`);
- `missing`: neither a contact nor a skip;
- `duplicated` (not a row verdict): every further contact made from one truth row's source;
- `extra` (not a row verdict): contacts captured during the run's time window whose source no
  simulated run explains.
generated = captured + skipped + missing + wrong.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from adapters.store.tables import Contact, ContactDepartment, PartyIdentifier
from adapters.store.tables_ops import SkipRecord

CHUNK = 400
TEXT_FIELDS = ("subject", "summary")  # the stored texts a truth row may predict (policy permitting)
PROBLEMS_KEPT = 25
COUNTS = ("generated", "captured", "skipped", "missing", "duplicated", "extra", "wrong")
CONTACT_COLUMNS = (
    Contact.id,
    Contact.event_id,
    Contact.version,
    Contact.channel,
    Contact.direction,
    Contact.occurred_at,
    Contact.duration_seconds,
    Contact.outcome,
    Contact.subject,
    Contact.summary,
    Contact.party_id,
    Contact.agent_id,
    Contact.source_id,
    Contact.mailboxes,
    Contact.captured_at,
)


def skip_key(source_id: str) -> str:
    """How the store keys a skip record (design.md: a hashed source id, no personal data)."""
    return hashlib.sha256(("skip:" + source_id).encode("utf-8")).hexdigest()


def hashed_key(row_or_key: dict | tuple) -> str:
    """An offending source key as the report may show it: hashed (a source id can name a person)."""
    if isinstance(row_or_key, dict):
        row_or_key = (row_or_key["channel"], row_or_key["source_id"], row_or_key.get("recipient") or "")
    return hashlib.sha256("|".join(row_or_key).encode("utf-8")).hexdigest()[:16]


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    by_channel: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    skip_reasons: Counter = field(default_factory=Counter)
    channel_skip_reasons: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    wrong_fields: Counter = field(default_factory=Counter)
    missing_scenarios: Counter = field(default_factory=Counter)  # every missing row, by scenario
    problems: list[dict] = field(default_factory=list)

    def add(self, row: dict, verdict: str, fields: list[str] = ()) -> None:
        channel = row["channel"]
        for key in ("generated", verdict):
            self.counts[key] += 1
            self.by_channel[channel][key] += 1
        if verdict == "missing":
            self.missing_scenarios[row.get("scenario") or channel] += 1
        if verdict == "skipped":
            self.skip_reasons[row["reason"]] += 1
            self.channel_skip_reasons[channel][row["reason"]] += 1
        for name in fields:
            self.wrong_fields[name] += 1
        if verdict in ("missing", "wrong"):
            self._problem(verdict, channel, hashed_key(row), row.get("scenario"), fields, row.get("faults"))

    def count(self, verdict: str, channel: str, key: str, scenario: str | None, n: int = 1) -> None:
        """`duplicated` or `extra`: contacts beyond the truth, not row verdicts."""
        self.counts[verdict] += n
        self.by_channel[channel][verdict] += n
        self._problem(verdict, channel, key, scenario, [], [])

    def _problem(self, verdict, channel, key, scenario, fields, faults) -> None:
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.append(
                {
                    "verdict": verdict,
                    "channel": channel,
                    "key": key,
                    "scenario": scenario,
                    "fields": list(fields),
                    "faults": list(faults or []),
                }
            )

    @property
    def clean(self) -> bool:
        return not any(self.counts[k] for k in ("missing", "duplicated", "extra", "wrong"))

    def to_json(self) -> dict[str, Any]:
        """design.md's shape: top-level integers first, then the breakdowns."""
        return {
            **{k: int(self.counts[k]) for k in COUNTS},
            "by_channel": {
                ch: {
                    **{k: int(c[k]) for k in COUNTS},
                    "skip_reasons": dict(sorted(self.channel_skip_reasons[ch].items())),
                }
                for ch, c in sorted(self.by_channel.items())
            },
            "skip_reasons": dict(sorted(self.skip_reasons.items())),
            "wrong_fields": dict(sorted(self.wrong_fields.items())),
            "missing_scenarios": dict(sorted(self.missing_scenarios.items())),
            "problems": self.problems,
        }


def _chunks(values: list) -> Iterator[list]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


@dataclass
class StoreView:
    """What the store holds for the truth's sources (and, for `extra`, the run's window)."""

    by_source: dict[tuple[str, str], list[Any]]  # (channel, source id) -> contact rows, oldest first
    in_window: list[Any]
    departments: dict[int, set[str]]
    identifiers: dict[int, set[tuple[str, str]]]
    skips: dict[str, str]  # hashed source id -> reason

    @classmethod
    def read(
        cls, engine: Engine, truth: list[dict], window: tuple[dt.datetime, dt.datetime] | None
    ) -> StoreView:
        sources = sorted({r["source_id"] for r in truth})
        by_source: dict[tuple[str, str], list[Any]] = defaultdict(list)
        with engine.connect() as conn:
            for ids in _chunks(sources):
                for r in conn.execute(select(*CONTACT_COLUMNS).where(Contact.source_id.in_(ids))):
                    by_source[(r.channel, r.source_id)].append(r)
            in_window = []
            if window is not None:
                in_window = list(
                    conn.execute(
                        select(*CONTACT_COLUMNS).where(
                            Contact.captured_at >= window[0], Contact.captured_at <= window[1]
                        )
                    )
                )
            contacts = [c for rows in by_source.values() for c in rows] + in_window
            departments: dict[int, set[str]] = defaultdict(set)
            for ids in _chunks(sorted({c.id for c in contacts})):
                query = select(ContactDepartment.contact_id, ContactDepartment.department)
                for r in conn.execute(query.where(ContactDepartment.contact_id.in_(ids))):
                    departments[r.contact_id].add(r.department)
            identifiers: dict[int, set[tuple[str, str]]] = defaultdict(set)
            for ids in _chunks(sorted({c.party_id for c in contacts if c.party_id is not None})):
                query = select(PartyIdentifier.party_id, PartyIdentifier.type, PartyIdentifier.value)
                for r in conn.execute(query.where(PartyIdentifier.party_id.in_(ids))):
                    identifiers[r.party_id].add((r.type, r.value))
            skips = {}
            for ids in _chunks(sorted({skip_key(s) for s in sources})):
                query = select(SkipRecord.hashed_source_id, SkipRecord.reason)
                for r in conn.execute(query.where(SkipRecord.hashed_source_id.in_(ids))):
                    skips[r.hashed_source_id] = r.reason
        for rows in by_source.values():
            rows.sort(key=lambda c: c.id)
        return cls(dict(by_source), in_window, departments, identifiers, skips)


def _identifier(kind: str, value: str) -> tuple[str, str]:
    return kind, value.lower() if kind == "email" else value


def _second(value: str | dt.datetime) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00")[:19] + "+00:00")
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _field_checks(row: dict, contact: Any, view: StoreView) -> list[str]:
    """Every field the truth knows, compared with the stored contact; returns the differing ones."""
    wrong = []
    citizen = row.get("citizen")
    if citizen is None:
        if contact.party_id is not None:
            wrong.append("citizen")
    else:
        primary = _identifier(*next(iter(citizen.items())))
        if contact.party_id is None or primary not in view.identifiers.get(contact.party_id, set()):
            wrong.append("citizen")
    if contact.channel != row["channel"]:
        wrong.append("channel")
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
    if row.get("occurred_at") and _second(contact.occurred_at) != _second(row["occurred_at"]):
        wrong.append("occurred_at")
    if row.get("duration") is not None and contact.duration_seconds != row["duration"]:
        wrong.append("duration")
    if row.get("mailboxes") is not None and sorted(m.lower() for m in contact.mailboxes or []) != sorted(
        row["mailboxes"]
    ):
        wrong.append("mailboxes")
    for name in TEXT_FIELDS:
        texts = row.get("texts") or {}
        if name in texts and getattr(contact, name) != texts[name]:
            wrong.append(name)
    return wrong


def _assign(rows: list[dict], contacts: list[Any], view: StoreView) -> tuple[dict[int, list[Any]], list[Any]]:
    """Contacts of one source to its truth rows: one row takes them all; several (outbound mail to
    several citizens) share them by recipient. Returns (row index -> contacts, unexplained)."""
    if len(rows) == 1:
        return {0: contacts}, []
    given: dict[int, list[Any]] = defaultdict(list)
    left = []
    for contact in contacts:
        owned = view.identifiers.get(contact.party_id, set())
        index = next(
            (
                i
                for i, r in enumerate(rows)
                if r.get("recipient") and _identifier("email", r["recipient"]) in owned
            ),
            None,
        )
        if index is None:
            left.append(contact)
        else:
            given[index].append(contact)
    return given, left


class _People:
    """The truth's people as identifier groups: identifiers one contact reveals together are one person."""

    def __init__(self, truth: list[dict]) -> None:
        self.parent: dict[tuple[str, str], tuple[str, str]] = {}
        for row in truth:
            found = [_identifier(k, v) for k, v in (row.get("citizen") or {}).items() if v]
            for ident in found:
                self.parent.setdefault(ident, ident)
            for other in found[1:]:
                self.parent[self.find(other)] = self.find(found[0])

    def find(self, ident: tuple[str, str]) -> tuple[str, str]:
        while self.parent[ident] != ident:
            self.parent[ident] = self.parent[self.parent[ident]]
            ident = self.parent[ident]
        return ident


def _party_checks(found: list[tuple[dict, Any]]) -> dict[int, list[str]]:
    """`party:split`: one identifier's contacts on several parties; `party:merged`: one party holding
    contacts of people the truth never links. Keys are indexes into `found`."""
    people = _People([row for row, _ in found])
    parties_of: dict[tuple[str, str], set[int]] = defaultdict(set)
    groups_of: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for row, contact in found:
        if row.get("citizen") and contact.party_id is not None:
            primary = _identifier(*next(iter(row["citizen"].items())))
            parties_of[primary].add(contact.party_id)
            groups_of[contact.party_id].add(people.find(primary))
    marks: dict[int, list[str]] = defaultdict(list)
    for i, (row, contact) in enumerate(found):
        if not row.get("citizen") or contact.party_id is None:
            continue
        primary = _identifier(*next(iter(row["citizen"].items())))
        if len(parties_of[primary]) > 1:
            marks[i].append("party:split")
        if len(groups_of[contact.party_id]) > 1:
            marks[i].append("party:merged")
    return marks


def reconcile(
    truth: Iterable[dict],
    engine: Engine,
    *,
    window: tuple[dt.datetime, dt.datetime] | None = None,
    explained: Iterable[tuple[str, str]] = (),
) -> Report:
    """`window` (run start, end) bounds `extra`; `explained` holds (channel, source id) of other runs'
    truth, whose contacts in the window are theirs, not extra. Without a window no `extra` is counted."""
    truth = list(truth)
    view = StoreView.read(engine, truth, window)
    report = Report()
    rows_of: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(truth):
        rows_of[(row["channel"], row["source_id"])].append(i)
    contacts_of: dict[int, list[Any]] = defaultdict(list)
    for key, indexes in rows_of.items():
        given, left = _assign([truth[i] for i in indexes], view.by_source.get(key, []), view)
        for local, contacts in given.items():
            contacts_of[indexes[local]] = contacts
        if left:
            report.count(
                "duplicated", key[0], hashed_key((*key, "")), truth[indexes[0]].get("scenario"), len(left)
            )
    found = [(truth[i], contacts[0]) for i, contacts in sorted(contacts_of.items()) if contacts]
    found_index = {i: n for n, i in enumerate(i for i, c in sorted(contacts_of.items()) if c)}
    party_marks = _party_checks(found)
    for i, row in enumerate(truth):
        contacts = contacts_of.get(i, [])
        if len(contacts) > 1:
            report.count(
                "duplicated", row["channel"], hashed_key(row), row.get("scenario"), len(contacts) - 1
            )
        verdict, fields = _judge(row, contacts, view)
        if contacts and i in found_index:
            fields = fields + party_marks.get(found_index[i], [])
            if fields and verdict in ("captured", "skipped"):
                verdict = "wrong"
        report.add(row, verdict, fields)
    _count_extra(report, view, set(rows_of) | set(explained))
    return report


def _judge(row: dict, contacts: list[Any], view: StoreView) -> tuple[str, list[str]]:
    skip = view.skips.get(skip_key(row["source_id"]))
    if row["captured"]:
        if contacts:
            fields = _field_checks(row, contacts[0], view)
            return ("wrong", fields) if fields else ("captured", [])
        return ("wrong", [f"skipped:{skip}"]) if skip else ("missing", [])
    if contacts:
        return "wrong", ["captured_instead_of_skip"]
    if skip is None:
        return "missing", []
    return ("skipped", []) if skip == row["reason"] else ("wrong", [f"skip_reason:{skip}"])


def _count_extra(report: Report, view: StoreView, explained: set[tuple[str, str]]) -> None:
    for contact in view.in_window:
        key = (contact.channel, contact.source_id)
        if key not in explained:
            report.count("extra", contact.channel, hashed_key((*key, "")), None)
