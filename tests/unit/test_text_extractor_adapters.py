"""Document Intelligence (its SDK client faked at the very edge) and the text-layer-else-OCR composite."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError

from adapters.text_extraction.composite import TextLayerThenOcr
from adapters.text_extraction.document_intelligence import ENDPOINT_SETTING, DocumentIntelligenceExtractor
from adapters.text_extraction.pdf_text_layer import UNREADABLE_PDF
from errors import ConfigurationError, PermanentError, TransientError
from handlers.ports.text_extraction import ExtractedText

PDF = b"%PDF-1.7\n...scanned letter..."


class FakeResponse:
    """Just enough of an azure-core HTTP response for HttpResponseError to parse the service's error."""

    def __init__(self, status: int, code: str, headers: dict[str, str] | None = None) -> None:
        self.status_code, self.headers, self.reason = status, headers or {}, "reason"
        self.content_type = "application/json"
        self._body = json.dumps({"error": {"code": code, "message": "Jan Peeters' letter could not be read"}})

    def text(self, encoding: str | None = None) -> str:
        return self._body

    def body(self) -> bytes:
        return self._body.encode()


@dataclass
class FakeResult:
    content: str
    pages: list[Any] = field(default_factory=lambda: [object()])


class FakePoller:
    def __init__(self, result: Any, done: bool = True, error: Exception | None = None) -> None:
        self._result, self._done, self._error = result, done, error

    def result(self, timeout: float | None = None) -> Any:
        if self._error:
            raise self._error
        return self._result

    def done(self) -> bool:
        return self._done


class FakeClient:
    """Records what the adapter sends; answers with a poller or raises like the SDK does."""

    def __init__(self, poller: FakePoller | None = None, error: Exception | None = None) -> None:
        self.poller, self.error, self.calls = poller, error, []

    def begin_analyze_document(self, model_id: str, body: Any, **kwargs: Any) -> FakePoller:
        self.calls.append((model_id, body.read(), kwargs))
        if self.error:
            raise self.error
        assert self.poller is not None
        return self.poller


def test_document_intelligence_sends_the_pdf_to_prebuilt_read_and_returns_its_content() -> None:
    client = FakeClient(FakePoller(FakeResult("Betreft: aanvraag", pages=[object(), object()])))
    extracted = DocumentIntelligenceExtractor(client).extract(PDF)
    assert extracted == ExtractedText(text="Betreft: aanvraag", method="document-intelligence", pages=2)
    model_id, body, kwargs = client.calls[0]
    assert model_id == "prebuilt-read" and body == PDF
    assert kwargs["content_type"] == "application/octet-stream"


def test_document_intelligence_refuses_a_non_pdf_without_calling_the_service() -> None:
    client = FakeClient(FakePoller(FakeResult("x")))
    with pytest.raises(PermanentError):
        DocumentIntelligenceExtractor(client).extract(b"GIF89a")
    assert client.calls == []


def test_throttling_is_transient_and_keeps_the_services_retry_after() -> None:
    error = HttpResponseError(response=FakeResponse(429, "429", {"Retry-After": "17"}))
    with pytest.raises(TransientError) as caught:
        DocumentIntelligenceExtractor(FakeClient(error=error)).extract(PDF)
    assert caught.value.retry_after == 17.0


@pytest.mark.parametrize("status", [500, 503])
def test_a_service_outage_is_transient(status: int) -> None:
    error = HttpResponseError(response=FakeResponse(status, "ServiceUnavailable"))
    with pytest.raises(TransientError):
        DocumentIntelligenceExtractor(FakeClient(error=error)).extract(PDF)


def test_a_network_failure_is_transient() -> None:
    with pytest.raises(TransientError, match="unreachable"):
        DocumentIntelligenceExtractor(FakeClient(error=ServiceRequestError("connection refused"))).extract(
            PDF
        )


