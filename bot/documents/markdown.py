"""A Markdown page to its rendered text and typed blocks, parsed with markdown-it-py.

The document text is the page as a reader sees it rendered, not its source: a
heading's title, a paragraph's words without ``**``, backticks, link targets or
inline HTML tags, code verbatim, a table one row a line with cells joined by
" | ". Every block spans into that text, so a quote is
exact to it (and a text fragment link finds it on the published page). A ``#``
line inside fenced or indented code is code, never a heading; a fence's info
string names the code's language. ATX and setext headings build the heading path
(page title › section › subsection) and each gets the anchor its generator makes
(bot.documents.slugs). A list is one passage (with a lead-in line ending in ":"),
cut between items past the passage limit. HTML blocks are reduced to their text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from selectolax.lexbor import LexborHTMLParser

from bot.documents.htmlblocks import collapsed
from bot.documents.passages import Block
from bot.documents.slugs import Slugger, own_id
from bot.documents.textbuild import TextBuilder

_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_MDX_STATEMENT = re.compile(r"^(?:import|export)\s")
_INFO_LANGUAGE = re.compile(r"[{.]*([\w#+.-]+)")
_BREAK_TAG = re.compile(r"<br\s*/?>", re.I)


def markdown_page(
    body: str,
    title: str | None = None,
    anchors: str = "github",
    mdx: bool = False,
    description: str | None = None,
) -> tuple[str, tuple[Block, ...]]:
    """The rendered text of ``body`` (front matter already removed) and its blocks.

    ``title`` (front matter) heads the heading path of a page without a level-1
    heading, as the generators show it; ``description`` (front matter) is the
    page's first paragraph. ``mdx``: MDX ``import``/``export`` lines are code of the
    page, not text."""
    tokens = _PARSER.parse(body)
    out = TextBuilder()
    has_h1 = any(t.type == "heading_open" and t.tag == "h1" for t in tokens)
    if title and not has_h1:
        out.page_title(title)
    if description:
        out.add(description)
    _walk(tokens, out, Slugger(anchors), mdx)
    return out.text(), tuple(out.blocks)


def _walk(tokens: Sequence[Token], out: TextBuilder, slugger: Slugger, mdx: bool) -> None:
    index = 0
    row: list[str] = []
    rows: list[str] = []
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind == "heading_open":
            text, given = own_id(inline_text(tokens[index + 1]))
            text = collapsed(text)
            level = int(token.tag[1])
            out.heading(level, text, slugger.anchor(text, given))
            index += 3
            continue
        if kind == "inline":
            text = inline_text(token)
            if _in_cell(tokens, index):
                row.append(collapsed(text))
            elif not (mdx and _MDX_STATEMENT.match(text)):
                out.add(text.strip())
        elif kind in ("fence", "code_block"):
            language = _language(token.info) if kind == "fence" else None
            out.add(token.content.strip("\n").rstrip(), "code", language=language)
        elif kind == "html_block":
            out.add(html_text(token.content))
        elif kind in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            out.open_unit(lead_in=kind != "blockquote_open")
        elif kind in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            out.close_unit()
        elif kind == "table_open":
            rows = []
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            line = " | ".join(cell for cell in row if cell)
            if line:
                rows.append(line)
        elif kind == "table_close":
            out.add("\n".join(rows), "table")
        index += 1


def _in_cell(tokens: Sequence[Token], index: int) -> bool:
    return index > 0 and tokens[index - 1].type in ("th_open", "td_open")


def _language(info: str) -> str | None:
    """The language an info string names: ``python``, ``{.python}``, ``js title="a.js"``."""
    match = _INFO_LANGUAGE.match(info.strip())
    return match.group(1) if match else None


def inline_text(token: Token) -> str:
    """An inline token as read: text and code without markup, tags dropped, images by alt."""
    pieces: list[str] = []
    for child in token.children or ():
        kind = child.type
        if kind in ("text", "code_inline"):
            pieces.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            pieces.append(" ")
        elif kind == "image":
            pieces.append(inline_text(child))
        elif kind == "html_inline" and _BREAK_TAG.fullmatch(child.content.strip()):
            pieces.append(" ")
    return "".join(pieces)


def html_text(html: str) -> str:
    """An HTML block's text (MDX components and raw HTML in Markdown), collapsed."""
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style"):
        node.decompose()
    root = tree.body
    return collapsed(root.text(separator=" ")) if root is not None else ""
