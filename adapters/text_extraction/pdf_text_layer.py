"""TextExtractor on the PDF's own text layer (pypdf): instant, exact, and empty for an image-only scan."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from errors import PermanentError
from handlers.ports.text_extraction import ExtractedText

log = logging.getLogger(__name__)

UNREADABLE_PDF = "unreadable_pdf"
# pypdf parses untrusted bytes; a malformed file surfaces as its own errors or as these built-ins.
_PARSE_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError)


def check_pdf_header(pdf: bytes) -> None:
    """Refuse what is not a PDF at all before any parser guesses at it (PDF allows junk before %PDF-)."""
    if b"%PDF-" not in pdf[:1024]:
        raise PermanentError("scan is not a PDF (no %PDF- header)", reason=UNREADABLE_PDF)


class PdfTextLayerExtractor:
    """Reads the text a scanner's OCR or a word processor left in the PDF; pages joined by form feeds."""

    def __init__(self, max_pages: int = 50) -> None:
        self.max_pages = max_pages  # a letter is a few pages; a 500-page upload is not a letter

    def extract(self, pdf: bytes) -> ExtractedText:
        check_pdf_header(pdf)
        try:
            reader = PdfReader(io.BytesIO(pdf), strict=False)
            self._unlock(reader)
            pages = reader.pages[: self.max_pages]
            text = "\f".join(page.extract_text() or "" for page in pages)
        except PermanentError:
            raise
        except _PARSE_ERRORS as exc:
            raise PermanentError(f"PDF unreadable: {type(exc).__name__}", reason=UNREADABLE_PDF) from exc
        log.debug("text layer read", extra={"pages": len(pages), "chars": len(text)})
        return ExtractedText(text=text, method="text-layer", pages=len(pages))

    @staticmethod
    def _unlock(reader: PdfReader) -> None:
        """Scanners sometimes 'protect' PDFs with an empty user password; anything else we cannot read."""
        if reader.is_encrypted and not reader.decrypt(""):
            raise PermanentError("PDF is encrypted with a password", reason=UNREADABLE_PDF)
