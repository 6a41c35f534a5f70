"""The audit chain on SQLite and PostgreSQL: tamper-evident, readable by party/actor/time, never erased
with the citizen, pruned by the policy's retention, and never forked by concurrent writers."""
# ruff: noqa: F811 - pytest fixtures imported from tests.contract.store_backends

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import delete, select, update

from adapters.store.tables_ops import AuditEntry
from handlers.audit_chain import party_ref
from handlers.crm import record_contact
from handlers.gdpr import apply_retention, erase_party, export_party
from handlers.lookup import lookup
from handlers.privacy import read_audit, verify_audit
from tests.contract.store_backends import T0, citizen, event, pg_store, postgres_url, sqlite_template, store  # noqa: F401 - fixtures

WHO = "els@stad.example"


def _party(store) -> int:
    record_contact(event("a"), store.uow())
    record_contact(event("b", channel="mail", departments=("Onthaal",), duration=None), store.uow())
    return (
        lookup(store.uow(), actor=WHO, reason="terugbelverzoek", phone="0475123456", now=T0)
        .parties[0]
        .party_id
    )


def _tamper(store, statement) -> None:
    with store.engine.begin() as conn:
        conn.execute(statement)


def _problems(store) -> list[str]:
    return [p["problem"] for p in verify_audit(store.uow()).problems]


def test_an_untouched_chain_verifies_from_its_first_to_its_last_entry(store):
    pid = _party(store)
    export_party(store.uow(), pid, actor="dpo@stad.example", reason="access request 17")
    report = verify_audit(store.uow())
    assert (report.ok, report.entries, report.first_seq, report.last_seq) == (True, 2, 1, 2)


def test_an_edited_entry_breaks_the_chain(store):
    pid = _party(store)
    export_party(store.uow(), pid, actor="dpo@stad.example", reason="access request 17")
    _tamper(store, update(AuditEntry).where(AuditEntry.seq == 1).values(reason="routine check"))
    assert not verify_audit(store.uow()).ok
    assert "its content does not match its hash: edited" in _problems(store)


@pytest.mark.parametrize(
    "change",
    [
        {"at": T0 + dt.timedelta(seconds=1)},
        {"actor": "someone@stad.example"},
        {"route": "GET /api/parties/{id}/timeline"},
        {"shown": "Onthaal"},
    ],
)
def test_an_edited_actor_time_route_or_shown_departments_break_the_chain_too(store, change):
    _party(store)
    _tamper(store, update(AuditEntry).where(AuditEntry.seq == 1).values(**change))
    assert _problems(store) == ["its content does not match its hash: edited"]


def test_a_deleted_entry_in_the_middle_breaks_the_chain(store):
    pid = _party(store)
    for n in range(3):
        export_party(store.uow(), pid, actor="dpo@stad.example", reason=f"request {n}")
    _tamper(store, delete(AuditEntry).where(AuditEntry.seq == 2))
    problems = _problems(store)
    assert "does not link to the entry before it" in problems
    assert any("missing or reordered" in p for p in problems)


def test_a_deleted_last_entry_breaks_the_chain(store):
    pid = _party(store)
    export_party(store.uow(), pid, actor="dpo@stad.example", reason="request")
    _tamper(store, delete(AuditEntry).where(AuditEntry.seq == 2))
    assert _problems(store) == ["the last entry is not the chain's head: entries removed at the end"]


def test_reordered_entries_break_the_chain(store):
    pid = _party(store)
    export_party(store.uow(), pid, actor="dpo@stad.example", reason="request")
    export_party(store.uow(), pid, actor="dpo@stad.example", reason="another request")
    _tamper(store, update(AuditEntry).where(AuditEntry.seq == 2).values(seq=-2))
    _tamper(store, update(AuditEntry).where(AuditEntry.seq == 3).values(seq=2))
    _tamper(store, update(AuditEntry).where(AuditEntry.seq == -2).values(seq=3))
    problems = _problems(store)
    assert "does not link to the entry before it" in problems
    assert "its content does not match its hash: edited" in problems


def test_a_look_up_is_read_back_with_who_why_route_and_the_departments_shown(store):
    pid = _party(store)
    (entry,) = read_audit(
        store.uow(), actor="dpo@stad.example", reason="citizen asked", route="cli", party=pid
    )
    assert (entry.actor, entry.action, entry.party_id, entry.reason, entry.route, entry.shown) == (
        WHO,
        "lookup",
        pid,
        "terugbelverzoek",
        "cli",
        ("Burgerzaken", "Onthaal"),
    )
    assert "subject" not in entry.model_dump_json()  # departments, never content


