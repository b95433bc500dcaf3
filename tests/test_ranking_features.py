"""Each ranking feature, on a tiny corpus where it decides the order."""

from __future__ import annotations

import math

import pytest

from bot.search.answer_types import expected_type, has_evidence
from bot.search.engine import RankBM25Engine
from bot.search.index import SearchIndex
from tests.conftest import config_for, write
from tests.test_seed_questions import QUESTIONS


def index_of(tmp_path, files: dict[str, str], **retrieval) -> SearchIndex:
    for name, text in files.items():
        write(tmp_path / "docs", name, text)
    settings = {
        "engine": "rank-bm25",
        "bigram_weight": 0.0,
        "title_weight": 0.0,
        "sentence_weight": 0.0,
        "section_weight": 0.0,
        "duplicate_similarity": 1.0,  # some fixtures hold one text under two titles
    }
    settings.update(retrieval)
    return SearchIndex.build(config_for([tmp_path / "docs"], retrieval=settings))


def top(index: SearchIndex, question: str) -> str:
    return index.search(question).results[0].passage.doc_id


FILLER = {
    f"f{i}.txt": f"Notes {i}\n\nThe garden keeper wrote note {i} about tools.\n" for i in range(6)
}


def test_coverage_rescoring_prefers_the_passage_holding_the_whole_question(tmp_path):
    files = {
        "repeat.txt": "R\n\nVolcano volcano volcano volcano erupted, erupted again.\n",
        "whole.txt": "W\n\nThe volcano near the old harbour erupted in spring during a\n"
        "long storm.\n",
        **FILLER,
    }
    question = "volcano erupted harbour"
    # k1 1.5 rewards the repeated word enough for plain BM25 (no length floor) to prefer it.
    plain = index_of(tmp_path, files, coord_weight=0.0, k1=1.5, min_passage_words=0)
    assert top(plain, question) == "repeat.txt"
    rescored = index_of(tmp_path / "again", files, coord_weight=1.0, k1=1.5, min_passage_words=0)
    assert top(rescored, question) == "whole.txt"


def scores(index: SearchIndex, question: str) -> dict[str, float]:
    return {r.passage.doc_id: r.score for r in index.search(question).results}


def test_bigrams_prefer_the_phrase(tmp_path):
    files = {
        "scattered.txt": "S\n\nThe york team met a new coach, said the city of boston.\n",
        "phrase.txt": "P\n\nA team from new york met a coach, said the city of boston.\n",
        **FILLER,
    }
    # No length floor: it counts the text's words, and these differ by one stop word.
    without = scores(
        index_of(tmp_path, files, bigram_weight=0.0, min_passage_words=0), "team new york"
    )
    assert without["phrase.txt"] == pytest.approx(without["scattered.txt"])  # same words
    with_pairs = scores(index_of(tmp_path / "b", files, bigram_weight=1.0), "team new york")
    assert with_pairs["phrase.txt"] > with_pairs["scattered.txt"]
    query = index_of(tmp_path / "c", files, bigram_weight=0.5).queries.build("team new york")
    assert query.terms["new_york"] == 0.5


def test_title_field_counts_without_changing_the_text(tmp_path):
    files = {
        "a.md": "# Glaciers\n\nThey move slowly and carve valleys.\n",
        "b.md": "# Deserts\n\nThey move slowly and carve valleys.\n",
        **FILLER,
    }
    question = "how do glaciers carve valleys"
    without = scores(index_of(tmp_path, files, title_weight=0.0, title_coverage=False), question)
    assert without["a.md"] == pytest.approx(without["b.md"])  # same text
    index = index_of(tmp_path / "t", files, title_weight=1.0, title_coverage=False)
    with_title = scores(index, question)
    assert with_title["a.md"] > with_title["b.md"]
    result = index.search(question).results[0]
    assert result.coverage == pytest.approx(2 / 3, abs=0.1)  # "glaciers" is not covered


