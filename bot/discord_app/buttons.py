"""Answer buttons as ``discord.ui.DynamicItem``s: More results, paging, Full passage, 👍/👎.

Each button's custom id matches its class's ``template``; the client registers
the classes once (``add_dynamic_items``), so a click on any message, also one
sent before a restart, is parsed back into its button and dispatched to its
``callback``. Every click goes through the one admission path, then:

- a button of an older index (fingerprint changed) says politely that it expired;
- it is answered within Discord's 3 seconds: from memory when the answer is
  recent, otherwise by re-asking the question echoed in the message (after a
  restart), deferring first because that may take longer.
"""

from __future__ import annotations

import asyncio
import logging
import re

import discord

from bot.answer.answerer import Answer, AnswerItem
from bot.answer.excerpt import Excerpt
from bot.answer.render import answer_message, passage_embed
from bot.discord_app import texts
from bot.discord_app.admission import BUTTON, Request
from bot.discord_app.answering import (
    Answering,
    answering_of,
    interaction_say,
    one_line,
    question_from_message,
)
from bot.discord_app.components import (
    FINGERPRINT,
    base36,
    custom_id,
    decode_ids,
    encode_ids,
    static_view,
)
from bot.discord_app.convert import message_kwargs, to_embed
from bot.feedback import FeedbackError

log = logging.getLogger(__name__)

MORE, PAGE, FULL, UP, DOWN = "more", "page", "full", "up", "down"
SECONDARY = discord.ButtonStyle.secondary


def _button(label: str, value: str, style: discord.ButtonStyle = SECONDARY) -> discord.ui.Button:
    return discord.ui.Button(label=label[:80], custom_id=value, style=style)


class AnswerButton:
    """What every answer button does on a click, before its own ``click``."""

    action: str
    fingerprint: str

    async def callback(self, interaction: discord.Interaction) -> None:
        answering = answering_of(interaction.client)
        say = interaction_say(interaction)

        async def work() -> None:
            if self.fingerprint != answering.service.fingerprint:
                await say(texts.EXPIRED)
            else:
                await self.click(answering, interaction)

        try:
            await answering.admit(Request.of_interaction(interaction, BUTTON), say, work)
        except discord.HTTPException as exc:  # one line, not discord.py's traceback
            log.error("button %s: Discord refused a request: %s", self.action, one_line(exc))

    async def click(self, answering: Answering, interaction: discord.Interaction) -> None:
        raise NotImplementedError


class MoreResults(
    AnswerButton, discord.ui.DynamicItem[discord.ui.Button], template=rf"qa:more:{FINGERPRINT}"
):
    action = MORE

    def __init__(self, fingerprint: str, others: int = 0) -> None:
        label = texts.MORE_RESULTS_LABEL.format(count=others)
        super().__init__(_button(label, custom_id(MORE, fingerprint)))
        self.fingerprint = fingerprint

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /) -> MoreResults:
        return cls(match["fingerprint"])

    async def click(self, answering: Answering, interaction: discord.Interaction) -> None:
        origin = interaction.message.id if interaction.message else 0
        await show_page(answering, interaction, origin, 1, edit=False)


class Page(
    AnswerButton,
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"qa:page:{FINGERPRINT}:(?P<origin>[0-9]{{1,20}}):(?P<index>[0-9]{{1,3}})",
):
    action = PAGE

    def __init__(self, fingerprint: str, origin: int, index: int, label: str = "") -> None:
        value = custom_id(PAGE, fingerprint, str(origin), str(index))
        super().__init__(_button(label or texts.NEXT_LABEL, value))
        self.fingerprint, self.origin, self.index = fingerprint, origin, index

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /) -> Page:
        return cls(match["fingerprint"], int(match["origin"]), int(match["index"]))

    async def click(self, answering: Answering, interaction: discord.Interaction) -> None:
        await show_page(answering, interaction, self.origin, self.index, edit=True)


