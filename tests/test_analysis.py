"""The shared analyzer, acronym mining, synonyms and typo matching."""

import pytest

from bot.analysis.analyzer import Analyzer, normalize
from bot.analysis.spelling import american
from bot.analysis.synonyms import AcronymMiner, build_synonyms
from bot.analysis.typos import TypoCorrector
from bot.config import AnalysisConfig

ANALYZER = Analyzer(AnalysisConfig())


def test_normalisation_folds_case_quotes_and_width():
    assert normalize("ＩＣＥ’s “Data”") == 'ice\'s "data"'
    assert ANALYZER.terms("ICE’s") == ANALYZER.terms("ice's") == ["ice"]
    assert ANALYZER.terms("Ｍａｓｓａｃｈｕｓｅｔｔｓ") == ANALYZER.terms("massachusetts")


def test_terms_drop_stop_words_stem_and_keep_numbers():
    assert ANALYZER.terms("What did the judges decide in 2025 about 1771132586?") == [
        "judg",
        "decid",
        "2025",
        "1771132586",
    ]
    assert ANALYZER.terms("who what when where why how") == []
    assert ANALYZER.terms("We’ll tell them, don't") == ["tell"]


def test_words_keep_spans_in_the_original_text():
    text = "The “IRS” shares data."
    words = list(ANALYZER.words(text))
    assert [text[w.start : w.end] for w in words] == ["The", "IRS", "shares", "data"]
    assert [w.term for w in words] == [None, "ir", "share", "data"]


def test_stemming_can_be_switched_off():
    plain = Analyzer(AnalysisConfig(stemmer="none", stopwords=False))
    assert plain.terms("The judges") == ["the", "judges"]


def test_invisible_characters_do_not_break_words():
    assert ANALYZER.term("jud\u00adge") == ANALYZER.term("judge")


def test_acronyms_are_mined_from_text():
    miner = AcronymMiner()
    miner.feed(
        "Immigration and Customs Enforcement agents came. ICE declined to comment. "
        "The Internal Revenue Service and the IRS are one. The so-called Department of "
        "Government Efficiency sought cuts. President Donald Trump spoke."
    )
    pairs = set(miner.pairs())
    assert ("ICE", "Immigration and Customs Enforcement") in pairs
    assert ("IRS", "Internal Revenue Service") in pairs
    assert ("DOGE", "Department of Government Efficiency") in pairs  # never written as DOGE
    assert not any(name == "President Donald Trump" for _, name in pairs)


def test_synonym_groups_give_one_group_term_to_every_form():
    table = build_synonyms(
        ANALYZER, [["phone", "telephone"]], [("IRS", "Internal Revenue Service")]
    )
    long_form = table.expand(ANALYZER.terms("the Internal Revenue Service said"))
    short_form = table.expand(ANALYZER.terms("the IRS said"))
    assert long_form == short_form and len(long_form) == 1
    assert table.expand(ANALYZER.terms("a telephone")) == table.expand(ANALYZER.terms("phones"))
    assert table.expand(ANALYZER.terms("nothing related")) == []


def test_groups_sharing_a_phrase_merge():
    table = build_synonyms(
        ANALYZER, [["ssa", "social security administration"]], [("SSA", "Social Security Agency")]
    )
    assert table.expand(["ssa"]) == table.expand(["social", "secur", "agenc"])


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("jugde", "judge"),
        ("massachusets", "massachusetts"),
        ("securty", "security"),
        ("secuirty", "security"),
        ("administraton", "administration"),
    ],
)
def test_typos_match_close_vocabulary_words(typo, expected):
    corrector = TypoCorrector(
        ["judge", "massachusetts", "security", "administration", "secure", "social"], 5
    )
    assert corrector.candidates(typo) == [expected]


def test_short_or_far_words_are_not_corrected():
    corrector = TypoCorrector(["judge", "bread", "read"], 5)
    assert corrector.candidates("jdg") == []  # too short
    assert corrector.candidates("sourdough") == []
    assert corrector.candidates("1234") == []


def test_term_pairs_fast_path_matches_words():
    text = "The Ｉnternal Revenue Service’s judges, 2024: don't stop"
    slow = [(w.norm.replace("’", "'"), w.term) for w in ANALYZER.words(text) if w.term]
    assert [t for _, t in ANALYZER.term_pairs(text)] == [t for _, t in slow]


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("colour", "color"),
        ("favourite", "favorite"),
        ("tumours", "tumors"),
        ("randomised", "randomized"),
        ("hospitalisation", "hospitalization"),
        ("recognising", "recognizing"),
        ("analysed", "analyzed"),
        ("anaemia", "anemia"),
        ("haemoglobin", "hemoglobin"),
        ("ischaemic", "ischemic"),
        ("paediatric", "pediatric"),
        ("oesophageal", "esophageal"),
        ("diarrhoea", "diarrhea"),
        ("centre", "center"),
        ("fuelled", "fueled"),
    ],
)
def test_british_and_american_spellings_index_alike(british, american):
    analyzer = Analyzer(AnalysisConfig(fold_spelling=True))
    assert analyzer.terms(british) == analyzer.terms(american)
    assert Analyzer(AnalysisConfig()).terms(british) != analyzer.terms(american)


@pytest.mark.parametrize(
    "word",
    [
        "four",
        "hour",
        "tour",
        "promise",
        "exercise",
        "arise",
        "expertise",
        "surprise",
        "advertise",
        "aerobic",
        "does",
        "shoe",
        "paralysis",
        "analysis",
        "crisis",
    ],
)
def test_words_that_only_look_british_are_left_alone(word):
    assert american(word) == word
