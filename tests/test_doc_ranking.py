"""Ranking for documentation: whole identifiers, question filler, near duplicates,
short passages."""

from __future__ import annotations

import pytest

from bot.analysis.analyzer import Analyzer
from bot.answer.answerer import Answerer
from bot.config import AnalysisConfig
from bot.search.duplicates import collapse
from bot.search.index import SearchIndex
from tests.conftest import config_for, write

NOTES = {f"n{i}.txt": f"Notes {i}\n\nThe gardener kept note {i} about tools.\n" for i in range(6)}


def build(tmp_path, files: dict[str, str], analysis=None, **retrieval) -> SearchIndex:
    for name, text in files.items():
        write(tmp_path / "docs", name, text)
    settings = {"engine": "rank-bm25", **retrieval}
    return SearchIndex.build(
        config_for([tmp_path / "docs"], retrieval=settings, analysis=analysis or {})
    )


def analyzer(identifiers: bool = True) -> Analyzer:
    return Analyzer(AnalysisConfig(identifiers=identifiers))


# ------------------------------------------------------------ whole identifiers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call os.path.join.", ["c:os.path.join"]),
        ('if __name__ == "__main__":', ["c:__name__", "c:__main__"]),
        ("set html_theme", ["c:html_theme"]),
        ("git push --force-with-lease", ["c:--force-with-lease", "c:force-with-lease"]),
        ("git rebase -i HEAD", ["c:-i"]),
        ("see .gitignore", ["c:.gitignore"]),
        ("std::vec::Vec", ["c:std::vec::vec"]),
        ("plain words, e.g. this - and that", []),
    ],
)
def test_identifiers_are_kept_whole(text, expected):
    assert analyzer().code_terms(text) == expected
    assert analyzer(identifiers=False).code_terms(text) == []


def test_identifier_words_and_their_spans_are_unchanged():
    text = "Use os.path.join or __name__ here."
    on, off = analyzer(), analyzer(identifiers=False)
    assert list(on.words(text)) == list(off.words(text))
    assert [text[w.start : w.end] for w in on.words(text) if w.term] == [
        "Use",
        "os",
        "path",
        "join",
        "name",
    ]


ID_DOCS = {
    "loose.txt": "Loose\n\nOn any os you can join a path to another path.\n",
    "api.txt": "API\n\nos.path.join(a, *p) returns a string; see the reference for the exact "
    "rules that apply on Windows drives and network shares of every kind.\n",
    **NOTES,
}


def test_a_question_naming_an_identifier_prefers_the_passage_that_holds_it(tmp_path):
    question = "how does os.path.join work"
    plain = build(tmp_path / "off", ID_DOCS, analysis={"identifiers": False})
    assert plain.search(question).results[0].passage.doc_id == "loose.txt"
    index = build(tmp_path / "on", ID_DOCS)
    assert index.search(question).results[0].passage.doc_id == "api.txt"
    # Highlights are the words, each span exactly one word of the excerpt.
    item = Answerer(index).answer(question).items[0]
    shown = {item.excerpt.text[s:e] for s, e in item.excerpt.highlights}
    assert {"os", "path", "join"} <= shown


def test_a_hyphenated_question_word_still_covers_the_words_written_apart(tmp_path):
    files = {"ports.txt": "Ports\n\nA well known port is below 1024 on every system.\n", **NOTES}
    on = build(tmp_path / "on", files).search("which well-known port numbers")
    off = build(tmp_path / "off", files, analysis={"identifiers": False}).search(
        "which well-known port numbers"
    )
    assert on.answered and off.answered
    assert on.results[0].coverage == pytest.approx(off.results[0].coverage)


# ------------------------------------------------------------ question filler


FILLER_DOCS = {
    "logs.txt": "Maintenance\n\nTo rotate the logs, run the rotate command every night.\n",
    "shop.txt": "Shop\n\nThanks to our sponsors, we recommend the shop downstairs.\n",
    **NOTES,
}


