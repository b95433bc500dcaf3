"""Excerpts: exact quotes, trimmed at word boundaries, with highlights."""

from bot.analysis.analyzer import Analyzer
from bot.answer.excerpt import ELLIPSIS, make_excerpt
from bot.config import AnalysisConfig
from bot.documents.sentences import split_sentences

ANALYZER = Analyzer(AnalysisConfig())
PASSAGE = (
    "The office opened in 1990. Its director, Dr. Smith, hired forty staff. "
    "Last week a judge in Massachusetts ruled that data cannot be shared. "
    "Nobody commented on the ruling."
)


def weights(*words):
    return {ANALYZER.term(w): 1.0 for w in words}


def test_sentences_respect_abbreviations():
    spans = split_sentences(PASSAGE)
    assert [PASSAGE[s:e] for s, e in spans][1] == "Its director, Dr. Smith, hired forty staff."
    assert len(spans) == 4


def test_best_sentence_is_chosen_and_quoted_exactly():
    excerpt = make_excerpt(PASSAGE, ANALYZER, weights("judge", "massachusetts"), 80)
    assert excerpt.text == "Last week a judge in Massachusetts ruled that data cannot be shared."
    assert PASSAGE[excerpt.start : excerpt.end] == excerpt.text


def test_neighbours_fill_the_length_budget():
    excerpt = make_excerpt(PASSAGE, ANALYZER, weights("judge"), 400)
    assert excerpt.text == PASSAGE  # everything fits


def test_long_sentence_is_trimmed_at_word_boundaries_with_ellipses():
    words = " ".join(f"filler{i}" for i in range(80))
    passage = f"{words} the judge ruled firmly {words}."
    excerpt = make_excerpt(passage, ANALYZER, weights("judge"), 120)
    assert len(excerpt.text) <= 120
    assert excerpt.text.startswith(ELLIPSIS) and excerpt.text.endswith(ELLIPSIS)
    inner = excerpt.text.strip(ELLIPSIS)
    assert inner in passage
    # No word cut in half at either end.
    assert passage[passage.index(inner) - 1] == " "
    assert passage[passage.index(inner) + len(inner)] == " "
    assert "judge" in inner


def test_highlights_are_spans_of_matched_words():
    excerpt = make_excerpt(PASSAGE, ANALYZER, weights("judges", "ruling"), 400)
    marked = [excerpt.text[s:e] for s, e in excerpt.highlights]
    assert marked == ["judge", "ruled", "ruling"]


def test_no_match_still_gives_a_bounded_excerpt():
    excerpt = make_excerpt(PASSAGE, ANALYZER, {}, 90)
    assert excerpt.highlights == ()
    assert len(excerpt.text) <= 90 and excerpt.text in PASSAGE


def test_the_run_of_sentences_holding_most_of_the_question_wins():
    passage = (
        "In 1893 Adams asked Tesla which system was best for the falls. "
        "Many companies proposed their own designs over several years of open competitions "
        "held in New York, London and Paris, with prizes for the winning entries. "
        "Adams pumped Tesla for information. "
        "Tesla advised Adams that a two-phased system would be the most reliable."
    )
    question = weights("Tesla", "information", "Adams", "system")
    excerpt = make_excerpt(passage, ANALYZER, question, 120)
    # Three sentences hold three of the four words each, the first one earliest;
    # the last two, together within the budget, hold all four.
    assert excerpt.text == (
        "Adams pumped Tesla for information. "
        "Tesla advised Adams that a two-phased system would be the most reliable."
    )
