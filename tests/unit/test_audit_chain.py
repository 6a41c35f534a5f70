"""The audit chain's canonical form (changing it would break every stored chain) and the checkpoints
kept outside the database."""

from __future__ import annotations

import datetime as dt

from handlers.audit_chain import GENESIS, ChainedFields, active_checkpoints, entry_hash, party_ref

FIELDS = ChainedFields(
    seq=1,
    at=dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    actor="els",
    action="lookup",
    party_ref=party_ref(7),
    reason="bel terug: é",
    detail=None,
    route="cli",
    shown="Onthaal",
)


def test_the_canonical_form_sorts_keys_has_no_spaces_keeps_utf8_and_states_the_instant_in_utc():
    text = FIELDS.canonical().decode()
    assert text.startswith('{"action":"lookup","actor":"els","at":"2026-11-02T09:00:00.000000+00:00",')
    assert '"reason":"bel terug: é"' in text and " " not in text.replace("bel terug: é", "")


def test_the_same_fields_give_the_same_hash_and_any_change_another():
    assert entry_hash(GENESIS, FIELDS) == entry_hash(GENESIS, ChainedFields(**vars(FIELDS)))
    changed = ChainedFields(**{**vars(FIELDS), "shown": "Onthaal, Financiën"})
    assert entry_hash(GENESIS, changed) != entry_hash(GENESIS, FIELDS)
    assert entry_hash("1" * 64, FIELDS) != entry_hash(GENESIS, FIELDS)


def test_a_party_is_named_by_a_hash_that_differs_per_party_and_none_stays_none():
    assert party_ref(7) != party_ref(8) and len(party_ref(7)) == 64 and party_ref(None) is None


def test_a_restore_withdraws_the_checkpoints_beyond_the_restored_head_and_later_ones_count_again():
    records = [
        {"kind": "audit_checkpoint", "seq": 10, "hash": "a"},
        {"kind": "audit_checkpoint", "seq": 20, "hash": "b"},
        {"kind": "erasure", "party_ref": "x"},
        {"kind": "audit_restored", "seq": 15, "hash": "c"},
        {"kind": "audit_checkpoint", "seq": 18, "hash": "d"},
    ]
    assert active_checkpoints(records) == {10: "a", 18: "d"}