def test_reading_the_audit_by_actor_and_since_finds_only_those_and_is_itself_audited(store):
    pid = _party(store)
    export_party(store.uow(), pid, actor="dpo@stad.example", reason="access", now=T0 + dt.timedelta(days=2))
    by_els = read_audit(
        store.uow(), actor="dpo@stad.example", reason="review", route="cli", by="ELS@stad.example"
    )
    assert [e.action for e in by_els] == ["lookup"]
    recent = read_audit(
        store.uow(), actor="dpo@stad.example", reason="review", route="cli", since=T0 + dt.timedelta(days=1)
    )
    assert [e.action for e in recent] == ["export", "audit_read"]  # the first read is audited too
    assert verify_audit(store.uow()).ok


def test_after_erasure_the_audit_names_the_party_only_by_its_hash_and_still_verifies(store):
    pid = _party(store)
    erase_party(store.uow(), pid, actor="dpo@stad.example", reason="erasure request 18")
    with store.engine.connect() as conn:
        rows = conn.execute(select(AuditEntry.party_id, AuditEntry.party_ref, AuditEntry.action)).all()
    assert {(r.party_id, r.party_ref) for r in rows} == {(None, party_ref(pid))}
    found = read_audit(store.uow(), actor="dpo@stad.example", reason="citizen asked", route="cli", party=pid)
    assert [e.action for e in found] == ["lookup", "erase"]
    assert verify_audit(store.uow()).ok


def test_a_forged_party_id_on_an_entry_is_detected(store):
    _party(store)
    _tamper(store, update(AuditEntry).where(AuditEntry.seq == 1).values(party_id=999))
    assert _problems(store) == ["its party id is not the party it was recorded for"]


def test_retention_removes_old_entries_records_it_and_the_rest_still_verifies(store, policy):
    for n, days in enumerate((0, 1, 1000)):
        with store.uow() as uow:
            uow.ledger.audit(f"clerk-{n}", "lookup", None, "callback", T0 + dt.timedelta(days=days))
            uow.commit()
    now = T0 + dt.timedelta(days=policy.audit_retention_days + 2)  # entries before T0 + 2 days expire
    assert apply_retention(store.uow(), policy, now)["audit"] == 2
    report = verify_audit(store.uow())
    assert (report.ok, report.first_seq) == (True, 3)
    with store.uow() as uow:
        entries = [(e.actor, e.action) for e in uow.ledger.audit_entries()]
    assert entries == [
        ("clerk-2", "lookup"),
        ("system:retention", "retention"),
        ("system:retention", "audit_retention"),
    ]


def test_moving_the_chain_start_without_a_retention_entry_is_detected(store):
    pid = _party(store)
    export_party(store.uow(), pid, actor="dpo@stad.example", reason="request")
    from adapters.store.tables_privacy import AuditHead

    with store.engine.connect() as conn:
        first_hash = conn.scalar(select(AuditEntry.entry_hash).where(AuditEntry.seq == 1))
    _tamper(store, delete(AuditEntry).where(AuditEntry.seq == 1))
    _tamper(store, update(AuditHead).values(first_seq=2, anchor_hash=first_hash))
    assert _problems(store) == ["the chain starts later than entry 1 but no retention entry says so"]


def _append(store, barrier: threading.Barrier | None, n: int, errors: list) -> None:
    try:
        with store.uow() as uow:
            uow.parties.count()  # a read first: both transactions are open before either appends
            if barrier is not None:
                barrier.wait(timeout=20)
            uow.ledger.audit(f"writer-{n}", "lookup", None, "race", dt.datetime.now(dt.UTC))
            uow.commit()
    except BaseException as exc:  # noqa: BLE001 - reported by the assertion
        errors.append(exc)


@pytest.mark.postgresql
def test_concurrent_writers_on_postgresql_queue_on_the_head_and_never_fork_the_chain(pg_store):
    writers = 8
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_append, args=(pg_store, barrier, n, errors)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    report = verify_audit(pg_store.uow())
    assert (report.ok, report.entries, report.last_seq) == (True, writers, writers)
    with pg_store.engine.connect() as conn:
        prevs = conn.scalars(select(AuditEntry.prev_hash)).all()
    assert len(set(prevs)) == writers  # no two entries chained onto the same predecessor


def test_many_threads_auditing_on_either_database_leave_one_unbroken_chain(store):
    errors: list[BaseException] = []  # no barrier: SQLite admits one writer from BEGIN on
    threads = [threading.Thread(target=_append, args=(store, None, n, errors)) for n in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and verify_audit(store.uow()).ok


def test_a_look_up_audits_who_looked_even_when_nothing_was_found(store):
    lookup(store.uow(), actor=WHO, reason="no match", email="nobody@example.be")
    (entry,) = read_audit(store.uow(), actor="dpo", reason="r", route="cli", by=WHO)
    assert (entry.party_id, entry.shown, citizen().email not in entry.model_dump_json()) == (None, (), True)
