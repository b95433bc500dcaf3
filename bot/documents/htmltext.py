"""Visible text of an HTML page, as Markdown-like lines the passage splitter understands.

Headings become ``#`` lines (so they name sections), block elements become
paragraph breaks, and script, style and other invisible content is dropped.
``html.parser`` is not recursive, so deep nesting cannot exhaust the stack.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_INVISIBLE = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe"})
_BLOCKS = frozenset(
    """
    p div section article main header footer aside nav li ul ol dl dt dd table tr td th
    blockquote pre figure figcaption form fieldset address hr br
    """.split()
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
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


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.hidden_depth = 0
        self.heading_level = 0
        self.title_parts: list[str] = []
        self.in_title = False
        self.meta: dict[str, str] = {}
        # Heading anchors: the line index of each heading with an id, and that id (its
        # own, an <a id|name> inside it, or that of an element opened just before it).
        self.anchors: dict[int, str] = {}
        self.heading_anchor = ""
        self.pending_id = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k.lower(): (v or "") for k, v in attrs}
        if tag == "title":
            self.in_title = True
        elif tag == "meta":
            name = (attributes.get("name") or attributes.get("property") or "").lower()
            if name in _META_FIELDS and attributes.get("content"):
                self.meta.setdefault(_META_FIELDS[name], attributes["content"].strip())
        elif (
            tag == "link"
            and attributes.get("rel", "").lower() == "canonical"
            and attributes.get("href")
        ):
            self.meta.setdefault("url", attributes["href"])
        ident = attributes.get("id") or (attributes.get("name", "") if tag == "a" else "")
        if tag in _INVISIBLE:
            self.hidden_depth += 1
        elif tag in _HEADINGS:
            self.flush()
            self.heading_level = _HEADINGS[tag]
            self.heading_anchor = ident.strip() or self.pending_id
        elif tag in _BLOCKS:
            self.flush()
        if ident.strip() and not self.hidden_depth and tag not in _HEADINGS:
            if self.heading_level:
                self.heading_anchor = self.heading_anchor or ident.strip()
            elif not self.pending_id and not "".join(self.current).strip():
                self.pending_id = ident.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _INVISIBLE:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in _HEADINGS or tag in _BLOCKS:
            self.flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("meta", "link") and tag in _INVISIBLE:
            self.hidden_depth = max(0, self.hidden_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.hidden_depth:
            return
        self.current.append(data)

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        self.current = []
        if text:
            if self.heading_level:
                text = "#" * self.heading_level + " " + text.lstrip("#")
                if self.heading_anchor:
                    self.anchors[len(self.lines)] = self.heading_anchor
            self.lines.append(text)
            self.pending_id = ""
        self.heading_level = 0
        self.heading_anchor = ""


def html_to_text(html: str) -> tuple[str, dict[str, str]]:
    """Return the page's visible text (blocks separated by blank lines) and its metadata."""
    text, meta, _ = html_to_text_with_anchors(html)
    return text, meta


def html_to_text_with_anchors(html: str) -> tuple[str, dict[str, str], dict[int, str]]:
    """``html_to_text``, and the anchor (id) of each heading, by its offset in the text."""
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    parser.flush()
    meta = dict(parser.meta)
    title = re.sub(r"\s+", " ", "".join(parser.title_parts)).strip()
    if title:
        meta.setdefault("title", title)
    offsets, position = {}, 0
    for index, line in enumerate(parser.lines):
        if index in parser.anchors:
            offsets[position] = parser.anchors[index]
        position += len(line) + 2
    return "\n\n".join(parser.lines), meta, offsets
