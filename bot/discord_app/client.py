"""The Discord client: receives questions, calls the answering service, renders replies.

Everything heavy happens in ``bot.service`` worker threads; this module only
decides whether a message is addressed to the bot and through which entry point
(mention, reply, DM, listen channel), hands it to the one admission path
(:mod:`bot.discord_app.admission`), and sends what ``bot.answer.render`` produced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import time
from collections.abc import AsyncIterator

import aiohttp
import discord
from discord import app_commands

from bot.answer.answerer import Answer
from bot.answer.render import truncate
from bot.config import Config
from bot.discord_app.admission import Request
from bot.discord_app.answering import Answering, one_line, question_from_message
from bot.discord_app.buttons import DYNAMIC_ITEMS, render_answer
from bot.discord_app.commands import register_commands
from bot.discord_app.lag import LagMonitor
from bot.guards import looks_like_question
from bot.service import AnswerService

log = logging.getLogger(__name__)

DRAIN_SECONDS = 20.0  # on shutdown, how long questions in progress may take to finish
TYPING_EVERY = 8.0  # Discord shows "typing…" for about 10 s after each request
THREAD_NAME_LIMIT = 100


class QABot(discord.Client):
    def __init__(self, config: Config, service: AnswerService, **client_options) -> None:
        intents = discord.Intents.default()
        intents.message_content = bool(config.discord.listen_channels)
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            max_messages=1000,
            http_trace=server_error_trace(),
            **client_options,
        )
        self.config = config
        self.service = service
        self.answering = Answering(config, service)
        self.tree = app_commands.CommandTree(self)
        self.lag = LagMonitor()
        self.typing_in = ChannelTyping()

    async def setup_hook(self) -> None:
        self.lag.start()
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        register_commands(self.tree, self.answering)
        guild_id = self.config.discord.command_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    async def on_ready(self) -> None:
        corpus = self.service.index.corpus
        log.info(
            "ready as %s (%s): %d documents, %d passages",
            self.user,
            self.user.id if self.user else "?",
            len(corpus.documents),
            len(corpus.passages),
        )

    # ------------------------------------------------------------------ messages

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None or message.author.id == self.user.id:
            return
        if message.webhook_id is not None or message.type not in (
            discord.MessageType.default,
            discord.MessageType.reply,
        ):
            return
        mentioned = any(user.id == self.user.id for user in message.mentions)
        previous = self._replied_answer(message)
        via = entry_point(message, mentioned, previous is not None, self._listening(message))
        if via is None:
            return
        question = self.strip_mention(message.content)
        # Without the Message Content intent Discord hides the text of a reply that does
        # not ping the bot: the gate says so instead of answering an empty question.
        request = Request.of_message(message, via, unreadable=not question and via == "reply")
        await self.answering.admit(
            request,
            reply_with(message),
            lambda: self._answer_message(message, question, previous, mentioned, via),
        )

    def _listening(self, message: discord.Message) -> bool:
        return message.channel.id in self.config.discord.listen_channels and looks_like_question(
            message.content
        )

    async def _answer_message(
        self,
        message: discord.Message,
        question: str,
        previous: Answer | None,
        mentioned: bool,
        via: str = "mention",
    ) -> None:
        target: discord.abc.Messageable = message.channel
        thread = None
        if self.config.discord.answer_in_thread and mentioned and self._can_thread(message):
            thread = await message.create_thread(name=thread_name(question))
            target = thread
        started = time.perf_counter()
        async with self.typing_in(target):
            answer = await self.answering.answer_with_context(question, previous)
        sent = await self._send(
            target, None if thread else message, **render_answer(self.answering, answer)
        )
        self.answering.log_question(message.guild, message.channel, started, answer, via)
        if sent is not None:
            self.answering.remember(sent.id, answer)

    def strip_mention(self, content: str) -> str:
        if self.user is not None:
            content = re.sub(rf"<@!?{self.user.id}>", " ", content)
        return " ".join(content.split())

    def _replied_answer(self, message: discord.Message) -> Answer | None:
        """The answer a reply refers to, if the message replies to the bot."""
        reference = message.reference
        if reference is None or reference.message_id is None or self.user is None:
            return None
        resolved = reference.resolved
        if isinstance(resolved, discord.Message) and resolved.author.id == self.user.id:
            remembered = self.answering.recent.get(resolved.id)
            if remembered is not None:
                return remembered
            question = question_from_message(resolved)
            return Answer(question, ()) if question else None
        return None

    def _can_thread(self, message: discord.Message) -> bool:
        return isinstance(message.channel, discord.TextChannel)

    async def _send(
        self,
        target: discord.abc.Messageable,
        reply_to: discord.Message | None,
        **kwargs,
    ) -> discord.Message:
        kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
        if reply_to is not None:
            return await reply_to.reply(mention_author=False, **kwargs)
        return await target.send(**kwargs)

    async def on_error(self, event_method: str, /, *args, **kwargs) -> None:
        """A request Discord refused for good (after discord.py's own retries) is one log
        line; anything else keeps discord.py's full report."""
        error = sys.exc_info()[1]
        if isinstance(error, discord.HTTPException):
            log.error("%s: Discord refused a request: %s", event_method, one_line(error))
            return
        await super().on_error(event_method, *args, **kwargs)

    async def close(self) -> None:
        """Stop taking questions, let those in progress finish (up to DRAIN_SECONDS), then
        disconnect. Called on SIGTERM/SIGINT; safe to call more than once."""
        gate = self.answering.gate
        if not gate.stopping:
            if gate.active:
                log.info("stopping: finishing %d question(s) in progress", gate.active)
            if not await gate.drain(DRAIN_SECONDS):
                log.warning(
                    "stopping: %d question(s) still in progress after %.0f s are dropped",
                    gate.active,
                    DRAIN_SECONDS,
                )
            await self.lag.stop()
        await super().close()
        self.service.close()


class ChannelTyping:
    """One "typing…" indicator per channel, however many questions are answered there.

    A burst of questions in one channel sends one typing request (renewed while
    answers are pending), not one per question: typing requests have their own
    rate limit. The first question waits (briefly) for its typing request, so the
    indicator never arrives after the answer; a failed one is only logged.
    """

    FIRST_WAIT = 1.0  # seconds a question waits at most for its typing request

    def __init__(self) -> None:
        self._users: dict[int, int] = {}
        self._stops: dict[int, asyncio.Event] = {}
        self._shown: dict[int, asyncio.Future[None]] = {}

    @contextlib.asynccontextmanager
    async def __call__(self, channel: discord.abc.Messageable) -> AsyncIterator[None]:
        key = getattr(channel, "id", id(channel))
        self._users[key] = self._users.get(key, 0) + 1
        if self._users[key] == 1:
            loop = asyncio.get_running_loop()
            stop = self._stops[key] = asyncio.Event()
            self._shown[key] = loop.create_future()
            loop.create_task(
                self._keep_typing(channel, stop, self._shown[key]), name="qabot: typing"
            )
        try:
            # Everyone waits for the indicator (questions keep their order); once it is
            # shown, or took too long, this returns at once.
            shown = self._shown[key]
            await asyncio.wait({shown}, timeout=self.FIRST_WAIT)
            if not shown.done():
                shown.set_result(None)
            yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._shown[key]
                self._stops.pop(key).set()  # ends after any request in progress

    @staticmethod
    async def _keep_typing(
        channel: discord.abc.Messageable, stop: asyncio.Event, first: asyncio.Future[None]
    ) -> None:
        while not stop.is_set():
            try:
                await channel.typing()  # awaiting Typing sends one indicator
            except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
                log.debug("typing indicator failed: %s", exc)
            if not first.done():
                first.set_result(None)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), TYPING_EVERY)


