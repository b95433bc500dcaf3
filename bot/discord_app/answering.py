"""What every entry point shares: the service, the gate, recent answers, feedback.

The client, the commands and the buttons share one :class:`Answering`
(``client.answering``, reached from an interaction with :func:`answering_of`).
Imports point one way: client → commands → buttons → answering → admission →
texts; nothing imports the client, so the Discord layer has no import circle.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict

import discord

from bot.answer.answerer import Answer
from bot.config import Config
from bot.discord_app.admission import Gate, Request, Say, Work
from bot.feedback import FeedbackLog
from bot.service import AnswerService

log = logging.getLogger(__name__)

# Answers kept in memory for "More results" and follow-ups (older ones are asked again
# from the question their message echoes). Each holds its passages, a few KB: the cap
# keeps memory flat under sustained load.
RECENT_ANSWERS = 1000
_QUESTION_ECHO = re.compile(r"· Q: (.*)$")


class Answering:
    def __init__(self, config: Config, service: AnswerService) -> None:
        self.config = config
        self.service = service
        self.gate = Gate(config.discord)
        self.feedback = FeedbackLog(config.discord.feedback_file)
        # Recent answers by message id, for "More results" and follow-up replies.
        self.recent: OrderedDict[int, Answer] = OrderedDict()

    async def admit(self, request: Request, say: Say, work: Work) -> bool:
        """The one admission path (see :mod:`bot.discord_app.admission`)."""
        return await self.gate.admit(request, say, work)

    async def answer_with_context(self, question: str, previous: Answer | None) -> Answer:
        """Answer; a follow-up that fails alone is retried with the earlier question."""
        answer = await self.service.answer(question)
        if answer.answered or previous is None or answer.refusal != "not_found":
            return answer
        combined = await self.service.answer(f"{previous.question} {question}")
        if combined.answered:
            return Answer(question, combined.items)
        return answer

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


def answering_of(client: discord.Client) -> Answering:
    """The :class:`Answering` of the bot that received an interaction."""
    answering = getattr(client, "answering", None)
    if not isinstance(answering, Answering):
        raise TypeError(f"{type(client).__name__} has no Answering")
    return answering


def question_from_message(message: discord.Message) -> str | None:
    """The question echoed in an answer's footer, unless it was cut."""
    for embed in message.embeds:
        text = embed.footer.text if embed.footer else None
        match = _QUESTION_ECHO.search(text or "")
        if match and not match.group(1).endswith("…"):
            return match.group(1)
    return None


def interaction_say(interaction: discord.Interaction) -> Say:
    """Tell the user privately: the first response, or a follow-up once deferred."""

    async def say(text: str) -> None:
        mentions = discord.AllowedMentions.none()
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=mentions)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=mentions)

    return say


def one_line(error: BaseException) -> str:
    """An error as one log line of at most 300 characters."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 300 else text[:299] + "…"
