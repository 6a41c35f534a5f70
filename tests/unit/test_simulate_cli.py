"""`loket simulate` says where it is, and sends no image-only letters to a machine without OCR."""

import typer
from typer.testing import CliRunner

import devhost.sim_driver as sim_driver
from cli import simulate
from devhost.reconcile import Report

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    simulate.register(app)
    return app


def _fake_day(seen: dict):
    def simulate_day(services, spec, timeout, subscribe=True, progress=None):
        seen["spec"] = spec
        for line in ("generated 0", "generated 5", "generated 5", "captured 5, skipped 0, waiting for 0"):
            progress(line)
        return "run-1", Report()

    return simulate_day


def test_without_tesseract_the_day_has_no_image_only_letters_and_says_so(monkeypatch, tmp_path):
    seen: dict = {}
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(sim_driver, "ocr_available", lambda: False)
    monkeypatch.setattr(sim_driver, "simulate_day", _fake_day(seen))
    done = runner.invoke(_app(), ["simulate", "--contacts", "5"])
    assert seen["spec"].image_letters == 0
    assert "Tesseract is not installed" in done.output


def test_with_tesseract_two_image_letters_and_progress_lines_only_when_they_change(monkeypatch, tmp_path):
    seen: dict = {}
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(sim_driver, "ocr_available", lambda: True)
    monkeypatch.setattr(sim_driver, "simulate_day", _fake_day(seen))
    done = runner.invoke(_app(), ["simulate", "--contacts", "5"])
    assert seen["spec"].image_letters == 2 and "Tesseract" not in done.output
    assert done.output.count("simulate: generated 5 of 5") == 1
    assert "simulate: captured 5, skipped 0, waiting for 0 of 5" in done.output