def test_filler_does_not_make_a_casual_question_refused(tmp_path):
    question = "hey whats the actual best way to rotate logs, is that even possible? pls thanks"
    assert not build(tmp_path / "off", FILLER_DOCS, question_filler=False).search(question).answered
    outcome = build(tmp_path / "on", FILLER_DOCS).search(question)
    assert outcome.answered
    assert outcome.results[0].passage.doc_id == "logs.txt"
    assert [c.word for c in outcome.query.concepts] == ["rotate", "logs"]


def test_filler_does_not_make_an_off_topic_question_answered(tmp_path):
    question = "can anyone recommend a quiet keyboard? thanks"
    assert build(tmp_path / "off", FILLER_DOCS, question_filler=False).search(question).answered
    assert not build(tmp_path / "on", FILLER_DOCS).search(question).answered


def test_a_filler_word_inside_an_identifier_is_a_concept(tmp_path):
    files = {"resp.txt": "Response\n\nr.ok is True when status_code is under 400.\n", **NOTES}
    outcome = build(tmp_path, files).search("is r.ok the same as status_code 200")
    assert "ok" in [c.word for c in outcome.query.concepts]
    assert outcome.answered


# ------------------------------------------------------------ near duplicates


OPTION = "--verbose\n\nBe more verbose: report every file that is checked and the result.\n"
DUP_DOCS = {
    "git-add.txt": "git-add\n\n" + OPTION,
    "git-rm.txt": "git-rm\n\n" + OPTION,
    "git-mv.txt": "git-mv\n\n--verbose\n\nReport the names of files as they are moved, "
    "verbose output.\n",
    **NOTES,
}


def test_near_duplicates_collapse_and_the_next_candidate_fills_in(tmp_path):
    question = "verbose report every file"
    plain = build(tmp_path / "off", DUP_DOCS, duplicate_similarity=1.0).search(question, 3)
    texts = [r.passage.text for r in plain.results]
    assert len(texts) == 3 and len(set(texts)) == 2  # the same text twice
    collapsed = build(tmp_path / "on", DUP_DOCS).search(question, 3)
    shown = [r.passage.doc_id for r in collapsed.results]
    assert shown[0] == plain.results[0].passage.doc_id  # the best one keeps its place
    assert "git-mv.txt" in shown
    assert len({r.passage.text for r in collapsed.results}) == len(shown)


def test_collapse_keeps_order_and_fills_k():
    items = ["alpha beta gamma delta", "alpha beta gamma delta!", "one two three four", "x y z w"]
    assert collapse(items, str, 0.8, 3) == [items[0], items[2], items[3]]
    assert collapse(items, str, 1.0 + 1e-9, 2) == items[:2]  # nothing is similar enough


# ------------------------------------------------------------ short passages

FLOOR_DOCS = {
    "changes.txt": "Changes\n\nRelease 2.1\n\nRotated logs are named by date.\n\n"
    "Release 2.0\n\nThe config file moved to the home folder.\n",
    "service.txt": "Service\n\nEvery night old logs are rotated and named after their "
    "date, so no logs are ever lost.\n",
    **{
        f"guide{i}.txt": f"Guide {i}\n\nThe gardener kept note {i} about the tools in the shed, "
        "which ones need oil before winter and which can stay outside all year.\n"
        for i in range(6)
    },
}


def test_a_tiny_passage_no_longer_wins_on_length_alone(tmp_path):
    question = "how are rotated logs named"
    for engine in ("rank-bm25", "tantivy"):
        settings = {"engine": engine, "bigram_weight": 0.0}  # the words alone
        plain = build(tmp_path / f"off-{engine}", FLOOR_DOCS, **settings, min_passage_words=0)
        assert plain.search(question).results[0].passage.doc_id == "changes.txt"
        floored = build(tmp_path / f"on-{engine}", FLOOR_DOCS, **settings, min_passage_words=20)
        assert [r.passage.doc_id for r in floored.search(question).results] == [
            "service.txt",
            "changes.txt",  # still found, ranked as a 20-word passage would be
        ]