def test_title_words_cover_the_question_where_titles_tell_passages_apart(tmp_path):
    files = {
        "a.md": "# Glaciers\n\nThey move slowly and carve valleys.\n",
        "b.md": "# Deserts\n\nThey move slowly and carve valleys.\n",
        **FILLER,
    }
    question = "how do glaciers carve valleys"
    index = index_of(tmp_path, files, title_weight=1.0, title_coverage=True)
    assert index.title_credit(index.queries.build(question))["glacier"] == 1.0
    best, second = index.search(question).results[:2]
    assert (best.passage.doc_id, best.coverage) == ("a.md", pytest.approx(1.0))
    assert second.coverage < 0.9


def test_sentence_proximity_counts_the_title_in_every_sentence(tmp_path):
    files = {
        "a.md": "# Glaciers\n\nThey carve valleys. They also move slowly.\n",
        "b.md": "# Deserts\n\nThey are dry. They carve valleys.\n",
        **FILLER,
    }
    question = "how do glaciers carve valleys"
    plain = scores(index_of(tmp_path, files, title_weight=1.0, sentence_weight=0.0), question)
    near = scores(index_of(tmp_path / "s", files, title_weight=1.0, sentence_weight=1.0), question)
    # Weight 1: the score is multiplied by the share of the question its best sentence
    # holds. "carve valleys" sits in one sentence of a.md and "glaciers" in its title:
    # with the title as every sentence's context, that is the whole question.
    assert near["a.md"] == pytest.approx(plain["a.md"])
    coverage_b = index_of(tmp_path / "c", files, title_weight=1.0).search(question).results[1]
    assert coverage_b.passage.doc_id == "b.md"
    assert near["b.md"] == pytest.approx(plain["b.md"] * coverage_b.coverage)


def test_a_title_shared_by_every_passage_earns_no_coverage(tmp_path):
    """One long document: its title tells no passage apart, so it cannot flatten them."""
    paragraphs = [
        "Glaciers carve deep valleys over many centuries.",
        "Rivers carve valleys too, but with water.",
        *(f"Section {i} describes rocks and moss near camp {i}." for i in range(8)),
    ]
    files = {"glaciers.md": "# Glaciers and valleys\n\n" + "\n\n".join(paragraphs) + "\n"}
    index = index_of(tmp_path, files, title_weight=1.0, title_coverage=True)
    query = index.queries.build("glaciers carve valleys")
    assert index.title_credit(query)["glacier"] < 0.1
    results = index.search("glaciers carve valleys").results
    by_text = {r.passage.text[:6]: r.coverage for r in results}
    assert by_text["Glacie"] == pytest.approx(1.0)
    assert by_text["Rivers"] < 0.75  # "glaciers" in the title barely counts


def test_a_word_asked_twice_weighs_twice(tmp_path):
    index = index_of(tmp_path, FILLER)
    assert index.queries.build("garden tools garden").terms["garden"] == 2.0


@pytest.mark.parametrize(
    ("question", "kind", "passage", "fits"),
    [
        ("How many moons does Mars have?", "number", "Mars has two small moons.", True),
        ("How many moons does Mars have?", "number", "Mars has small moons.", False),
        ("When did the base open?", "time", "The base opened in 2031.", True),
        ("When did the base open?", "time", "The base opened to visitors.", False),
        ("Who runs the base?", None, "Anything.", True),
    ],
)
def test_answer_types(question, kind, passage, fits):
    assert expected_type(question) == kind
    assert has_evidence(kind, passage) is fits


def test_pseudo_relevance_feedback_adds_terms_of_the_top_passages(tmp_path):
    files = {
        "a.txt": "A\n\nComets have icy nuclei and long dusty tails.\n",
        "b.txt": "B\n\nComets shed dusty tails near the sun.\n",
        **FILLER,
    }
    index = index_of(tmp_path, files, prf_docs=2, prf_terms=3)
    query = index.queries.build("comets")
    hits = index.engine.search(query.terms, 2)
    added = dict(index.feedback_terms(query.terms, hits))
    assert "dusti" in added and "tail" in added
    # RM3: the feedback words hold prf_weight (0.3) of the mixed question, the one
    # question word the rest; relative to the question word's weight of 1.
    assert sum(added.values()) == pytest.approx(0.3 / 0.7)
    assert added["dusti"] > added.get("sun", 0.0)  # in both passages, not one


