"""Scanned letters of the working day: Dutch letters as PDFs (a real text layer, or pixels only, as a
plain scanner makes them), the post room's sidecar, and the drop into `<data dir>/post-inbox/<tray>/`
(written under a temporary name, then renamed: a half-written file is never read)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import random
import uuid
from pathlib import Path

from devhost.tenant.day_people import Citizen

TOPICS = {
    "onthaal": ("vraag over openingsuren", "klacht over de wachttijd"),
    "burgerzaken": ("aanvraag bewonerskaart parkeren", "adreswijziging", "attest van woonst"),
    "financien": ("bezwaar tegen aanslag", "vraag om afbetalingsplan"),
    "omgeving": ("bezwaar tegen bouwaanvraag", "melding wateroverlast", "aanvraag kapvergunning"),
    "socialedienst": ("vraag om ondersteuning", "aanvraag huurtoelage"),
}


def letter_text(rng: random.Random, citizen: Citizen | None, tray: str, *, email: bool = True) -> str:
    """A letter with its letterhead (sender block), the city's address, subject, body and sign-off."""
    subject = rng.choice(TOPICS.get(tray) or TOPICS["onthaal"])
    head = []
    if citizen is not None:
        head = (
            [
                citizen.name,
                f"{citizen.street} {citizen.number}",
                f"{citizen.postal_code} {citizen.city}",
                f"Tel. {citizen.national_phone()}",
            ]
            + ([citizen.email] if email else [])
            + [""]
        )
    body = [
        *head,
        "Stad Beringen",
        "Markt 1",
        "3580 Beringen",
        "",
        "Beringen, 27 november 2026",
        "",
        f"Betreft: {subject}",
        "",
        "Geachte heer, mevrouw,",
        "",
        "Hierbij richt ik mij tot uw dienst met een vraag.",
        "Ik kijk uit naar uw antwoord.",
        "",
        "Met vriendelijke groeten,",
        "",
    ]
    return "\n".join(body + ([citizen.name] if citizen else ["een bezorgde inwoner"]))


def sidecar(citizen: Citizen, tray: str, received_at: str) -> dict:
    """The post room's index data for a letter."""
    return {
        "received_at": received_at,
        "sender": {
            "name": citizen.name,
            "email": citizen.email,
            "phone": citizen.national_phone(),
            "address": {
                "street": citizen.street,
                "number": citizen.number,
                "postal_code": citizen.postal_code,
                "city": citizen.city,
                "country": "BE",
            },
        },
        "tray": tray,
        "reference": f"POST-2026-{uuid.uuid4().int % 10**6:06d}",
        "pages": 1,
    }


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def text_pdf(text: str) -> bytes:
    """One A4 page, Helvetica, one line per text line: a PDF with a real text layer."""
    body = b"BT /F1 11 Tf 14 TL 56 790 Td " + b" ".join(
        b"(" + _escape(x) + b") Tj T*" for x in text.splitlines()
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(body + b" ET") + body + b" ET\nendstream",
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


def image_pdf(text: str, dpi: int = 200, font_size: int = 34) -> bytes:
    """An A4 page with the text as pixels and no text layer (Pillow): only OCR can read it."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=font_size)
    y = dpi // 2
    for line in text.splitlines():
        draw.text((dpi // 2, y), line, fill=0, font=font)
        y += int(font_size * 1.5)
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=float(dpi))
    return buffer.getvalue()


def digest(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def drop(inbox: Path, relative: str, data: bytes, arrived: str | None = None) -> Path:
    """Write `relative` under the inbox as `.tmp`, then rename it into place (atomic on one disk).
    `arrived` (ISO UTC) becomes the file's modification time, as a scanner stamps the time of the scan."""
    target = inbox / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_bytes(data)
    if arrived:
        stamp = dt.datetime.fromisoformat(arrived.replace("Z", "+00:00")).timestamp()
        os.utime(temporary, (stamp, stamp))
    os.replace(temporary, target)
    return target


def drop_sidecar(inbox: Path, pdf_relative: str, data: dict) -> Path:
    return drop(inbox, pdf_relative + ".json", json.dumps(data, ensure_ascii=False).encode("utf-8"))
