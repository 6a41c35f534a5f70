"""TextExtractor in Azure: Azure AI Document Intelligence's `prebuilt-read` model (OCR as a service).

Not yet run against the real service: its tests drive it over a fake client shaped like the SDK's
(tests/unit/test_text_extractor_adapters.py); the error mapping follows the SDK's documentation."""

from __future__ import annotations

import io
import logging
from typing import Any

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)

from adapters.text_extraction.pdf_text_layer import UNREADABLE_PDF, check_pdf_header
from errors import ConfigurationError, PermanentError, TransientError
from handlers.ports.text_extraction import ExtractedText

log = logging.getLogger(__name__)

ENDPOINT_SETTING = "DOCUMENT_INTELLIGENCE_ENDPOINT"
_TRANSIENT_CODES = {"InternalServerError", "ServiceUnavailable", "Timeout", "TooManyRequests"}


class DocumentIntelligenceExtractor:
    """Sends the PDF to `prebuilt-read` and waits for the result.

    `client` is an `azure.ai.documentintelligence.DocumentIntelligenceClient` (or anything with its
    `begin_analyze_document`); build one with `from_endpoint`, which uses the Function app's identity.
    """

    def __init__(self, client: Any, *, model_id: str = "prebuilt-read", timeout: float = 120.0) -> None:
        self.client = client
        self.model_id = model_id
        self.timeout = timeout

    @classmethod
    def from_endpoint(cls, endpoint: str, credential: Any | None = None) -> DocumentIntelligenceExtractor:
        """A client on `endpoint`; `credential` defaults to DefaultAzureCredential (managed identity)."""
        from azure.ai.documentintelligence import DocumentIntelligenceClient

        if credential is None:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential()
        return cls(DocumentIntelligenceClient(endpoint=endpoint, credential=credential))

    def extract(self, pdf: bytes) -> ExtractedText:
        check_pdf_header(pdf)
        try:
            poller = self.client.begin_analyze_document(
                self.model_id, io.BytesIO(pdf), content_type="application/octet-stream"
            )
            result = poller.result(timeout=self.timeout)
        except ClientAuthenticationError as exc:
            raise ConfigurationError(
                ENDPOINT_SETTING, "access denied: check the app identity's role"
            ) from exc
        except HttpResponseError as exc:
            raise _translate(exc) from exc
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise TransientError(f"Document Intelligence unreachable: {type(exc).__name__}") from exc
        if result is None or not poller.done():
            raise TransientError("Document Intelligence did not finish in time")
        pages = len(getattr(result, "pages", None) or [])
        log.debug("document intelligence read", extra={"pages": pages})
        return ExtractedText(
            text=getattr(result, "content", None) or "", method="document-intelligence", pages=pages
        )


def _translate(exc: HttpResponseError) -> Exception:
    """Throttling and outages are retried; a document the service cannot read is permanent."""
    status = exc.status_code
    code = getattr(getattr(exc, "error", None), "code", None)
    if status in (401, 403):
        return ConfigurationError(
            ENDPOINT_SETTING, f"access denied (HTTP {status}): check the app identity's role"
        )
    if status == 429 or (status is not None and status >= 500) or code in _TRANSIENT_CODES:
        return TransientError(
            f"Document Intelligence unavailable (HTTP {status}, {code})", retry_after=_retry_after(exc)
        )
    return PermanentError(
        f"Document Intelligence cannot read the PDF (HTTP {status}, {code})", reason=UNREADABLE_PDF
    )


def _retry_after(exc: HttpResponseError) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        return float(headers.get("Retry-After")) if headers.get("Retry-After") else None
    except ValueError:  # an HTTP date: let the back-off decide
        return None
