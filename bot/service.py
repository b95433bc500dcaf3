"""The answering service a front end (Discord, a web hook) talks to.

It owns the current ``Answerer`` and swaps it atomically on reload: a question
that started before a reload finishes on the old index, one that starts after
uses the new one, and none fails in between. Heavy work runs in worker
threads so the caller's event loop keeps its heartbeat. No Discord here.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bot.answering import Answer, Answerer
from bot.config import Config
from bot.corpus import Document, Passage
from bot.index import SearchIndex
from bot.loading import SkippedFile

log = logging.getLogger(__name__)


class Busy(Exception):
    """Too many questions are waiting; the caller should say so politely."""


@dataclass(frozen=True)
class ReloadReport:
    documents: int
    passages: int
    skipped: list[SkippedFile]
    seconds: float
    fingerprint: str


def fingerprint(index: SearchIndex) -> str:
    """A short id of the passages an index holds; button ids carry it to detect staleness."""
    digest = hashlib.blake2b(digest_size=4)
    for passage in index.corpus.passages:
        digest.update(f"{passage.doc_id}\0{passage.start}\0{passage.end}\n".encode())
    return digest.hexdigest()


class AnswerService:
    def __init__(self, config: Config, index: SearchIndex) -> None:
        self.config = config
        self._answerer = Answerer(index)
        self._fingerprint = fingerprint(index)
        self._reload_lock = asyncio.Lock()
        self._executor = ThreadPoolExecutor(
            max_workers=config.discord.max_concurrent, thread_name_prefix="qabot-answer"
        )
        self._pending = 0
        self.started = time.monotonic()

    @property
    def index(self) -> SearchIndex:
        return self._answerer.index

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    async def answer(self, question: str, k: int | None = None) -> Answer:
        """Answer off the event loop; raise Busy when too many questions wait."""
        if self._pending >= self.config.discord.max_pending:
            raise Busy()
        self._pending += 1
        try:
            answerer = self._answerer  # one reference for the whole question
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, answerer.answer, question, k)
        finally:
            self._pending -= 1

    async def reload(self) -> ReloadReport:
        """Rebuild the index from the corpus and swap it in; questions go on meanwhile."""
        async with self._reload_lock:
            started = time.perf_counter()
            loop = asyncio.get_running_loop()
            index = await loop.run_in_executor(None, SearchIndex.build, self.config)
            self._answerer = Answerer(index)
            self._fingerprint = fingerprint(index)
            corpus = index.corpus
            return ReloadReport(
                len(corpus.documents),
                len(corpus.passages),
                list(corpus.skipped),
                time.perf_counter() - started,
                self._fingerprint,
            )

    def passage(self, pid: int) -> tuple[Passage, Document] | None:
        passages = self.index.corpus.passages
        if 0 <= pid < len(passages):
            passage = passages[pid]
            return passage, self.index.corpus.documents[passage.doc_id]
        return None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
