"""TextExtractor by OCR on this machine: pages rendered with pypdfium2, read by Tesseract (`-l nld+eng`)."""

from __future__ import annotations

import logging
import math
import os
import shutil
import subprocess  # noqa: S404 - a fixed argv, no shell
import threading

import pypdfium2 as pdfium

from adapters.memory import release_freed_memory
from adapters.text_extraction.pdf_text_layer import UNREADABLE_PDF, check_pdf_header
from errors import ConfigurationError, PermanentError, TransientError
from handlers.ports.text_extraction import ExtractedText

log = logging.getLogger(__name__)

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-nld"
# PDFium is not thread-safe; the host may read several letters at once.
_PDFIUM_LOCK = threading.Lock()


def tesseract_available(command: str = "tesseract") -> bool:
    """True when the Tesseract binary is on PATH (the CLI and tests ask before choosing OCR)."""
    return shutil.which(command) is not None


class TesseractOcrExtractor:
    """Renders each page at `dpi` in grey and runs Tesseract on it, one subprocess per page."""

    def __init__(
        self,
        *,
        command: str = "tesseract",
        languages: str = "nld+eng",
        page_segmentation: int = 1,
        dpi: int = 300,
        max_pages: int = 20,
        page_timeout: float = 120.0,
        max_pixels: int = 40_000_000,
    ) -> None:
        self.command = command
        self.languages = languages
        # Mode 1 = automatic layout with orientation detection: a sheet fed sideways or upside down
        # is still read (mode 3, the default, returns noise for it) at little extra cost.
        self.page_segmentation = page_segmentation
        self.dpi = dpi
        self.max_pages = max_pages
        self.page_timeout = page_timeout
        self.max_pixels = max_pixels  # an oversized page would otherwise cost gigabytes of bitmap

    def extract(self, pdf: bytes) -> ExtractedText:
        check_pdf_header(pdf)
        try:
            images = self._render(pdf)
            texts = [self._ocr(image, number) for number, image in enumerate(images, start=1)]
        finally:
            images = None
            release_freed_memory()
        log.debug("OCR done", extra={"pages": len(texts)})
        return ExtractedText(text="\f".join(texts), method="ocr", pages=len(texts))

    def _render(self, pdf: bytes) -> list[bytes]:
        """Every page (up to max_pages) as a binary PGM image, which Tesseract reads from stdin."""
        with _PDFIUM_LOCK:
            try:
                document = pdfium.PdfDocument(pdf)
            except pdfium.PdfiumError as exc:
                raise PermanentError(f"PDF unreadable for OCR: {exc}", reason=UNREADABLE_PDF) from exc
            try:
                return [self._render_page(document[i]) for i in range(min(len(document), self.max_pages))]
            except pdfium.PdfiumError as exc:
                raise PermanentError(f"PDF page unreadable for OCR: {exc}", reason=UNREADABLE_PDF) from exc
            finally:
                document.close()

    def _render_page(self, page: pdfium.PdfPage) -> bytes:
        width_pt, height_pt = page.get_size()
        scale = min(self.dpi / 72, math.sqrt(self.max_pixels / max(width_pt * height_pt, 1.0)))
        bitmap = page.render(scale=scale, grayscale=True)
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        raw = bytes(bitmap.buffer)
        rows = (
            raw if stride == width else b"".join(raw[r * stride : r * stride + width] for r in range(height))
        )
        return b"P5\n%d %d\n255\n" % (width, height) + rows

    def _ocr(self, image: bytes, page_number: int) -> str:
        argv = [self.command, "stdin", "stdout", "-l", self.languages, "--dpi", str(self.dpi)]
        argv += ["--psm", str(self.page_segmentation)]
        # One OCR thread per process: the host runs several letters in parallel already.
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv
                argv, input=image, capture_output=True, timeout=self.page_timeout, env=env, check=False
            )
        except FileNotFoundError as exc:
            raise ConfigurationError("tesseract", f"OCR engine not installed ({INSTALL_HINT})") from exc
        except subprocess.TimeoutExpired as exc:
            raise TransientError(f"OCR timed out on page {page_number}") from exc
        if done.returncode != 0:
            if b"Failed loading language" in done.stderr:
                raise ConfigurationError(
                    "tesseract", f"language data {self.languages} missing ({INSTALL_HINT})"
                )
            raise PermanentError(
                f"OCR failed on page {page_number} (exit code {done.returncode})", reason=UNREADABLE_PDF
            )
        return done.stdout.decode("utf-8", errors="replace")
