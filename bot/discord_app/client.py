"""The Discord client: receives questions, calls the answering service, renders replies.

Everything heavy happens in ``bot.service`` worker threads; this module only
decides whether a message is addressed to the bot, applies the guards
(channels, cooldown, length), and sends what ``bot.answer.render`` produced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import time
from collections import OrderedDict
from collections.abc import AsyncIterator

import aiohttp
import discord
from discord import app_commands

from bot.answer.answerer import Answer
from bot.answer.render import answer_message, truncate
from bot.config import Config
from bot.discord_app.components import answer_buttons, static_view
from bot.discord_app.convert import message_kwargs
from bot.discord_app.lag import LagMonitor
from bot.feedback import FeedbackLog
from bot.guards import Cooldown, channel_allowed, looks_like_question
from bot.service import AnswerService, Busy

log = logging.getLogger(__name__)

BUSY_TEXT = "I'm answering a lot of questions right now; please try again in a moment."
STOPPING_TEXT = "I'm restarting right now; please ask again in a minute."
ERROR_TEXT = "Sorry, something went wrong on my side while answering; please try again."
DRAIN_SECONDS = 20.0  # on shutdown, how long questions in progress may take to finish
TYPING_EVERY = 8.0  # Discord shows "typing…" for about 10 s after each request
# Answers kept in memory for "More results" and follow-ups (older ones are asked again
# from the question their message echoes). Each holds its passages, a few KB: the cap
# keeps memory flat under sustained load.
RECENT_ANSWERS = 1000
UNREADABLE_REPLY = (
    "I can't read replies that don't mention me. Keep the @mention on when you reply "
    "(or use `/ask`)."
)
THREAD_NAME_LIMIT = 100
_QUESTION_ECHO = re.compile(r"· Q: (.*)$")


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
        self.tree = app_commands.CommandTree(self)
        self.cooldown = Cooldown(config.discord.cooldown_seconds)
        self.feedback = FeedbackLog(config.discord.feedback_file)
        # Recent answers by message id, for "More results" and follow-up replies.
        self.recent: OrderedDict[int, Answer] = OrderedDict()
        self.lag = LagMonitor()
        self.typing_in = ChannelTyping()
        # Questions being answered; on shutdown the bot waits for them (see close).
        self.active = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.stopping = False

    @contextlib.asynccontextmanager
    async def tracked(self) -> AsyncIterator[None]:
        """Count a question in progress, so that shutdown waits for its answer."""
        self.active += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.active -= 1
            if not self.active:
                self._idle.set()

    async def setup_hook(self) -> None:
        from bot.discord_app.commands import register_commands

        self.lag.start()
        register_commands(self)
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
        is_dm = message.guild is None
        mentioned = any(user.id == self.user.id for user in message.mentions)
        previous = self._replied_answer(message)
        listening = (
            message.channel.id in self.config.discord.listen_channels
            and looks_like_question(message.content)
        )
        if not (is_dm or mentioned or previous is not None or listening):
            return
        if not is_dm and not channel_allowed(
            self.config.discord, message.channel.id, getattr(message.channel, "parent_id", None)
        ):
            return
        question = self.strip_mention(message.content)
        if not question and previous is not None and not mentioned and not is_dm:
            # Without the Message Content intent Discord hides the text of a reply that
            # does not ping the bot; say so instead of answering an empty question.
            await message.reply(UNREADABLE_REPLY, mention_author=False)
            return
        if self.stopping:
            await message.reply(STOPPING_TEXT, mention_author=False)
            return
        wait = self.cooldown.retry_after(message.author.id)
        if wait:
            await message.reply(
                f"You're asking quickly! Please wait {wait:.0f} s before the next question.",
                mention_author=False,
            )
            return
        async with self.tracked():
            await self._answer_message(message, question, previous, mentioned)

    async def _answer_message(
        self, message: discord.Message, question: str, previous: Answer | None, mentioned: bool
    ) -> None:
        target: discord.abc.Messageable = message.channel
        thread = None
        if self.config.discord.answer_in_thread and mentioned and self._can_thread(message):
            thread = await message.create_thread(name=thread_name(question))
            target = thread
        started = time.perf_counter()
        async with self.typing_in(target):
            try:
                answer = await self.answer_with_context(question, previous)
            except Busy:
                await self._send(target, message, content=BUSY_TEXT)
                return
            except Exception:  # a bug must not leave the question unanswered
                log.exception("answering a message failed")
                await self._send(target, message, content=ERROR_TEXT)
                return
        sent = await self.send_answer(target, answer, reply_to=None if thread else message)
        self.log_question(message.guild, message.channel, started, answer, "message")
        if sent is not None:
            self.remember(sent.id, answer)

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
            return self.recent.get(resolved.id) or self._answer_from_footer(resolved)
        return None

    def _answer_from_footer(self, message: discord.Message) -> Answer | None:
        question = question_from_message(message)
        return Answer(question, ()) if question else None

    async def answer_with_context(self, question: str, previous: Answer | None) -> Answer:
        """Answer; a follow-up that fails alone is retried with the earlier question."""
        answer = await self.service.answer(question)
        if answer.answered or previous is None or answer.refusal != "not_found":
            return answer
        combined = await self.service.answer(f"{previous.question} {question}")
        if combined.answered:
            return Answer(question, combined.items)
        return answer

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

    async def send_answer(
        self,
        target: discord.abc.Messageable,
        answer: Answer,
        reply_to: discord.Message | None,
    ) -> discord.Message | None:
        kwargs = self.render(answer)
        return await self._send(target, reply_to, **kwargs)

    def render(self, answer: Answer, index: int = 0, page_of: int | None = None) -> dict:
        """Message kwargs for one result of an answer (with its buttons), or a refusal."""
        kwargs = message_kwargs(answer_message(answer, index))
        if answer.answered:
            pids = [item.passage.pid for item in answer.items]
            buttons = answer_buttons(self.service.fingerprint, pids, index, page_of)
            kwargs["view"] = static_view(buttons)
        return kwargs

    def remember(self, message_id: int, answer: Answer) -> None:
        self.recent[message_id] = answer
        while len(self.recent) > RECENT_ANSWERS:
            self.recent.popitem(last=False)

    def log_question(self, guild, channel, started: float, answer: Answer, via: str) -> None:
        log.info(
            "question via=%s guild=%s channel=%s latency_ms=%.0f answered=%s%s",
            via,
            guild.id if guild else "dm",
            getattr(channel, "id", "?"),
            (time.perf_counter() - started) * 1000,
            answer.answered,
            "" if answer.answered else f" refusal={answer.refusal}",
        )

    # ------------------------------------------------------------------ buttons

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.component:
            from bot.discord_app.buttons import handle_button

            await handle_button(self, interaction)

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
        if not self.stopping:
            self.stopping = True
            if self.active:
                log.info("stopping: finishing %d question(s) in progress", self.active)
                try:
                    await asyncio.wait_for(self._idle.wait(), DRAIN_SECONDS)
                except asyncio.TimeoutError:
                    log.warning(
                        "stopping: %d question(s) still in progress after %.0f s are dropped",
                        self.active,
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


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 300 else text[:299] + "…"


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


def question_from_message(message: discord.Message) -> str | None:
    """The question echoed in an answer's footer, unless it was cut."""
    for embed in message.embeds:
        text = embed.footer.text if embed.footer else None
        match = _QUESTION_ECHO.search(text or "")
        if match and not match.group(1).endswith("…"):
            return match.group(1)
    return None
