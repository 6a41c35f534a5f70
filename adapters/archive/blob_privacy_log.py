"""The privacy log as an append blob in the event archive's container (`privacy-log/records.jsonl`).

An append blob only grows (Append Block); with the container's immutability policy set to allow
protected append writes, not even an account key can rewrite it. Each record is one block.
"""

from __future__ import annotations

import json
from typing import Any

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import ContainerClient

from adapters.archive.blob_archive import BlobArchive
from adapters.archive.local_privacy_log import parse_lines
from errors import TransientError
from settings import Settings

BLOB_NAME = "privacy-log/records.jsonl"


class BlobPrivacyLog:
    def __init__(self, container: ContainerClient) -> None:
        self.container = container
        self._blob = container.get_blob_client(BLOB_NAME)

    @classmethod
    def from_settings(cls, settings: Settings) -> BlobPrivacyLog:
        """The same container (and credentials) as the event archive."""
        return cls(BlobArchive.from_settings(settings)._container)

    def append(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n").encode()
        try:
            try:
                self._blob.append_block(data)
            except ResourceNotFoundError:
                try:  # first record: create the append blob, never over an existing one
                    self._blob.create_append_blob(if_none_match="*")
                except ResourceExistsError:
                    pass
                self._blob.append_block(data)
        except AzureError as exc:
            raise TransientError("privacy log unreachable") from exc

    def records(self) -> list[dict[str, Any]]:
        try:
            text = self._blob.download_blob().readall().decode("utf-8")
        except ResourceNotFoundError:
            return []
        except AzureError as exc:
            raise TransientError("privacy log unreachable") from exc
        return parse_lines(text)
