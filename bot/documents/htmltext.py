"""An HTML page to its main text, typed blocks and metadata, or "navigation page".

Parsed with selectolax (lexbor, an HTML5 parser with CSS selectors, in C): the
content is found and cleaned by bot.documents.htmlclean and turned into blocks
by bot.documents.htmlblocks. A page whose content is link lists (an index, a
table of contents) or a search form, with almost no prose of its own, is a
navigation page: it is reported, never indexed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from bot.documents.htmlblocks import collapsed, emit
from bot.documents.htmlclean import clean
from bot.documents.passages import Block, has_words, word_count

_META_FIELDS = {
    "author": "author",
    "article:author": "author",
    "og:site_name": "source",
    "publisher": "source",
    "article:published_time": "date",
    "date": "date",
    "og:url": "url",
    "og:title": "title",
}
# A page with less prose than this that lost link lists, or holds a search form,
# is a navigation page.
NAVIGATION_PROSE_WORDS = 30
# The HTML5 tree builder's cost grows with the square of the nesting depth; tags
# deeper than this are dropped (their text kept) before parsing.
MAX_DEPTH = 1_000
_CHUNK = 16_384
_TAG = re.compile(
    r"<(/?)(?!(?:area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b)"
    r"[a-zA-Z][^>]*>"
)


@dataclass(frozen=True)
class HtmlPage:
    text: str
    meta: dict[str, str]
    blocks: tuple[Block, ...]
    navigation: str | None = None  # why the page is only navigation, if it is


def html_to_text(
    html: str, content_selector: str | None = None, drop_selectors: tuple[str, ...] = ()
) -> HtmlPage:
    """The page's main text (blocks separated by blank lines), its blocks and metadata."""
    tree = LexborHTMLParser(_flatten_deep(html))
    meta = _meta(tree)
    cleaned = clean(tree, content_selector, drop_selectors)
    out = emit(cleaned.root)
    text = out.text()
    blocks = tuple(out.blocks)
    prose = " ".join(text[b.start : b.end] for b in blocks if b.kind != "heading")
    navigation = None
    if not has_words(prose, NAVIGATION_PROSE_WORDS):
        words = word_count(prose)
        if cleaned.search_form:
            navigation = f"navigation page, not indexed (a search form, {_count(words, 'word')})"
        elif cleaned.links and words < cleaned.link_words:
            links, prose_words = _count(cleaned.links, "link"), _count(words, "word")
            navigation = f"navigation page, not indexed ({links}, {prose_words} of text)"
    return HtmlPage(text, meta, blocks, navigation)


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _meta(tree: LexborHTMLParser) -> dict[str, str]:
    meta: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attributes = node.attributes
        name = (attributes.get("name") or attributes.get("property") or "").lower()
        content = (attributes.get("content") or "").strip()
        if name in _META_FIELDS and content:
            meta.setdefault(_META_FIELDS[name], content)
    for node in tree.css("link[rel][href]"):
        if (node.attributes.get("rel") or "").lower() == "canonical":
            meta.setdefault("url", node.attributes.get("href") or "")
            break
    title = tree.css_first("title")
    if title is not None and collapsed(title.text()):
        meta.setdefault("title", collapsed(title.text()))
    return meta


def _flatten_deep(html: str) -> str:
    """``html`` without the tags nested deeper than MAX_DEPTH (only a hostile page has
    any). A cheap bound comes first: tags opened minus closed, chunk by chunk."""
    depth = 0
    for start in range(0, len(html), _CHUNK):
        chunk = html[start : start + _CHUNK]
        closes = chunk.count("</")
        depth += chunk.count("<") - 2 * closes  # within a chunk it rises by ~3,000 at most
        if depth > MAX_DEPTH:
            break
    else:
        return html
    depth = 0

    def keep(match: re.Match[str]) -> str:
        nonlocal depth
        if match.group(1):
            depth -= 1
            return match.group(0) if depth < MAX_DEPTH else ""
        depth += 1
        return match.group(0) if depth <= MAX_DEPTH else ""

    return _TAG.sub(keep, html)
