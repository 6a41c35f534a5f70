"""`loket normalize post FILE`: the event as JSON, or one clear line and exit 1, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from adapters.text_extraction import tesseract_ocr
from cli.normalize_post import register
from handlers.event_ids import pdf_sha256, post_event_id
from tests.fixtures.post import POST_FIXTURES, letter
from tests.fixtures.post.pdfs import image_only_pdf, text_layer_pdf


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    root, normalize = typer.Typer(), typer.Typer()
    register(normalize)
    root.add_typer(normalize, name="normalize")
    return root


@pytest.fixture
def letter_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "brief.pdf"
    path.write_bytes(text_layer_pdf(letter("parkeerkaart")))
    return path


def run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["normalize", "post", *args])
    return result.exit_code, result.stdout, result.stderr


def assert_one_line_error(code: int, stdout: str, stderr: str, *expected: str) -> None:
    assert code == 1 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    for text in expected:
        assert text in stderr


def test_a_letter_with_a_text_layer_prints_its_contact_event(app: typer.Typer, letter_pdf: Path) -> None:
    code, stdout, _ = run(app, str(letter_pdf), "--tray", "burgerzaken")
    assert code == 0
    event = json.loads(stdout)
    assert event["event_id"] == str(post_event_id(pdf_sha256(letter_pdf.read_bytes())))
    assert event["citizen"]["email"] == "an.claes@telenet.be"
    assert event["departments"] == ["Burgerzaken"]
    assert event["source"] == {
        "system": "scan",
        "id": pdf_sha256(letter_pdf.read_bytes()),
        "version": 1,
        "mailboxes": [],
        "uri": "brief.pdf",
    }


def test_the_folder_of_the_file_is_its_tray_when_the_policy_knows_it(
    app: typer.Typer, tmp_path: Path
) -> None:
    folder = tmp_path / "omgeving"
    folder.mkdir()
    (folder / "brief.pdf").write_bytes(text_layer_pdf(letter("parkeerkaart")))
    code, stdout, _ = run(app, str(folder / "brief.pdf"))
    assert code == 0 and json.loads(stdout)["departments"] == ["Omgeving"]


def test_a_sidecar_beside_the_pdf_makes_version_two_with_its_sender(
    app: typer.Typer, letter_pdf: Path
) -> None:
    sidecar = letter_pdf.with_name("brief.pdf.json")
    sidecar.write_bytes((POST_FIXTURES / "sidecar_full.pdf.json").read_bytes())
    code, stdout, _ = run(app, str(letter_pdf))
    event = json.loads(stdout)
    assert code == 0 and event["source"]["version"] == 2
    assert event["citizen"]["display_name"] == "Marie Janssens"
    assert event["departments"] == ["Financiën"]


def test_a_sidecar_that_is_not_json_is_one_line_naming_the_file(app: typer.Typer, letter_pdf: Path) -> None:
    letter_pdf.with_name("brief.pdf.json").write_text('{"sender": {"name": "Jan Peeters", ', encoding="utf-8")
    code, stdout, stderr = run(app, str(letter_pdf))
    assert_one_line_error(code, stdout, stderr, "brief.pdf.json", "not valid JSON")
    assert "Peeters" not in stderr


def test_a_sidecar_with_a_wrong_field_names_the_field(app: typer.Typer, letter_pdf: Path) -> None:
    letter_pdf.with_name("brief.pdf.json").write_text('{"pages": "veel"}', encoding="utf-8")
    assert_one_line_error(*run(app, str(letter_pdf)), "pages")


@pytest.mark.parametrize("content", [b"", b"dit is geen pdf", b"%PDF-1.4\n%%EOF garbage"])
def test_a_corrupt_pdf_is_one_line_and_exit_one(app: typer.Typer, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "kapot.pdf"
    path.write_bytes(content)
    assert_one_line_error(*run(app, str(path)), "PDF")


def test_a_missing_file_is_one_line_naming_it(app: typer.Typer, tmp_path: Path) -> None:
    assert_one_line_error(*run(app, str(tmp_path / "weg.pdf")), "weg.pdf")


def test_a_missing_policy_names_the_policy_setting(
    app: typer.Typer, letter_pdf: Path, tmp_path: Path
) -> None:
    assert_one_line_error(
        *run(app, str(letter_pdf), "--policy", str(tmp_path / "geen.yaml")), "CAPTURE_POLICY_PATH"
    )


def test_an_image_only_scan_without_tesseract_says_what_to_install(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tesseract_ocr, "tesseract_available", lambda command="tesseract": False)
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf("An Claes\nan.claes@telenet.be"))
    assert_one_line_error(*run(app, str(path)), "no text layer", "tesseract-ocr-nld")


@pytest.mark.skipif(
    not tesseract_ocr.tesseract_available(), reason="Tesseract is not installed (CI installs it)"
)
def test_an_image_only_scan_is_read_by_ocr(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf(letter("parkeerkaart")))
    code, stdout, _ = run(app, str(path), "--tray", "burgerzaken")
    event = json.loads(stdout)
    assert code == 0 and event["outcome"] == "received"
    assert event["citizen"]["phone"] == "+3211432211"
