"""End-to-end capture latency per channel: the simulated tenant makes the resource readable -> the contact
is in the CRM store (what a look-up reads), at 50 and 200 contacts/s; beside it the latency the same
arrivals would see with a delta poll every 60 s; Graph requests per contact; OCR pages/s on its own.

Mail and calls go in through the tenant's control API (the message or record is stored, then Graph's
notification is sent); letters are written into the post inbox (write, then rename). Each contact's
clock starts when it is offered. A watcher reads new store rows every 20 ms. The host runs in this
process (its Graph requests are counted from httpx's request log), the tenant in its own.
CALL_SETTLE_SECONDS is 0 here: in Azure the call fetch waits 120 s on purpose (design.md).
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import logging
import os
import random
import tempfile
import threading
import time
import uuid
from pathlib import Path

import aiohttp
from sqlalchemy import select

from bench.support import ms, percentile, running_city
from handlers.event_ids import mail_event_id, phone_event_id, post_event_id

MAILBOX = "6d2f0a11-0002-4a6b-8c1d-000000000002"  # burgerzaken@stad.example
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
POLL_SECONDS = 60.0
LETTER = (
    "{name}\nKerkstraat {n}\n3580 Beringen\n{email}\n\nBetreft: aanvraag {ref}\n\nGeachte,\nGraag.\n\n"
    "Met vriendelijke groeten,\n{name}\n"
)


class GraphRequests(logging.Handler):
    """Counts httpx's 'HTTP Request: GET <tenant url> …' lines: the host's requests to Graph."""

    def __init__(self, base_url: str) -> None:
        super().__init__(logging.INFO)
        self.base_url, self.count = base_url, 0

    def emit(self, record: logging.LogRecord) -> None:
        if self.base_url in str(record.args) or self.base_url in record.getMessage():
            self.count += 1


class Watcher(threading.Thread):
    """Notes when each expected event id first appears in the store's contacts table."""

    def __init__(self, engine) -> None:
        super().__init__(daemon=True)
        self.engine, self.seen, self.stop_flag, self.last = engine, {}, threading.Event(), 0

    def run(self) -> None:
        from adapters.store.tables import Contact

        while not self.stop_flag.wait(0.02):
            with self.engine.connect() as conn:
                rows = conn.execute(select(Contact.id, Contact.event_id).where(Contact.id > self.last)).all()
            now = time.perf_counter()
            for row in rows:
                self.seen.setdefault(row.event_id, now)
                self.last = max(self.last, row.id)


async def _offer(rate: float, count: int, send) -> dict[str, float]:
    """Call `send(i)` (returns the expected event id) at `rate`; each contact's offer time, open loop."""
    offered, start = {}, time.perf_counter()

    async def one(i: int) -> None:
        offered[await send(i)] = start + i / rate

    tasks = []
    for i in range(count):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    return offered


def _mail_sender(session: aiohttp.ClientSession, root: str, run: str):
    template = json.loads((FIXTURES / "tenant" / "message_citizen.json").read_text(encoding="utf-8"))

    async def send(i: int) -> str:
        message = copy.deepcopy(template)
        message["internetMessageId"] = imid = f"<bench-{run}-{i}@mail.example.be>"
        message["from"]["emailAddress"]["address"] = message["sender"]["emailAddress"]["address"] = (
            f"burger{run}{i}@example.be"
        )
        async with session.post(
            f"{root}/_sim/mailboxes/{MAILBOX}/messages", json={"folder": "inbox", "message": message}
        ) as answer:
            await answer.read()
        return str(mail_event_id(imid))

    return send


def _call_sender(session: aiohttp.ClientSession, root: str, run: str):
    template = json.loads(
        (FIXTURES / "tenant" / "callrecord_real_layout_cq.json").read_text(encoding="utf-8")
    )

    async def send(i: int) -> str:
        record = copy.deepcopy(template)
        record["id"] = record_id = str(uuid.uuid4())
        async with session.post(f"{root}/_sim/callRecords", json={"record": record}) as answer:
            await answer.read()
        return str(phone_event_id(record_id))

    return send


def _letter_sender(inbox: Path, run: str, count: int):
    from tests.fixtures.post.pdfs import text_layer_pdf

    inbox.mkdir(parents=True, exist_ok=True)
    pdfs = [
        text_layer_pdf(
            LETTER.format(
                name="Bench Burger", n=i % 200 + 1, email=f"post{run}{i}@example.be", ref=f"{run}-{i}"
            )
        )
        for i in range(count)
    ]

    async def send(i: int) -> str:
        partial = inbox / f".bench-{run}-{i}.part"
        partial.write_bytes(pdfs[i])
        os.replace(partial, inbox / f"bench-{run}-{i}.pdf")
        return str(post_event_id(hashlib.sha256(pdfs[i]).hexdigest()))

    return send


