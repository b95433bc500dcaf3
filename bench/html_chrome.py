"""How much site chrome is left in the passages of built HTML docs, and what it costs.

    .venv/bin/python bench/html_chrome.py ROOT [ROOT ...] [--show 5] [--repeat 3]

For each root (HTML files only, default config otherwise) it prints the passages,
how many of them match typical chrome phrases (in their text, or in their section
name: a "Navigation" or "Quick search" heading), the section names holding a
heading-link sign, the pages skipped as navigation, and the time per page of the
documents layer (``load_corpus``) and of a whole in-memory index build.

The phrases are for MEASURING only: nothing in bot/ filters on them.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.config import load_config  # noqa: E402
from bot.documents.corpus import load_corpus  # noqa: E402
from bot.search.index import SearchIndex  # noqa: E402

CHROME = re.compile(
    r"©\s*Copyright|Copyright\s*©|\bNavigation\b|Created using Sphinx|Table of Contents"
    r"|Previous topic|Next topic|This Page|Show Source|Quick search|\bChapter \d+\."
    r"|Found a bug|Please donate"
)
# In a section name "Chapter N." is a real heading (a single-page manual's chapter).
SECTION_CHROME = re.compile(CHROME.pattern.replace(r"|\bChapter \d+\.", ""))


def _chrome(text: str, section: str | None) -> bool:
    return bool(CHROME.search(text) or SECTION_CHROME.search(section or ""))


def measure(root: Path, show: int, repeat: int) -> None:
    config = load_config(REPO / "config" / "default.yaml")
    corpus_config = dataclasses.replace(config.corpus, paths=(root,), extensions=(".html", ".htm"))
    pages = sum(1 for _ in root.rglob("*.htm*"))
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        corpus = load_corpus(corpus_config)
        best = min(best, time.perf_counter() - started)
    chrome = [p for p in corpus.passages if _chrome(p.text, p.section)]
    signed = {p.section for p in corpus.passages if p.section and set(p.section) & set("¶")}
    sections = {p.section for p in corpus.passages if p.section}
    navigation = [s for s in corpus.skipped if s.reason.startswith("navigation page")]
    with tempfile.TemporaryDirectory() as work:
        retrieval = dataclasses.replace(
            config.retrieval, engine="rank-bm25", index_dir=Path(work) / "index"
        )
        full = dataclasses.replace(config, corpus=corpus_config, retrieval=retrieval)
        started = time.perf_counter()
        SearchIndex.build(full)
        build = time.perf_counter() - started
    share = len(chrome) / max(1, len(corpus.passages))
    print(f"## {root}")
    print(f"pages (html files): {pages}; documents: {len(corpus.documents)}")
    print(f"passages: {len(corpus.passages)}")
    print(f"chrome passages: {len(chrome)} ({share:.2%})")
    print(f"sections with ¶: {len(signed)} of {len(sections)}")
    print(f"documents layer: {best / pages * 1000:.2f} ms/page (best of {repeat})")
    print(f"full build (rank-bm25): {build / pages * 1000:.2f} ms/page")
    print(f"navigation pages: {len(navigation)}")
    for skipped in navigation:
        print(f"  {skipped.path}: {skipped.reason}")
    biggest = sorted(corpus.documents.values(), key=lambda d: -d.passage_count)[:show]
    print("most passages: " + ", ".join(f"{d.doc_id} {d.passage_count}" for d in biggest))
    for passage in chrome[:show]:
        print(f"  chrome in {passage.doc_id} [{passage.section}]: {passage.text[:120]!r}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--show", type=int, default=5, help="chrome passages to print")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for root in args.roots:
        measure(root, args.show, args.repeat)


if __name__ == "__main__":
    main()
