"""Where a document is published: its configured base URL plus its path in the folder.

``corpus.paths`` entries may carry a url (``{path: docs/html, url:
https://docs.example.org/en/latest/}``): a document under that folder is at the
url joined with its path relative to the folder, each segment percent-encoded
(``api/Data Types.html`` -> ``.../api/Data%20Types.html``). A configured file is
published at the url itself.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from bot.config import CorpusConfig


def page_url(config: CorpusConfig, path: Path) -> str | None:
    """The web address of the document at ``path``, when its corpus path has a url."""
    for root, base in config.base_urls:
        if path == root:
            return base
        try:
            relative = path.relative_to(root)
        except ValueError:
            continue
        return join_url(base, relative.parts)
    return None


def join_url(base: str, segments: tuple[str, ...]) -> str:
    """``base`` (taken as a folder) followed by the percent-encoded path segments."""
    folder = base if base.endswith("/") else base + "/"
    return folder + "/".join(urllib.parse.quote(segment, safe="") for segment in segments)
