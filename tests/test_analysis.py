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
    # A name never takes the lower-case word after it ("... Enforcement agents").
    assert not any(acronym in {"ICEA", "DGES"} for acronym, _ in pairs)
    # A name whose acronym is written gets no invented ones (IACE).
    assert [a for a, name in pairs if name == "Immigration and Customs Enforcement"] == ["ICE"]


def mined_from(corpus) -> set[tuple[str, str]]:
    miner = AcronymMiner()
    for passage in corpus.passages:
        miner.feed(passage.text)
    return set(miner.pairs())


def test_seed_acronyms_are_names_people_abbreviate(seed_index):
    pairs = mined_from(seed_index.corpus)
    for wrong in [
        ("SSB", "Social Security becoming"),
        ("SSAC", "Social Security Administration cannot"),
        ("DGES", "Department of Government Efficiency sought"),
        ("ICEA", "Immigration and Customs Enforcement agents"),
    ]:
        assert wrong not in pairs
    assert {
        ("ICE", "Immigration and Customs Enforcement"),
        ("SSA", "Social Security Administration"),
        ("DHS", "Department of Homeland Security"),
        ("IRS", "Internal Revenue Service"),
    } <= pairs
    assert all(name.split()[-1][0].isupper() for _, name in pairs)


STANDARDS_TEXT = """The International Organization for Standardization (ISO) publishes thousands of
standards. Delegates of the National Institute of Standards and Technology attend
its meetings; NIST was founded in 1901. When World Wide Web Consortium members
met, OGC (Open Geospatial Consortium) staff took notes. Some Technical Committee
members argued, when asked. Every Joint Technical Committee meets twice a year, and the Open
Geospatial Consortium sometimes joins. A Joint Technical Committee report, the
Open Geospatial Consortium says, is due soon.
"""


def test_acronyms_of_an_unrelated_text():
    miner = AcronymMiner()
    miner.feed(STANDARDS_TEXT)
    pairs = set(miner.pairs())
    assert pairs == {
        # Defined in brackets: the letters need not be the initials.
        ("ISO", "International Organization for Standardization"),
        ("OGC", "Open Geospatial Consortium"),
        # Written elsewhere in capitals.
        ("NIST", "National Institute of Standards and Technology"),
    }


def test_a_sentence_may_capitalise_the_word_before_a_name():
    miner = AcronymMiner()
    miner.feed("When Internal Revenue Service agents call, the IRS says, answer when you can.")
    assert set(miner.pairs()) == {("IRS", "Internal Revenue Service")}


def test_names_with_connectors_and_no_written_acronym_get_invented_ones():
    miner = AcronymMiner()
    miner.feed("Staff of the Bureau of Land Management came. Bureau of Land Management staff left.")
    assert set(miner.pairs()) == {
        ("BLM", "Bureau of Land Management"),
        ("BOLM", "Bureau of Land Management"),
    }


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
