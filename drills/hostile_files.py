"""Hostile files for the post inbox (issue 15): a text bomb, a huge file, a link out of the folder."""
from __future__ import annotations

import os
import zlib
from pathlib import Path


def text_bomb_pdf(chars: int = 60_000_000) -> bytes:
    """A valid PDF of about 60 KB whose text layer is one word of `chars` characters (Flate-compressed):
    what froze the local host before issue 15."""
    content = zlib.compress(b"BT /F1 11 Tf 56 790 Td (" + b"a" * chars + b") Tj ET", 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def drop(folder: Path, name: str, data: bytes) -> Path:
    """Write, then rename, as the post room does: a half-written file is never read."""
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{name}.part"
    part.write_bytes(data)
    return part.rename(folder / name)


def sparse_file(path: Path, size: int = 400 * 1024 * 1024) -> Path:
    """A `size`-byte PDF-named file that takes no disk space (a sparse file), renamed into place."""
    part = path.parent / f".{path.name}.part"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(part, "wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(size)
    return part.rename(path)


def link_out(folder: Path, name: str, target: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / name
    os.symlink(target, link)
    return link
