"""The privacy log on both backends: records come back in order, appends never overwrite, a torn last
line is skipped; against Azurite the blob is an append blob in the event archive's container."""
# ruff: noqa: F811 - the azurite fixture is imported

from __future__ import annotations

import pytest

from adapters.archive.blob_archive import BlobArchive
from adapters.archive.blob_privacy_log import BlobPrivacyLog
from adapters.archive.local_privacy_log import LocalPrivacyLog
from settings import Settings
from tests.integration.test_archive_azurite import azurite  # noqa: F401 - fixture


@pytest.fixture(params=["local", "blob"])
def privacy_log(request, tmp_path):
    if request.param == "local":
        return LocalPrivacyLog(tmp_path / "privacy-log")
    connection = request.getfixturevalue("azurite")
    container = f"privacy-{abs(hash(request.node.name)) % 10**8}"
    archive = BlobArchive.from_settings(Settings(ScanStorage=connection), container=container)
    return BlobPrivacyLog(archive._container)


def test_records_come_back_in_the_order_they_were_appended(privacy_log):
    assert privacy_log.records() == []
    for n in range(3):
        privacy_log.append({"kind": "erasure", "n": n, "event_hashes": ["ab" * 32]})
    assert [r["n"] for r in privacy_log.records()] == [0, 1, 2]


def test_a_second_writer_appends_after_the_first_and_never_starts_the_log_over(privacy_log):
    privacy_log.append({"kind": "restriction", "n": 1})
    where = privacy_log.root if isinstance(privacy_log, LocalPrivacyLog) else privacy_log.container
    again = type(privacy_log)(where)  # another process's handle on the same log
    again.append({"kind": "restriction", "n": 2})
    assert [r["n"] for r in privacy_log.records()] == [1, 2]


def test_a_torn_last_line_is_skipped_locally(tmp_path):
    log = LocalPrivacyLog(tmp_path)
    log.append({"kind": "erasure", "n": 1})
    with open(log.path, "a", encoding="utf-8") as handle:
        handle.write('{"kind": "eras')
    assert log.records() == [{"kind": "erasure", "n": 1}]
