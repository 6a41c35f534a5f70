"""Erasure on four eyes, on SQLite and PostgreSQL: requested by one person, run only when a second,
different person approves; both steps audited; one-person erasure only when the setting allows it."""
# ruff: noqa: F811 - pytest fixtures imported from tests.contract.store_backends

from __future__ import annotations

import pytest

from adapters.store.tables import Contact, Party
from handlers.crm import record_contact
from handlers.gdpr import UnknownParty, erase_party
from handlers.privacy import (
    ErasureRefused,
    approve_erasure,
    erasure_requests,
    read_audit,
    refuse_erasure,
    request_erasure,
    verify_audit,
)
from tests.contract.store_backends import event, pg_store, postgres_url, sqlite_template, store  # noqa: F401 - fixtures
from tests.contract.test_store import count

CLERK, DPO = "clerk@stad.example", "dpo@stad.example"


def _eraser(store):
    return lambda pid, by, why: erase_party(store.uow(), pid, actor=by, reason=why)


def _requested(store) -> tuple[int, int]:
    record_contact(event("a"), store.uow())
    with store.uow() as uow:
        pid = uow.contacts.get(event("a").event_id).party_id
    request = request_erasure(store.uow(), pid, actor=CLERK, reason="citizen asked, ticket 18", route="cli")
    return pid, request.id


def test_a_request_alone_erases_nothing_and_waits_for_a_second_person(store):
    pid, request_id = _requested(store)
    assert (count(store, Party), count(store, Contact)) == (1, 1)
    assert [(r.id, r.party_id, r.status, r.requested_by) for r in erasure_requests(store.uow())] == [
        (request_id, pid, "pending", CLERK)
    ]


def test_the_person_who_asked_cannot_approve_their_own_request(store):
    _, request_id = _requested(store)
    with pytest.raises(ErasureRefused, match="second person"):
        approve_erasure(
            store.uow(),
            request_id,
            actor=" Clerk@STAD.example ",
            reason="ok",
            route="cli",
            erase=_eraser(store),
        )
    assert (count(store, Party), count(store, Contact)) == (1, 1)
    assert erasure_requests(store.uow())[0].status == "pending"


def test_a_second_person_approves_and_the_erasure_runs_with_both_steps_audited(store):
    pid, request_id = _requested(store)
    done, report = approve_erasure(
        store.uow(), request_id, actor=DPO, reason="verified identity", route="cli", erase=_eraser(store)
    )
    assert (done.status, done.decided_by, done.party_id, report.contacts) == ("erased", DPO, None, 1)
    assert (count(store, Party), count(store, Contact)) == (0, 0)
    trail = read_audit(store.uow(), actor=DPO, reason="check", route="cli", party=pid)
    assert [(e.actor, e.action) for e in trail] == [
        (CLERK, "erase_requested"),
        (DPO, "erase_approved"),
        (DPO, "erase"),
    ]
    assert all(e.party_id is None for e in trail) and verify_audit(store.uow()).ok
    with pytest.raises(ErasureRefused, match="erased"):
        approve_erasure(
            store.uow(),
            request_id,
            actor="third@stad.example",
            reason="again",
            route="cli",
            erase=_eraser(store),
        )


def test_one_person_may_do_both_only_when_single_person_erasure_is_set(store):
    _, request_id = _requested(store)
    done, _ = approve_erasure(
        store.uow(),
        request_id,
        actor=CLERK,
        reason="local test",
        route="cli",
        erase=_eraser(store),
        single_person=True,
    )
    assert done.status == "erased" and count(store, Party) == 0
    (approved,) = [
        e
        for e in read_audit(store.uow(), actor=CLERK, reason="r", route="cli", by=CLERK)
        if e.action == "erase_approved"
    ]
    assert "single-person" in approved.detail


def test_a_refused_request_can_no_longer_be_approved(store):
    _, request_id = _requested(store)
    refused = refuse_erasure(store.uow(), request_id, actor=DPO, reason="identity not verified", route="cli")
    assert refused.status == "refused"
    with pytest.raises(ErasureRefused, match="refused"):
        approve_erasure(
            store.uow(), request_id, actor=DPO, reason="changed my mind", route="cli", erase=_eraser(store)
        )
    assert count(store, Party) == 1


def test_an_approval_whose_erasure_failed_can_be_approved_again_and_then_runs(store):
    pid, request_id = _requested(store)

    def failing(*_):
        raise RuntimeError("archive unreachable")

    with pytest.raises(RuntimeError):
        approve_erasure(store.uow(), request_id, actor=DPO, reason="ok", route="cli", erase=failing)
    assert erasure_requests(store.uow(), "approved")[0].id == request_id and count(store, Party) == 1
    done, _ = approve_erasure(
        store.uow(), request_id, actor=DPO, reason="retry", route="cli", erase=_eraser(store)
    )
    assert done.status == "erased" and count(store, Party) == 0


def test_a_request_for_an_unknown_party_is_refused_and_not_recorded(store):
    with pytest.raises(UnknownParty):
        request_erasure(store.uow(), 4242, actor=CLERK, reason="r", route="cli")
    assert erasure_requests(store.uow(), None) == []
