"""The one path by which a question is admitted or refused, whatever it came through.

Mentions, replies, DMs, listen channels, ``/ask``, the "Ask the docs" menu and
button clicks all go through :meth:`Gate.admit`, so they are refused the same
way and with the same words (``texts``):

1. the channel is denied (or not allowed);
2. the message's text is hidden (a reply without the Message Content intent);
3. the bot is stopping;
4. the user's cooldown is not over (new questions only: a click on an answer's
   buttons is not a new question, so paging through results is never refused);
5. admitted: the work is tracked (shutdown waits for it), and a ``Busy`` service
   or an unexpected failure gets a polite reply instead of silence.

A message in a denied channel gets no reply at all: a public reply there is what
the setting forbids. An interaction must be answered, so it is told privately.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import discord

from bot.config import DiscordConfig
from bot.discord_app import texts
from bot.guards import Cooldown, channel_allowed
from bot.service import Busy

log = logging.getLogger(__name__)

BUTTON = "button"
Say = Callable[[str], Awaitable[object]]
Work = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Request:
    """Who asks, where, and through which entry point (``via``, as logged)."""

    via: str  # mention, reply, dm, listen, slash, context-menu, button
    user_id: int
    channel_id: int | None  # None in a DM: no channel list applies there
    parent_id: int | None = None  # a thread counts as its parent channel
    public: bool = False  # a refusal would be a public reply, not an ephemeral one
    unreadable: bool = False  # a reply whose text Discord withheld (no Message Content)

    @classmethod
    def of_message(cls, message: discord.Message, via: str, unreadable: bool = False) -> Request:
        in_guild = message.guild is not None
        return cls(
            via,
            message.author.id,
            message.channel.id if in_guild else None,
            getattr(message.channel, "parent_id", None) if in_guild else None,
            public=True,
            unreadable=unreadable,
        )

    @classmethod
    def of_interaction(cls, interaction: discord.Interaction, via: str) -> Request:
        channel = interaction.channel
        in_guild = interaction.guild is not None and channel is not None
        return cls(
            via,
            interaction.user.id,
            channel.id if in_guild and channel else None,
            getattr(channel, "parent_id", None) if in_guild else None,
        )


@dataclass(frozen=True)
class Refusal:
    reason: str  # channel, unreadable, stopping, cooldown
    text: str


class Gate:
    """Admission (channels, stopping, cooldown) and the questions in progress."""

    def __init__(self, settings: DiscordConfig) -> None:
        self.settings = settings
        self.cooldown = Cooldown(settings.cooldown_seconds)
        self.stopping = False
        self.active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def refusal(self, request: Request) -> Refusal | None:
        """Why ``request`` is refused, or None when it is admitted (then its cooldown starts)."""
        if request.channel_id is not None and not channel_allowed(
            self.settings, request.channel_id, request.parent_id
        ):
            return Refusal("channel", texts.CHANNEL_REFUSED)
        if request.unreadable:
            return Refusal("unreadable", texts.UNREADABLE_REPLY)
        if self.stopping:
            return Refusal("stopping", texts.STOPPING)
        if request.via != BUTTON:
            wait = self.cooldown.retry_after(request.user_id)
            if wait:
                return Refusal("cooldown", texts.cooldown(wait))
        return None

    async def admit(self, request: Request, say: Say, work: Work) -> bool:
        """Run ``work`` if ``request`` is admitted; otherwise ``say`` why. True if it ran."""
        refused = self.refusal(request)
        if refused is not None:
            log.debug("refused via=%s reason=%s", request.via, refused.reason)
            if not (refused.reason == "channel" and request.public):
                await say(refused.text)
            return False
        async with self.tracked():
            try:
                await work()
            except Busy:
                await say(texts.BUSY)
            except discord.HTTPException:
                raise  # Discord refused a reply: one log line (QABot.on_error)
            except Exception:  # a bug must not leave the question unanswered
                log.exception("answering via %s failed", request.via)
                await say(texts.ERROR)
        return True

    @contextlib.asynccontextmanager
    async def tracked(self) -> AsyncIterator[None]:
        """Count work in progress, so that shutdown waits for it."""
        self.active += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.active -= 1
            if not self.active:
                self._idle.set()

    async def drain(self, seconds: float) -> bool:
        """Stop admitting; wait up to ``seconds`` for the work in progress. True if it ended."""
        self.stopping = True
        try:
            await asyncio.wait_for(self._idle.wait(), seconds)
        except asyncio.TimeoutError:
            return False
        return True