async def _drive(city, channel: str, rate: float, count: int) -> dict[str, float]:
    run = uuid.uuid4().hex[:6]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        senders = {
            "mail": lambda: _mail_sender(session, city.tenant.root_url, run),
            "phone": lambda: _call_sender(session, city.tenant.root_url, run),
            "post": lambda: _letter_sender(city.data_dir / "post-inbox" / "burgerzaken", run, count),
        }
        return await _offer(rate, count, senders[channel]())


def _measure(city, watcher, counter, channel: str, rate: float, seconds: float, drain: float) -> dict:
    count = int(rate * seconds)
    before_requests = counter.count
    started = time.perf_counter()
    offered = asyncio.run(_drive(city, channel, rate, count))
    offer_elapsed = time.perf_counter() - started
    deadline = time.monotonic() + drain
    while time.monotonic() < deadline and not all(e in watcher.seen for e in offered):
        time.sleep(0.1)
    latencies = [watcher.seen[e] - t for e, t in offered.items() if e in watcher.seen]
    phase = random.Random(7).uniform(0, POLL_SECONDS)  # noqa: S311 - a fixed poll phase, not a secret
    polled = [
        (POLL_SECONDS - ((t - started - phase) % POLL_SECONDS)) + (watcher.seen[e] - t)
        for e, t in offered.items()
        if e in watcher.seen
    ]
    return {
        "channel": channel,
        "offered": rate,
        "achieved": count / offer_elapsed,
        "n": count,
        "captured": len(latencies),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "poll_p50": percentile(polled, 50),
        "poll_p99": percentile(polled, 99),
        "graph_per_contact": (counter.count - before_requests) / max(1, len(latencies)),
    }


def _ocr_rate(pages: int) -> str:
    from adapters.text_extraction.tesseract_ocr import TesseractOcrExtractor, tesseract_available
    from tests.fixtures.post.pdfs import image_only_pdf

    if not tesseract_available():
        return "OCR: Tesseract is not installed (`make ocr`), not measured."
    extractor = TesseractOcrExtractor()
    pdfs = [
        image_only_pdf(LETTER.format(name="Bench Burger", n=i, email="x@example.be", ref=i))
        for i in range(pages)
    ]
    start = time.perf_counter()
    for pdf in pdfs:
        extractor.extract(pdf)
    rate = pages / (time.perf_counter() - start)
    return (
        "OCR of image-only scans (Tesseract nld+eng, 300 dpi, one page each):"
        f" **{rate:.2f} pages/s** ({pages} pages)."
    )


def run(full: bool) -> str:
    seconds, drain = (20.0, 300.0) if full else (3.0, 60.0)
    rows = []
    httpx_log = logging.getLogger("httpx")
    previous_level = httpx_log.level
    httpx_log.setLevel(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp, running_city(Path(tmp)) as city:
        ensured = city.services.maintain_subscriptions()
        assert not ensured.failed, ensured
        counter = GraphRequests(city.tenant.base_url)
        logging.getLogger("httpx").addHandler(counter)
        watcher = Watcher(city.services.store.engine)
        watcher.start()
        try:
            for channel in ("mail", "phone", "post"):
                for rate in (50, 200):
                    rows.append(_measure(city, watcher, counter, channel, rate, seconds, drain))
        finally:
            watcher.stop_flag.set()
            httpx_log.removeHandler(counter)
            httpx_log.setLevel(previous_level)
    lines = [
        "## End-to-end capture latency (readable in the tenant → in the CRM store)",
        "",
        f"{seconds:.0f} s of offered contacts per row, one channel at a time; letters with a text layer."
        " 'delta poll 60 s' is computed, not run: the same arrival times with a poll every 60 s at a"
        " random phase (the wait for the next poll) plus the contact's own measured capture time.",
        "",
        "| channel | offered (/s) | achieved (/s) | captured | p50 (ms) | p99 (ms) | delta poll 60 s p50 (ms)"
        " | delta poll 60 s p99 (ms) | Graph requests / contact |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['channel']} | {r['offered']} | {r['achieved']:,.0f} | {r['captured']:,} of {r['n']:,}"
            f" | {ms(r['p50'])} | {ms(r['p99'])} | {ms(r['poll_p50'])} | {ms(r['poll_p99'])}"
            f" | {r['graph_per_contact']:.2f} |"
        )
    lines += ["", _ocr_rate(8 if full else 3)]
    return "\n".join(lines) + "\n"
