"""A cleaned HTML content tree to text and typed blocks (spans into that text).

Blocks are what passages are made of: paragraphs, headings, code (``pre``, kept
verbatim with its line breaks), tables (one row a line, cells joined by " | ")
and description-list entries (an API entry, an option, a glossary term: the
term line, then its description). Each block carries the heading path above it
(an entry's term counts as a heading inside its section) and the nearest
heading anchor (the heading's id, its section's id, or the entry term's id).

The walk is iterative, so deep nesting cannot exhaust the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from bot.documents.blockwriter import Frame, SectionWriter
from bot.documents.htmlclean import HEADINGS_CSS

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_INLINE = frozenset(
    """a abbr b bdi bdo big cite code data del dfn em font i ins kbd label mark nobr q s samp
    small span strike strong sub sup time tt u var wbr img""".split()
)
_LEAVES = frozenset({"p", "caption", "figcaption", "summary", "legend", "address"})
_BLOCK_CSS = "p, div, pre, table, ul, ol, dl, section, blockquote, " + HEADINGS_CSS
_SECTION_LEVELS = 4  # DocBook: div.sect1 > div.titlepage > div > div > h2
_SPACES = re.compile(r"\s+")
_WRAPPER_LEVELS = 3  # Sphinx: div.highlight-python > div.highlight > pre
_NO_LANGUAGE = frozenset({"default", "none", "text", "plain", "plaintext", "nohighlight", "txt"})


def collapsed(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


@dataclass
class Emitter(SectionWriter):
    """Builds the page text block by block; ``blocks`` index into ``text()``."""

    inline: list[str] = field(default_factory=list)

    def add(  # type: ignore[override]
        self, text: str, kind: str, level: int = 0, title: str = "", language: str | None = None
    ) -> None:
        self.write_here(text, kind, level, title, language)

    def flush(self) -> None:
        if self.inline:
            text = collapsed("".join(self.inline))
            self.inline = []
            if text:
                self.add(text, "text")

    # ------------------------------------------------------------------ structure

    def heading(self, node: LexborNode, level: int) -> None:
        title = collapsed(node.text())
        if not title:
            return
        while self.frames and self.frames[-1].level >= level and not self.frames[-1].entry:
            self.frames.pop()
        self.frames.append(Frame(level, title, heading_anchor(node)))
        self.add("#" * level + " " + title, "heading", level, title)

    def open_entry(self, terms: list[LexborNode]) -> None:
        signature = ", ".join(t for t in (collapsed(term.text()) for term in terms) if t)
        anchor = next((a for a in map(_own_anchor, terms) if a), None)
        self.push_entry(signature, anchor)
        if signature:
            self.add(signature, "entry")

    def close_entry(self) -> None:
        self.flush()
        self.pop_entry()


def emit(root: LexborNode) -> Emitter:
    """Walk the content tree once, depth first, and emit its blocks."""
    out = Emitter()
    stack: list[tuple[str, object]] = [("node", root)]
    while stack:
        action, value = stack.pop()
        if action == "flush":
            out.flush()
        elif action == "open":
            out.flush()
            out.open_entry(value)  # type: ignore[arg-type]
        elif action == "close":
            out.close_entry()
        else:
            _visit(value, out, stack)  # type: ignore[arg-type]
    out.flush()
    return out


def _visit(node: LexborNode, out: Emitter, stack: list[tuple[str, object]]) -> None:
    tag = node.tag
    if tag == "-text":
        out.inline.append(node.text(deep=False))
        return
    if tag in _INLINE:
        if node.css_first(_BLOCK_CSS) is None:
            out.inline.append(node.text())
            return
    elif tag in _HEADINGS:
        out.flush()
        out.heading(node, _HEADINGS[tag])
        return
    elif tag == "pre":
        out.flush()
        code = node.text().strip("\n").rstrip()
        if code.strip():
            out.add(code, "code", language=code_language(node))
        return
    elif tag in _LEAVES:
        out.flush()
        text = collapsed(flow_text(node))
        if text:
            out.add(text, "text")
        return
    elif tag == "table" and not _layout_table(node):
        out.flush()
        text = table_text(node)
        if text:
            out.add(text, "table")
        return
    elif tag == "dl" and (out.entries_open == 0 or node.css_first("dt[id]") is not None):
        out.flush()
        _push_entries(node, stack)
        return
    elif tag in ("dt", "hr"):
        out.flush()
        text = collapsed(node.text())
        if text:
            out.add(text, "text")
        return
    # A container: its inline runs are blocks of their own, ended at its end.
    out.flush()
    stack.append(("flush", None))
    stack.extend(("node", child) for child in reversed(list(node.iter(include_text=True))))


def code_language(pre: LexborNode) -> str | None:
    """The language a ``pre`` names, by the conventions of the common generators.

    ``class="language-x"`` or ``lang-x`` on the ``pre``, its ``code`` or a wrapper
    (highlight.js, Prism, MkDocs, Jekyll's Rouge, Docusaurus), ``data-lang`` (Hugo),
    ``highlight-x`` on a wrapper (Sphinx), ``sourceCode x`` (Pandoc). None when
    the source names none, or only a placeholder ("default", "text", "none").
    """
    inner = pre.css_first("code")
    nodes = [pre] + ([inner] if inner is not None else [])
    ancestor = pre.parent
    for _ in range(_WRAPPER_LEVELS):
        if ancestor is None or ancestor.tag in ("body", "html"):
            break
        nodes.append(ancestor)
        ancestor = ancestor.parent
    for node in nodes:
        attributes = node.attributes
        found = _class_language((attributes.get("class") or "").split()) or attributes.get(
            "data-lang"
        )
        if found:
            language = found.strip().lower()
            return None if language in _NO_LANGUAGE else language
    return None


def _class_language(classes: list[str]) -> str | None:
    for name in classes:
        for prefix in ("language-", "lang-", "highlight-source-", "highlight-"):
            if name.startswith(prefix) and len(name) > len(prefix):
                return name[len(prefix) :]
    if "sourceCode" in classes:
        return next((c for c in classes if c not in ("sourceCode", "numberSource")), None)
    return None


def _push_entries(dl: LexborNode, stack: list[tuple[str, object]]) -> None:
    """An entry is a run of terms and the descriptions after them."""
    actions: list[tuple[str, object]] = []
    terms: list[LexborNode] = []
    in_entry = False
    for child in _dl_items(dl):
        if child.tag == "dt":
            if in_entry and not terms:
                actions.append(("close", None))
                in_entry = False
            terms.append(child)
        elif child.tag == "dd":
            if terms:
                actions.append(("open", terms))
                terms, in_entry = [], True
            actions.append(("node", child))
    if terms:  # terms without a description
        actions.append(("open", terms))
        in_entry = True
    if in_entry:
        actions.append(("close", None))
    stack.extend(reversed(actions))


def _dl_items(dl: LexborNode) -> list[LexborNode]:
    items = []
    for child in dl.iter():
        if child.tag == "div":  # HTML allows dt/dd groups wrapped in a div
            items.extend(grand for grand in child.iter() if grand.tag in ("dt", "dd"))
        elif child.tag in ("dt", "dd"):
            items.append(child)
    return items


def _layout_table(table: LexborNode) -> bool:
    """A table used to lay out the page (it holds headings, code or tables), not data."""
    if table.css_first(f"pre, {HEADINGS_CSS}") is not None:
        return True
    return any(inner.mem_id != table.mem_id for inner in table.css("table"))


def table_text(table: LexborNode) -> str:
    rows = []
    caption = table.css_first("caption")
    if caption is not None:
        rows.append(collapsed(caption.text()))
    for row in table.css("tr"):
        cells = [collapsed(flow_text(c)) for c in row.iter() if c.tag in ("td", "th")]
        line = " | ".join(c for c in cells if c)
        if line:
            rows.append(line)
    return "\n".join(r for r in rows if r)


def flow_text(node: LexborNode) -> str:
    """The text of ``node`` with its block children kept apart by a space."""
    pieces = []
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            pieces.append(child.text(deep=False))
        elif child.tag in _INLINE:
            pieces.append(child.text())
        else:
            pieces.append(" " + child.text() + " ")
    return "".join(pieces)


def heading_anchor(node: LexborNode) -> str | None:
    """The heading's id, an anchor inside it, or the id of the section it opens (an
    ancestor, a few levels up at most, whose first heading it is)."""
    own = _own_anchor(node)
    if own:
        return own
    ancestor = node.parent
    for _ in range(_SECTION_LEVELS):
        if ancestor is None or ancestor.tag in ("body", "html"):
            return None
        first = ancestor.css_first(HEADINGS_CSS)
        if first is None or first.mem_id != node.mem_id:
            return None
        if ancestor.attributes.get("id"):
            return ancestor.attributes["id"]
        ancestor = ancestor.parent
    return None


def _own_anchor(node: LexborNode) -> str | None:
    if node.attributes.get("id"):
        return node.attributes["id"]
    inner = node.css_first("[id], a[name]")
    if inner is None:
        return None
    return inner.attributes.get("id") or inner.attributes.get("name") or None
