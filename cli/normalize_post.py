"""`loket normalize post FILE [--policy P] [--tray T]`: the contact event a scanned letter becomes."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from errors import ConfigurationError, PermanentError, TransientError
from settings import SAMPLE_POLICY

if TYPE_CHECKING:  # imported lazily at run time: `loket --help` stays fast
    from handlers.ports.text_extraction import ExtractedText
    from schemas.capture_policy import CapturePolicy
    from schemas.scan_sidecar import ScanSidecar


def register(normalize_app: typer.Typer) -> None:
    normalize_app.command("post")(normalize_post)


def normalize_post(
    file: Annotated[
        Path, typer.Argument(help="The scanned letter (PDF); FILE.json beside it is its sidecar.")
    ],
    policy: Annotated[Path | None, typer.Option(help="Capture policy YAML (default: the sample).")] = None,
    tray: Annotated[str | None, typer.Option(help="Scan tray (default: the folder name, if a tray).")] = None,
) -> None:
    """Print the letter's contact event as JSON: text layer first, else OCR with Tesseract."""
    from cli.output import emit_json, fail
    from handlers.event_ids import pdf_sha256
    from handlers.letters import normalize_letter
    from schemas.capture_policy import load_policy

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair warnings are noise on a terminal
    try:
        rules = load_policy(policy or SAMPLE_POLICY)
        pdf = _read(file)
        sidecar = _sidecar(file)
        extracted = _extract(pdf)
    except (PermanentError, TransientError, ConfigurationError) as exc:
        raise fail(str(exc)) from None
    event = normalize_letter(
        pdf_digest=pdf_sha256(pdf),
        text=extracted.text,
        sidecar=sidecar,
        ocr=extracted.method != "text-layer",
        tray=tray or _folder_tray(file, rules),
        blob_name=file.name,
        received_at=dt.datetime.fromtimestamp(file.stat().st_mtime, tz=dt.UTC),
        policy=rules,
        captured_at=dt.datetime.now(dt.UTC),
    )
    emit_json(event)


def _read(file: Path) -> bytes:
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise PermanentError(f"cannot read {file.name}: {exc.strerror or type(exc).__name__}") from exc
    if b"%PDF-" not in data[:1024]:
        _refuse_json(file, data)
    return data


def _refuse_json(file: Path, data: bytes) -> None:
    """A Graph payload or a sidecar given instead of the scan: name it (not just 'not a PDF')."""
    import json

    from schemas.payload_shape import describe

    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return  # not JSON either: the text extractor names it (no %PDF- header)
    raise PermanentError(f"{file.name}: given {describe(raw).text}, expected a scanned letter (PDF)")


def _sidecar(file: Path) -> ScanSidecar | None:
    from schemas.scan_sidecar import parse_sidecar

    path = file.with_name(file.name + ".json")
    if not path.is_file():
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PermanentError(f"cannot read {path.name}: {exc.strerror or type(exc).__name__}") from exc
    try:
        return parse_sidecar(raw)
    except PermanentError as exc:
        raise PermanentError(f"{path.name}: {exc}", reason=exc.reason) from exc


def _extract(pdf: bytes) -> ExtractedText:
    """The text layer when the PDF has one; OCR otherwise, if Tesseract is installed here."""
    from adapters.text_extraction.composite import has_usable_text
    from adapters.text_extraction.pdf_text_layer import PdfTextLayerExtractor
    from adapters.text_extraction.tesseract_ocr import (
        INSTALL_HINT,
        TesseractOcrExtractor,
        tesseract_available,
    )

    layer = PdfTextLayerExtractor().extract(pdf)
    if has_usable_text(layer.text):
        return layer
    if not tesseract_available():
        raise ConfigurationError(
            "tesseract", f"the PDF has no text layer and OCR is not installed ({INSTALL_HINT})"
        )
    return TesseractOcrExtractor().extract(pdf)


def _folder_tray(file: Path, policy: CapturePolicy) -> str | None:
    """`…/burgerzaken/brief.pdf` -> tray `burgerzaken`, when the policy knows that tray."""
    folder = file.resolve().parent.name
    return folder if policy.tray_department(folder) else None
