"""One path from a passage to its index terms: both engines see the same terms.

The rank-bm25 build (in memory) and the tantivy store (on disk, a file at a
time) must index the same passages with the same terms, mine the same
acronyms, and report the same vocabulary and synonym table.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from bot.analysis.analyzer import bigrams
from bot.search.engine import field_of
from bot.search.index import SearchIndex
from tests.conftest import REPO, config_for, write
from tests.test_cli import qabot

MIXED = {
    # The title line and a boilerplate paragraph define acronyms that no passage holds.
    "notes.txt": "Field notes of the Federal Aviation Administration (FAA)\n\n"
    "Read more: the full story about the National Weather Service (NWS) in this post\n\n"
    "Inspectors of the FAA check every runway light before the winter season starts.\n\n"
    "Pilots file a flight plan with the tower before they leave the ground.\n",
    "guide.md": "---\ntitle: Radar guide of the Bureau of Meteorology (BOM)\n---\n"
    "# Radar guide\n\n## Storms\n\n"
    "The Bureau of Meteorology (BOM) issues storm warnings for every coastal town.\n\n"
    "A storm cell shows as a red patch on the radar screen of the BOM.\n\n"
    "## Rain\n\nLight rain shows as a pale blue patch that drifts slowly east.\n",
    "page.html": "<html><head><title>Harbour safety page</title></head><body>"
    "<h1>Harbour safety</h1><h2>Boats</h2>"
    "<p>The Port Authority of New York (PANY) inspects every ferry before the summer.</p>"
    "<p>Small boats keep to the channel markers when the fog comes in.</p>"
    "<h2>Docks</h2><p>Dock workers wear bright vests so the crane drivers see them.</p>"
    "</body></html>",
}


def mixed_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "mixed"
    for name, text in MIXED.items():
        write(folder, name, text)
    return folder


def both_engines(paths: list[Path], index_dir: Path) -> tuple[SearchIndex, SearchIndex]:
    def build(engine: str) -> SearchIndex:
        retrieval = {"engine": engine, "index_dir": index_dir}
        return SearchIndex.build(config_for(paths, retrieval=retrieval))

    return build("rank-bm25"), build("tantivy")


def assert_same_terms(reference: SearchIndex, stored: SearchIndex) -> None:
    assert type(stored.engine).__name__ == "TantivyEngine"
    assert stored.store_report is not None and reference.store_report is None
    assert reference.synonyms.pairs() == stored.synonyms.pairs()
    assert reference.synonyms.groups == stored.synonyms.groups
    assert reference.queries.surface_terms == stored.queries.surface_terms
    assert reference.vocabulary_size == stored.vocabulary_size
    assert len(reference.corpus.passages) == len(stored.corpus.passages)
    for pid in range(len(reference.corpus.passages)):
        ours, theirs = reference.corpus.passages[pid], stored.corpus.passages[pid]
        assert (ours.doc_id, ours.section, ours.text) == (
            theirs.doc_id,
            theirs.section,
            theirs.text,
        )
        kept = set(stored.engine.terms_of(pid))  # words, group, title and section terms
        assert {t for t in kept if field_of(t) == "words"} == set(reference.engine.terms_of(pid))
        checked = kept | set(bigrams(reference.analyzer.terms(ours.text)))
        assert {t: reference.doc_freq(t) for t in checked} == {
            t: stored.doc_freq(t) for t in checked
        }


def test_both_engines_see_the_same_terms_on_the_seeds(tmp_path):
    reference, stored = both_engines([REPO / "seeds"], tmp_path / "index")
    assert_same_terms(reference, stored)
    assert reference.vocabulary_size > 100 and len(reference.synonyms.pairs()) > 50


def test_both_engines_see_the_same_terms_on_a_mixed_corpus(tmp_path):
    reference, stored = both_engines([mixed_corpus(tmp_path)], tmp_path / "index")
    assert sorted(reference.corpus.documents) == ["guide.md", "notes.txt", "page.html"]
    assert any(p.section for p in reference.corpus.passages)
    assert reference.config.retrieval.bigram_weight > 0  # bigrams are compared too
    assert_same_terms(reference, stored)
    pairs = reference.synonyms.pairs()
    # Acronyms are mined from passages: defined in the text, they count ...
    assert ("bom",) in pairs and ("faa",) not in pairs
    # ... in the title line or removed boilerplate, not (no passage holds them).
    assert ("nws",) not in pairs


def test_the_vocabulary_counts_words_not_group_terms(tmp_path):
    reference, _ = both_engines([mixed_corpus(tmp_path)], tmp_path / "index")
    words = {t for p in reference.corpus.passages for t in reference.analyzer.terms(p.text)}
    assert reference.vocabulary_size == len(words)


def index_counts(corpus: Path, engine: str, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / f"{engine}.yaml"
    settings = {
        "corpus": {"paths": [str(corpus)]},
        "retrieval": {"engine": engine, "index_dir": str(tmp_path / "index")},
    }
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    result = qabot("index", "--config", str(config))
    assert result.returncode == 0, result.stderr
    lines = re.findall(
        r"^(engine|documents|passages|vocabulary|synonyms): +(.+)$", result.stdout, re.M
    )
    return dict(lines)


@pytest.mark.parametrize("corpus", ["seeds", "mixed"])
def test_qabot_index_prints_the_same_counts_on_each_engine(tmp_path, corpus):
    folder = REPO / "seeds" if corpus == "seeds" else mixed_corpus(tmp_path)
    reference = index_counts(folder, "rank-bm25", tmp_path)
    stored = index_counts(folder, "tantivy", tmp_path)
    assert reference.pop("engine") == "rank-bm25" and stored.pop("engine") == "tantivy"
    assert set(reference) == {"documents", "passages", "vocabulary", "synonyms"}
    assert reference == stored


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_store_and_the_terms_do_not_import_the_index():
    search = REPO / "bot" / "search"
    assert "bot.search.index" not in imported_modules(search / "store.py")
    assert "bot.search.index" not in imported_modules(search / "terms.py")
    assert "bot.search.store" not in imported_modules(search / "terms.py")
    # The index may use the store (build or open), never the reverse.
    assert "bot.search.store" in imported_modules(search / "index.py")
