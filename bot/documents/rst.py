"""A reStructuredText file to its rendered text, typed blocks and metadata, via docutils.

docutils gives no exact character offsets into the source, so the document text
is the plain text built here from the doctree (a section's title, a paragraph's
words with roles rendered as their text, code verbatim, a table one row a line
with cells joined by " | "), and every span, hence every quote, is exact to that
text. Sections are headings (the heading path, each with its id as anchor, the
one docutils and Sphinx give the section); a literal or code block is code, whole,
with its language where the source names it; an admonition is one passage under
its label; definition lists, field lists, option lists and Sphinx object
descriptions are entries (term, then description). Sphinx roles and directives
are known (bot.documents.rstsphinx); the error node docutils makes for any other
is dropped, its content kept where it is prose.

The parser is configured so that nothing from a file runs or is read: no
``include``, no ``raw``, no file insertion, no docutils.conf from the file system,
and no message is written anywhere (a broken file still becomes what docutils
could read of it).
"""

from __future__ import annotations

import textwrap

from docutils import nodes
from docutils.core import publish_doctree

from bot.documents import rstsphinx
from bot.documents.htmlblocks import collapsed
from bot.documents.passages import Block
from bot.documents.textbuild import TextBuilder

SETTINGS = {
    "_disable_config": True,  # never read docutils.conf files from the file system
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "report_level": 5,  # no message is reported ...
    "halt_level": 5,  # ... nor stops the parse
    "warning_stream": False,  # ... nor is written anywhere
    "doctitle_xform": False,  # the page title stays a section: the heading path's head
    "sectsubtitle_xform": False,
    "docinfo_xform": False,
    "syntax_highlight": "none",
    "smart_quotes": False,
    "input_encoding": "unicode",
    "output_encoding": "unicode",
    "traceback": True,  # an exception reaches the loader, which skips the file with it
}
_META_FIELDS = frozenset(
    """author authors date copyright version revision status organization contact address
    orphan tocdepth nocomments nosearch title description keywords""".split()
)
_ADMONITION_LABELS = {
    "attention": "Attention",
    "caution": "Caution",
    "danger": "Danger",
    "error": "Error",
    "hint": "Hint",
    "important": "Important",
    "note": "Note",
    "tip": "Tip",
    "warning": "Warning",
}
_UNKNOWN_DIRECTIVE = 'Unknown directive type "'
_MAX_REPARSE_DEPTH = 3
_CODE_CLASSES = frozenset({"code", "literal-block", "highlight"})


def rst_page(source: str) -> tuple[str, tuple[Block, ...], dict[str, object]]:
    """The rendered text, blocks and metadata (author, date...) of an .rst file."""
    document = _parse(source)
    meta = _file_meta(document)
    walker = _Walker()
    walker.children(document)
    return walker.out.text(), tuple(walker.out.blocks), meta


def _parse(source: str) -> nodes.document:
    return publish_doctree(source, settings_overrides=SETTINGS)


def _file_meta(document: nodes.document) -> dict[str, object]:
    """Bibliographic fields (``:author:``, ``:date:``) leading the file or its first
    section, and Sphinx's file-wide ones (``:orphan:``): metadata, removed from the text."""
    container: nodes.Element = document
    first = _first_body(container)
    if isinstance(first, nodes.section):
        first = _first_body(first)
    if not isinstance(first, nodes.field_list):
        return {}
    fields = {}
    for field in first.findall(nodes.field):
        name = field[0].astext().strip().lower()
        if name not in _META_FIELDS:
            return {}  # a field list of the text, not metadata
        fields[name] = collapsed(field[1].astext())
    first.parent.remove(first)
    meta: dict[str, object] = {}
    author = fields.get("author") or fields.get("authors")
    for key, value in (("author", author), ("date", fields.get("date"))):
        if value:
            meta[key] = value
    return meta


def _first_body(node: nodes.Element) -> nodes.Node | None:
    for child in node.children:
        if isinstance(child, (nodes.title, nodes.comment, nodes.target, nodes.system_message)):
            continue
        if isinstance(child, nodes.Invisible):
            continue
        return child
    return None


