"""An ordered map over worker processes: bounded memory, and a crash costs one item.

``ordered_map`` runs ``function(chunk)`` on chunks of the items in worker
processes and yields each item's result in order, with at most ``window``
chunks in flight (so a
slow consumer holds the workers back instead of piling results up). Workers
are started with ``spawn``: a fresh interpreter, never a fork of a process
that may be running threads (the bot rebuilds its index while serving).

A worker that dies (a segfault in a parser, the out-of-memory killer) loses
the chunks in flight. They are run again, the failing chunk one item at a
time in a fresh pool, so the item that kills a worker is found and reported
through ``crashed(item, reason)``, and every other item still gets its result.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
START_METHOD = "spawn"
MAX_CRASHES = 10  # items that each killed a worker; past this the build gives up


class WorkersFailed(RuntimeError):
    """Worker processes keep dying: the build cannot go on."""


class WorkerPool:
    """Worker processes for ``ordered_map``; replaced when one of them dies."""

    def __init__(self, workers: int, initializer: Callable[..., None], initargs: tuple) -> None:
        self.workers, self.initializer, self.initargs = workers, initializer, initargs
        self.crashes = 0
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        executor = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context(START_METHOD),
            initializer=self.initializer,
            initargs=self.initargs,
        )
        try:  # a pool whose workers cannot even start is no file's fault
            executor.submit(os.getpid).result()
        except BrokenProcessPool as exc:
            executor.shutdown(wait=True, cancel_futures=True)
            raise WorkersFailed(f"worker processes cannot start ({exc})") from exc
        return executor

    def restart(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._start()

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        return self.executor.submit(function, *args)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def ordered_map(
    pool: WorkerPool,
    function: Callable[[Sequence[Item]], list[Result]],
    items: Iterable[Item],
    *,
    chunk: int,
    window: int,
    crashed: Callable[[Item, str], Result],
) -> Iterator[Result]:
    """Yield the result of each item, in order: ``function`` maps a chunk of up to
    ``chunk`` items to their results, in the pool's processes (``window`` chunks in
    flight)."""
    pending: deque[tuple[list[Item], Future]] = deque()
    source = iter(items)
    while True:
        while len(pending) < window:
            batch = list(islice(source, chunk))
            if not batch:
                break
            pending.append((batch, pool.submit(function, batch)))
        if not pending:
            return
        batch, future = pending.popleft()
        try:
            yield from future.result()
            continue
        except BrokenProcessPool:
            pass
        # A worker died: this chunk's items one at a time find the culprit; the
        # other chunks in flight are lost too, and run again in the new pool.
        pool.restart()
        yield from _one_by_one(pool, function, batch, crashed)
        lost = list(pending)
        pending.clear()
        for other_batch, other in lost:
            if not (other.done() and other.exception() is None):
                other = pool.submit(function, other_batch)
            pending.append((other_batch, other))


def _one_by_one(
    pool: WorkerPool,
    function: Callable[[Sequence[Item]], list[Result]],
    items: Sequence[Item],
    crashed: Callable[[Item, str], Result],
) -> list[Result]:
    results: list[Result] = []
    for item in items:
        try:
            results.extend(pool.submit(function, [item]).result())
        except BrokenProcessPool as exc:
            pool.crashes += 1
            log.warning("a build worker died on %s", item)
            if pool.crashes > MAX_CRASHES:
                raise WorkersFailed(f"build workers died on {pool.crashes} items") from exc
            results.append(crashed(item, "the worker process reading it died"))
            pool.restart()
    return results


def starting_worker() -> bool:
    """Whether this process is a worker still importing its parent's main module.

    ``spawn`` runs the parent's ``__main__`` again in each worker; a script that
    builds an index without ``if __name__ == "__main__":`` would build it in every
    worker too. Such a build is refused (the worker fails to start and the parent
    builds in one process)."""
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))
