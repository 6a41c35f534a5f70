"""At most N concurrent Graph requests per mailbox in this process (Outlook allows 4 per app+mailbox)."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator

OUTLOOK_CONCURRENCY = 4


class MailboxLimiter:
    """One asyncio.Semaphore per (event loop, mailbox), made on first use.

    Keyed by loop as well because asyncio primitives bind to the loop they are first used on;
    tests and the CLI may run several loops in one process.
    """

    def __init__(self, limit: int = OUTLOOK_CONCURRENCY) -> None:
        self.limit = limit
        self._by_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def semaphore(self, mailbox: str) -> asyncio.Semaphore:
        per_loop = self._by_loop.setdefault(asyncio.get_running_loop(), {})
        key = mailbox.lower()
        if key not in per_loop:
            per_loop[key] = asyncio.Semaphore(self.limit)
        return per_loop[key]

    @contextlib.asynccontextmanager
    async def slot(self, mailbox: str | None) -> AsyncIterator[None]:
        """Hold one of the mailbox's slots; no limit when `mailbox` is None (call records)."""
        if mailbox is None:
            yield
            return
        async with self.semaphore(mailbox):
            yield