def test_a_failed_analysis_of_a_corrupt_pdf_is_permanent_and_echoes_nothing_from_the_service() -> None:
    error = HttpResponseError(response=FakeResponse(400, "InvalidRequest"))
    with pytest.raises(PermanentError) as caught:
        DocumentIntelligenceExtractor(FakeClient(FakePoller(None, error=error))).extract(PDF)
    assert caught.value.reason == UNREADABLE_PDF
    assert "InvalidRequest" in str(caught.value) and "Peeters" not in str(caught.value)


def test_an_internal_error_reported_by_the_poller_is_transient() -> None:
    error = HttpResponseError(response=FakeResponse(200, "InternalServerError"))
    with pytest.raises(TransientError):
        DocumentIntelligenceExtractor(FakeClient(FakePoller(None, error=error))).extract(PDF)


def test_access_denied_is_a_configuration_error_naming_the_endpoint_setting() -> None:
    error = ClientAuthenticationError(response=FakeResponse(401, "401"))
    with pytest.raises(ConfigurationError) as caught:
        DocumentIntelligenceExtractor(FakeClient(error=error)).extract(PDF)
    assert caught.value.key == ENDPOINT_SETTING


def test_an_analysis_that_does_not_finish_in_time_is_transient() -> None:
    with pytest.raises(TransientError, match="in time"):
        DocumentIntelligenceExtractor(FakeClient(FakePoller(None, done=False)), timeout=1).extract(PDF)


@dataclass
class FakeExtractor:
    """An honest second implementation of the port: returns a fixed answer or raises."""

    answer: ExtractedText | None = None
    error: Exception | None = None
    calls: int = 0

    def extract(self, pdf: bytes) -> ExtractedText:
        self.calls += 1
        if self.error:
            raise self.error
        assert self.answer is not None
        return self.answer


def test_the_composite_uses_ocr_only_when_the_text_layer_holds_too_little() -> None:
    layer = FakeExtractor(ExtractedText(text=" 1 \f 2 ", method="text-layer", pages=2))
    ocr = FakeExtractor(ExtractedText(text="Betreft: aanvraag", method="ocr", pages=2))
    assert TextLayerThenOcr(layer, ocr).extract(PDF).method == "ocr"
    assert ocr.calls == 1


def test_the_composite_returns_a_real_text_layer_without_ocr() -> None:
    layer = FakeExtractor(
        ExtractedText(
            text="Geachte, hierbij vraag ik een bewonerskaart voor parkeren aan.", method="text-layer"
        )
    )
    ocr = FakeExtractor(error=AssertionError("OCR must not run"))
    assert TextLayerThenOcr(layer, ocr).extract(PDF).method == "text-layer"
    assert ocr.calls == 0


def test_the_composite_does_not_send_a_corrupt_pdf_to_ocr() -> None:
    layer = FakeExtractor(error=PermanentError("PDF unreadable", reason=UNREADABLE_PDF))
    ocr = FakeExtractor(ExtractedText(text="x", method="ocr"))
    with pytest.raises(PermanentError):
        TextLayerThenOcr(layer, ocr).extract(PDF)
    assert ocr.calls == 0


def test_an_ocr_outage_reaches_the_caller_as_transient() -> None:
    layer = FakeExtractor(ExtractedText(text="", method="text-layer"))
    ocr = FakeExtractor(error=TransientError("busy"))
    with pytest.raises(TransientError):
        TextLayerThenOcr(layer, ocr).extract(PDF)


def test_from_endpoint_builds_the_real_sdk_client_without_calling_the_service() -> None:
    from azure.ai.documentintelligence import DocumentIntelligenceClient
    from azure.core.credentials import AzureKeyCredential

    extractor = DocumentIntelligenceExtractor.from_endpoint(
        "https://stad-loket.cognitiveservices.azure.com", AzureKeyCredential("not-a-real-key")
    )
    assert isinstance(extractor.client, DocumentIntelligenceClient)
    assert extractor.model_id == "prebuilt-read"
