"""Text extraction in a child process: a reader stuck in C code is killed at its budget, the next
letter gets a fresh reader, errors keep their kind across the pipe, the text comes back capped."""
from __future__ import annotations

import threading
import time

import pytest

from adapters.text_extraction.child_process import ChildProcessExtractor, ExtractionBudgetExceeded
from errors import ConfigurationError
from tests.fixtures.post import extractors
from tests.fixtures.post.pdfs import image_only_pdf


@pytest.fixture
def stuck():
    extractor = ChildProcessExtractor(extractors.stuck_in_c, budget_seconds=2, max_chars=20_000, workers=1)
    yield extractor
    extractor.close()


def test_a_reader_stuck_in_c_code_is_killed_when_its_budget_is_spent_and_the_next_letter_is_read(stuck):
    stuck.extract(b"%PDF quick")  # the worker is up: the budget below is the reader's alone
    started = time.monotonic()
    with pytest.raises(ExtractionBudgetExceeded) as raised:
        stuck.extract(b"%PDF-1.4 stuck")
    assert 1.9 < time.monotonic() - started < 6
    assert raised.value.reason == "extraction_timeout"
    assert stuck.extract(b"%PDF quick").text == "Betreft: snel\n"


def test_this_process_keeps_running_python_while_the_reader_is_stuck(stuck):
    """The point of a process: the host's other threads (webhook, health) are never starved."""
    ticks = []
    worker = threading.Thread(
        target=lambda: pytest.raises(ExtractionBudgetExceeded, stuck.extract, b"%PDF x"))
    worker.start()
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        ticks.append(time.monotonic())
        time.sleep(0.01)
    worker.join()
    assert max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) < 0.5


def test_closing_stops_a_stuck_reader_at_once_and_its_caller_gets_a_transient_error(stuck):
    from errors import TransientError

    failures = []

    def read() -> None:
        try:
            stuck.extract(b"%PDF-1.4 stuck")
        except TransientError as exc:
            failures.append(exc)

    stuck.extract(b"%PDF quick")
    caller = threading.Thread(target=read)
    caller.start()
    time.sleep(0.5)
    started = time.monotonic()
    stuck.close()
    caller.join(5)
    assert not caller.is_alive() and time.monotonic() - started < 2
    assert failures and not isinstance(failures[0], ExtractionBudgetExceeded)


def test_the_text_comes_back_capped_so_a_text_bomb_never_crosses_the_pipe_whole():
    extractor = ChildProcessExtractor(extractors.long_word, budget_seconds=30, max_chars=20_000, workers=1)
    try:
        text = extractor.extract(b"%PDF-1.4").text
    finally:
        extractor.close()
    assert len(text) <= 20_001 and text.endswith("@")


def test_a_missing_ocr_engine_is_a_configuration_error_naming_tesseract():
    extractor = ChildProcessExtractor(extractors.without_ocr, budget_seconds=30, max_chars=20_000, workers=1)
    try:
        with pytest.raises(ConfigurationError) as raised:
            extractor.extract(image_only_pdf("Betreft: aanvraag\nJan Peeters\nKerkstraat 1\n3580 Beringen"))
    finally:
        extractor.close()
    assert raised.value.key == "tesseract"


def test_an_abort_kills_a_stuck_reader_and_the_next_letter_gets_a_fresh_one(stuck):
    from errors import TransientError

    stuck.extract(b"%PDF quick")
    failures = []
    caller = threading.Thread(target=lambda: failures.append(pytest.raises(TransientError, stuck.extract,
                                                                           b"%PDF-1.4 stuck")))
    caller.start()
    time.sleep(0.5)
    stuck.abort()
    caller.join(5)
    assert not caller.is_alive() and failures
    assert not isinstance(failures[0].value, ExtractionBudgetExceeded)
    assert stuck.extract(b"%PDF quick").text == "Betreft: snel\n"  # still usable after the abort
