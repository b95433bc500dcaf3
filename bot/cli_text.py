"""Answers as the command line shows them: JSON for programs, text for terminals.

The Discord rendering (embeds, buttons, markdown escapes) lives in
``bot.answer.render``; the CLI has its own wording here, pointing at what a
terminal user has (``qabot index``), not at Discord's commands or buttons.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from bot.answer.answerer import NOT_FOUND, REFUSED_EMPTY, REFUSED_TOO_LONG, Answer, AnswerItem
from bot.answer.excerpt import Excerpt
from bot.answer.fences import fence_language, segments

# Control characters (ANSI escapes...) in a document must not drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def answer_json(answer: Answer, question: str | None = None) -> dict:
    """The documented JSON shape of an answer.

    ``question`` is the question as asked (cleaned, never cut), echoed whole
    even when it was refused for its length.
    """
    asked = answer.question if question is None else question
    data: dict = {
        "question": asked,
        "answered": answer.answered,
        "refused": None if answer.answered else (answer.refusal or NOT_FOUND),
    }
    if answer.refusal == REFUSED_TOO_LONG:
        data["question_chars"] = len(asked)
        data["max_question_chars"] = answer.limit
    data["results"] = [_result_json(item) for item in answer.items]
    return data


def _result_json(item: AnswerItem) -> dict:
    meta = item.meta
    return {
        "rank": item.rank,
        "score": round(item.score, 4),
        "source": item.doc_id,
        "title": meta.title,
        "publisher": publisher(item),
        "author": meta.author,
        "date": meta.date,
        "url": item.link,
        "section": item.passage.section,
        "paragraph": item.passage.paragraph,
        "passage": item.passage.text,
        "excerpt": item.excerpt.text,
        "highlights": [list(span) for span in item.excerpt.highlights],
        "code": [
            {"start": c.start, "end": c.end, "language": c.language} for c in item.excerpt.code
        ],
    }


def answer_text(answer: Answer, question: str | None = None) -> str:
    """Every result: its excerpt with **highlights**, then where it comes from."""
    if not answer.answered:
        return refusal_text(answer, question)
    return "\n\n".join(result_text(item) for item in answer.items)


def result_text(item: AnswerItem, whole: bool = False) -> str:
    """One result: title, attribution (and url), then the excerpt or the whole passage.

    Prose is quoted, its highlights in **bold**; code is printed verbatim between
    ``` lines, flush left, so that it can be copied as it is.
    """
    excerpt = item.excerpt
    if whole:
        passage = item.passage
        excerpt = Excerpt(passage.text, (), 0, len(passage.text), passage.code)
    lines = [
        f"[{item.rank}] {item.meta.title}",
        f"    {attribution(item)} (score {item.score:.2f})",
    ]
    if item.link:
        lines.append(f"    {item.link}")
    for start, end, code in segments(excerpt.text, excerpt.code):
        if code is None:
            lines.append(f"    “{_bold(excerpt, start, end)}”")
        else:
            lines += ["```" + fence_language(code.language), excerpt.text[start:end], "```"]
    return _printable("\n".join(lines))


def _bold(excerpt: Excerpt, start: int, end: int) -> str:
    """``excerpt.text[start:end]`` with its highlights in **bold**."""
    text, cursor, quoted = excerpt.text, start, ""
    for low, high in excerpt.highlights:
        if start <= low and high <= end:
            quoted += text[cursor:low] + "**" + text[low:high] + "**"
            cursor = high
    return quoted + text[cursor:end]


def attribution(item: AnswerItem) -> str:
    """'WIRED · Jane Doe · 2026-02-15 · Paragraph 8 · article.txt'.

    A document without metadata has its file name as publisher; it is shown once.
    """
    meta = item.meta
    parts = [part for part in (publisher(item), meta.author, meta.date and meta.date[:10]) if part]
    parts += [item.location, item.doc_id]
    return " · ".join(parts)


def publisher(item: AnswerItem) -> str | None:
    """The document's publisher; None when it is only the file name standing in for one."""
    source = item.meta.source
    return None if source == PurePosixPath(item.doc_id).name else source


def refusal_text(answer: Answer, question: str | None = None) -> str:
    """Why there is no answer, and what to try at a terminal."""
    if answer.refusal == REFUSED_EMPTY:
        return "Ask a question about the documents; `qabot index` lists the ones there are."
    if answer.refusal == REFUSED_TOO_LONG:
        size = f"{len(question)} characters" if question else "too many characters"
        return (
            f"That question is too long: {size}, and the limit is {answer.limit} "
            "(answer.max_question_chars). Ask about one thing at a time."
        )
    return (
        "I couldn't find that in the documents. They may not cover it; try other "
        "words, or see what they hold with `qabot index`."
    )


def _printable(text: str) -> str:
    return _CONTROL.sub("", text)
