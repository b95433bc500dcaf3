"""Channel routes: messages, typing, DMs, threads and reactions."""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.harness import bot_messages
from bot.harness.models import GUILD_TEXT, PRIVATE_THREAD, PUBLIC_THREAD, Channel
from bot.harness.permissions import (
    CREATE_PUBLIC_THREADS,
    MANAGE_MESSAGES,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
)
from bot.harness.responses import error, json_response, no_content, read_body
from bot.harness.validation import CHANNEL_MESSAGE_FLAGS, FLAG_EPHEMERAL
from bot.harness.world import as_seen_by_bot

if TYPE_CHECKING:
    from bot.harness.fake_discord import FakeDiscord

Payload = dict[str, Any]
HAS_THREAD = 1 << 5


@dataclass
class TypingEvent:
    channel_id: int
    at: float  # time.monotonic()


@dataclass
class ReactionEvent:
    channel_id: int
    message_id: int
    emoji: str
    added: bool
    at: float


class MessageRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.world = fake.world

    def register(self, router: web.UrlDispatcher, prefix: str) -> None:
        ch = prefix + r"/channels/{channel_id:\d+}"
        msg = ch + r"/messages/{message_id:\d+}"
        router.add_get(ch, self.get_channel)
        router.add_get(ch + "/messages", self.history)
        router.add_post(ch + "/messages", self.send)
        router.add_get(msg, self.get_message)
        router.add_patch(msg, self.edit)
        router.add_delete(msg, self.delete)
        router.add_post(ch + "/typing", self.typing)
        router.add_post(prefix + "/users/@me/channels", self.open_dm)
        router.add_post(msg + "/threads", self.thread_from_message)
        router.add_post(ch + "/threads", self.thread)
        router.add_put(msg + "/reactions/{emoji}/@me", self.react)
        router.add_delete(msg + "/reactions/{emoji}/@me", self.unreact)

    # -- helpers -----------------------------------------------------------------------

    def _channel(self, request: web.Request) -> Channel | None:
        return self.world.channels.get(int(request.match_info["channel_id"]))

    def _lacks(self, channel: Channel, needed: int) -> bool:
        return self.world.bot_permissions(channel) & needed != needed

    def _message(self, request: web.Request, channel: Channel) -> Payload | None:
        message = self.world.messages.get(int(request.match_info["message_id"]))
        if (
            message is None
            or int(message["channel_id"]) != channel.id
            or message["flags"] & FLAG_EPHEMERAL
        ):
            return None
        return message

    def _seen(self, message: Payload) -> Payload:
        return as_seen_by_bot(
            message, bot_id=self.world.bot.id, content_intent=self.fake.gateway.content_intent
        )

    # -- routes -------------------------------------------------------------------------

    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        return json_response(channel.payload())

    async def history(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        if self._lacks(channel, VIEW_CHANNEL | (1 << 16)):
            return error(403, 50013, "Missing Permissions")
        query = request.query
        limit = max(1, min(100, int(query.get("limit", 50))))
        items = [
            m
            for m in self.world.messages.values()
            if int(m["channel_id"]) == channel.id and not m["flags"] & FLAG_EPHEMERAL
        ]
        items.sort(key=lambda m: int(m["id"]), reverse=True)
        if "before" in query:
            items = [m for m in items if int(m["id"]) < int(query["before"])]
        if "after" in query:
            items = [m for m in items if int(m["id"]) > int(query["after"])][-limit:]
        return json_response([self._seen(m) for m in items[:limit]])

    async def send(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        needed = VIEW_CHANNEL | (SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES)
        if self._lacks(channel, needed):
            return error(403, 50013, "Missing Permissions")
        body, files = await read_body(request)
        draft = bot_messages.make_draft(
            self.fake,
            body,
            files,
            where=f"POST /channels/{channel.id}/messages",
            channel_id=channel.id,
            allowed_flags=CHANNEL_MESSAGE_FLAGS,
        )
        if isinstance(draft, web.Response):
            return draft
        message = await bot_messages.create(self.fake, channel, draft)
        return json_response(message)

    async def get_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = None if channel is None else self._message(request, channel)
        if message is None:
            return error(404, 10008, "Unknown Message")
        return json_response(self._seen(message))

    async def edit(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = None if channel is None else self._message(request, channel)
        if channel is None or message is None:
            return error(404, 10008, "Unknown Message")
        if int(message["author"]["id"]) != self.world.bot.id:
            return error(403, 50005, "Cannot edit a message authored by another user")
        body, files = await read_body(request)
        draft = bot_messages.make_draft(
            self.fake,
            body,
            files,
            where=f"PATCH /channels/{channel.id}/messages",
            channel_id=channel.id,
            allowed_flags=CHANNEL_MESSAGE_FLAGS,
            base=message,
        )
        if isinstance(draft, web.Response):
            return draft
        return json_response(await bot_messages.edit(self.fake, message, draft))

    async def delete(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = None if channel is None else self._message(request, channel)
        if channel is None or message is None:
            return error(404, 10008, "Unknown Message")
        own = int(message["author"]["id"]) == self.world.bot.id
        if not own and self._lacks(channel, MANAGE_MESSAGES):
            return error(403, 50013, "Missing Permissions")
        await bot_messages.delete(self.fake, message)
        return no_content()

    async def typing(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        self.fake.typing_events.append(TypingEvent(channel.id, time.monotonic()))
        self.fake._notify()
        return no_content()

    async def open_dm(self, request: web.Request) -> web.Response:
        body, _ = await read_body(request)
        user = self.world.users.get(int(body.get("recipient_id") or 0))
        if user is None or user.bot:
            return error(400, 50007, "Cannot send messages to this user")
        return json_response(self.world.dm_channel(user).payload())

    async def _start_thread(
        self, channel: Channel, body: Payload, *, message: Payload | None
    ) -> web.Response:
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            self.fake.record_violation(
                f"POST threads: thread name {name!r} must be 1-100 characters"
            )
            return error(400, 50035, "Invalid Form Body")
        if self._lacks(channel, VIEW_CHANNEL | CREATE_PUBLIC_THREADS):
            return error(403, 50013, "Missing Permissions")
        if message is not None:
            thread = self.world.add_thread(channel, name, thread_id=int(message["id"]))
            message["thread"] = thread.payload()
            message["flags"] |= HAS_THREAD
        else:
            ctype = int(body.get("type") or PRIVATE_THREAD)
            thread = self.world.add_thread(channel, name, thread_id=None, ctype=ctype)
        self.fake.threads.append(thread)
        data = thread.payload()
        event = dict(
            data,
            newly_created=True,
            member={
                "id": str(thread.id),
                "user_id": str(self.world.bot.id),
                "join_timestamp": thread.created_at,
                "flags": 1,
            },
        )
        if self.fake.gateway.session_for(thread.guild_id) is not None:
            await self.fake.gateway.dispatch("THREAD_CREATE", event)
        self.fake._notify()
        return json_response(data, 201)

    async def thread_from_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = None if channel is None else self._message(request, channel)
        if channel is None or message is None:
            return error(404, 10008, "Unknown Message")
        if channel.type != GUILD_TEXT:
            return error(400, 50024, "Cannot execute action on this channel type")
        if "thread" in message:
            return error(400, 160004, "A thread has already been created for this message")
        body, _ = await read_body(request)
        return await self._start_thread(channel, body, message=message)

    async def thread(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if channel is None:
            return error(404, 10003, "Unknown Channel")
        body, _ = await read_body(request)
        if channel.type != GUILD_TEXT or int(body.get("type") or PRIVATE_THREAD) not in (
            PUBLIC_THREAD,
            PRIVATE_THREAD,
        ):
            return error(400, 50024, "Cannot execute action on this channel type")
        return await self._start_thread(channel, body, message=None)

    async def _reaction(self, request: web.Request, *, added: bool) -> web.Response:
        channel = self._channel(request)
        message = None if channel is None else self._message(request, channel)
        if channel is None or message is None:
            return error(404, 10008, "Unknown Message")
        emoji = urllib.parse.unquote(request.match_info["emoji"])
        self.fake.reactions.append(
            ReactionEvent(channel.id, int(message["id"]), emoji, added, time.monotonic())
        )
        self.fake._notify()
        return no_content()

    async def react(self, request: web.Request) -> web.Response:
        return await self._reaction(request, added=True)

    async def unreact(self, request: web.Request) -> web.Response:
        return await self._reaction(request, added=False)
