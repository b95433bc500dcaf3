"""The fake gateway: a websocket speaking Discord's gateway protocol v10 in plain JSON.

discord.py asks for ``compress=zlib-stream`` but only inflates *binary* frames, so
sending text frames is both allowed and simpler.  One session per shard (see
:mod:`bot.harness.sessions`): IDENTIFY starts (or replaces) its shard's session, RESUME
re-attaches to one and replays what was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from bot.harness.permissions import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILD_PRESENCES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    PRIVILEGED_INTENTS,
)
from bot.harness.sessions import (
    Session,
    SessionTable,
    event_guild_id,
    shard_of,
    shard_problem,
)
from bot.harness.world import as_seen_by_bot

if TYPE_CHECKING:
    from bot.harness.fake_discord import FakeDiscord

Payload = dict[str, Any]

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE_STATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11
SEND_LIMIT = 120  # gateway events a client may send per 60 s (heartbeats not counted here)

EVENT_INTENTS = {
    "GUILD_CREATE": INTENT_GUILDS,
    "GUILD_DELETE": INTENT_GUILDS,
    "CHANNEL_CREATE": INTENT_GUILDS,
    "THREAD_CREATE": INTENT_GUILDS,
    "GUILD_ROLE_CREATE": INTENT_GUILDS,
    "GUILD_ROLE_UPDATE": INTENT_GUILDS,
    "GUILD_MEMBER_ADD": INTENT_GUILD_MEMBERS,
    "MESSAGE_REACTION_ADD": INTENT_GUILD_MESSAGE_REACTIONS,
}
MESSAGE_EVENTS = ("MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE")


@dataclass
class Heartbeat:
    """One heartbeat (op 1) as the fake received it."""

    at: float  # time.monotonic()
    seq: int | None  # the sequence number the bot sent
    gap: float  # seconds since the previous heartbeat (or HELLO) on this connection
    late: bool  # gap > heartbeat interval + grace
    connection: int  # ConnectionRecord.number


@dataclass
class ConnectionRecord:
    """One websocket connection: how it started and how it ended."""

    number: int
    path: str
    query: dict[str, str]
    opened_at: float
    kind: str = "pending"  # "identify", "resume", "resume-rejected", "refused"
    close_code: int | None = None  # the code the fake closed with, if it closed first
    closed_at: float | None = None


@dataclass(eq=False)
class _Conn:
    ws: web.WebSocketResponse
    request: web.Request
    record: ConnectionRecord
    hello_at: float = 0.0
    last_beat: float | None = None
    overdue_flagged: bool = False
    session: Session | None = None
    sent: deque[float] = field(default_factory=deque)


class Gateway:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.sessions = SessionTable()
        self._conns: set[_Conn] = set()
        self.heartbeats: list[Heartbeat] = []
        self.connections: list[ConnectionRecord] = []
        self.identify_count = 0
        self.resume_count = 0
        self.presence_updates: list[Payload] = []

    # -- connection life -------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        if not ws.can_prepare(request).ok:
            return web.Response(status=400, text="this is a Discord gateway websocket")
        await ws.prepare(request)
        record = ConnectionRecord(
            len(self.connections) + 1, request.path, dict(request.query), time.monotonic()
        )
        self.connections.append(record)
        conn = _Conn(ws, request, record)
        self._conns.add(conn)
        watchdog = asyncio.create_task(self._watch_heartbeats(conn))
        try:
            if request.query.get("v") != "10" or request.query.get("encoding") != "json":
                await self._refuse(
                    conn,
                    4012,
                    f"gateway query must have v=10&encoding=json, got {request.query_string!r}",
                )
                return ws
            await self._send(
                conn, {"op": HELLO, "d": {"heartbeat_interval": self.fake.heartbeat_interval_ms}}
            )
            conn.hello_at = time.monotonic()
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(conn, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await self._refuse(conn, 4002, "the bot sent a binary gateway frame")
                else:
                    break
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
            record.closed_at = time.monotonic()
            self._conns.discard(conn)
            _detach(conn)
            self.fake._notify()
        return ws

    async def _send(self, conn: _Conn, payload: Payload) -> None:
        payload.setdefault("s", None)
        payload.setdefault("t", None)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await conn.ws.send_str(json.dumps(payload))

    async def _close(self, conn: _Conn, code: int, reason: str = "") -> None:
        conn.record.close_code = code
        _detach(conn)
        await conn.ws.close(code=code, message=reason.encode()[:120])

    async def _refuse(self, conn: _Conn, code: int, why: str) -> None:
        self.fake.record_violation(f"gateway: {why} (closed with {code})")
        conn.record.kind = "refused"
        await self._close(conn, code, why)

    async def _watch_heartbeats(self, conn: _Conn) -> None:
        limit = self.fake.heartbeat_interval_ms / 1000 + self.fake.heartbeat_grace
        while True:
            await asyncio.sleep(max(limit / 8, 0.02))
            if not conn.hello_at or conn.overdue_flagged:
                continue
            silent = time.monotonic() - (conn.last_beat or conn.hello_at)
            if silent > limit:
                conn.overdue_flagged = True
                self.fake.record_violation(
                    f"gateway: no heartbeat for {silent:.2f}s (limit {limit:.2f}s)"
                )

    # -- frames from the bot ------------------------------------------------------------

    async def _on_frame(self, conn: _Conn, text: str) -> None:
        try:
            payload = json.loads(text)
            op = payload["op"]
        except (ValueError, KeyError, TypeError):
            await self._refuse(conn, 4002, f"undecodable gateway frame {text[:80]!r}")
            return
        if op != HEARTBEAT and not await self._within_send_limit(conn):
            return
        if op == HEARTBEAT:
            await self._on_heartbeat(conn, payload.get("d"))
        elif op == IDENTIFY:
            await self._on_identify(conn, payload.get("d") or {})
        elif op == RESUME:
            await self._on_resume(conn, payload.get("d") or {})
        elif conn.session is None:
            await self._refuse(conn, 4003, f"op {op} sent before IDENTIFY/RESUME")
        elif op == PRESENCE:
            self.presence_updates.append(payload.get("d") or {})
        elif op == REQUEST_MEMBERS:
            await self._on_request_members(conn, payload.get("d") or {})
        elif op == VOICE_STATE:
            pass
        else:
            await self._refuse(conn, 4001, f"unknown opcode {op}")

    async def _within_send_limit(self, conn: _Conn) -> bool:
        now = time.monotonic()
        conn.sent.append(now)
        while conn.sent and conn.sent[0] < now - 60:
            conn.sent.popleft()
        if len(conn.sent) > SEND_LIMIT:
            await self._refuse(conn, 4008, f"more than {SEND_LIMIT} gateway events in 60 s")
            return False
        return True

    async def _on_heartbeat(self, conn: _Conn, seq: int | None) -> None:
        now = time.monotonic()
        gap = now - (conn.last_beat or conn.hello_at)
        late = gap > self.fake.heartbeat_interval_ms / 1000 + self.fake.heartbeat_grace
        self.heartbeats.append(Heartbeat(now, seq, gap, late, conn.record.number))
        conn.last_beat = now
        conn.overdue_flagged = False
        await self._send(conn, {"op": HEARTBEAT_ACK})

    async def _on_identify(self, conn: _Conn, d: Payload) -> None:
        if conn.session is not None:
            await self._refuse(conn, 4005, "IDENTIFY sent twice on one connection")
            return
        if d.get("token") != self.fake.token:
            conn.record.kind = "refused"
            await self._close(conn, 4004, "Authentication failed.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int) or intents < 0:
            await self._refuse(conn, 4013, f"invalid intents {intents!r}")
            return
        missing = [
            name
            for name, bit in PRIVILEGED_INTENTS.items()
            if intents & bit and name not in self.fake.privileged_intents
        ]
        if missing:
            conn.record.kind = "refused"
            await self._close(conn, 4014, f"Disallowed intent(s): {', '.join(missing)}")
            return
        problem = shard_problem(d.get("shard"), self.sessions.live())
        if problem is not None:
            await self._refuse(conn, 4010, problem)
            return
        session = Session(id=secrets.token_hex(16), intents=intents, shard=d.get("shard"))
        self.sessions.add(session)
        conn.session = session
        session.conn = conn
        conn.record.kind = "identify"
        self.identify_count += 1
        await self._emit(session, "READY", self._ready_payload(session))
        for guild in self._guilds_of(session):
            await self._emit(session, "GUILD_CREATE", self.guild_create_payload(guild, session))
        session.ready = True
        self.fake._notify()

    def _guilds_of(self, session: Session) -> list[Any]:
        """The guilds whose events go to ``session``'s shard."""
        guilds = list(self.fake.world.guilds.values())
        return [g for g in guilds if shard_of(g.id, session.shard_count) == session.shard_id]

    def _ready_payload(self, session: Session) -> Payload:
        world = self.fake.world
        data: Payload = {
            "v": 10,
            "user": dict(world.bot.payload(), verified=True, mfa_enabled=False, email=None),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self._guilds_of(session)],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.resume_gateway_url,
            "application": {"id": str(world.application_id), "flags": world.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["local"],
            "user_settings": {},
            "auth": {},
        }
        if session.shard is not None:
            data["shard"] = session.shard
        return data

    def guild_create_payload(self, guild: Any, session: Session | None = None) -> Payload:
        """Members beyond the bot are only listed with the presences intent, as on Discord."""
        session = session or self.sessions.route(guild.id)
        everyone = session is not None and session.intents & INTENT_GUILD_PRESENCES
        member_ids = list(guild.members) if everyone else [self.fake.world.bot.id]
        return guild.create_payload(member_ids=member_ids)

    async def _on_resume(self, conn: _Conn, d: Payload) -> None:
        if conn.session is not None:
            await self._refuse(conn, 4005, "RESUME sent on an already authenticated connection")
            return
        if d.get("token") != self.fake.token:
            conn.record.kind = "refused"
            await self._close(conn, 4004, "Authentication failed.")
            return
        session = self.sessions.find(d.get("session_id"))
        seq = d.get("seq") or 0
        if session is None:
            conn.record.kind = "resume-rejected"
            await self._send(conn, {"op": INVALID_SESSION, "d": False})
            return
        async with session.lock:
            if session.frames and seq < session.frames[0][0] - 1:
                conn.record.kind = "resume-rejected"
                await self._send(conn, {"op": INVALID_SESSION, "d": False})
                return
            old = session.conn
            conn.session = session
            session.conn = conn
            for number, frame in list(session.frames):
                if number > seq:
                    await conn.ws.send_str(frame)
            session.seq += 1
            frame = json.dumps({"op": DISPATCH, "t": "RESUMED", "s": session.seq, "d": {}})
            session.frames.append((session.seq, frame))
            await conn.ws.send_str(frame)
        conn.record.kind = "resume"
        self.resume_count += 1
        self.fake._notify()
        if old is not None and old is not conn:
            await self._close(old, 4000, "superseded by a resumed connection")

    async def _on_request_members(self, conn: _Conn, d: Payload) -> None:
        assert conn.session is not None
        guild = self.fake.world.guilds.get(int(d.get("guild_id") or 0))
        user_ids = [int(u) for u in d.get("user_ids") or []]
        if not conn.session.intents & INTENT_GUILD_MEMBERS and not user_ids:
            self.fake.record_violation(
                "gateway: REQUEST_GUILD_MEMBERS for all members without the members intent"
            )
        members = []
        if guild is not None:
            query = (d.get("query") or "").lower()
            for member in guild.members.values():
                if user_ids and member.user.id not in user_ids:
                    continue
                if not user_ids and not member.user.username.lower().startswith(query):
                    continue
                members.append(member.payload())
            limit = d.get("limit") or 0
            members = members[:limit] if limit else members
        chunk = {
            "guild_id": str(d.get("guild_id")),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        await self._emit(conn.session, "GUILD_MEMBERS_CHUNK", chunk)

    # -- events to the bot ---------------------------------------------------------------

    async def dispatch(self, event: str, data: Payload) -> float | None:
        """Send (or buffer for RESUME) an event; returns when it was sent, None if it was not.

        Events the session's intents do not cover are dropped, and message content is
        blanked as Discord does without the Message Content intent.
        """
        if not self.sessions:
            raise AssertionError("the bot has no gateway session: it never identified")
        guild_id = event_guild_id(event, data)
        session = self.sessions.route(guild_id)
        if session is None:
            where = "a DM" if guild_id is None else f"guild {guild_id}"
            raise AssertionError(f"no gateway session of the shard for {where}")
        payload = self._filter(session, event, data)
        if payload is None:
            return None
        return await self._emit(session, event, payload)

    def _filter(self, session: Session, event: str, data: Payload) -> Payload | None:
        need = EVENT_INTENTS.get(event)
        if event in MESSAGE_EVENTS:
            need = INTENT_GUILD_MESSAGES if "guild_id" in data else INTENT_DIRECT_MESSAGES
        if need is not None and not session.intents & need:
            return None
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
            content_intent = bool(session.intents & INTENT_MESSAGE_CONTENT)
            return as_seen_by_bot(
                data, bot_id=self.fake.world.bot.id, content_intent=content_intent
            )
        return data

    async def _emit(self, session: Session, event: str, payload: Payload) -> float | None:
        async with session.lock:
            session.seq += 1
            frame = json.dumps({"op": DISPATCH, "t": event, "s": session.seq, "d": payload})
            session.frames.append((session.seq, frame))
            conn = session.conn
            if conn is None or conn.session is not session or conn.ws.closed:
                return None
            try:
                await conn.ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                return None
            return time.monotonic()

    def session_for(self, guild_id: int | str | None) -> Session | None:
        """The session that gets events of ``guild_id`` (``None``: DMs), if any."""
        return self.sessions.route(guild_id)

    @property
    def session(self) -> Session | None:
        """Shard 0's session: the only one of a bot that does not shard."""
        return self.sessions.get(0)

    @property
    def content_intent(self) -> bool:
        return any(s.intents & INTENT_MESSAGE_CONTENT for s in self.sessions.values())

    @property
    def connected(self) -> bool:
        """Every current session has an open connection (and there is one)."""
        return bool(self.sessions) and all(s.connected for s in self.sessions.values())

    def _shard(self, shard: int) -> Session:
        session = self.sessions.get(shard)
        if session is None:
            raise AssertionError(f"no gateway session for shard {shard}")
        return session

    # -- test controls -------------------------------------------------------------------

    async def drop(self, code: int = 4000, *, abort: bool = False, shard: int = 0) -> None:
        session = self._shard(shard)
        conn = session.conn
        if conn is None:
            raise AssertionError("no live gateway connection to drop")
        session.conn = None
        conn.record.close_code = None if abort else code
        if abort and conn.request.transport is not None:
            conn.request.transport.abort()
        else:
            await conn.ws.close(code=code, message=b"dropped by the test")

    async def invalidate_session(self, *, resumable: bool = False, shard: int = 0) -> None:
        """Send op 9; with ``resumable=False`` the session is gone and the bot must IDENTIFY."""
        session = self.sessions.get(shard)
        if session is None:
            return
        if not resumable:
            session.valid = False
        conn = session.conn
        if conn is not None:
            if not resumable:
                session.conn = None
            await self._send(conn, {"op": INVALID_SESSION, "d": resumable})

    async def request_reconnect(self, *, shard: int = 0) -> None:
        """Send op 7: the bot should close and RESUME."""
        session = self._shard(shard)
        if session.conn is None:
            raise AssertionError("no live gateway connection")
        conn, session.conn = session.conn, None
        await self._send(conn, {"op": RECONNECT, "d": None})

    async def close_all(self) -> None:
        for conn in list(self._conns):
            with contextlib.suppress(Exception):
                await self._close(conn, 1001, "fake Discord is shutting down")


def _detach(conn: _Conn) -> None:
    """``conn`` no longer carries its session's events."""
    if conn.session is not None and conn.session.conn is conn:
        conn.session.conn = None
