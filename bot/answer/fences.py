"""Code in Discord Markdown: fenced blocks that a document cannot break out of.

Discord closes a code block at the first ```` ``` ```` after it opens, whatever
the opening fence's length (longer fences are not Markdown there), so a run of
three or more backticks inside the code is broken with a zero-width space
between each two backticks: it reads the same and cannot close the fence. Nothing
else is changed inside a fence: Markdown is not parsed there (a backslash would
show), mentions are not rendered there, and embeds never ping anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.documents.passages import CodeSpan

ZERO_WIDTH_SPACE = "\u200b"
_BACKTICK_RUN = re.compile(r"`{3,}")
# The info string Discord reads after ```: a highlight.js language name.
_LANGUAGE = re.compile(r"[a-z0-9_+\-.]{1,32}")
# Generators' names for languages highlight.js knows by another one.
_ALIASES = {
    "python3": "python",
    "py3": "python",
    "ipython3": "python",
    "pycon": "python",
    "shell-session": "console",
    "sh-session": "console",
    "c#": "csharp",
    "c++": "cpp",
}


def fence_language(language: str | None) -> str:
    """The language for the fence's info string ("" when none, or not one Discord reads)."""
    if not language:
        return ""
    name = _ALIASES.get(language.lower(), language.lower())
    return name if _LANGUAGE.fullmatch(name) else ""


def safe_code(code: str) -> str:
    """``code`` with every run of 3+ backticks broken, so it cannot close a fence."""
    return _BACKTICK_RUN.sub(lambda m: ZERO_WIDTH_SPACE.join(m.group(0)), code)


def fence(code: str, language: str | None) -> str:
    """``code`` as a fenced block, exactly (line breaks, indentation), its language named."""
    return f"```{fence_language(language)}\n{safe_code(code)}\n```"


def fence_within(code: str, language: str | None, limit: int) -> str:
    """The fenced block of ``code``'s first whole lines that fits in ``limit`` ("" if none)."""
    lines = code.split("\n")
    while lines:
        block = fence("\n".join(lines), language)
        if len(block) <= limit and "\n".join(lines).strip():
            return block
        lines.pop()
    return ""


def segments(text: str, code: tuple[CodeSpan, ...]) -> Iterator[tuple[int, int, CodeSpan | None]]:
    """``text`` as (start, end, code span or None for prose), in order, prose trimmed
    of the line breaks that set the code apart."""
    cursor = 0
    for span in code:
        yield from _prose(text, cursor, span.start)
        yield span.start, span.end, span
        cursor = span.end
    yield from _prose(text, cursor, len(text))


def _prose(text: str, start: int, end: int) -> Iterator[tuple[int, int, None]]:
    while start < end and text[start] == "\n":
        start += 1
    while end > start and text[end - 1] == "\n":
        end -= 1
    if end > start:
        yield start, end, None
