"""End-to-end capture latency, all three channels at once: the simulated tenant makes the resource
readable -> the contact is in the CRM store (the committed row a look-up reads), sustained for 60 s at
50 and 200 contacts/s offered; beside it the latency the same arrivals would see with a delta poll
every 60 s; Graph requests per contact; OCR pages/s on its own.

Contacts take turns: mail, call, letter, mail, … Mail and calls go in through the tenant's control API
(the message or record is stored, then Graph's notification is sent); letters are written into the
post inbox (write, then rename). Each contact's clock starts when it is offered. A watcher reads new
store rows every 20 ms. "Achieved" is contacts arriving in the store per second (from the first offer
to the last arrival), not what the generator pushed. The host runs in this process (its Graph requests
are counted from httpx's request log), the tenant in its own. CALL_SETTLE_SECONDS is 0 here: in Azure
the call fetch waits 120 s on purpose (design.md).
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
        self.by_channel = {"mail": 0, "phone": 0}

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        if self.base_url in str(record.args) or self.base_url in line:
            self.count += 1
            self.by_channel["phone" if "callRecords" in line else "mail"] += 1


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


OFFER_TIMEOUT = 30.0  # seconds the tenant may take to accept one contact before the offer counts as failed


async def _offer(rate: float, count: int, send, failed: list[int]) -> dict[str, float]:
    """Call `send(i)` (returns the expected event id) at `rate`; each contact's offer time, open loop.
    An offer the tenant does not accept in time is appended to `failed` (its index), not retried."""
    offered, start = {}, time.perf_counter()

    async def one(i: int) -> None:
        try:
            event_id = await asyncio.wait_for(send(i), OFFER_TIMEOUT)
        except (TimeoutError, aiohttp.ClientError, OSError):
            failed.append(i)
            return
        offered[event_id] = start + i / rate

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


CHANNELS = ("mail", "phone", "post")


async def _drive(city, rate: float, count: int, failed: list[int]) -> dict[str, tuple[str, float]]:
    """Offer `count` contacts at `rate`, the channels taking turns; event id -> (channel, offer time)."""
    run = uuid.uuid4().hex[:6]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        senders = {
            "mail": _mail_sender(session, city.tenant.root_url, run),
            "phone": _call_sender(session, city.tenant.root_url, run),
            "post": _letter_sender(city.data_dir / "post-inbox" / "burgerzaken", run, count),
        }
        channel_of: dict[str, str] = {}

        async def send(i: int) -> str:
            channel = CHANNELS[i % len(CHANNELS)]
            event_id = await senders[channel](i)
            channel_of[event_id] = channel
            return event_id

        offered = await _offer(rate, count, send, failed)
        return {e: (channel_of[e], t) for e, t in offered.items()}


def _measure(city, watcher, counter, rate: float, seconds: float, drain: float) -> list[dict]:
    """One sustained row: every channel at once; one result per channel and one for all."""
    count = int(rate * seconds)
    before_requests = counter.count
    before_by = dict(counter.by_channel)
    failed: list[int] = []
    offered = asyncio.run(_drive(city, rate, count, failed))
    deadline = time.monotonic() + drain
    while time.monotonic() < deadline and not all(e in watcher.seen for e in offered):
        time.sleep(0.1)
    # The poll comparison is computed, not run: each contact waits for the next poll of a poller with an
    # independent uniformly random phase (0-60 s), then takes its own measured capture time.
    rng = random.Random(7)  # noqa: S311 - reproducible phases, not a secret
    results = []
    for channel in (*CHANNELS, "all"):
        mine = {e: t for e, (c, t) in offered.items() if channel in ("all", c)}
        latencies = [watcher.seen[e] - t for e, t in mine.items() if e in watcher.seen]
        arrived = [watcher.seen[e] for e in mine if e in watcher.seen]
        window = max(arrived) - min(mine.values()) if arrived else 0.0
        polled = [rng.uniform(0, POLL_SECONDS) + lat for lat in latencies]
        results.append({
            "channel": channel,
            "offered": rate if channel == "all" else rate / len(CHANNELS),
            "achieved": len(latencies) / window if window > 0 else 0.0,
            "n": len(mine),
            "failed": sum(1 for i in failed if channel in ("all", CHANNELS[i % len(CHANNELS)])),
            "captured": len(latencies),
            "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99),
            "poll_p50": percentile(polled, 50),
            "poll_p99": percentile(polled, 99),
            "graph_per_contact": (
                counter.count - before_requests if channel == "all"
                else counter.by_channel.get(channel, 0) - before_by.get(channel, 0)
            ) / max(1, len(latencies)),
        })
    return results


def failed_note(failed: int) -> str:
    return f" (+{failed:,} offers the tenant did not accept in {OFFER_TIMEOUT:.0f} s)" if failed else ""


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
    seconds, drain = (120.0, 600.0) if full else (60.0, 180.0)
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
            for rate in (50, 200):
                rows += _measure(city, watcher, counter, rate, seconds, drain)
        finally:
            watcher.stop_flag.set()
            httpx_log.removeHandler(counter)
            httpx_log.setLevel(previous_level)
    lines = [
        "## End-to-end capture latency (readable in the tenant → in the CRM store)",
        "",
        f"{seconds:.0f} s of offered contacts per rate, all three channels at once (taking turns);"
        " letters with a text layer. Achieved = contacts arriving in the store per second, from the first"
        " offer to the last arrival. 'delta poll 60 s' is computed, not run: each contact waits for the"
        " next poll of a poller with its own uniformly random phase (0–60 s), plus its own measured"
        " capture time.",
        "",
        "| channel | offered (/s) | achieved: in the store (/s) | captured | p50 (ms) | p99 (ms)"
        " | delta poll 60 s p50 (ms) | delta poll 60 s p99 (ms) | Graph requests / contact |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        per = f"{r['graph_per_contact']:.2f}"
        lines.append(
            f"| {r['channel']} | {r['offered']:,.0f} | {r['achieved']:,.0f}"
            f" | {r['captured']:,} of {r['n']:,}{failed_note(r['failed'])}"
            f" | {ms(r['p50'])} | {ms(r['p99'])} | {ms(r['poll_p50'])} | {ms(r['poll_p99'])} | {per} |"
        )
    lines += ["", _ocr_rate(8 if full else 3)]
    return "\n".join(lines) + "\n"
