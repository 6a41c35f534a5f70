"""TextExtractor that reads the text layer and falls back to OCR only for image-only scans."""

from __future__ import annotations

import logging

from handlers.ports.text_extraction import ExtractedText, TextExtractor

log = logging.getLogger(__name__)

# Fewer letters and digits than this and the "text layer" is a scanner's stray page number, not a letter.
MIN_TEXT_CHARS = 40


def has_usable_text(text: str, min_chars: int = MIN_TEXT_CHARS) -> bool:
    """A scanner can leave stray characters (page numbers) in an image-only PDF: that is no text layer."""
    return sum(ch.isalnum() for ch in text) >= min_chars


class TextLayerThenOcr:
    """Text layer first (free, exact); OCR when it holds fewer than `min_chars` letters and digits.

    A corrupt PDF fails in the text layer already (PermanentError) and is not sent to OCR.
    """

    def __init__(
        self, text_layer: TextExtractor, ocr: TextExtractor, *, min_chars: int = MIN_TEXT_CHARS
    ) -> None:
        self.text_layer = text_layer
        self.ocr = ocr
        self.min_chars = min_chars

    def extract(self, pdf: bytes) -> ExtractedText:
        layer = self.text_layer.extract(pdf)
        if has_usable_text(layer.text, self.min_chars):
            return layer
        log.debug("no usable text layer, using OCR", extra={"pages": layer.pages})
        return self.ocr.extract(pdf)


def local_extractor() -> TextLayerThenOcr:
    """The local host's reader: pypdf's text layer, else Tesseract."""
    from adapters.text_extraction.pdf_text_layer import PdfTextLayerExtractor
    from adapters.text_extraction.tesseract_ocr import TesseractOcrExtractor

    return TextLayerThenOcr(PdfTextLayerExtractor(), TesseractOcrExtractor())


def azure_extractor(endpoint: str) -> TextLayerThenOcr:
    """The Azure reader: pypdf's text layer, else Document Intelligence on `endpoint`."""
    from adapters.text_extraction.document_intelligence import DocumentIntelligenceExtractor
    from adapters.text_extraction.pdf_text_layer import PdfTextLayerExtractor

    return TextLayerThenOcr(PdfTextLayerExtractor(), DocumentIntelligenceExtractor.from_endpoint(endpoint))
