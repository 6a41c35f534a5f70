"""Real extraction: pypdf on a text layer, pypdfium2 + Tesseract on an image-only scan, and faults."""

from __future__ import annotations

import datetime as dt
import io
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from adapters.text_extraction.composite import TextLayerThenOcr, has_usable_text
from adapters.text_extraction.pdf_text_layer import UNREADABLE_PDF, PdfTextLayerExtractor
from adapters.text_extraction.tesseract_ocr import TesseractOcrExtractor, tesseract_available
from errors import ConfigurationError, PermanentError, TransientError
from handlers.event_ids import pdf_sha256
from handlers.letters import normalize_letter
from handlers.ports.text_extraction import ExtractedText
from schemas.capture_policy import CapturePolicy
from tests.fixtures.post import letter
from tests.fixtures.post.pdfs import blank_pdf, image_only_pdf, text_layer_pdf

needs_tesseract = pytest.mark.skipif(
    not tesseract_available(),
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-nld; CI installs it)",
)


@pytest.fixture(scope="module")
def scanned_letter() -> bytes:
    return image_only_pdf(letter("parkeerkaart"))


@pytest.fixture(scope="module")
def ocr_of_scanned_letter(scanned_letter: bytes) -> ExtractedText:
    """Read once through the composite (no text layer -> OCR); several tests look at the result."""
    return TextLayerThenOcr(PdfTextLayerExtractor(), TesseractOcrExtractor()).extract(scanned_letter)


def _encrypted(pdf: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    owner = "eigenaar"  # a test fixture's password, not a secret
    writer.encrypt(user_password=user_password, owner_password=owner, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _fake_tesseract(tmp_path: Path, script: str) -> str:
    path = tmp_path / "tesseract"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_the_text_layer_is_read_with_dutch_accents_and_one_form_feed_per_page() -> None:
    pdf = text_layer_pdf("Dienst Financiën\nBetreft: terugbetaling\n" + "regel\n" * 60)
    extracted = PdfTextLayerExtractor().extract(pdf)
    assert extracted.method == "text-layer" and extracted.pages == 2
    assert "Financiën" in extracted.text and "Betreft: terugbetaling" in extracted.text
    assert extracted.text.count("\f") == 1


def test_an_image_only_scan_has_no_usable_text_layer(scanned_letter: bytes) -> None:
    extracted = PdfTextLayerExtractor().extract(scanned_letter)
    assert not has_usable_text(extracted.text)


def test_the_extracted_text_is_never_in_its_repr() -> None:
    extracted = PdfTextLayerExtractor().extract(text_layer_pdf(letter("parkeerkaart")))
    assert "Claes" in extracted.text and "Claes" not in repr(extracted)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Beste, dit is geen PDF",
        b"%PDF-1.4\n1 0 obj garbage",
        text_layer_pdf("Jan Peeters\n" * 30)[:300],
    ],
    ids=["empty", "not-a-pdf", "garbage-after-header", "truncated"],
)
def test_a_corrupt_file_is_a_permanent_unreadable_pdf_error(data: bytes) -> None:
    with pytest.raises(PermanentError) as caught:
        PdfTextLayerExtractor().extract(data)
    assert caught.value.reason == UNREADABLE_PDF
    assert "Peeters" not in str(caught.value)


def test_a_pdf_locked_with_a_password_is_permanent_but_an_empty_password_is_read() -> None:
    pdf = text_layer_pdf(letter("parkeerkaart"))
    with pytest.raises(PermanentError, match="password"):
        PdfTextLayerExtractor().extract(_encrypted(pdf, "geheim"))
    assert "Kerkstraat" in PdfTextLayerExtractor().extract(_encrypted(pdf, "")).text


def test_ocr_of_a_corrupt_file_is_permanent_without_running_tesseract(tmp_path: Path) -> None:
    ocr = TesseractOcrExtractor(command=_fake_tesseract(tmp_path, "exit 99"))
    with pytest.raises(PermanentError) as caught:
        ocr.extract(image_only_pdf("Jan")[:500])
    assert caught.value.reason == UNREADABLE_PDF


def test_a_missing_tesseract_is_a_configuration_error_naming_the_install(tmp_path: Path) -> None:
    ocr = TesseractOcrExtractor(command=str(tmp_path / "no-such-tesseract"))
    with pytest.raises(ConfigurationError, match="tesseract-ocr-nld"):
        ocr.extract(blank_pdf())


def test_a_tesseract_failure_is_permanent_and_names_the_page(tmp_path: Path) -> None:
    ocr = TesseractOcrExtractor(command=_fake_tesseract(tmp_path, "echo broken >&2; exit 1"))
    with pytest.raises(PermanentError, match="page 1"):
        ocr.extract(blank_pdf())


def test_a_hanging_tesseract_is_a_transient_error(tmp_path: Path) -> None:
    ocr = TesseractOcrExtractor(command=_fake_tesseract(tmp_path, "exec sleep 30"), page_timeout=0.5)
    with pytest.raises(TransientError, match="timed out"):
        ocr.extract(blank_pdf())


def test_the_composite_keeps_a_text_layer_and_never_calls_ocr(tmp_path: Path) -> None:
    never = TesseractOcrExtractor(command=str(tmp_path / "must-not-run"))
    extracted = TextLayerThenOcr(PdfTextLayerExtractor(), never).extract(
        text_layer_pdf(letter("parkeerkaart"))
    )
    assert extracted.method == "text-layer"


@needs_tesseract
def test_tesseract_reads_an_image_only_dutch_letter(ocr_of_scanned_letter: ExtractedText) -> None:
    assert ocr_of_scanned_letter.method == "ocr" and ocr_of_scanned_letter.pages == 1
    assert "Kerkstraat" in ocr_of_scanned_letter.text and "bewonerskaart" in ocr_of_scanned_letter.text


@needs_tesseract
def test_a_scanned_letter_read_by_ocr_identifies_its_sender(
    scanned_letter: bytes,
    ocr_of_scanned_letter: ExtractedText,
    policy: CapturePolicy,
    captured_at: dt.datetime,
) -> None:
    event = normalize_letter(
        pdf_digest=pdf_sha256(scanned_letter),
        text=ocr_of_scanned_letter.text,
        sidecar=None,
        tray="burgerzaken",
        blob_name="burgerzaken/scan.pdf",
        received_at=captured_at,
        policy=policy,
        captured_at=captured_at,
    )
    assert event.citizen is not None
    assert event.citizen.email == "an.claes@telenet.be"
    assert event.citizen.phone == "+3211432211"
    assert event.citizen.address is not None and event.citizen.address.postal_code == "3580"
    assert event.citizen.display_name == "An Claes"


@needs_tesseract
def test_a_letter_scanned_upside_down_is_still_read() -> None:
    extracted = TesseractOcrExtractor().extract(image_only_pdf(letter("parkeerkaart"), rotate=180))
    assert "Kerkstraat" in extracted.text and "an.claes@telenet.be" in extracted.text


@needs_tesseract
def test_a_missing_language_pack_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="language"):
        TesseractOcrExtractor(languages="zzz").extract(image_only_pdf("Jan Peeters"))


@needs_tesseract
def test_a_blank_scan_gives_empty_text_not_an_error() -> None:
    assert TesseractOcrExtractor().extract(blank_pdf()).text.strip() == ""
