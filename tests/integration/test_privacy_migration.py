"""Upgrading a store that already has an audit: its entries are chained in their recorded order."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from adapters.store.engine import create_store_engine
from adapters.store.migrate import upgrade_engine
from adapters.store.uow import SqlStore
from handlers.audit_chain import party_ref
from handlers.privacy import verify_audit


def test_existing_audit_entries_are_chained_oldest_first_and_verify(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_store_engine(url)
    upgrade_engine(engine, "0004")
    t0 = dt.datetime(2026, 1, 5, 9, 0)
    with engine.begin() as conn:
        for n, (minutes, party) in enumerate([(5, 7), (0, None), (9, 7)]):
            conn.execute(
                text("INSERT INTO audit_log (at, actor, action, party_id, reason, detail) "
                     "VALUES (:at, :actor, 'lookup', :party, 'callback', NULL)"),
                {"at": t0 + dt.timedelta(minutes=minutes), "actor": f"clerk-{n}", "party": party},
            )
    upgrade_engine(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT seq, actor, party_ref FROM audit_log ORDER BY seq")).all()
    engine.dispose()
    assert [(r.seq, r.actor) for r in rows] == [(1, "clerk-1"), (2, "clerk-0"), (3, "clerk-2")]
    assert rows[0].party_ref is None and rows[1].party_ref == party_ref(7)
    store = SqlStore.from_url(url)
    with store.uow() as uow:  # the chain goes on from the migrated head
        uow.ledger.audit("dpo", "audit_read", None, "review", dt.datetime.now(dt.UTC))
        uow.commit()
    report = verify_audit(store.uow())
    store.dispose()
    assert (report.ok, report.entries) == (True, 4)
