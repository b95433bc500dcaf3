"""Button clicks: More results (paged, ephemeral), Full passage, 👍/👎 feedback.

Each click is answered within Discord's 3 seconds: from memory when the answer
is recent, otherwise by re-asking the question echoed in the message (after a
restart), deferring first because that may take longer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from bot.answer.render import passage_embed
from bot.discord_app.components import DOWN, FULL, MORE, PAGE, UP, decode, decode_ids
from bot.discord_app.convert import to_embed
from bot.feedback import FeedbackError
from bot.service import Busy

if TYPE_CHECKING:
    from bot.discord_app.client import QABot

log = logging.getLogger(__name__)

EXPIRED = (
    "This answer comes from an older version of the documents, so its buttons have expired. "
    "Please ask again."
)


async def handle_button(bot: QABot, interaction: discord.Interaction) -> None:
    custom_id = (interaction.data or {}).get("custom_id", "")
    button = decode(custom_id)
    if button is None:
        return
    try:
        await _handle(bot, interaction, button)
    except discord.HTTPException:
        raise  # Discord refused a reply: one log line (QABot.on_error)
    except Exception:  # a bug: say so rather than leave "thinking…" up
        log.exception("button %s failed", button.action)
        from bot.discord_app.client import ERROR_TEXT

        if interaction.response.is_done():
            await interaction.followup.send(ERROR_TEXT, ephemeral=True)
        else:
            await _ephemeral(interaction, ERROR_TEXT)


async def _handle(bot: QABot, interaction: discord.Interaction, button) -> None:
    if button.fingerprint != bot.service.fingerprint:
        await _ephemeral(interaction, EXPIRED)
        return
    if button.action == FULL:
        await show_full_passage(bot, interaction, button.args)
    elif button.action in (MORE, PAGE):
        await show_page(bot, interaction, button.action, button.args)
    elif button.action in (UP, DOWN):
        await record_vote(bot, interaction, button.action, button.args)


async def show_full_passage(bot: QABot, interaction: discord.Interaction, args) -> None:
    pids = decode_ids(args[0]) if args else []
    found = bot.service.passage(pids[0]) if pids else None
    if found is None:
        await _ephemeral(interaction, EXPIRED)
        return
    item = _item_for(bot, found[0])
    await interaction.response.send_message(
        embed=to_embed(passage_embed(item)),
        ephemeral=True,
        allowed_mentions=discord.AllowedMentions.none(),
    )


async def show_page(bot: QABot, interaction: discord.Interaction, action: str, args) -> None:
    if action == MORE:
        origin_id, index = interaction.message.id if interaction.message else 0, 1
    else:
        try:
            origin_id, index = int(args[0]), int(args[1])
        except (IndexError, ValueError):
            await _ephemeral(interaction, EXPIRED)
            return
    answer = bot.recent.get(origin_id)
    deferred = False
    if answer is None:
        question = _question_of(interaction)
        if not question:
            await _ephemeral(interaction, EXPIRED)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        deferred = True
        try:
            answer = await bot.service.answer(question)
        except Busy:
            await interaction.followup.send(
                "I'm busy right now; try again in a moment.", ephemeral=True
            )
            return
        bot.remember(origin_id, answer)
    if not answer.answered or not 0 <= index < len(answer.items):
        message = "There are no more results for this question."
        if deferred:
            await interaction.followup.send(message, ephemeral=True)
        else:
            await _ephemeral(interaction, message)
        return
    kwargs = bot.render(answer, index, page_of=origin_id)
    if deferred:
        await interaction.followup.send(ephemeral=True, **kwargs)
    elif action == PAGE:
        await interaction.response.edit_message(**kwargs)  # page within the ephemeral message
    else:
        await interaction.response.send_message(ephemeral=True, **kwargs)


async def record_vote(bot: QABot, interaction: discord.Interaction, action: str, args) -> None:
    pids = decode_ids(args[0]) if args else []
    result_ids = []
    for pid in pids:
        found = bot.service.passage(pid)
        if found:
            passage = found[0]
            result_ids.append(f"{passage.doc_id}#{passage.start}-{passage.end}")
    origin = interaction.message.id if interaction.message else 0
    remembered = bot.recent.get(origin)
    question = remembered.question if remembered else (_question_of(interaction) or "")
    try:
        await asyncio.to_thread(
            bot.feedback.record,
            question=question,
            result_ids=result_ids,
            vote="up" if action == UP else "down",
            user_id=interaction.user.id,
        )
    except FeedbackError as exc:
        log.error("could not store feedback: %s", exc)
        await _ephemeral(
            interaction, "Sorry, I couldn't save your feedback right now. Answers still work."
        )
        return
    thanks = "Thanks! Glad it helped." if action == UP else "Thanks, noted: that answer missed."
    await _ephemeral(interaction, thanks)


def _question_of(interaction: discord.Interaction) -> str | None:
    from bot.discord_app.client import question_from_message

    return question_from_message(interaction.message) if interaction.message else None


def _item_for(bot: QABot, passage):
    """An AnswerItem showing a whole passage (no question needed)."""
    from bot.answer.answerer import AnswerItem
    from bot.answer.excerpt import Excerpt

    document = bot.service.index.corpus.documents[passage.doc_id]
    excerpt = Excerpt(passage.text, (), 0, len(passage.text))
    return AnswerItem(1, 0.0, 0.0, passage.doc_id, document.meta, passage, excerpt)


async def _ephemeral(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(
        text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )
