"""Building the tantivy index with worker processes gives the one-process build's index.

Same manifest, vocabulary, mined acronyms, passages, stored term sets, document
frequencies and search results; a file that makes a worker fail, or kills it,
is skipped with a reason and the build finishes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import ConfigError, parse_config
from bot.search import parallel_build, pool, store
from bot.search.index import SearchIndex
from bot.search.terms import PassageTerms
from tests.conftest import config_for, write

FILES = {
    "a/agency.txt": "Notes on the agency\n\n"
    "The Federal Aviation Administration (FAA) inspects every runway before winter.\n\n"
    "Inspectors of the FAA check the lights, and ppl at the tower log each check.\n",
    "a/storms.md": "---\ntitle: Storm guide\n---\n# Storms\n\n## Warnings\n\n"
    "The Bureau of Meteorology (BOM) issues storm warnings for every coastal town.\n\n"
    "## Radar\n\nA storm cell shows as a red patch on the radar screen of the BOM.\n",
    "b/harbour.html": "<html><head><title>Harbour safety</title></head><body><main>"
    "<h1>Harbour safety</h1><h2>Boats</h2>"
    "<p>The Port Authority of New York inspects every ferry before the summer season.</p>"
    "<p>Small boats keep to the channel markers when the fog comes in.</p>"
    "<h2>Docks</h2><p>Dock workers of the PANY wear bright vests near the cranes.</p>"
    "<p>To book a berth, call <code>harbour.book_berth()</code>:</p>"
    '<pre class="language-python">import harbour\nharbour.book_berth(size="small")</pre>'
    "</main></body></html>",
    "b/revenue.txt": "Tax notes\n\n"
    "The Internal Revenue Service sends a letter when a return is late.\n\n"
    "Write to the IRS before the deadline to ask for more time to pay the tax.\n",
    "c/govt.md": "# Government\n\n"
    "The govt department answers questions from people about runway safety.\n\n"
    "A colour radar screen shows the storm cells to the tower staff.\n",
    "c/weather.txt": "Weather service\n\n"
    "The National Weather Service (NWS) warns pilots about storms and fog.\n\n"
    "When the NWS issues a warning, every harbour closes the ferry channel.\n",
    "d/empty.txt": "   \n",
    "d/pilots.txt": "Pilot notes\n\n"
    "Pilots file a flight plan with the tower before they leave the ground.\n\n"
    "Pilots of small planes check the weather with the FAA and the NWS first.\n",
    "synonyms.yaml": "synonyms:\n  - [runway, airstrip]\n  - [ferry, water taxi]\n",
}
QUESTIONS = [
    "Who inspects the runway before winter?",
    "What does the Bureau of Meteorology issue?",
    "When does the IRS send a letter?",
    "What does the FAA check?",
    "Who warns pilots about fog?",
    "What do people ask the government department?",
    "Which airstrip lights are checked?",
    "how do I call harbour.book_berth?",
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    for name, text in FILES.items():
        write(folder, name, text)
    return folder


@pytest.fixture
def parallel_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Worker processes even for a tiny corpus; records each parallel build's workers."""
    monkeypatch.setattr(store, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(parallel_build, "CHUNK_FILES", 2)  # several chunks in flight
    calls: list[int] = []
    real_build = parallel_build.build

    def build(*args, **kwargs):
        calls.append(args[5])
        return real_build(*args, **kwargs)

    monkeypatch.setattr(parallel_build, "build", build)
    return calls


def build(corpus: Path, index_dir: Path, workers: int) -> SearchIndex:
    config = config_for(
        [corpus],
        corpus={"workers": workers},
        retrieval={"engine": "tantivy", "index_dir": index_dir},
    )
    return SearchIndex.build(config)


def folder_of(index: SearchIndex) -> Path:
    (folder,) = [p for p in index.config.retrieval.index_dir.iterdir() if p.is_dir()]
    return folder


def test_a_parallel_build_is_the_one_process_build(
    corpus: Path, tmp_path: Path, parallel_calls: list[int]
) -> None:
    one = build(corpus, tmp_path / "one", workers=1)
    assert parallel_calls == []
    two = build(corpus, tmp_path / "two", workers=2)
    assert parallel_calls == [2]
    assert one.store_report.action == two.store_report.action == "built"

    # The same settings folder (workers is not a setting of the index), manifest and
    # vocabulary, byte for byte; the mined acronyms are in the manifest.
    assert folder_of(one).name == folder_of(two).name
    for name in ("manifest.json", "vocabulary.tsv"):
        assert (folder_of(one) / name).read_bytes() == (folder_of(two) / name).read_bytes()
    assert one.synonyms.pairs() == two.synonyms.pairs()
    mined = {pair for pair in one.synonyms.exact}
    assert ("faa",) in mined and ("bom",) in mined and ("ir",) in mined
    assert [s.path for s in two.corpus.skipped] == ["d/empty.txt"]
    assert not list(folder_of(two).glob(f"{parallel_build.SPILL}*"))

    # Passages with their stored fields and term sets, then every indexed term's
    # document frequency (bigrams and title and section fields included).
    passages = list(one.engine.passages())
    assert len(passages) == 16
    assert any(p.code and p.code[0].language == "python" for p in passages)  # code kept
    assert passages == list(two.engine.passages())
    assert {p.doc_id for p in passages} == {
        n for n in FILES if n.endswith((".txt", ".md", ".html"))
    } - {"d/empty.txt"}
    terms = PassageTerms(one.analyzer, one.synonyms, one.corpus.documents, True)
    indexed: set[str] = set()
    for passage in passages:
        assert one.engine.terms_of(passage.pid) == two.engine.terms_of(passage.pid)
        indexed.update(terms.of(passage))
    assert any(t.startswith("~") for t in indexed) and any("_" in t for t in indexed)
    assert any(t.startswith("t:") for t in indexed) and any(t.startswith("s:") for t in indexed)
    assert "c:harbour.book_berth" in indexed  # whole identifiers, their own field
    for term in sorted(indexed):
        assert one.engine.doc_freq(term) == two.engine.doc_freq(term), term
    assert one.vocabulary_size == two.vocabulary_size > 50

    # The same ranking.
    answered = 0
    for question in QUESTIONS:
        first, second = one.search(question), two.search(question)
        ranked = [(r.passage, r.score, r.coverage) for r in first.results]
        assert ranked == [(r.passage, r.score, r.coverage) for r in second.results]
        answered += bool(ranked)
    assert answered >= 5


def test_a_file_that_breaks_or_kills_a_worker_is_skipped(
    corpus: Path, tmp_path: Path, parallel_calls: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Forked workers inherit this test's patch of the reading step.
    monkeypatch.setattr(pool, "START_METHOD", "fork")
    real_read = store.read_file

    def read_file(corpus_config, ignore, path, doc_id):
        if doc_id == "b/revenue.txt":
            raise RuntimeError("parser bug")
        if doc_id == "c/weather.txt":
            os._exit(3)  # a hard crash: no exception, no result, the process is gone
        return real_read(corpus_config, ignore, path, doc_id)

    monkeypatch.setattr(store, "read_file", read_file)
    index = build(corpus, tmp_path / "index", workers=2)
    assert parallel_calls == [2]
    skipped = {s.path: s.reason for s in index.corpus.skipped}
    assert skipped == {
        "b/revenue.txt": "cannot read: RuntimeError: parser bug",
        "c/weather.txt": "the worker process reading it died",
        "d/empty.txt": "empty file",
    }
    doc_ids = {p.doc_id for p in index.engine.passages()}
    assert doc_ids == {"a/agency.txt", "a/storms.md", "b/harbour.html", "c/govt.md", "d/pilots.txt"}
    assert index.search("What does the Bureau of Meteorology issue?").results
    # The index is complete and consistent: reopening it changes nothing.
    again = build(corpus, tmp_path / "index", workers=2)
    assert again.store_report.action == "opened"


def test_workers_setting(tmp_path: Path) -> None:
    config = config_for([tmp_path])
    assert config.corpus.workers is None and config.corpus.worker_count() >= 1
    assert config_for([tmp_path], corpus={"workers": 3}).corpus.worker_count() == 3
    with pytest.raises(ConfigError, match="corpus.workers"):
        parse_config("corpus:\n  workers: 0\n", tmp_path / "config.yaml")
    same = [config_for([tmp_path], corpus={"workers": w}) for w in (1, 2, None)]
    assert len({store.settings_key(c) for c in same}) == 1