class FullPassage(
    AnswerButton,
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"qa:full:{FINGERPRINT}:(?P<pid>[0-9a-z]{{1,13}})",
):
    action = FULL

    def __init__(self, fingerprint: str, pid: int) -> None:
        value = custom_id(FULL, fingerprint, base36(pid))
        super().__init__(_button(texts.FULL_PASSAGE_LABEL, value))
        self.fingerprint, self.pid = fingerprint, pid

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /) -> FullPassage:
        return cls(match["fingerprint"], int(match["pid"], 36))

    async def click(self, answering: Answering, interaction: discord.Interaction) -> None:
        found = answering.service.passage(self.pid)
        if found is None:
            await interaction_say(interaction)(texts.EXPIRED)
            return
        await interaction.response.send_message(
            embed=to_embed(passage_embed(_whole_passage(answering, found[0]))),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


class Vote(
    AnswerButton,
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"qa:(?P<vote>up|down):{FINGERPRINT}:(?P<ids>[0-9a-z.]{{0,60}})",
):
    def __init__(self, vote: str, fingerprint: str, ids: str) -> None:
        label, style = (
            (texts.UP_LABEL, discord.ButtonStyle.success)
            if vote == UP
            else (texts.DOWN_LABEL, discord.ButtonStyle.danger)
        )
        super().__init__(_button(label, custom_id(vote, fingerprint, ids), style))
        self.action, self.fingerprint, self.ids = vote, fingerprint, ids

    @classmethod
    async def from_custom_id(cls, interaction, item, match: re.Match[str], /) -> Vote:
        return cls(match["vote"], match["fingerprint"], match["ids"])

    async def click(self, answering: Answering, interaction: discord.Interaction) -> None:
        await record_vote(answering, interaction, self.action, decode_ids(self.ids))


DYNAMIC_ITEMS = (MoreResults, Page, FullPassage, Vote)


def answer_buttons(
    fingerprint: str, pids: list[int], index: int, page_of: int | None
) -> list[discord.ui.Item]:
    """Buttons under one result: paging (or "More results"), full passage, feedback."""
    buttons: list[discord.ui.Item] = []
    if page_of is None and len(pids) > 1:
        buttons.append(MoreResults(fingerprint, len(pids) - 1))
    elif page_of is not None:
        if index > 0:
            buttons.append(Page(fingerprint, page_of, index - 1, texts.PREVIOUS_LABEL))
        if index + 1 < len(pids):
            buttons.append(Page(fingerprint, page_of, index + 1, texts.NEXT_LABEL))
    buttons.append(FullPassage(fingerprint, pids[index]))
    if page_of is None:
        ids = encode_ids(pids)
        buttons += [Vote(UP, fingerprint, ids), Vote(DOWN, fingerprint, ids)]
    return buttons


def render_answer(
    answering: Answering, answer: Answer, index: int = 0, page_of: int | None = None
) -> dict:
    """Message kwargs for one result of an answer (with its buttons), or a refusal."""
    kwargs = message_kwargs(answer_message(answer, index))
    if answer.answered:
        pids = [item.passage.pid for item in answer.items]
        kwargs["view"] = static_view(
            answer_buttons(answering.service.fingerprint, pids, index, page_of)
        )
    return kwargs


async def show_page(
    answering: Answering, interaction: discord.Interaction, origin: int, index: int, edit: bool
) -> None:
    say = interaction_say(interaction)
    answer = answering.recent.get(origin)
    if answer is None:
        question = question_from_message(interaction.message) if interaction.message else None
        if not question:
            await say(texts.EXPIRED)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = await answering.service.answer(question)  # Busy: the gate says so
        answering.remember(origin, answer)
    if not answer.answered or not 0 <= index < len(answer.items):
        await say(texts.NO_MORE_RESULTS)
        return
    kwargs = render_answer(answering, answer, index, page_of=origin)
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=True, **kwargs)
    elif edit:
        await interaction.response.edit_message(**kwargs)  # page within the ephemeral message
    else:
        await interaction.response.send_message(ephemeral=True, **kwargs)


async def record_vote(
    answering: Answering, interaction: discord.Interaction, vote: str, pids: list[int]
) -> None:
    result_ids = []
    for pid in pids:
        found = answering.service.passage(pid)
        if found:
            passage = found[0]
            result_ids.append(f"{passage.doc_id}#{passage.start}-{passage.end}")
    origin = interaction.message.id if interaction.message else 0
    remembered = answering.recent.get(origin)
    if remembered is not None:
        question = remembered.question
    elif interaction.message is not None:
        question = question_from_message(interaction.message) or ""
    else:
        question = ""
    say = interaction_say(interaction)
    try:
        await asyncio.to_thread(
            answering.feedback.record,
            question=question,
            result_ids=result_ids,
            vote="up" if vote == UP else "down",
            user_id=interaction.user.id,
        )
    except FeedbackError as exc:
        log.error("could not store feedback: %s", exc)
        await say(texts.FEEDBACK_FAILED)
        return
    await say(texts.THANKS_UP if vote == UP else texts.THANKS_DOWN)


def _whole_passage(answering: Answering, passage) -> AnswerItem:
    """An AnswerItem showing a whole passage (no question needed)."""
    document = answering.service.index.corpus.documents[passage.doc_id]
    excerpt = Excerpt(passage.text, (), 0, len(passage.text), passage.code)
    return AnswerItem(1, 0.0, 0.0, passage.doc_id, document.meta, passage, excerpt)
