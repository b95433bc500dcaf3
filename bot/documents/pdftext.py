"""A PDF to text per page, typed blocks with their page and outline sections, metadata.

Read with pypdf (pure Python, BSD-3, actively maintained): each page's text as
drawn, with every fragment's position, so bot.documents.pdflayout can drop
running headers and footers, find paragraphs and join hyphenated words. The
outline (bookmarks), where the file has one, gives the sections: a bookmark's
title found as a line on its page becomes a heading there, else its section
starts at the top of that page. The info dictionary and XMP give title, author,
date and publisher.

A file is skipped, with the reason, when it has no text layer (a scan), is
encrypted with a password (the empty password is tried first, as viewers do) or
cannot be parsed; nothing a PDF holds can stop the corpus walk.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections import defaultdict

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from bot.documents.blockwriter import BlockWriter, Extracted
from bot.documents.errors import UnreadableFile
from bot.documents.pdflayout import Line, join_lines, paragraphs, strip_running

# pypdf logs each piece of damage it recovers from (as warnings and errors, a
# line per page and font); a file is either read or skipped with its reason, so
# those notes would only flood the bot's log.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)

NO_TEXT = "no text layer; OCR is not supported"
_PLACEHOLDERS = frozenset({"untitled", "anonymous", "unknown", "unspecified", "none"})
_NOT_WORD = re.compile(r"\W+")
_MAX_OUTLINE_DEPTH = 32


def pdf_to_text(data: bytes) -> Extracted:
    """The document's text, blocks (each with its page) and metadata; raise UnreadableFile."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            _unlock(reader)
            pages = [_page_lines(page) for page in reader.pages]
            boxes = [_box(page) for page in reader.pages]
        except UnreadableFile:
            raise
        except DependencyError:
            reason = "encrypted with AES; reading it needs the cryptography package"
            raise UnreadableFile(reason) from None
        except FileNotDecryptedError:
            raise UnreadableFile("encrypted (needs a password)") from None
        except Exception as exc:  # noqa: BLE001 - any damage is a skip, never a crash
            raise UnreadableFile(f"corrupt PDF: {_short(exc)}") from None
        if not any(line.text.strip() for lines in pages for line in lines):
            raise UnreadableFile(NO_TEXT)
        outline = _outline(reader)
        meta = _meta(reader)
    headings = [_heading_lines(lines, outline.get(i, ())) for i, lines in enumerate(pages)]
    keep = frozenset(
        id(lines[position])
        for lines, found in zip(pages, headings, strict=True)
        for position in found
        if position is not None
    )
    return _assemble(strip_running(pages, boxes, keep), outline, meta)


def _box(page) -> tuple[float, float]:
    box = page.mediabox
    return float(min(box.bottom, box.top)), float(max(box.bottom, box.top))


def _unlock(reader: PdfReader) -> None:
    if reader.is_encrypted and not reader.decrypt(""):
        raise UnreadableFile("encrypted (needs a password)")


def _page_lines(page) -> list[Line]:
    """The page's lines in drawing order, each at the position of its first fragment."""
    lines: list[Line] = []
    pieces: list[str] = []
    where: tuple[float, float, float] | None = None

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        nonlocal where
        if not text:
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        for index, part in enumerate(text.split("\n")):
            if index:
                lines.append(Line("".join(pieces), *(where or (x, y, size))))
                pieces.clear()
                where = None
            if part:
                if where is None and part.strip():
                    where = (x, y, float(size) * scale)
                pieces.append(part)

    page.extract_text(visitor_text=visit)
    if pieces:
        lines.append(Line("".join(pieces), *(where or (0.0, 0.0, 0.0))))
    return [line for line in lines if line.text.strip()]


def _outline(reader: PdfReader) -> dict[int, list[tuple[int, str]]]:
    """Page index -> (level, title) of the bookmarks pointing there, in outline order."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)

    def walk(items: list, level: int) -> None:
        if level > _MAX_OUTLINE_DEPTH:
            return
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            title = " ".join(str(getattr(item, "title", "") or "").split())
            page = reader.get_destination_page_number(item)
            if title and page is not None and page >= 0:
                found[page].append((level, title))

    try:
        walk(reader.outline, 1)
    except Exception:  # noqa: BLE001 - a damaged outline only costs the sections
        return {}
    return found


def _meta(reader: PdfReader) -> dict[str, object]:
    """Title, author, date and source from XMP, else the info dictionary."""
    meta: dict[str, object] = {}
    try:
        xmp = reader.xmp_metadata
        if xmp is not None:
            titles = xmp.dc_title or {}
            _put(meta, "title", titles.get("x-default") or next(iter(titles.values()), None))
            _put(meta, "author", ", ".join(xmp.dc_creator or ()))
            _put(meta, "source", ", ".join(xmp.dc_publisher or ()))
            _put(meta, "date", xmp.xmp_create_date)
    except Exception:  # noqa: BLE001 - malformed XMP: fall back to the info dictionary
        pass
    try:
        info = reader.metadata
        if info is not None:
            _put(meta, "title", info.title)
            _put(meta, "author", info.author)
            try:
                _put(meta, "date", info.creation_date)
            except Exception:  # noqa: BLE001 - a date pypdf cannot parse
                _put(meta, "date", info.creation_date_raw)
    except Exception:  # noqa: BLE001
        pass
    return meta


def _put(meta: dict[str, object], key: str, value: object) -> None:
    if key in meta or value is None:
        return
    if isinstance(value, str):
        value = " ".join(value.split())
        if not value or value.lower() in _PLACEHOLDERS:
            return
    meta[key] = value


def _assemble(
    pages: list[list[Line]], outline: dict[int, list[tuple[int, str]]], meta: dict[str, object]
) -> Extracted:
    out = BlockWriter()
    stack: list[tuple[int, str]] = []

    def enter(level: int, title: str) -> tuple[str, ...]:
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        return tuple(t for _, t in stack)

    for index, lines in enumerate(pages):
        number = index + 1
        starts = _heading_lines(lines, outline.get(index, ()))
        for level, title in starts.get(None, ()):
            enter(level, title)  # not on the page as a line: the section starts at its top
        run: list[Line] = []
        for position, line in enumerate(lines):
            heading = starts.get(position)
            if heading:
                _flush(out, run, stack, number)
                run = []
                for level, title in heading:
                    path = enter(level, title)
                out.add(line.text.strip(), "heading", path, level=stack[-1][0], page=number)
                continue
            run.append(line)
        _flush(out, run, stack, number)
    if not out.blocks:
        raise UnreadableFile(NO_TEXT)
    return out.done(meta)


def _flush(out: BlockWriter, run: list[Line], stack: list[tuple[int, str]], page: int) -> None:
    path = tuple(t for _, t in stack)
    for paragraph in paragraphs(run):
        out.add(join_lines(paragraph), "text", path, page=page)


def _heading_lines(
    lines: list[Line], headings: list[tuple[int, str]] | tuple
) -> dict[int | None, list[tuple[int, str]]]:
    """Line index of each bookmark's title on its page (None: not found as a line)."""
    found: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    cursor = 0
    for level, title in headings:
        wanted = _NOT_WORD.sub("", title.lower())
        for position in range(cursor, len(lines)):
            text = _NOT_WORD.sub("", lines[position].text.lower())
            numbered = text.endswith(wanted) and len(text) - len(wanted) <= 8  # "2.1 Title"
            if wanted and (text == wanted or numbered):
                found[position].append((level, title))
                cursor = position + 1
                break
        else:
            found[None].append((level, title))
    return found


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]
