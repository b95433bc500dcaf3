"""Sentence spans: the bounded abbreviation look-back gives the spans of the old full one."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.documents import sentences
from bot.documents.sentences import _last_word, split_sentences
from tests.conftest import REPO


def old_ends_with_abbreviation(text: str, start: int, dot: int) -> bool:
    """The look-back before it was bounded: it copied the sentence so far at every dot."""
    if text[dot] != ".":
        return False
    word = text[start:dot].rsplit(None, 1)[-1] if text[start:dot].strip() else ""
    word = word.lstrip("\"'“‘(").lower()
    return len(word) == 1 and word.isalpha() or word in sentences._ABBREVIATIONS


def old_split_sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in sentences._BOUNDARY.finditer(text):
        end = match.end()
        if old_ends_with_abbreviation(text, start, match.start()):
            continue
        following = sentences._NEXT_CHAR.match(text, end)
        if following and following.group(1).islower():
            continue
        sentences._append(spans, text, start, end)
        start = end
    sentences._append(spans, text, start, len(text))
    return spans


PIECES = (
    """
Dr. Mr. U.S. e.g. i.e. etc. J. x. Sept. no. The cat sat word “Quoted.” (Dr. 'J. end.
Why? Now! Wait… ... . (see above). [1]. 42. ok «Oui» Ünïcödé
""".split()
    # Words longer than a look-back window; the last one is a single initial
    # only once its quotes are stripped, which a cut-off look-back would miss.
    + ["a" * 40, "b" * 70 + ".", " .", "x" + "“" * 40 + "J."]
)
SPACES = [" ", " ", " ", "  ", "\n", "\t", "\u00a0", "\u2003", "   \n  "]


@st.composite
def texts(draw) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SPACES))))
    return "".join(piece + space for piece, space in parts)


@settings(max_examples=200, deadline=None)
@given(texts())
def test_spans_are_those_of_the_unbounded_look_back(text):
    assert split_sentences(text) == old_split_sentences(text)


@given(st.text(alphabet=" \t\n\u2003.aJ“(xyz", max_size=200), st.data())
def test_last_word_is_the_last_whitespace_separated_word(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    piece = text[start:end]
    expected = piece.rsplit(None, 1)[-1] if piece.strip() else ""
    assert _last_word(text, start, end) == expected


def test_varied_prose_and_the_seed_article_split_alike():
    seed = next((REPO / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    prose = (
        'Dr. Smith met Mr. Jones in the U.S. on Jan. 5. "It went well." He left.\n'
        "See fig. 3, e.g. the top one. J. R. R. Tolkien wrote it! Did he? Yes… "
        "(And then.) The end" + " word" * 300 + "." + "x" * 5000 + ". Done. "
        "Then x" + "“" * 40 + "J. Smith came."
    )
    for text in (seed, prose):
        assert split_sentences(text) == old_split_sentences(text)


def test_a_long_paragraph_without_sentence_ends_splits_alike():
    # Every dot is an abbreviation or is followed by lower case, so the sentence
    # (and the old look-back's copy of it) grows through the whole paragraph.
    paragraph = "".join(
        f"{word} " for _ in range(4_000) for word in ("Dr.", "J.", "fig.", "x", "y.", "z")
    )
    spans = split_sentences(paragraph)
    assert spans == old_split_sentences(paragraph) == [(0, len(paragraph) - 1)]