class _Walker:
    def __init__(self, depth: int = 0) -> None:
        self.out = TextBuilder()
        self.level = 0
        self.highlight: str | None = None
        self.reparse_depth = depth

    def children(self, node: nodes.Element) -> None:
        for child in node.children:
            self.visit(child)

    def visit(self, node: nodes.Node) -> None:  # noqa: C901 - one dispatch on node type
        out = self.out
        if isinstance(node, nodes.system_message):
            self.unknown_directive(node)
        elif isinstance(node, rstsphinx.language):
            self.highlight = node.get("language")
        elif isinstance(node, (nodes.Invisible, nodes.transition, nodes.image, nodes.raw)):
            return
        elif isinstance(node, nodes.section):
            self.section(node)
        elif isinstance(node, (nodes.literal_block, nodes.doctest_block, nodes.math_block)):
            out.add(node.astext().strip("\n").rstrip(), "code", language=self.language(node))
        elif isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            out.open_unit(lead_in=True)
            self.children(node)
            out.close_unit()
        elif isinstance(node, nodes.definition_list_item):
            terms = [inline_text(c) for c in node.children if isinstance(c, nodes.term)]
            classifiers = [inline_text(c) for c in node.children if isinstance(c, nodes.classifier)]
            self.entry(" : ".join([", ".join(terms), *classifiers]), node, nodes.definition)
        elif isinstance(node, nodes.field):
            self.entry(inline_text(node[0]), node, nodes.field_body)
        elif isinstance(node, nodes.option_list_item):
            self.entry(node[0].astext(), node, nodes.description)
        elif isinstance(node, rstsphinx.entry):
            out.open_entry(node.get("signature", ""), node.get("anchor"))
            self.children(node)
            out.close_entry()
        elif isinstance(node, nodes.Admonition):
            self.labelled(node, _label(node))
        elif isinstance(node, rstsphinx.labelled):
            self.labelled(node, node.get("label", ""))
        elif isinstance(node, nodes.table):
            out.add(table_text(node), "table")
        elif isinstance(node, nodes.line_block):
            out.add(collapsed(" ".join(inline_text(line) for line in node.findall(nodes.line))))
        elif isinstance(node, nodes.TextElement):
            out.add(inline_text(node))
        elif isinstance(node, nodes.Element):
            self.children(node)

    def section(self, node: nodes.section) -> None:
        self.level += 1
        title = next((c for c in node.children if isinstance(c, nodes.title)), None)
        ids = node.get("ids") or []
        if title is not None:
            self.out.heading(self.level, inline_text(title), ids[0] if ids else None)
        for child in node.children:
            if child is not title:
                self.visit(child)
        self.out.close_sections(self.level)
        self.level -= 1

    def entry(self, term: str, node: nodes.Element, body: type[nodes.Element]) -> None:
        self.out.open_entry(term)
        for child in node.children:
            if isinstance(child, body):
                self.children(child)
        self.out.close_entry()

    def labelled(self, node: nodes.Element, label: str) -> None:
        self.out.open_unit()
        self.out.add(label)
        for child in node.children:
            if not isinstance(child, nodes.title):
                self.visit(child)
        self.out.close_unit()

    def language(self, node: nodes.Element) -> str | None:
        if isinstance(node, nodes.doctest_block):
            return "pycon"
        if isinstance(node, nodes.math_block):
            return "latex"
        given = node.get("language")
        if given:
            return given
        classes = [c for c in node.get("classes", ()) if c not in _CODE_CLASSES]
        return classes[0] if classes else self.highlight

    def unknown_directive(self, node: nodes.system_message) -> None:
        """A directive docutils does not know: its content, where it is prose, parsed
        again on its own (the error node holds the directive's source)."""
        if self.reparse_depth >= _MAX_REPARSE_DEPTH or _UNKNOWN_DIRECTIVE not in node.astext():
            return
        block = next(iter(node.findall(nodes.literal_block)), None)
        if block is None:
            return
        lines = block.astext().splitlines()[1:]
        while lines and lines[0].strip().startswith(":"):  # the directive's options
            lines.pop(0)
        content = textwrap.dedent("\n".join(lines)).strip("\n")
        if not content.strip():
            return
        inner = _Walker(self.reparse_depth + 1)
        inner.highlight = self.highlight
        inner.children(_parse(content))
        text = inner.out.text()
        for block in inner.out.blocks:
            if block.kind != "heading":
                self.out.add(text[block.start : block.end], block.kind, language=block.language)


def _label(node: nodes.Element) -> str:
    """An admonition's label: its own title (``.. admonition:: Title``) or its kind."""
    title = next((c for c in node.children if isinstance(c, nodes.title)), None)
    if title is not None:
        return inline_text(title)
    return _ADMONITION_LABELS.get(node.tagname, node.tagname.title())


def inline_text(node: nodes.Node) -> str:
    """A text element's words as shown: roles as their text, references by their text,
    footnote references as [n], images by their alt text; whitespace collapsed."""
    pieces: list[str] = []
    stack: list[nodes.Node] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, nodes.Text):
            pieces.append(str(item))
        elif isinstance(item, nodes.problematic):
            pieces.append(rstsphinx.markup_text(item.astext()))
        elif isinstance(item, (nodes.footnote_reference, nodes.citation_reference)):
            pieces.append(f"[{item.astext()}]")
        elif isinstance(item, nodes.image):
            pieces.append(item.get("alt", ""))
        elif isinstance(item, (nodes.system_message, nodes.raw, nodes.comment)):
            continue
        elif isinstance(item, nodes.Element):
            stack.extend(reversed(item.children))
    return collapsed("".join(pieces))


def table_text(table: nodes.table) -> str:
    """One row a line, cells joined by " | ", the table's title first."""
    rows = []
    title = next((c for c in table.children if isinstance(c, nodes.title)), None)
    if title is not None:
        rows.append(inline_text(title))
    for row in table.findall(nodes.row):
        cells = [" ".join(inline_text(p) for p in cell.children) for cell in row.children]
        line = " | ".join(c for c in cells if c)
        if line:
            rows.append(line)
    return "\n".join(rows)
