"""A fake Discord (REST under ``/api/v10`` and the gateway websocket) on 127.0.0.1.

Point a bot at it with ``QABOT_DISCORD_ENDPOINT=<fake.url>`` (see :mod:`bot.discord_app.endpoint`)
and ``DISCORD_TOKEN=<fake.token>``.  Whatever Discord would refuse is refused with Discord's
status and error body *and* appended to ``fake.violations``, so a test ends with
``assert fake.violations == []``.  A message that would ping anyone (by its content and
``allowed_mentions``, or a reply pinging its author) is accepted but is a violation: the
bot must ping nobody.

Test-side API (coroutines unless marked "sync"):

Lifecycle
    FakeDiscord(token="test-token", heartbeat_interval_ms=41250, heartbeat_grace=None,
                interaction_deadline=3.0, privileged_intents=(), bot_name="QA Bot")
    async with FakeDiscord() as fake / start() / close()
    sync: fake.url, fake.gateway_url, fake.token, fake.bot_user, fake.application_id,
    fake.recommended_shards (the "shards" GET /gateway/bot answers; default 1)
World
    add_user(username, *, global_name=None) -> User
    add_guild(name="Test Guild", *, channels=("general",), owner=None, bot_permissions=...,
              shard=None) -> Guild   (shard=(shard_id, count): a guild id on that shard)
        (sync on the result: guild.channel("general"), guild.id == the @everyone role id)
    add_channel(guild, name) -> Channel
    add_role(guild, name, permissions=0, *, mentionable=False) -> Role
    add_member(guild, user, permissions=0, *, roles=()) -> Member
        (permissions: an int or discord.py names, e.g. ["manage_guild"])
    set_bot_permissions(guild, permissions)
Users acting (from :class:`~bot.harness.actions.UserActions`)
    post_message(channel_id, author, content, *, mentions_bot=False, reply_to=None,
                 mention_author=True, embeds=None) -> message dict
    dm(user, content) -> message dict
    invoke_slash(name, options=None, *, user, channel_id, guild_id=None) -> InteractionHandle
    invoke_message_command(name, target_message, *, user, channel_id=None) -> InteractionHandle
    invoke_user_command(name, target_user, *, user, channel_id) -> InteractionHandle
    autocomplete(name, options, *, focused, user, channel_id, timeout=3.0) -> list of choices
    click(message, custom_id, *, user, strict=True) -> InteractionHandle
    select(message, custom_id, values, *, user) -> InteractionHandle
    submit_modal(opened_by, values, *, user=None) -> InteractionHandle
    On a handle: wait_response(timeout) -> accepted initial callback {"type", "data", "elapsed"},
    wait_message(timeout) -> the message the user reads (after a deferral: the @original edit
    or the latest followup), wait_followups(count, timeout); sync: response, original,
    followups, rendered, choices, modal, callbacks, deferred, ephemeral, describe().
Waiting (a timeout raises AssertionError that lists what the bot did)
    wait_ready(timeout=10.0)   (every shard of the sessions' count identified and is connected)
    wait_for_bot_message(channel_id=None, predicate=None, *, timeout=5.0) -> message dict
        (the oldest matching bot message not returned before; placeholders count once filled)
    wait_for_commands(*names, timeout=10.0) -> command dicts
    wait_until(predicate, *, timeout=5.0, what="...") -> the predicate's truthy value
Faults
    drop_gateway(code=4000, *, abort=False, shard=0)  the bot should RESUME; missed events replay
    invalidate_session(*, resumable=False, shard=0)   op 9; the bot must IDENTIFY again
    request_reconnect(*, shard=0)                     op 7
    sync: inject_failure(method, path_regex, status, times=1, retry_after=None)
Records (sync)
    violations, sent_messages (message dicts, edited in place), typing_events, heartbeats
    (each with .late), commands, requests, injected_failures, reactions, threads,
    gateway_connections, identify_count, resume_count, messages_in(channel),
    sessions (the gateway session of each shard, by shard id; session: shard 0's),
    dm_channel(user) (for slash commands in DMs), describe(),
    add_listener(fn) (fn(kind, message) on each bot message create/edit/delete)
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from bot.harness.actions import UserActions
from bot.harness.gateway import ConnectionRecord, Gateway, Heartbeat
from bot.harness.interactions import InteractionHandle
from bot.harness.models import Channel, Guild, Member, Role, User
from bot.harness.permissions import (
    APPLICATION_INTENT_FLAGS,
    BOT_DEFAULT,
    PRIVILEGED_INTENTS,
    permission_value,
)
from bot.harness.render import render_message
from bot.harness.rest import FailureRule, InjectedFailure, RequestRecord, build_app
from bot.harness.rest_messages import ReactionEvent, TypingEvent
from bot.harness.sessions import Session
from bot.harness.validation import FLAG_EPHEMERAL, FLAG_LOADING
from bot.harness.world import ChannelRef, GuildRef, UserRef, World

Payload = dict[str, Any]
T = TypeVar("T")
Listener = Callable[[str, Payload], Any]


class FakeDiscord(UserActions):
    def __init__(
        self,
        *,
        token: str = "test-token",
        heartbeat_interval_ms: int = 41250,
        heartbeat_grace: float | None = None,
        interaction_deadline: float = 3.0,
        privileged_intents: Iterable[str] = (),
        bot_name: str = "QA Bot",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.privileged_intents = frozenset(privileged_intents)
        unknown = self.privileged_intents - set(PRIVILEGED_INTENTS)
        if unknown:
            raise ValueError(
                f"unknown privileged intents {sorted(unknown)}; use {sorted(PRIVILEGED_INTENTS)}"
            )
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        interval = heartbeat_interval_ms / 1000
        self.heartbeat_grace = (
            max(0.25 * interval, 0.25) if heartbeat_grace is None else heartbeat_grace
        )
        self.interaction_deadline = interaction_deadline
        self.host, self.port = host, port
        flags = sum(APPLICATION_INTENT_FLAGS[name] for name in self.privileged_intents)
        self.world = World(bot_name=bot_name, application_flags=flags)
        self.gateway = Gateway(self)
        self.recommended_shards = 1  # what GET /gateway/bot tells an AutoShardedClient
        self.violations: list[str] = []
        self.requests: list[RequestRecord] = []
        self.sent_messages: list[Payload] = []
        self.deleted_message_ids: set[int] = set()
        self.typing_events: list[TypingEvent] = []
        self.reactions: list[ReactionEvent] = []
        self.threads: list[Channel] = []
        self.interactions: dict[int, InteractionHandle] = {}
        self.interactions_by_token: dict[str, InteractionHandle] = {}
        self.injected_failures: list[InjectedFailure] = []
        self._failure_rules: list[FailureRule] = []
        self._listeners: list[Listener] = []
        self._waiters: set[asyncio.Future[None]] = set()
        self._returned: set[int] = set()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        runner = web.AppRunner(build_app(self), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]
        self.url = f"http://{self.host}:{self.port}"

    async def close(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/resume"

    @property
    def bot_user(self) -> User:
        return self.world.bot

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def commands(self) -> list[Payload]:
        """Every registered application command (guild ones carry ``guild_id``)."""
        return self.world.commands.all()

    @property
    def heartbeats(self) -> list[Heartbeat]:
        return self.gateway.heartbeats

    @property
    def gateway_connections(self) -> list[ConnectionRecord]:
        return self.gateway.connections

    @property
    def sessions(self) -> dict[int, Session]:
        """The current gateway session of each shard by shard id, in shard order (a bot
        that does not shard: ``{0: session}``)."""
        return {s.shard_id: s for s in self.gateway.sessions.values()}

    @property
    def session(self) -> Session | None:
        """Shard 0's gateway session (the only one of a bot that does not shard)."""
        return self.gateway.session

    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    # -- hooks used by the gateway and REST modules ----------------------------------------

    def record_violation(self, text: str) -> None:
        self.violations.append(text)
        self._notify()

    def _notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(kind, message)`` on each bot message "create", "edit" or "delete"."""
        self._listeners.append(listener)

    async def _bot_message_event(self, kind: str, message: Payload) -> None:
        if kind == "create":
            self.sent_messages.append(message)
        guild_id = message.get("guild_id")
        if not message["flags"] & FLAG_EPHEMERAL and self.gateway.session_for(guild_id) is not None:
            if kind == "delete":
                data = {k: message[k] for k in ("id", "channel_id", "guild_id") if k in message}
                await self.gateway.dispatch("MESSAGE_DELETE", data)
            else:
                await self.gateway.dispatch(
                    "MESSAGE_CREATE" if kind == "create" else "MESSAGE_UPDATE", message
                )
        for listener in list(self._listeners):
            listener(kind, message)
        self._notify()

    def _take_failure(self, method: str, path: str) -> FailureRule | None:
        for rule in self._failure_rules:
            if (
                rule.remaining > 0
                and rule.method in ("*", method.upper())
                and rule.pattern.search(path)
            ):
                rule.remaining -= 1
                self.injected_failures.append(
                    InjectedFailure(method, path, rule.status, time.monotonic())
                )
                return rule
        return None

    # -- world setup -----------------------------------------------------------------------

    async def add_user(self, username: str, *, global_name: str | None = None) -> User:
        return self.world.add_user(username, global_name=global_name)

    async def add_guild(
        self,
        name: str = "Test Guild",
        *,
        channels: Sequence[str] = ("general",),
        owner: User | None = None,
        bot_permissions: int | Iterable[str] = BOT_DEFAULT,
        shard: tuple[int, int] | None = None,
    ) -> Guild:
        """A guild with text channels, an @everyone role (id == guild id) and the bot in it;
        ``shard=(shard_id, count)`` picks an id whose events go to that shard."""
        guild = self.world.add_guild(
            name, owner=owner, bot_permissions=permission_value(bot_permissions), shard=shard
        )
        for channel in channels:
            self.world.add_channel(guild, channel)
        if self.gateway.session_for(guild.id) is not None:
            await self.gateway.dispatch("GUILD_CREATE", self.gateway.guild_create_payload(guild))
        return guild

    async def add_channel(self, guild: GuildRef, name: str) -> Channel:
        channel = self.world.add_channel(self.world.guild(guild), name)
        if self.gateway.session_for(channel.guild_id) is not None:
            await self.gateway.dispatch("CHANNEL_CREATE", channel.payload())
        return channel

    async def add_role(
        self,
        guild: GuildRef,
        name: str,
        permissions: int | Iterable[str] = 0,
        *,
        mentionable: bool = False,
    ) -> Role:
        g = self.world.guild(guild)
        role = self.world.add_role(g, name, permission_value(permissions), mentionable=mentionable)
        if self.gateway.session_for(g.id) is not None:
            await self.gateway.dispatch(
                "GUILD_ROLE_CREATE", {"guild_id": str(g.id), "role": role.payload()}
            )
        return role

    async def add_member(
        self,
        guild: GuildRef,
        user: UserRef,
        permissions: int | Iterable[str] = 0,
        *,
        roles: Sequence[Role] = (),
    ) -> Member:
        """Make ``user`` a member; non-zero ``permissions`` come through a role of their own."""
        g, u = self.world.guild(guild), self.world.user(user)
        role_ids = [r.id for r in roles]
        value = permission_value(permissions)
        if value:
            role_ids.append((await self.add_role(g, f"{u.username} permissions", value)).id)
        member = self.world.add_member(g, u, role_ids)
        if self.gateway.session_for(g.id) is not None:
            await self.gateway.dispatch(
                "GUILD_MEMBER_ADD", dict(member.payload(), guild_id=str(g.id))
            )
        return member

    async def set_bot_permissions(self, guild: GuildRef, permissions: int | Iterable[str]) -> None:
        """Change what the bot's own (managed) role allows in ``guild``."""
        g = self.world.guild(guild)
        role = next(r for r in g.roles.values() if r.bot_id == self.world.bot.id)
        role.permissions = permission_value(permissions)
        if self.gateway.session_for(g.id) is not None:
            await self.gateway.dispatch(
                "GUILD_ROLE_UPDATE", {"guild_id": str(g.id), "role": role.payload()}
            )

    # -- waiting -----------------------------------------------------------------------------

    async def wait_until(
        self,
        predicate: Callable[[], T | None],
        *,
        timeout: float = 5.0,
        what: str = "a condition",
        extra: Callable[[], str] | None = None,
    ) -> T:
        """Wait until ``predicate()`` is truthy and return its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                detail = (extra() + "\n") if extra is not None else ""
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what}\n{detail}{self.describe()}"
                )
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait({waiter}, timeout=min(remaining, 0.1))
            finally:
                self._waiters.discard(waiter)
                waiter.cancel()

    async def wait_ready(self, timeout: float = 10.0) -> None:
        """Wait until the bot identified and got READY and every GUILD_CREATE."""

        await self.wait_until(
            self.gateway.sessions.all_ready,
            timeout=timeout,
            what="the bot to connect to the gateway (every shard)",
        )

    async def wait_for_commands(self, *names: str, timeout: float = 10.0) -> list[Payload]:
        def registered() -> list[Payload] | None:
            found = [c for c in self.commands if c["name"] in names]
            return found if {c["name"] for c in found} >= set(names) else None

        return await self.wait_until(
            registered, timeout=timeout, what=f"commands {names} to be registered"
        )

    async def wait_for_bot_message(
        self,
        channel_id: ChannelRef | None = None,
        predicate: Callable[[Payload], bool] | None = None,
        *,
        timeout: float = 5.0,
    ) -> Payload:
        """The oldest bot message (channel or interaction) not yet returned by this method
        that matches; "thinking..." placeholders count once they are filled in."""
        cid = (
            None
            if channel_id is None
            else (channel_id.id if isinstance(channel_id, Channel) else int(channel_id))
        )

        def find() -> Payload | None:
            for message in self.sent_messages:
                mid = int(message["id"])
                if (
                    mid in self._returned
                    or mid in self.deleted_message_ids
                    or message["flags"] & FLAG_LOADING
                ):
                    continue
                if cid is not None and int(message["channel_id"]) != cid:
                    continue
                if predicate is None or predicate(message):
                    return message
            return None

        where = "" if cid is None else f" in channel {cid}"
        message = await self.wait_until(find, timeout=timeout, what=f"a bot message{where}")
        self._returned.add(int(message["id"]))
        return message

    # -- faults --------------------------------------------------------------------------------

    async def drop_gateway(self, code: int = 4000, *, abort: bool = False, shard: int = 0) -> None:
        """Close (or with ``abort`` cut) the bot's websocket (of ``shard``); it should
        reconnect and RESUME.  Events dispatched meanwhile are replayed on RESUME."""
        await self.gateway.drop(code, abort=abort, shard=shard)

    async def invalidate_session(self, *, resumable: bool = False, shard: int = 0) -> None:
        """Send op 9 INVALID_SESSION; unless ``resumable`` the bot must IDENTIFY again."""
        await self.gateway.invalidate_session(resumable=resumable, shard=shard)

    async def request_reconnect(self, *, shard: int = 0) -> None:
        """Send op 7 RECONNECT."""
        await self.gateway.request_reconnect(shard=shard)

    def inject_failure(
        self,
        method: str,
        path_regex: str,
        status: int,
        times: int = 1,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next ``times`` matching REST requests with ``status`` (429 or 5xx).

        ``path_regex`` is searched in the path after ``/api/v10``, e.g.
        ``r"/channels/\\d+/messages$"``; ``method`` may be ``"*"``.  A 429 carries
        ``retry_after`` (default 0.05 s).
        """
        if status != 429 and status < 500:
            raise ValueError("inject 429 or a 5xx status")
        self._failure_rules.append(
            FailureRule(method.upper(), re.compile(path_regex), status, times, retry_after)
        )

    # -- reporting -------------------------------------------------------------------------------

    def dm_channel(self, user: UserRef) -> Channel:
        """The DM channel between ``user`` and the bot (created on first use)."""
        return self.world.dm_channel(self.world.user(user))

    def messages_in(self, channel_id: ChannelRef) -> list[Payload]:
        """Every message (users' and the bot's) in a channel, oldest first."""
        cid = channel_id.id if isinstance(channel_id, Channel) else int(channel_id)
        return [m for m in self.world.messages.values() if int(m["channel_id"]) == cid]

    def describe(self) -> str:
        """A summary of what the bot did, for assertion messages."""
        gw = self.gateway
        lines = [
            f"fake Discord: connected={gw.connected} identifies={gw.identify_count} "
            f"resumes={gw.resume_count} shards={[s.shard for s in gw.sessions.values()]}"
        ]
        lines.append(f"bot messages ({len(self.sent_messages)}, last 10):")
        for message in self.sent_messages[-10:]:
            text = render_message(message).replace("\n", "\n      ")
            lines.append(f"  - [{message['id']} in {message['channel_id']}] {text}")
        handles = list(self.interactions.values())[-5:]
        if handles:
            lines.append("interactions (last 5):")
            lines.extend("  " + h.describe().replace("\n", "\n  ") for h in handles)
        lines.append(f"violations ({len(self.violations)}):")
        lines.extend(f"  ! {v}" for v in self.violations[-10:])
        lines.append("REST requests (last 10):")
        lines.extend(f"  {r.method} {r.path} -> {r.status}" for r in self.requests[-10:])
        return "\n".join(lines)
