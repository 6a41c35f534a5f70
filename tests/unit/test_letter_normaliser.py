"""Scanned letters become post contact events: sender from the sidecar or the text, never the city."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.event_ids import pdf_sha256, post_event_id
from handlers.letters import normalize_letter, tray_from_blob_name
from schemas.capture_policy import CapturePolicy, Exclusions, StoredText, StoredTextPolicy
from schemas.contact_event import Address, ContactEvent, Outcome, SourceSystem
from schemas.scan_sidecar import ScanSidecar, parse_sidecar
from tests.fixtures.post import POST_FIXTURES, letter

DIGEST = pdf_sha256(b"%PDF-1.4 a scanned letter")
RECEIVED = dt.datetime(2026, 11, 27, 7, 30, tzinfo=dt.UTC)


@pytest.fixture
def normalise(policy: CapturePolicy, captured_at: dt.datetime):
    def run(
        text: str,
        *,
        sidecar: ScanSidecar | None = None,
        tray: str | None = None,
        rules: CapturePolicy | None = None,
        digest: str = DIGEST,
    ) -> ContactEvent:
        return normalize_letter(
            pdf_digest=digest,
            text=text,
            sidecar=sidecar,
            tray=tray,
            blob_name="scanned-post/x/brief.pdf",
            received_at=RECEIVED,
            policy=rules or policy,
            captured_at=captured_at,
        )

    return run


def sidecar(name: str) -> ScanSidecar:
    return parse_sidecar((POST_FIXTURES / f"sidecar_{name}.pdf.json").read_bytes())


def test_a_letter_with_a_text_layer_yields_every_identifier_of_its_sender(normalise) -> None:
    event = normalise(letter("parkeerkaart"), tray="burgerzaken")
    assert event.outcome is Outcome.RECEIVED
    assert event.channel == "post" and event.direction == "inbound"
    assert event.citizen is not None
    assert event.citizen.display_name == "An Claes"
    assert event.citizen.email == "an.claes@telenet.be"
    assert event.citizen.phone == "+3211432211"
    assert event.citizen.address == Address(
        street="Kerkstraat", number="12", box="3", postal_code="3580", city="Beringen", country="BE"
    )
    assert event.departments == ("Burgerzaken",)
    assert event.occurred_at == RECEIVED


def test_the_event_is_keyed_by_the_pdf_digest_and_points_at_the_blob(normalise) -> None:
    event = normalise(letter("parkeerkaart"))
    assert event.event_id == post_event_id(DIGEST)
    assert event.source.system is SourceSystem.SCAN
    assert event.source.id == DIGEST
    assert event.source.version == 1
    assert event.source.uri == "scanned-post/x/brief.pdf"
    assert ContactEvent.from_json(event.to_json()) == event


def test_the_citys_own_numbers_address_and_mail_are_never_the_sender(normalise) -> None:
    text = (
        "Stad Beringen\nMarkt 1\n3580 Beringen\nTel. 011 43 00 00 of 011 43 01 42\n"
        "burgerzaken@stad.example\n\n"
        "Jan Peeters\nNieuwstraat 7\n3582 Koersel\n011 45 67 89\njan.peeters@skynet.be\n"
    )
    citizen = normalise(text).citizen
    assert citizen is not None
    assert citizen.phone == "+3211456789"
    assert citizen.email == "jan.peeters@skynet.be"
    assert citizen.address is not None and citizen.address.street == "Nieuwstraat"
    assert citizen.display_name == "Jan Peeters"


def test_a_letter_naming_only_the_city_is_kept_as_unidentified(normalise) -> None:
    event = normalise(letter("city_only"), tray="onthaal")
    assert event.outcome is Outcome.UNIDENTIFIED
    assert event.citizen is None
    assert event.departments == ("Onthaal",)
    assert event.subject == "klacht over de straatverlichting"


def test_a_letter_with_no_text_at_all_is_unidentified_not_an_error(normalise) -> None:
    event = normalise("")
    assert event.outcome is Outcome.UNIDENTIFIED and event.citizen is None
    assert event.subject is None and event.summary is None


def test_the_name_under_the_sign_off_is_taken_without_courtesy_titles(normalise) -> None:
    citizen = normalise(letter("signoff_only")).citizen
    assert citizen is not None
    assert citizen.display_name == "Pieter Van den Broeck"
    assert citizen.phone == "+32486554433"
    assert citizen.address is None  # the only address is the city's


@pytest.mark.parametrize(
    "written", ["011 43 22 11", "011/43.22.11", "+32 11 43 22 11", "0032 11 43 22 11", "+32 (0)11 43 22 11"]
)
def test_belgian_number_formats_in_a_letter_become_one_e164_number(normalise, written: str) -> None:
    citizen = normalise(f"Jan Peeters\nTel: {written}\n").citizen
    assert citizen is not None and citizen.phone == "+3211432211"


def test_bank_and_national_register_numbers_are_not_taken_for_a_phone(normalise) -> None:
    text = "Jan Peeters\nIBAN BE68 5390 0754 7034\nRijksregisternummer 85.07.30-033.61\nDatum 28/11/2026\n"
    assert normalise(text).citizen is None


def test_an_address_on_one_line_and_a_letterhead_in_capitals_are_read(normalise) -> None:
    citizen = normalise("JAN PEETERS\nNieuwstraat 7A, 3582 Koersel\n").citizen
    assert citizen is not None and citizen.address is not None
    assert (citizen.address.street, citizen.address.number, citizen.address.postal_code) == (
        "Nieuwstraat",
        "7A",
        "3582",
    )
    assert citizen.display_name == "Jan Peeters"


def test_an_excluded_sender_in_the_text_is_not_the_citizen(normalise, policy: CapturePolicy) -> None:
    rules = policy.model_copy(update={"exclusions": Exclusions(senders=("@drukkerij.example",))})
    citizen = normalise("info@drukkerij.example\nan.claes@telenet.be\n", rules=rules).citizen
    assert citizen is not None and citizen.email == "an.claes@telenet.be"


def test_with_a_sidecar_the_sender_and_department_come_from_the_post_room(normalise) -> None:
    event = normalise(letter("parkeerkaart"), sidecar=sidecar("full"), tray="burgerzaken")
    assert event.citizen is not None
    assert event.citizen.display_name == "Marie Janssens"
    assert event.citizen.email == "marie.janssens@example.be"
    assert event.citizen.phone == "+32478901234"
    assert event.citizen.address == Address(
        street="Stationsstraat", number="45", box="2", postal_code="3582", city="Koersel", country="BE"
    )
    assert event.departments == ("Financiën",)
    assert event.occurred_at == dt.datetime(2026, 11, 26, 8, 15, tzinfo=dt.UTC)
    assert event.source.version == 2


def test_version_one_and_the_sidecars_version_two_share_the_event_id(normalise) -> None:
    first = normalise(letter("parkeerkaart"))
    second = normalise(letter("parkeerkaart"), sidecar=sidecar("full"))
    assert (first.source.version, second.source.version) == (1, 2)
    assert first.event_id == second.event_id
    assert first.source.id == second.source.id


def test_a_sidecar_with_only_a_tray_keeps_the_sender_from_the_text(normalise) -> None:
    event = normalise(letter("parkeerkaart"), sidecar=sidecar("tray_only"), tray="burgerzaken")
    assert event.citizen is not None and event.citizen.email == "an.claes@telenet.be"
    assert event.departments == ("Omgeving",)
    assert event.source.version == 2
    assert event.occurred_at == RECEIVED


def test_a_sidecar_sender_that_is_the_city_falls_back_to_the_text(normalise) -> None:
    raw = (
        b'{"sender": {"phone": "011 43 00 00", "email": "info@stad.example", "name": "Stad Beringen",'
        b' "address": {"street": "Markt", "number": "1", "postal_code": "3580", "city": "Beringen"}}}'
    )
    event = normalise(letter("parkeerkaart"), sidecar=parse_sidecar(raw))
    assert event.citizen is not None and event.citizen.email == "an.claes@telenet.be"


@pytest.mark.parametrize(
    ("sidecar_json", "tray", "expected"),
    [
        (b'{"department": "Sociale Dienst"}', None, ("Sociale dienst",)),
        (b'{"department": "financien"}', None, ("Financiën",)),
        (b'{"department": "Marketing"}', "omgeving", ("Omgeving",)),
        (b'{"tray": "onbekend"}', None, ()),
        (None, "Burgerzaken", ("Burgerzaken",)),
        (None, None, ()),
    ],
)
def test_the_department_comes_from_the_sidecar_then_the_blob_folder_and_only_from_the_policy(
    normalise, sidecar_json: bytes | None, tray: str | None, expected: tuple[str, ...]
) -> None:
    scan = parse_sidecar(sidecar_json) if sidecar_json else None
    assert normalise(letter("parkeerkaart"), sidecar=scan, tray=tray).departments == expected


def test_the_preview_is_the_body_without_letterhead_or_signature(normalise) -> None:
    event = normalise(letter("parkeerkaart"), tray="burgerzaken")
    assert event.subject == "aanvraag bewonerskaart parkeren"
    assert event.summary is not None and event.summary.startswith("Hierbij vraag ik een bewonerskaart")
    assert "Kerkstraat 12" not in event.summary and "groeten" not in event.summary
    assert len(event.summary) <= 280


def test_a_long_body_is_cut_at_a_word_with_an_ellipsis(normalise) -> None:
    event = normalise("Betreft: lang\n\n" + "woord " * 200)
    assert event.summary is not None and event.summary.endswith("…") and len(event.summary) <= 280


def test_a_restricted_department_stores_the_subject_but_no_preview(normalise) -> None:
    event = normalise(letter("parkeerkaart"), tray="socialedienst")
    assert event.departments == ("Sociale dienst",)
    assert event.subject == "aanvraag bewonerskaart parkeren"
    assert event.summary is None


def test_a_policy_that_stores_no_text_stores_neither_subject_nor_summary(
    normalise, policy: CapturePolicy
) -> None:
    rules = policy.model_copy(update={"stored_text": StoredTextPolicy(default=StoredText.NONE)})
    event = normalise(letter("parkeerkaart"), tray="burgerzaken", rules=rules)
    assert event.subject is None and event.summary is None
    assert event.citizen is not None  # identification does not depend on what text is stored


def test_onderwerp_is_a_subject_line_too(normalise) -> None:
    assert normalise(letter("signoff_only")).subject == "bezwaar tegen de belastingaanslag 2026"


@pytest.mark.parametrize(
    ("blob_name", "tray"),
    [
        ("scanned-post/burgerzaken/2026-11-27-0001.pdf", "burgerzaken"),
        ("burgerzaken/2026-11-27-0001.pdf", "burgerzaken"),
        ("scanned-post/2026-11-27-0001.pdf", None),
        ("2026-11-27-0001.pdf", None),
    ],
)
def test_the_tray_is_the_first_folder_of_the_blob_name(blob_name: str, tray: str | None) -> None:
    assert tray_from_blob_name(blob_name) == tray


def test_from_ocr_text_an_email_is_dropped_when_a_phone_identifies_the_sender(policy, captured_at):
    """OCR misreads addresses (`818@telenet.be` for `mertens818@telenet.be`); a wrong identifier
    would match the wrong party, so the validated phone number identifies an OCR'd letter."""
    from handlers.letters import normalize_letter

    text = ("Sander Mertens\nKerkstraat 3\n3580 Beringen\n0475 12 34 56\n18@telenet.be\n\n"
            "Geachte,\nGroeten,\nSander Mertens\n")
    common = dict(pdf_digest="ab" * 32, text=text, sidecar=None, tray="onthaal", blob_name="onthaal/x.pdf",
                  received_at=captured_at, policy=policy, captured_at=captured_at)
    from_layer = normalize_letter(**common)
    from_ocr = normalize_letter(**common, ocr=True)
    assert from_layer.citizen.email == "18@telenet.be"
    assert from_ocr.citizen.email is None
    assert from_ocr.citizen.phone == "+32475123456"
    only_email = normalize_letter(**{**common, "text": text.replace("0475 12 34 56\n", "")}, ocr=True)
    assert only_email.citizen.email == "18@telenet.be"  # nothing better to go on: kept