def server_error_trace() -> aiohttp.TraceConfig:
    """Log each 5xx reply from Discord once: discord.py retries those silently."""
    trace = aiohttp.TraceConfig()

    async def on_request_end(session, context, params: aiohttp.TraceRequestEndParams) -> None:
        status = params.response.status
        if status >= 500:
            log.warning(
                "Discord answered %d to %s %s; discord.py retries it (up to 5 tries)",
                status,
                params.method,
                api_path(str(params.url)),
            )

    trace.on_request_end.append(on_request_end)
    return trace


def api_path(url: str) -> str:
    """The route of a Discord API URL, interaction tokens masked."""
    path = re.sub(r"^https?://[^/]+(/api/v\d+)?", "", url)
    return re.sub(r"/(webhooks|interactions)/(\d+)/[^/?]+", r"/\1/\2/[token]", path)


class ShardedQABot(QABot, discord.AutoShardedClient):
    """The same bot over Discord's sharding: one process runs the shards in shard_ids."""


def make_client(config: Config, service: AnswerService) -> QABot:
    """A plain client, or a sharded one when discord.shard_count is set."""
    settings = config.discord
    if settings.shard_count is None:
        return QABot(config, service)
    shard_ids = list(settings.shard_ids) or None
    return ShardedQABot(config, service, shard_count=settings.shard_count, shard_ids=shard_ids)


def thread_name(question: str) -> str:
    return truncate(question, THREAD_NAME_LIMIT) or "Question"


def entry_point(
    message: discord.Message, mentioned: bool, replies_to_bot: bool, listening: bool
) -> str | None:
    """How a message asks the bot (``via``), or None when it is not addressed to it."""
    if message.guild is None:
        return "dm"
    if mentioned:
        return "mention"
    if replies_to_bot:
        return "reply"
    return "listen" if listening else None


def reply_with(message: discord.Message):
    """Say something as a reply to ``message`` (nobody pinged)."""

    async def say(text: str) -> None:
        await message.reply(
            content=text, mention_author=False, allowed_mentions=discord.AllowedMentions.none()
        )

    return say
