"""Answers rendered as Discord messages (plain data, no discord import), within Discord's limits.

The Discord layer turns a ``MessageSpec`` into ``discord.Embed``; the CLI's
``chat`` prints ``as_text``. Every string that comes from a document or a user
is escaped here, so it cannot break markdown or ping anyone, and every field
is cut to its limit here, whatever the documents contain.

Code in an excerpt is shown as a fenced code block (bot.answer.fences), exactly
as the document has it: no escapes inside, highlights not shown there (bold is
not rendered in code), a long block cut between lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.answer.answerer import NOT_FOUND, REFUSED_EMPTY, REFUSED_TOO_LONG, Answer, AnswerItem
from bot.answer.excerpt import Excerpt
from bot.answer.fences import fence, fence_within, segments

# Discord's limits (see DISCORD_FACTS): one place, named, derived where they depend on each other.
MAX_CONTENT = 2000
MAX_EMBED_TITLE = 256
MAX_EMBED_DESCRIPTION = 4096
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_EMBED_TOTAL = 6000
MAX_EMBED_URL = 2048  # an embed's url (Discord refuses longer ones)
MAX_QUESTION_ECHO = 200  # how much of a question is repeated back in a footer
# The "Full passage" view keeps room in the description for the attribution line.
MAX_PASSAGE_DESCRIPTION = MAX_EMBED_DESCRIPTION - 200

_MARKDOWN = re.compile(r"([\\*_~`|>\[\]()<])")
_LINE_START = re.compile(r"^(\s*)([#\-+])", re.MULTILINE)
_UNESCAPE = re.compile(r"\\([\\*_~`|>\[\]()<#\-+.])")
_MENTION = re.compile(r"@(everyone|here|[!&]?\d{15,21})", re.IGNORECASE)
_LINK = re.compile(r"(https?)://", re.IGNORECASE)
ELLIPSIS = "…"


@dataclass
class EmbedField:
    name: str
    value: str
    inline: bool = True


@dataclass
class EmbedSpec:
    title: str = ""
    description: str = ""
    url: str | None = None
    fields: list[EmbedField] = field(default_factory=list)
    footer: str = ""

    def total_chars(self) -> int:
        return (
            len(self.title)
            + len(self.description)
            + len(self.footer)
            + sum(len(f.name) + len(f.value) for f in self.fields)
        )


@dataclass
class MessageSpec:
    content: str = ""
    embeds: list[EmbedSpec] = field(default_factory=list)


def escape(text: str) -> str:
    """Escape markdown and neutralise mentions and auto-links in untrusted text."""
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    text = _MENTION.sub("@\u200b\\1", text)
    return _LINK.sub("\\1\u200b://", text)


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    # Never end on a lone escape backslash (it would escape the ellipsis).
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def highlighted(excerpt: Excerpt, limit: int = MAX_EMBED_DESCRIPTION) -> str:
    """The excerpt, escaped, with matched words in **bold** and code fenced, cut to
    ``limit`` whole pieces (prose at a word, code between lines)."""
    out = ""
    for start, end, code in segments(excerpt.text, excerpt.code):
        out += "\n" if out else ""
        if code is not None:
            block = fence(excerpt.text[start:end], code.language)
            if len(out) + len(block) > limit:
                cut = fence_within(excerpt.text[start:end], code.language, limit - len(out) - 2)
                return (out + cut + "\n" + ELLIPSIS) if cut else _end_cut(out, limit)
            out += block
            continue
        for piece in _prose_pieces(excerpt, start, end):
            if len(out) + len(piece) > limit:
                if not piece.startswith("**"):
                    out += truncate(piece, limit - len(out))
                return out[:limit]
            out += piece
    return out


def _prose_pieces(excerpt: Excerpt, start: int, end: int) -> list[str]:
    """Escaped prose of ``excerpt.text[start:end]``, its highlights as **bold** pieces."""
    pieces: list[str] = []
    cursor = start
    for low, high in excerpt.highlights:
        if start <= low and high <= end:
            pieces.append(escape(excerpt.text[cursor:low]))
            pieces.append("**" + escape(excerpt.text[low:high]) + "**")
            cursor = high
    pieces.append(escape(excerpt.text[cursor:end]))
    return [piece for piece in pieces if piece]


def _end_cut(out: str, limit: int) -> str:
    """``out`` marked as cut, within ``limit``."""
    out = out.rstrip("\n")
    return out + ELLIPSIS if len(out) < limit else out


def attribution(item: AnswerItem) -> str:
    """'WIRED · 2026-02-15 · Paragraph 8', escaped.

    A document without a publisher has its file name as source: the Document
    field already shows it, so it is not repeated here.
    """
    named_by_file = item.meta.source == item.doc_id.rsplit("/", 1)[-1]
    parts = [] if named_by_file else [item.meta.source]
    if item.meta.author:
        parts.append(item.meta.author)
    if item.meta.date:
        parts.append(item.meta.date[:10])
    parts.append(item.location)
    return escape(" · ".join(parts))


def answer_embed(answer: Answer, item: AnswerItem) -> EmbedSpec:
    total = len(answer.items)
    embed = EmbedSpec(
        title=truncate(item.meta.title, MAX_EMBED_TITLE),
        url=embed_url(item),
        fields=[
            EmbedField("Source", truncate(attribution(item), MAX_FIELD_VALUE), inline=False),
            EmbedField("Document", truncate(escape(item.doc_id), MAX_FIELD_VALUE)),
        ],
        footer=truncate(
            f"Result {item.rank} of {total} · score {item.score:.2f} · Q: {answer.question}",
            min(MAX_FOOTER, MAX_QUESTION_ECHO + 40),
        ),
    )
    embed.description = highlighted(item.excerpt, _room(embed, MAX_EMBED_DESCRIPTION))
    return fit_embed(embed)


def passage_embed(item: AnswerItem) -> EmbedSpec:
    """The whole passage (for the "Full passage" button)."""
    embed = EmbedSpec(
        title=truncate(item.meta.title, MAX_EMBED_TITLE),
        url=embed_url(item),
        fields=[EmbedField("Source", truncate(attribution(item), MAX_FIELD_VALUE), inline=False)],
        footer=truncate(
            f"{item.doc_id} · characters {item.passage.start}–{item.passage.end}", MAX_FOOTER
        ),
    )
    whole = Excerpt(item.passage.text, (), 0, len(item.passage.text), item.passage.code)
    embed.description = highlighted(whole, _room(embed, MAX_PASSAGE_DESCRIPTION))
    return fit_embed(embed)


def _room(embed: EmbedSpec, limit: int) -> int:
    """The description's limit: ``limit``, or less where the rest of the embed leaves less."""
    return max(1, min(limit, MAX_EMBED_TOTAL - embed.total_chars()))


