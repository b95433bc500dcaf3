"""The golden test: the seed question set over the shipped article.

The answer passage must be first for at least 90% of answerable questions and
in the top 3 for all of them; every off-topic question must be refused. The
set grew in three batches (written before tuning, then two held-out batches
written without seeing the tuned system). Questions the lexical ranker still
gets wrong carry ``known_miss: <why>`` and run as strict xfails: they are
reported on every run, and one that starts passing fails until the marker goes.
Every test runs on both engines (rank-bm25 in memory, the tantivy store).
"""

import dataclasses
from pathlib import Path

import pytest
import yaml

from bot.answer.answerer import Answerer
from bot.search.index import SearchIndex

QUESTIONS = yaml.safe_load(
    (Path(__file__).parent / "data" / "seed_questions.yaml").read_text(encoding="utf-8")
)["questions"]
ANSWERABLE = [q for q in QUESTIONS if q["answer"] is not None]
OFF_TOPIC = [q for q in QUESTIONS if q["answer"] is None]


@pytest.fixture(scope="module", params=["rank-bm25", "tantivy"])
def seed_answerer(request, seed_config, tmp_path_factory):
    """The seed answerer on each engine (tantivy's store in a temporary folder)."""
    retrieval = dataclasses.replace(
        seed_config.retrieval, engine=request.param, index_dir=tmp_path_factory.mktemp("index")
    )
    index = SearchIndex.build(dataclasses.replace(seed_config, retrieval=retrieval))
    assert index.engine.name == request.param
    return Answerer(index)


def cases(questions):
    return [
        pytest.param(
            q,
            id=q["id"],
            marks=[pytest.mark.xfail(reason=q["known_miss"], strict=True)]
            if q.get("known_miss")
            else [],
        )
        for q in questions
    ]


def rank_of_answer(answerer, question) -> int | None:
    answer = answerer.answer(question["question"], 3)
    for item in answer.items:
        if question["answer"] in item.passage.text:
            return item.rank
    return None


def test_question_set_is_large_and_varied():
    kinds = {q["kind"] for q in QUESTIONS}
    assert len(ANSWERABLE) >= 40 and len(OFF_TOPIC) >= 8
    # Known misses are the exception, not a way to hide regressions.
    assert sum(1 for q in QUESTIONS if q.get("known_miss")) <= 6
    assert {"literal", "paraphrase", "acronym", "typo", "person", "date"} <= kinds


def test_answer_passage_is_first_for_90_percent(seed_answerer):
    ranks = {q["id"]: rank_of_answer(seed_answerer, q) for q in ANSWERABLE}
    first = sum(1 for r in ranks.values() if r == 1)
    not_first = {k: r for k, r in ranks.items() if r != 1}
    assert first / len(ANSWERABLE) >= 0.90, not_first


@pytest.mark.parametrize("question", cases(ANSWERABLE))
def test_answer_passage_is_in_the_top_3(seed_answerer, question):
    assert rank_of_answer(seed_answerer, question) is not None


@pytest.mark.parametrize("question", cases(OFF_TOPIC))
def test_off_topic_questions_are_refused(seed_answerer, question):
    answer = seed_answerer.answer(question["question"])
    assert not answer.answered, [item.passage.text[:80] for item in answer.items]
    assert answer.refusal == "not_found"


def test_excerpt_of_every_answer_is_an_exact_quote(seed_answerer):
    for question in ANSWERABLE:
        for item in seed_answerer.answer(question["question"]).items:
            quoted = item.excerpt.text.strip("…")
            assert quoted in item.passage.text
            assert len(item.excerpt.text) <= 400
