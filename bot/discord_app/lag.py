"""How late the event loop wakes up: a health measure of the bot under load.

A task sleeps ``interval`` seconds in a loop and records how much later than
asked it woke up. Anything that blocks the loop (CPU work on it, a slow
synchronous call, the GIL held by busy worker threads) shows up here long
before the gateway heartbeat is late. A summary line is logged every
``report_every`` seconds (for that window) and on shutdown (for the whole run):

    loop-lag p50=0.4ms p99=3.1ms max=12.0ms over 1200 samples (last 60 s)
    loop-lag p50=0.4ms p99=2.8ms max=25.3ms over 86400 samples (whole run)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import Counter

log = logging.getLogger(__name__)

_BUCKET_MS = 0.1  # the whole-run histogram keeps lags to a tenth of a millisecond


class LagStats:
    """Lags in a histogram of 0.1 ms buckets: bounded memory however long the run."""

    def __init__(self) -> None:
        self.buckets: Counter[int] = Counter()
        self.count = 0
        self.max_ms = 0.0

    def add(self, lag_ms: float) -> None:
        self.buckets[int(lag_ms / _BUCKET_MS)] += 1
        self.count += 1
        self.max_ms = max(self.max_ms, lag_ms)

    def percentile(self, fraction: float) -> float:
        """The nearest-rank percentile, in milliseconds (0 without samples)."""
        if not self.count:
            return 0.0
        rank = max(1, math.ceil(fraction * self.count))
        seen = 0
        for bucket in sorted(self.buckets):
            seen += self.buckets[bucket]
            if seen >= rank:
                return min((bucket + 1) * _BUCKET_MS, self.max_ms)
        return self.max_ms

    def summary(self) -> str:
        return (
            f"loop-lag p50={self.percentile(0.5):.1f}ms p99={self.percentile(0.99):.1f}ms "
            f"max={self.max_ms:.1f}ms over {self.count} samples"
        )


class LagMonitor:
    def __init__(self, interval: float = 0.05, report_every: float = 60.0) -> None:
        self.interval = interval
        self.report_every = report_every
        self.total = LagStats()
        self.window = LagStats()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="qabot: loop-lag monitor"
            )

    async def stop(self) -> None:
        """Stop sampling and log the whole run's summary (once)."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        log.info("%s (whole run)", self.total.summary())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        window_start = loop.time()
        while True:
            asked = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            now = loop.time()
            lag_ms = max(0.0, now - asked) * 1000
            self.total.add(lag_ms)
            self.window.add(lag_ms)
            if now - window_start >= self.report_every:
                log.info("%s (last %.0f s)", self.window.summary(), now - window_start)
                self.window = LagStats()
                window_start = now