def embed_url(item: AnswerItem) -> str | None:
    """The title's link: page#anchor with the quote's text fragment when it fits
    Discord's limit, else page#anchor, else the page; None for a url Discord refuses."""
    for url in (item.link, item.page_link, item.meta.url):
        if is_web_url(url) and len(url or "") <= MAX_EMBED_URL:
            return url
    return None


def fit_embed(embed: EmbedSpec) -> EmbedSpec:
    """Shrink the description until the embed is within the 6000-character total."""
    excess = embed.total_chars() - MAX_EMBED_TOTAL
    if excess > 0:
        embed.description = truncate(embed.description, max(1, len(embed.description) - excess))
    return embed


def refusal_text(answer: Answer) -> str:
    """The short, friendly reply when there is no answer."""
    if answer.refusal == REFUSED_EMPTY:
        return "Ask me a question about the documents; `/sources` lists the ones I have."
    if answer.refusal == REFUSED_TOO_LONG:
        return (
            f"That question is too long for me: please keep it under {answer.limit} characters "
            "and ask about one thing at a time."
        )
    if answer.refusal == NOT_FOUND:
        return (
            "I couldn't find that in the documents. They may not cover it; "
            "try other words, or see what they hold with `/sources`."
        )
    return "I couldn't answer that."


def answer_message(answer: Answer, index: int = 0) -> MessageSpec:
    """The message for one result of an answer (the first by default), or a refusal."""
    if not answer.answered:
        return MessageSpec(content=truncate(refusal_text(answer), MAX_CONTENT))
    return MessageSpec(embeds=[answer_embed(answer, answer.items[index])])


def as_text(message: MessageSpec) -> str:
    """A message as it reads in Discord, for terminals: escapes resolved, **bold** kept."""
    lines = [_unescape(message.content)] if message.content else []
    for embed in message.embeds:
        lines.append(f"┃ {embed.title}" + (f"  <{embed.url}>" if embed.url else ""))
        lines.extend(f"┃ {line}" for line in _description_lines(embed.description))
        for item in embed.fields:
            lines.append(f"┃ {item.name}: {_unescape(item.value)}")
        if embed.footer:
            lines.append(f"┃ {embed.footer}")
    return "\n".join(lines)


def _description_lines(description: str) -> list[str]:
    """The description's lines as they read: escapes resolved outside code fences only."""
    lines, in_code = [], False
    for line in description.splitlines():
        if line.startswith("```"):
            in_code = not in_code
            lines.append(line)
        else:
            lines.append(line.replace("\u200b", "") if in_code else _unescape(line))
    return lines


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text).replace("\u200b", "")


def plural(count: int, word: str) -> str:
    """'1 passage', '2 passages'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def is_web_url(url: str | None) -> bool:
    """An http(s) URL Discord accepts as an embed's link."""
    return bool(url) and re.match(r"https?://[^\s<>]+$", url or "") is not None