def test_lucene_idf_keeps_common_words_positive_and_matches_tantivy():
    """rank-bm25 with idf: lucene scores exactly what the BM25 formula tantivy uses gives."""
    documents = [["cat", "dog"], ["cat", "fish"], ["cat", "bird", "bird"], ["owl"]]
    lucene = RankBM25Engine(documents, k1=1.2, b=0.75, epsilon=0.25, idf_formula="lucene")
    okapi = RankBM25Engine(documents, k1=1.2, b=0.75, epsilon=0.25, idf_formula="okapi")
    # "cat" is in 3 of 4 passages: Robertson's IDF is negative, so Okapi floors it
    # at epsilon x the average IDF; Lucene's is log(1 + 1.5 / 3.5).
    assert lucene._bm25.idf["cat"] == pytest.approx(math.log(1 + 1.5 / 3.5))
    assert okapi._bm25.idf["cat"] != pytest.approx(math.log(1 + 1.5 / 3.5))
    avgdl = 2.0
    norm = 1.2 * (1 - 0.75 + 0.75 * 3 / avgdl)
    expected = math.log(1 + 3.5 / 1.5) * 2 * 2.2 / (2 + norm)  # "bird" twice in passage 2
    hits = lucene.search({"bird": 1.0}, k=4)
    assert hits[0].pid == 2 and hits[0].score == pytest.approx(expected)


def test_sentence_proximity_prefers_the_words_in_one_sentence(tmp_path):
    files = {
        "together.txt": "T\n\nThe volcano erupted near the harbour. Tourists come every summer.\n",
        "scattered.txt": "S\n\nThe volcano is old. It erupted. Boats fill the harbour.\n",
        **FILLER,
    }
    question = "volcano erupted harbour"
    # Same words, same coverage: plain BM25 prefers the shorter passage.
    plain = scores(index_of(tmp_path, files, sentence_weight=0.0), question)
    assert plain["scattered.txt"] > plain["together.txt"]
    near = index_of(tmp_path / "n", files, sentence_weight=0.6)
    assert top(near, question) == "together.txt"
    together = near.corpus.passages[near.search(question).results[0].passage.pid]
    query = near.queries.build(question)
    assert near.window_coverage(query, together) == pytest.approx(1.0)
    scattered = next(p for p in near.corpus.passages if p.doc_id == "scattered.txt")
    assert near.window_coverage(query, scattered) < 0.5


def test_sentence_rescoring_skips_only_what_cannot_reach_the_top(seed_index):
    """The pruned top 3 is exactly the top 3 of rescoring every candidate."""
    questions = [q["question"] for q in QUESTIONS]
    assert seed_index.config.retrieval.sentence_weight > 0
    for question in questions:
        short = seed_index.search(question, 3).results
        full = seed_index.search(question, 25).results[:3]
        assert [(r.passage.pid, r.score) for r in short] == [
            (r.passage.pid, r.score) for r in full
        ], question


def test_sentence_coverage_scans_synonyms_only_when_they_can_add(seed_index):
    """Skipping the synonym scan of a sentence never changes its coverage."""
    index = seed_index
    for question in [q["question"] for q in QUESTIONS]:
        query = index.queries.build(question)
        for passage in index.corpus.passages:
            terms = set(index.passage_terms(passage))
            groups = [t for t in query.terms if t.startswith("~") and t in terms]
            reference = max(
                query.coverage(set(s) | set(index.synonyms.expand(s)))[0]
                for s in index._sentence_terms(passage.pid)
            )
            assert index.window_coverage(query, passage, groups) == pytest.approx(reference)
