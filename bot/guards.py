"""Who may ask where and how often: cooldowns and channel lists (no Discord types)."""

from __future__ import annotations

import time
from collections import OrderedDict

from bot.config import DiscordConfig


class Cooldown:
    """Per-user minimum interval between questions; remembers a bounded number of users."""

    def __init__(self, seconds: float, max_users: int = 100_000) -> None:
        self.seconds = seconds
        self.max_users = max_users
        self._last: OrderedDict[int, float] = OrderedDict()

    def retry_after(self, user_id: int, now: float | None = None) -> float:
        """0 if the user may ask now (and records it), else seconds to wait."""
        if self.seconds <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        last = self._last.get(user_id)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        self._last[user_id] = now
        self._last.move_to_end(user_id)
        while len(self._last) > self.max_users:
            self._last.popitem(last=False)
        return 0.0


def channel_allowed(config: DiscordConfig, channel_id: int, parent_id: int | None = None) -> bool:
    """Deny list first, then the allow list (a thread counts as its parent channel)."""
    ids = {channel_id} | ({parent_id} if parent_id else set())
    if ids & set(config.denied_channels):
        return False
    return not config.allowed_channels or bool(ids & set(config.allowed_channels))


QUESTION_WORDS = frozenset(
    "who what when where why how which whom whose is are was were do does did can could "
    "should would will has have".split()
)


def looks_like_question(text: str) -> bool:
    """For listen channels: a '?' or a leading question word."""
    stripped = text.strip()
    if stripped.endswith("?"):
        return True
    first = stripped.split(maxsplit=1)[0].lower() if stripped else ""
    return first in QUESTION_WORDS
