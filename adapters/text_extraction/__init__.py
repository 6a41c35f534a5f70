"""Readers of scanned letters: the PDF text layer (pypdf), Tesseract OCR, Document Intelligence."""
