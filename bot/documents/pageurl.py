"""Where a document is published: its configured base URL plus its path in the folder.

``corpus.paths`` entries may carry a url (``{path: docs/html, url:
https://docs.example.org/en/latest/}``): a document under that folder is at the
url joined with its path relative to the folder, each segment percent-encoded
(``api/Data Types.html`` -> ``.../api/Data%20Types.html``). A configured file is
published at the url itself.

A folder of sources (Markdown, reST) is published as its generator builds it,
named by the entry's ``style``:

- ``path`` (the default): the file path as it is (a built site's ``.html`` pages);
- ``html``: a source's suffix becomes ``.html`` (Sphinx, Jekyll, plain Markdown to
  HTML): ``guide/install.md`` -> ``guide/install.html``;
- ``mkdocs`` (``use_directory_urls``, its default): ``guide/install.md`` ->
  ``guide/install/``, ``guide/index.md`` and ``guide/README.md`` -> ``guide/``;
- ``docusaurus``: ``guide/install.md`` -> ``guide/install``, ``guide/index.md``
  and ``guide/README.md`` -> ``guide/``, number prefixes dropped (``01-intro.md``
  -> ``intro``), and a front matter ``slug`` replaces the file's name (``slug:
  quick``) or, starting with ``/``, the whole path below the base url.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from bot.config import CorpusConfig

SOURCE_SUFFIXES = frozenset({".md", ".markdown", ".mdx", ".rst", ".txt"})
_FOLDER_PAGES = frozenset({"index", "readme"})
_NUMBER_PREFIX = re.compile(r"^\d+[-_.]\s*(?=.)")


def page_url(config: CorpusConfig, path: Path, slug: str | None = None) -> str | None:
    """The web address of the document at ``path``, when its corpus path has a url."""
    for root, base in config.base_urls:
        if path == root:
            return base
        try:
            relative = path.relative_to(root)
        except ValueError:
            continue
        return join_url(base, page_segments(relative.parts, url_style(config, path), slug))
    return None


def url_style(config: CorpusConfig, path: Path) -> str:
    """The ``style`` of the corpus path ``path`` is under ("path" when none is given)."""
    for root, style in config.url_styles:
        if path == root or path.is_relative_to(root):
            return style
    return "path"


def page_segments(parts: tuple[str, ...], style: str, slug: str | None = None) -> tuple[str, ...]:
    """The url path segments of a source file at ``parts``, as ``style`` builds them
    (a trailing "" is a folder url's ``/``)."""
    *folders, name = parts
    stem, suffix = _split(name)
    if style == "path" or suffix not in SOURCE_SUFFIXES:
        return tuple(parts)
    if style == "html":
        return (*folders, stem + ".html")
    if style == "docusaurus":
        folders = [_NUMBER_PREFIX.sub("", folder) for folder in folders]
        stem = _NUMBER_PREFIX.sub("", stem)
        if slug:
            if slug.startswith("/"):
                return tuple(part for part in slug.split("/") if part) or ("",)
            return (*folders, *(part for part in slug.split("/") if part))
    if stem.lower() in _FOLDER_PAGES:
        return (*folders, "")
    if style == "mkdocs":
        return (*folders, stem, "")
    return (*folders, stem)


def anchor_style(config: CorpusConfig, path: Path) -> str:
    """How heading anchors are made for the page at ``path``: MkDocs' rule, or GitHub's
    (which Docusaurus and most renderers follow)."""
    return "mkdocs" if url_style(config, path) == "mkdocs" else "github"


def _split(name: str) -> tuple[str, str]:
    dot = name.rfind(".")
    if dot <= 0:
        return name, ""
    return name[:dot], name[dot:].lower()


def join_url(base: str, segments: tuple[str, ...]) -> str:
    """``base`` (taken as a folder) followed by the percent-encoded path segments."""
    folder = base if base.endswith("/") else base + "/"
    return folder + "/".join(urllib.parse.quote(segment, safe="") for segment in segments)
