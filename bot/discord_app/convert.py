"""Plain MessageSpec/EmbedSpec (from bot.answer.render) to discord.py objects."""

from __future__ import annotations

import discord

from bot.answer.render import EmbedSpec, MessageSpec

EMBED_COLOUR = discord.Colour.blurple()


def to_embed(spec: EmbedSpec) -> discord.Embed:
    embed = discord.Embed(
        title=spec.title or None,
        description=spec.description or None,
        url=spec.url,
        colour=EMBED_COLOUR,
    )
    for field in spec.fields:
        embed.add_field(name=field.name, value=field.value, inline=field.inline)
    if spec.footer:
        embed.set_footer(text=spec.footer)
    return embed


def message_kwargs(spec: MessageSpec) -> dict:
    """Keyword arguments for send/reply/followup: content and embeds, mentions off."""
    kwargs: dict = {"allowed_mentions": discord.AllowedMentions.none()}
    if spec.content:
        kwargs["content"] = spec.content
    if spec.embeds:
        kwargs["embeds"] = [to_embed(e) for e in spec.embeds]
    return kwargs
