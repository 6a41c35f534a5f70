"""The post inbox stays in its folder (issue 15): links to files and folders, pipes and devices,
names with control characters are refused with a recorded reason, never read through, never
blocking, and never named in a log line."""
from __future__ import annotations

import logging
import os

import pytest
from azure.functions.blob import InputStream
from sqlalchemy import text

from devhost.host_blob_sources import InboxSource
from handlers.capture_letter import letter_id
from tests.fixtures.post.pdfs import text_layer_pdf
from tests.functions.conftest import built_functions

LETTER = "An Smets\nDorpsstraat 4\n3580 Beringen\nan.smets@example.be\n\nBetreft: vraag\n"


@pytest.fixture
def inbox(services, tmp_path):
    root = services.settings.data_dir / "post-inbox"
    (root / "onthaal").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "geheim.pdf").write_bytes(text_layer_pdf(LETTER))
    (root / "onthaal" / "link.pdf").symlink_to(outside / "geheim.pdf")
    (root / "gelinkt").symlink_to(outside, target_is_directory=True)
    os.mkfifo(root / "onthaal" / "pijp.pdf")
    (root / "onthaal" / "Jan\nPeeters.pdf").write_bytes(text_layer_pdf(LETTER))
    (root / "onthaal" / "goed.pdf").write_bytes(text_layer_pdf(LETTER))
    return root


def trigger_all(source: InboxSource) -> None:
    """As the local host's blob watcher does: list, read, trigger capture_letter for every entry."""
    capture = built_functions()["capture_letter"].get_user_function()
    for entry in source.list():
        data, _ = source.read(entry.name)
        capture(InputStream(data=data, name=f"scanned-post/{entry.name}", length=len(data),
                            uri=source.uri(entry.name)))


def test_links_pipes_and_odd_names_are_refused_with_their_reason_and_the_good_letter_is_captured(
        services, inbox, caplog):
    caplog.set_level(logging.DEBUG)
    trigger_all(InboxSource(inbox, "scanned-post"))  # a pipe read would block here for ever
    with services.store.engine.connect() as conn:
        rows = {m: r for m, e, r in conn.execute(text("select message_id, entity, reason from failure_log"))}
    assert rows == {
        letter_id("onthaal/link.pdf"): "symlink",
        letter_id("gelinkt"): "symlink",
        letter_id("onthaal/pijp.pdf"): "not_a_file",
        letter_id("onthaal/Jan\nPeeters.pdf"): "unsafe_name",
    }
    published = services.bus.peek("contact-events/crm", max_messages=10)
    assert len(published) == 1  # goed.pdf, and not the linked secret
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "Peeters" not in logged and "geheim" not in logged and "goed.pdf" not in logged


def test_the_host_source_never_opens_what_is_not_a_plain_file(inbox):
    source = InboxSource(inbox, "scanned-post")
    names = {e.name for e in source.list()}
    assert {"onthaal/link.pdf", "gelinkt", "onthaal/pijp.pdf", "onthaal/goed.pdf"} <= names
    assert not any(n.startswith("gelinkt/") for n in names)  # a linked folder is not entered
    for name in ("onthaal/link.pdf", "gelinkt", "onthaal/pijp.pdf"):
        assert source.read(name)[0] == b""
