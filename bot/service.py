"""The answering service a front end (Discord, a web hook) talks to.

It owns the current ``Answerer`` and swaps it atomically on reload: a question
that started before a reload finishes on the old index, one that starts after
uses the new one, and none fails in between. Heavy work runs in worker
threads so the caller's event loop keeps its heartbeat. No Discord here.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.answer.answerer import Answer, Answerer
from bot.config import Config
from bot.documents.corpus import Document, Passage
from bot.documents.loading import SkippedFile
from bot.search.index import SearchIndex

log = logging.getLogger(__name__)
T = TypeVar("T")
BUSY_LOG_SECONDS = 10.0  # at most one "busy" log line per this many seconds


class Busy(Exception):
    """Too many questions are waiting; the caller should say so politely."""


@dataclass(frozen=True)
class ReloadReport:
    documents: int
    passages: int
    skipped: list[SkippedFile]
    seconds: float
    fingerprint: str
    added: list[str] = field(default_factory=list)  # document ids new in this index
    removed: list[str] = field(default_factory=list)  # document ids no longer in it


class AnswerService:
    def __init__(self, config: Config, index: SearchIndex) -> None:
        self.config = config
        self._answerer = Answerer(index)
        self._reload_lock = asyncio.Lock()
        self._executor = ThreadPoolExecutor(
            max_workers=config.discord.max_concurrent, thread_name_prefix="qabot-answer"
        )
        # Questions running or waiting for a worker: at most max_concurrent run and
        # max_pending wait; past that a question is refused with Busy.
        self._limit = config.discord.max_concurrent + config.discord.max_pending
        self._in_flight = 0
        self._count_lock = threading.Lock()
        self._refused = 0
        self._busy_logged_at = -BUSY_LOG_SECONDS
        self.started = time.monotonic()

    @property
    def index(self) -> SearchIndex:
        return self._answerer.index

    @property
    def fingerprint(self) -> str:
        """A short id of the current index's passages; button ids carry it to detect staleness."""
        return self.index.fingerprint

    @property
    def in_flight(self) -> int:
        """Questions running or waiting for a worker."""
        return self._in_flight

    async def answer(self, question: str, k: int | None = None) -> Answer:
        """Answer off the event loop; raise Busy when too many questions wait.

        A question holds its place until its worker is done with it, even if the
        caller stops waiting, so the limit bounds the work really queued.
        """
        with self._count_lock:
            if self._in_flight >= self._limit:
                self._note_refusal()
                raise Busy()
            self._in_flight += 1
        answerer = self._answerer  # one reference for the whole question
        try:
            job = self._executor.submit(answerer.answer, question, k)
        except RuntimeError:  # shutting down: no new work
            self._release()
            raise Busy() from None
        job.add_done_callback(self._release)
        return await asyncio.wrap_future(job)

    def _release(self, _job: Future | None = None) -> None:
        with self._count_lock:
            self._in_flight -= 1

    def _note_refusal(self) -> None:
        """Count a refusal; log one line now and then, not one per question."""
        self._refused += 1
        now = time.monotonic()
        if now - self._busy_logged_at >= BUSY_LOG_SECONDS:
            log.warning(
                "busy: refused %d question(s) since the last report (%d running or waiting, "
                "limit %d = max_concurrent + max_pending)",
                self._refused,
                self._in_flight,
                self._limit,
            )
            self._refused = 0
            self._busy_logged_at = now

    async def reload(self) -> ReloadReport:
        """Rebuild the index from the corpus and swap it in; questions go on meanwhile."""
        async with self._reload_lock:
            started = time.perf_counter()
            before = set(self.index.corpus.documents)
            index = await run_in_daemon_thread(SearchIndex.build, self.config)
            self._answerer = Answerer(index)
            # The old index was frozen with the rest (settle_heap): unfreeze so its
            # reference cycles can be collected. Freeze again only when no question
            # still holds the old index, or it would never be freed.
            gc.unfreeze()
            if not self._in_flight:
                settle_heap()
            corpus = index.corpus
            return ReloadReport(
                len(corpus.documents),
                len(corpus.passages),
                list(corpus.skipped),
                time.perf_counter() - started,
                index.fingerprint,
                added=sorted(set(corpus.documents) - before),
                # Documents gone from the folders; those still there but now unreadable
                # are in ``skipped`` with the reason.
                removed=sorted(
                    before - set(corpus.documents) - {skip.path for skip in corpus.skipped}
                ),
            )

    def passage(self, pid: int) -> tuple[Passage, Document] | None:
        passages = self.index.corpus.passages
        if 0 <= pid < len(passages):
            passage = passages[pid]
            return passage, self.index.corpus.documents[passage.doc_id]
        return None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def settle_heap() -> None:
    """Move what is alive now (the index, its caches) out of the garbage collector's way.

    A full collection walks every tracked object; with a large index held in
    Python objects that walk stalled the event loop for ~100 ms once per
    load-test run (bench/load_test.py: loop lag max 76.8-133 ms before, 38.3 ms
    after). Frozen objects are still freed by reference counting.
    """
    gc.collect()
    gc.freeze()


def run_in_daemon_thread(function: Callable[..., T], *args: Any) -> asyncio.Future[T]:
    """Run ``function`` in a daemon thread and await its result on the loop.

    For long builds: unlike the default executor, nothing waits for the thread when
    the process is asked to stop, so a SIGTERM during a build still exits promptly.
    """
    loop = asyncio.get_running_loop()
    result: asyncio.Future[T] = loop.create_future()

    def settle(value: Any, failed: bool) -> None:
        if not result.done():
            if failed:
                result.set_exception(value)
            else:
                result.set_result(value)

    def target() -> None:
        try:
            value, failed = function(*args), False
        except BaseException as exc:  # handed to the awaiting coroutine
            value, failed = exc, True
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits
            loop.call_soon_threadsafe(settle, value, failed)

    threading.Thread(target=target, name="qabot-build", daemon=True).start()
    return result
