"""Port: the text of a scanned letter's PDF (text layer, OCR or a cloud reader behind one call)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

ExtractionMethod = Literal["text-layer", "ocr", "document-intelligence"]


@dataclass(frozen=True)
class ExtractedText:
    """The letter's text (pages separated by form feeds) and how it was read, for logs and metrics."""

    text: str
    method: ExtractionMethod
    pages: int = 0

    def __repr__(self) -> str:  # the text is a citizen's letter: keep it out of logs and tracebacks
        return f"ExtractedText(method={self.method!r}, pages={self.pages}, chars={len(self.text)})"


class TextExtractor(Protocol):
    """Reads a PDF's text.

    Input: the PDF's bytes. Output: ExtractedText (text may be empty for a blank page).
    Errors: errors.PermanentError (reason `unreadable_pdf`) for a corrupt, encrypted or non-PDF file,
    which retrying cannot fix; errors.TransientError for an outage or throttling of the reader
    (a cloud service, a busy OCR engine); errors.ConfigurationError when the reader is not set up
    (e.g. Tesseract or its Dutch language data missing).
    """

    def extract(self, pdf: bytes) -> ExtractedText: ...
