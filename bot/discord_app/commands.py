"""Slash commands and the "Ask the docs" context menu: thin wrappers over the service.

``/ask`` and the context menu go through the one admission path
(:mod:`bot.discord_app.admission`). Admin commands check the member's permission
in the handler too, not only through Discord's default command permissions
(which a server can override).
"""

from __future__ import annotations

import logging
import re
import time

import discord
from discord import app_commands

from bot import __version__
from bot.answer.render import (
    MAX_CONTENT,
    MAX_EMBED_DESCRIPTION,
    escape,
    is_web_url,
    plural,
    truncate,
)
from bot.discord_app import texts
from bot.discord_app.admission import Request
from bot.discord_app.answering import Answering, interaction_say
from bot.discord_app.buttons import render_answer
from bot.documents.corpus import CorpusError

log = logging.getLogger(__name__)
MAX_CHOICES = 25
MAX_CHOICE_CHARS = 100
_DOCUMENT_NUMBER = re.compile(r"#(\d{1,9})", re.ASCII)


def register_commands(tree: app_commands.CommandTree, bot: Answering) -> None:

    @tree.command(name="ask", description="Ask a question about the documents")
    @app_commands.describe(question="Your question", private="Only you see the answer")
    async def ask(interaction: discord.Interaction, question: str, private: bool = False) -> None:
        await answer_interaction(bot, interaction, question, private, "slash")

    @tree.context_menu(name="Ask the docs")
    async def ask_the_docs(interaction: discord.Interaction, message: discord.Message) -> None:
        await answer_interaction(bot, interaction, message.content, False, "context-menu")

    @tree.command(name="sources", description="List the documents I answer from")
    async def sources(interaction: discord.Interaction) -> None:
        corpus = bot.service.index.corpus
        lines = [
            f"• **{escape(truncate(d.meta.title, 120))}** — `{truncate(d.doc_id, 80)}` · "
            f"{plural(d.passage_count, 'passage')}"
            for d in corpus.documents.values()
        ]
        description = _fit_lines(lines, MAX_EMBED_DESCRIPTION)
        embed = discord.Embed(
            title=f"{plural(len(corpus.documents), 'document')}, "
            f"{plural(len(corpus.passages), 'passage')}",
            description=description,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @tree.command(name="source", description="Show one document's details")
    @app_commands.describe(document="The document (start typing its title or file name)")
    async def source(interaction: discord.Interaction, document: str) -> None:
        found = resolve_document(bot, document)
        if found is None:
            name = escape(truncate(document, 100))
            await interaction.response.send_message(
                texts.NO_SUCH_DOCUMENT.format(name=name), ephemeral=True
            )
            return
        meta = found.meta
        url = meta.url if is_web_url(meta.url) else None  # Discord refuses other URLs
        embed = discord.Embed(title=truncate(meta.title, 256), url=url)
        embed.add_field(name="File", value=truncate(escape(found.doc_id), 1024), inline=False)
        embed.add_field(name="Source", value=truncate(escape(meta.source), 1024))
        if meta.author:
            embed.add_field(name="Author", value=truncate(escape(meta.author), 1024))
        if meta.date:
            embed.add_field(name="Date", value=meta.date[:64])
        embed.add_field(name="Passages", value=str(found.passage_count))
        if url:
            embed.add_field(name="Link", value=truncate(url, 1024), inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @source.autocomplete("document")
    async def source_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return document_choices(bot, current)

    @tree.command(name="help", description="How to ask me questions")
    async def help_command(interaction: discord.Interaction) -> None:
        user = interaction.client.user
        name = user.name if user else "bot"
        await interaction.response.send_message(texts.HELP.format(name=name), ephemeral=True)

    @tree.command(name="about", description="What I hold and how long I've been up")
    async def about(interaction: discord.Interaction) -> None:
        index = bot.service.index
        embed = discord.Embed(title="qabot", description=texts.ABOUT_DESCRIPTION)
        embed.add_field(name="Documents", value=str(len(index.corpus.documents)))
        embed.add_field(name="Passages", value=str(len(index.corpus.passages)))
        embed.add_field(name="Vocabulary", value=f"{index.vocabulary_size} terms")
        embed.add_field(name="Index built in", value=f"{index.build_seconds:.2f} s")
        embed.add_field(name="Uptime", value=_duration(time.monotonic() - bot.service.started))
        embed.add_field(name="Version", value=__version__)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @tree.command(name="reload", description="Re-read the documents (admins only)")
    @app_commands.default_permissions(manage_guild=True)
    async def reload(interaction: discord.Interaction) -> None:
        if not is_admin(bot, interaction):
            await interaction.response.send_message(texts.ADMINS_ONLY, ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            async with bot.gate.tracked():
                report = await bot.service.reload()
        except Exception as exc:  # the old index stays in service
            if isinstance(exc, (CorpusError, OSError)):  # the documents' fault: one line
                log.error("reload failed: %s", exc)
            else:
                log.exception("reload failed")
            await interaction.followup.send(
                truncate(texts.RELOAD_FAILED.format(error=exc), MAX_CONTENT),
                ephemeral=True,
            )
            return
        lines = [
            texts.RELOADED.format(
                documents=plural(report.documents, "document"),
                passages=plural(report.passages, "passage"),
                seconds=report.seconds,
            )
        ]
        if report.removed:
            lines.append(texts.RELOAD_REMOVED.format(count=len(report.removed)))
            lines += [f"• `{_code(truncate(doc_id, 100))}`" for doc_id in report.removed]
        if report.skipped:
            lines.append(texts.RELOAD_SKIPPED.format(count=len(report.skipped)))
            lines += [
                f"• `{_code(truncate(s.path, 100))}`: {escape(s.reason)}" for s in report.skipped
            ]
        await interaction.followup.send(_fit_lines(lines, MAX_CONTENT), ephemeral=True)
        log.info(
            "reload by admin: %d documents, %d passages, %d skipped, %d removed",
            report.documents,
            report.passages,
            len(report.skipped),
            len(report.removed),
        )

    @tree.error
    async def on_error(interaction: discord.Interaction, error: app_commands.AppCommandError):
        log.error(
            "command %s failed: %s",
            interaction.command and interaction.command.name,
            error,
            exc_info=error,
        )
        await interaction_say(interaction)(texts.ERROR)


async def answer_interaction(
    bot: Answering, interaction: discord.Interaction, question: str, private: bool, via: str
) -> None:
    """Admit or refuse; then defer at once (answering may take longer than 3 s on a big
    corpus) and follow up."""
    started = time.perf_counter()

    async def work() -> None:
        await interaction.response.defer(ephemeral=private, thinking=True)
        answer = await bot.service.answer(question)
        kwargs = render_answer(bot, answer)
        sent = await interaction.followup.send(ephemeral=private, wait=True, **kwargs)
        bot.log_question(interaction.guild, interaction.channel, started, answer, via)
        if sent is not None:
            bot.remember(sent.id, answer)

    await bot.admit(Request.of_interaction(interaction, via), interaction_say(interaction), work)


def is_admin(bot: Answering, interaction: discord.Interaction) -> bool:
    user = interaction.user
    if not isinstance(user, discord.Member):
        return False  # reload is a server admin's command, never from a DM
    return bool(getattr(user.guild_permissions, bot.config.discord.admin_permission, False))


def document_choices(bot: Answering, current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 documents whose file name or title contains what was typed."""
    needle = current.casefold().strip()
    choices = []
    for number, document in enumerate(bot.service.index.corpus.documents.values()):
        haystack = f"{document.doc_id} {document.meta.title}".casefold()
        if needle and needle not in haystack:
            continue
        value = document.doc_id if len(document.doc_id) <= MAX_CHOICE_CHARS else f"#{number}"
        name = truncate(f"{document.meta.title} ({document.doc_id})", MAX_CHOICE_CHARS)
        choices.append(app_commands.Choice(name=name, value=value))
        if len(choices) == MAX_CHOICES:
            break
    return choices


def resolve_document(bot: Answering, value: str):
    """A document of the loaded corpus by id, by "#n", or by exact title; never a file path.

    Nothing here touches the file system: a crafted value such as
    ``../../etc/passwd`` or a URL simply matches no document.
    """
    documents = bot.service.index.corpus.documents
    if value in documents:
        return documents[value]
    numbered = _DOCUMENT_NUMBER.fullmatch(value)  # ASCII digits only: "#²" is no number
    if numbered:
        number = int(numbered.group(1))
        return list(documents.values())[number] if number < len(documents) else None
    matches = [d for d in documents.values() if d.meta.title.casefold() == value.casefold()]
    return matches[0] if len(matches) == 1 else None


def _fit_lines(lines: list[str], limit: int) -> str:
    out: list[str] = []
    used = 0
    for number, line in enumerate(lines):
        tail = f"…and {len(lines) - number} more"
        if used + len(line) + 1 + len(tail) > limit:
            out.append(tail)
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out) or "(none)"


def _code(text: str) -> str:
    """Text for inside `backticks` (a backtick in a file name would end the code span)."""
    return text.replace("`", "ˋ")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return (f"{days}d " if days else "") + f"{hours}h {minutes}m {secs}s"
