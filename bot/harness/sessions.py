"""Gateway sessions, one per shard, as Discord keeps them.

A session without ``shard`` in its IDENTIFY is shard 0 of 1.  Guild events go to the
session of shard ``(guild_id >> 22) % count``; DMs (no guild) go to shard 0.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.harness.gateway import _Conn

Payload = dict[str, Any]
REPLAY_BUFFER = 10_000
GUILD_EVENTS = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")  # the guild id is ``id``


def shard_of(guild_id: int | str | None, count: int) -> int:
    """The shard that receives a guild's events (DMs, ``None``, go to shard 0)."""
    return 0 if guild_id is None else (int(guild_id) >> 22) % count


def event_guild_id(event: str, data: Payload) -> str | None:
    """The guild an event belongs to, ``None`` for DMs and guild-less events."""
    return data.get("id") if event in GUILD_EVENTS else data.get("guild_id")


@dataclass
class Session:
    id: str
    intents: int
    shard: list[int] | None = None  # as the bot sent it in IDENTIFY
    seq: int = 0
    valid: bool = True
    ready: bool = False
    frames: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    conn: _Conn | None = None  # the connection the session's events go to

    @property
    def shard_id(self) -> int:
        return self.shard[0] if self.shard else 0

    @property
    def shard_count(self) -> int:
        return self.shard[1] if self.shard else 1

    @property
    def connected(self) -> bool:
        return self.conn is not None and not self.conn.ws.closed

    def events(self, name: str) -> list[Payload]:
        """The payloads of the ``name`` dispatches sent (or buffered) on this session."""
        found = []
        for _, frame in self.frames:
            payload = json.loads(frame)
            if payload["t"] == name:
                found.append(payload["d"])
        return found


def shard_problem(shard: Any, live: list[Session]) -> str | None:
    """Why Discord would refuse an IDENTIFY's ``shard`` (close 4010), or None."""
    if shard is None:
        shard = [0, 1]
    valid_pair = (
        isinstance(shard, list)
        and len(shard) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in shard)
    )
    if not valid_pair:
        return f"invalid shard {shard!r}: expected [shard_id, shard_count]"
    shard_id, count = shard
    if count < 1 or not 0 <= shard_id < count:
        return f"invalid shard {shard!r}: shard_id must be in [0, shard_count)"
    for other in live:
        if other.shard_id != shard_id and other.shard_count != count:
            return (
                f"invalid shard {shard!r}: the connected shard {other.shard_id} "
                f"has shard_count {other.shard_count}"
            )
    return None


class SessionTable:
    """The current session of each shard; all of them share one shard count."""

    def __init__(self) -> None:
        self.by_shard: dict[int, Session] = {}

    def __bool__(self) -> bool:
        return bool(self.by_shard)

    def values(self) -> list[Session]:
        return [self.by_shard[k] for k in sorted(self.by_shard)]

    def get(self, shard_id: int) -> Session | None:
        return self.by_shard.get(shard_id)

    @property
    def count(self) -> int:
        return next(iter(self.by_shard.values())).shard_count if self.by_shard else 1

    def live(self) -> list[Session]:
        """Valid sessions with an open connection: they fix the shard count."""
        return [s for s in self.by_shard.values() if s.valid and s.connected]

    def add(self, session: Session) -> None:
        """Make ``session`` its shard's; the one it replaces, and any left over from
        another shard count, are invalidated."""
        for shard_id, old in list(self.by_shard.items()):
            if shard_id == session.shard_id or old.shard_count != session.shard_count:
                old.valid = False
                del self.by_shard[shard_id]
        self.by_shard[session.shard_id] = session

    def find(self, session_id: Any) -> Session | None:
        """The valid session with this id (for RESUME)."""
        for session in self.by_shard.values():
            if session.valid and session.id == session_id:
                return session
        return None

    def route(self, guild_id: int | str | None) -> Session | None:
        """The session that receives events of ``guild_id`` (``None``: a DM)."""
        return self.by_shard.get(shard_of(guild_id, self.count))

    def all_ready(self) -> bool:
        """Every shard of the count has a valid, ready and connected session."""
        sessions = self.values()
        return len(sessions) == self.count and all(
            s.valid and s.ready and s.connected for s in sessions
        )
