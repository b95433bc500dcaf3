"""Property-based tests: hostile text through the analyzer, the answerer and the renderer.

Any Unicode (control and format characters, bidi overrides, zero-width joiners,
combining marks, emoji, lone surrogates), 0 to 100,000 characters, only stop
words, only punctuation, code fences, markdown, URLs and mentions. Always: no
exception, an answer or a refusal, every message within Discord's limits (checked
with the fake Discord's own validators), nobody pinged.

Example counts are modest here (``QABOT_HYPOTHESIS_EXAMPLES`` raises them; the
stress suite runs many more).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import discord
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.analysis.analyzer import Analyzer
from bot.analysis.stopwords import ENGLISH_STOPWORDS
from bot.answer.answerer import NOT_FOUND, REFUSED_EMPTY, REFUSED_TOO_LONG, Answer, AnswerItem
from bot.answer.excerpt import Excerpt
from bot.answer.render import answer_message, as_text, passage_embed
from bot.config import AnalysisConfig
from bot.discord_app.buttons import answer_buttons
from bot.discord_app.components import static_view
from bot.discord_app.convert import message_kwargs, to_embed
from bot.documents.corpus import Passage
from bot.documents.loading import build_meta
from bot.harness.validation import (
    CHANNEL_MESSAGE_FLAGS,
    INTERACTION_MESSAGE_FLAGS,
    is_empty,
    validate_message,
    would_ping,
)

EXAMPLES = int(os.environ.get("QABOT_HYPOTHESIS_EXAMPLES", "200"))
RANDOM = bool(os.environ.get("QABOT_HYPOTHESIS_RANDOM"))  # the stress run explores
PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,  # the normal suite sees the same examples every run
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BOT_ID = 1198765432109876543
NO_MENTIONS = discord.AllowedMentions.none()

HOSTILE = [
    # invisible, bidi and format characters
    "\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
    "\u00ad", "\u061c", "\U000e0001", "\u180e",
    # combining marks and emoji (with joiners and variation selectors)
    "e\u0301", "\u0336" * 8, "Z\u0351\u0352\u0353\u0354\u0355", "👩\u200d👩\u200d👧\u200d👦",
    "🏳\ufe0f\u200d🌈", "😀", "🇺🇸", "1\ufe0f\u20e3", "ﷺ", "ﬁ", "Ⅻ", "①",
    # control characters and line breaks
    "\x00", "\x07", "\x1b[31m", "\x7f", "\r\n", "\n", "\t", "\u2028", "\u2029", "\x85",
    # lone surrogates (JSON can carry them; orjson refuses them)
    "\ud800", "\udfff",
    # mentions and links
    "@everyone", "@here", "@\u200beveryone", "<@123456789012345678>", "<@!123456789012345678>",
    "<@&123456789012345678>", "<#123456789012345678>", "<@1>", "<@&42>", "<t:1700000000:R>",
    "https://example.com/a_b*c", "<https://x.y/z>", "[click](https://evil.example/)",
    "http://", "javascript:alert(1)", "discord.gg/invite",
    # markdown
    "```py\nprint('hi')\n```", "```", "`code`", "**bold**", "__under__", "~~strike~~",
    "||spoiler||", "> quote", ">>> quote", "# heading", "-# small", "- item", "1. item",
    "\\", "\\\\", "\\*", "*", "_", "|", "~", "<", ">",
    # stop words, punctuation, question words and corpus words
    "the", "a", "of", "and", "is", "who", "what", "why", "?", "!!!", "...", "…", "—", "'", '"',
    "’s", "«»", "Social Security", "ICE", "DOGE", "judge", "Massachusetts", "Leland Dodek",
    "numbers", "issued", "citizens",
]  # fmt: skip
# Always tried, whatever hypothesis draws: the empty text and 100,000-character ones.
EDGES = [
    "",
    "@everyone " * 10_000,
    "the of and is " * 7_143,
    "```" + "x" * 99_994 + "```",
    "\u202e\u200d👩" * 25_000,
    "Social Security numbers? " * 4_000,
]


def with_edges(name: str):
    """Add each of EDGES as an explicit example for argument ``name``."""

    def apply(test):
        for text in reversed(EDGES):
            test = example(**{name: text})(test)
        return test

    return apply


PUNCTUATION = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~…—–«»¿¡。、")


def _repeat(args: tuple[str, int]) -> str:
    text, length = args
    if not text:
        return text
    return (text * (length // len(text) + 1))[:length]


pieces = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), min_size=0, max_size=40
).map("".join)
hostile_text = st.one_of(
    st.text(max_size=400),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=200),  # surrogates too
    pieces,
    st.lists(st.sampled_from(sorted(ENGLISH_STOPWORDS)), max_size=30).map(" ".join),
    st.lists(st.sampled_from(PUNCTUATION), max_size=60).map("".join),
    # long texts, up to 100,000 characters, built by repetition (cheap to generate)
    st.tuples(pieces, st.integers(0, 100_000)).map(_repeat),
)


# --------------------------------------------------------------------------- analyzer


@PROFILE
@given(text=hostile_text)
@with_edges("text")
def test_analyzer_never_fails_and_words_point_into_the_text(text):
    analyzer = ANALYZER
    words = list(analyzer.words(text))
    previous = (0, 0)
    for word in words:
        # Pieces of one normalised word ("¼" -> "1", "4") share its span;
        # different words never overlap and go left to right.
        if (word.start, word.end) != previous:
            assert previous[1] <= word.start < word.end <= len(text)
        previous = (word.start, word.end)
        assert word.norm and len(word.norm) <= 64
        assert word.term is None or word.term
    terms = analyzer.terms(text)  # the indexing fast path
    assert all(term and not any(ch.isspace() for ch in term) for term in terms)
    assert analyzer.terms(text) == terms  # deterministic


@PROFILE
@given(text=hostile_text)
def test_documents_and_questions_get_the_same_terms(text):
    question_terms = [w.term for w in ANALYZER.words(text) if w.term is not None]
    assert not any(" " in term for term in question_terms)
    assert ANALYZER.terms(text) == question_terms


ANALYZER = Analyzer(AnalysisConfig())


@PROFILE
@given(words=st.lists(st.sampled_from(sorted(ENGLISH_STOPWORDS)), max_size=50))
def test_only_stop_words_or_punctuation_give_no_terms(words):
    assert ANALYZER.terms(" ".join(words)) == []
    assert ANALYZER.terms("".join(PUNCTUATION) * 3) == []


# --------------------------------------------------------------------------- Discord's rules


def payload_of(kwargs: dict) -> dict:
    """What discord.py sends for these send() keyword arguments."""
    body: dict = {"allowed_mentions": kwargs["allowed_mentions"].to_dict()}
    if "content" in kwargs:
        body["content"] = kwargs["content"]
    if "embeds" in kwargs:
        body["embeds"] = [embed.to_dict() for embed in kwargs["embeds"]]
    if "view" in kwargs:
        body["components"] = kwargs["view"].to_components()
    return body


RAW_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>", re.IGNORECASE)


def assert_sendable(body: dict, *, interaction: bool = False) -> None:
    flags = INTERACTION_MESSAGE_FLAGS if interaction else CHANNEL_MESSAGE_FLAGS
    errors = validate_message(body, allowed_flags=flags)
    assert errors == [], [str(e) for e in errors]
    assert not is_empty(body)
    pinged = would_ping(
        body.get("content"), body["allowed_mentions"], replied_user_id=None, bot_id=BOT_ID
    )
    assert pinged == []
    # And no live mention syntax survives in the text users read as markdown.
    readable = [body.get("content") or ""]
    for embed in body.get("embeds", []):
        readable.append(embed.get("description") or "")
        readable += [field["value"] for field in embed.get("fields", [])]
    for text in readable:
        assert RAW_MENTION.search(text) is None, text


def render_all(answer: Answer) -> None:
    """Every page of an answer, with its buttons, and every "Full passage" view."""
    pages = range(len(answer.items)) if answer.answered else [0]
    for index in pages:
        kwargs = message_kwargs(answer_message(answer, index))
        if answer.answered:
            pids = [item.passage.pid for item in answer.items]
            for page_of in (None, 1575210127206645761):
                view = static_view(answer_buttons("ab12cd34", pids, index, page_of))
                assert_sendable(payload_of(dict(kwargs, view=view)))
        else:
            assert_sendable(payload_of(kwargs))
        as_text(answer_message(answer, index))
    for item in answer.items:  # the "Full passage" button's ephemeral reply
        embed = to_embed(passage_embed(item))
        body = {"embeds": [embed.to_dict()], "allowed_mentions": NO_MENTIONS.to_dict()}
        assert_sendable(body, interaction=True)


# --------------------------------------------------------------------------- answerer


@PROFILE
@given(question=hostile_text)
@with_edges("question")
def test_any_question_gets_an_answer_or_a_refusal_within_discords_limits(seed_answerer, question):
    answer = seed_answerer.answer(question)
    limit = seed_answerer.config.answer.max_question_chars
    if answer.answered:
        assert answer.refusal is None
        assert 1 <= len(answer.items) <= seed_answerer.config.retrieval.top_k
        for item in answer.items:
            excerpt = item.excerpt
            assert item.passage.text[excerpt.start : excerpt.end] in excerpt.text
            assert 0 <= excerpt.start <= excerpt.end <= len(item.passage.text)
            spans = list(excerpt.highlights)
            assert spans == sorted(spans)
            assert all(0 <= s < e <= len(excerpt.text) for s, e in spans)
            assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
            assert item.doc_id in seed_answerer.index.corpus.documents
    else:
        assert answer.refusal in (REFUSED_EMPTY, REFUSED_TOO_LONG, NOT_FOUND)
        if answer.refusal == REFUSED_TOO_LONG:
            assert len(answer.question) == limit and answer.limit == limit
    render_all(answer)


# --------------------------------------------------------------------------- renderer

short_text = st.one_of(pieces, st.text(max_size=60))


@st.composite
def answer_items(draw) -> AnswerItem:
    text = draw(st.one_of(hostile_text, pieces))
    name = draw(st.text(st.characters(exclude_characters="/\x00"), min_size=1, max_size=40))
    doc_id = draw(st.sampled_from(["", "docs/", "a/b/"])) + name + ".md"
    raw = {
        "title": draw(st.one_of(st.none(), short_text, st.text(max_size=2000))),
        "source": draw(st.one_of(st.none(), short_text)),
        "author": draw(st.one_of(st.none(), short_text)),
        "date": draw(st.one_of(st.none(), short_text, st.integers(-(10**12), 10**12), st.dates())),
        "url": draw(
            st.one_of(
                st.none(),
                short_text,
                st.sampled_from(["https://example.com/x", "http://a", "javascript:alert(1)"]),
            )
        ),
    }
    meta = build_meta(raw, draw(short_text), Path(doc_id))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    spans = tuple((a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b)
    passage = Passage(
        draw(st.integers(0, 10**9)),
        doc_id,
        draw(st.one_of(st.none(), short_text)),
        draw(st.integers(1, 10**6)),
        0,
        len(text),
        text,
    )
    score = draw(st.floats(allow_nan=True, allow_infinity=True))
    return AnswerItem(1, score, 1.0, doc_id, meta, passage, Excerpt(text, spans, 0, len(text)))


@PROFILE
@given(
    items=st.lists(answer_items(), min_size=1, max_size=3),
    question=hostile_text,
)
def test_any_document_text_renders_within_discords_limits_and_pings_nobody(items, question):
    ranked = tuple(
        AnswerItem(rank, i.score, i.coverage, i.doc_id, i.meta, i.passage, i.excerpt)
        for rank, i in enumerate(items, start=1)
    )
    render_all(Answer(question, ranked))


@PROFILE
@given(question=hostile_text, refusal=st.sampled_from([REFUSED_EMPTY, REFUSED_TOO_LONG, NOT_FOUND]))
def test_refusals_render_within_limits(question, refusal):
    render_all(Answer(question, (), refusal, 500))
