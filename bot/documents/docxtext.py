"""A Word document (.docx) to text, typed blocks with heading paths, and metadata.

Read with python-docx (MIT, maintained, lxml underneath): the body in document
order. Paragraphs styled Heading 1-6 (and Title) become sections; a run of
list paragraphs is one block, an item a line ("- item", indented by its
level); a table is one block, a row a line with cells separated by " | " (a
merged cell once). The core properties give title, author and date.

A file that is not a readable Word package (corrupt, truncated, another
format renamed, or expanding to more than MAX_UNZIPPED_BYTES) is skipped
with the reason.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from bot.documents.blockwriter import BlockWriter, Extracted
from bot.documents.errors import UnreadableFile

# A zip bomb renamed .docx must not fill memory: what the package unpacks to, at most.
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
_HEADING = re.compile(r"heading ([1-6])$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def docx_to_text(data: bytes) -> Extracted:
    """The document's text, blocks and metadata; raise UnreadableFile with the reason."""
    _check_package(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            document = docx.Document(io.BytesIO(data))
            out = _body(document)
            meta = _meta(document)
        except UnreadableFile:
            raise
        except Exception as exc:  # noqa: BLE001 - any damage is a skip, never a crash
            reason = " ".join(str(exc).split())[:120] or type(exc).__name__
            raise UnreadableFile(f"corrupt Word file: {reason}") from None
    if not out.blocks:
        raise UnreadableFile("empty: no text in the file")
    return out.done(meta)


def _check_package(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            size = sum(info.file_size for info in package.infolist())
    except Exception as exc:  # noqa: BLE001 - BadZipFile, NotImplementedError (a zip
        # format version it cannot read), EOFError...: all a damaged file
        raise UnreadableFile(f"corrupt Word file: not a zip package ({exc})") from None
    if size > MAX_UNZIPPED_BYTES:
        raise UnreadableFile(
            f"Word file unpacks to {size:,} bytes (more than {MAX_UNZIPPED_BYTES:,})"
        )


def _body(document) -> BlockWriter:
    out = BlockWriter()
    stack: list[tuple[int, str]] = []
    items: list[str] = []

    def path() -> tuple[str, ...]:
        return tuple(title for _, title in stack)

    def flush_list() -> None:
        if items:
            out.add("\n".join(items), "text", path())
            items.clear()

    for part in document.iter_inner_content():
        if isinstance(part, Table):
            flush_list()
            out.add(_table(part), "table", path())
            continue
        if not isinstance(part, Paragraph):
            continue
        text = part.text.strip()
        level = _heading_level(part)
        if level and text:
            flush_list()
            title = _SPACES.sub(" ", text)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            out.add(text, "heading", path(), level=level)
            continue
        depth = _list_depth(part)
        if depth is not None and text:
            items.append("  " * depth + "- " + text)
            continue
        flush_list()
        out.add(text, "text", path())
    flush_list()
    return out


def _style_name(paragraph: Paragraph) -> str:
    style = paragraph.style
    return (style.name or "") if style is not None else ""


def _heading_level(paragraph: Paragraph) -> int:
    name = _style_name(paragraph)
    if name.lower() == "title":
        return 1
    match = _HEADING.match(name)
    return int(match.group(1)) if match else 0


def _list_depth(paragraph: Paragraph) -> int | None:
    """The item's nesting level (0 at the top) for a list paragraph, else None."""
    properties = paragraph._p.pPr
    numbering = properties.numPr if properties is not None else None
    if numbering is not None:
        level = numbering.ilvl
        return int(level.val) if level is not None and level.val is not None else 0
    return 0 if _style_name(paragraph).lower().startswith("list") else None


def _table(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per grid column
                continue
            seen.add(id(cell._tc))
            cells.append(_SPACES.sub(" ", cell.text).strip())
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _meta(document) -> dict[str, object]:
    properties = document.core_properties
    meta: dict[str, object] = {}
    for key, value in (
        ("title", properties.title),
        ("author", properties.author),
        ("date", properties.created or properties.modified),
    ):
        if isinstance(value, str):
            value = _SPACES.sub(" ", value).strip()
        if value:
            meta[key] = value
    return meta
