"""Rendering answers for Discord: escaping, mentions, limits."""

import dataclasses

from bot.answer.answerer import Answer, AnswerItem
from bot.answer.excerpt import Excerpt
from bot.answer.render import (
    MAX_EMBED_DESCRIPTION,
    MAX_EMBED_TITLE,
    MAX_EMBED_TOTAL,
    MAX_FIELD_VALUE,
    answer_message,
    as_text,
    escape,
    highlighted,
    passage_embed,
    truncate,
)
from bot.documents.corpus import Passage
from bot.documents.loading import DocumentMeta


def item_with(text: str, title: str = "Doc", highlights=()) -> AnswerItem:
    passage = Passage(0, "doc.txt", None, 1, 0, len(text), text)
    excerpt = Excerpt(text, tuple(highlights), 0, len(text))
    return AnswerItem(
        1, 3.0, 1.0, "doc.txt", DocumentMeta(title, "Src", date="2024-01-01"), passage, excerpt
    )


def test_escape_neutralises_markdown_mentions_and_links():
    text = "@everyone @here <@123456789012345678> <@&123456789012345678> **bold** [x](http://a.b)"
    escaped = escape(text)
    assert "@everyone" not in escaped and "@here" not in escaped
    assert "<@1" not in escaped and "<@&1" not in escaped  # no mention syntax survives
    assert "**bold**" not in escaped and "](http" not in escaped
    assert as_text(answer_message(Answer("q", (item_with(text),)))).count("everyone") == 1


def test_highlights_become_bold_and_the_rest_is_escaped():
    item = item_with("a *judge* ruled", highlights=[(3, 8)])
    assert highlighted(item.excerpt) == "a \\***judge**\\* ruled"


def test_every_part_stays_within_discord_limits():
    huge = ("word " * 5000) + "@everyone"
    item = item_with(huge, title="T" * 1000)
    item = dataclasses.replace(item, meta=dataclasses.replace(item.meta, source="S" * 5000))
    for embed in (answer_message(Answer("q" * 3000, (item,))).embeds[0], passage_embed(item)):
        assert len(embed.title) <= MAX_EMBED_TITLE
        assert len(embed.description) <= MAX_EMBED_DESCRIPTION
        assert all(len(f.value) <= MAX_FIELD_VALUE for f in embed.fields)
        assert embed.total_chars() <= MAX_EMBED_TOTAL


def test_truncate_cuts_at_words_and_never_leaves_a_dangling_escape():
    assert truncate("one two three four", 12) == "one two…"
    cut = truncate("a\\*" * 50, 11)
    assert len(cut) <= 11 and not cut.rstrip("…").endswith("\\")


def test_refusals_are_short_plain_messages():
    for refusal in ("not_found", "empty", "too_long"):
        message = answer_message(Answer("q", (), refusal, 500))
        assert message.embeds == [] and 0 < len(message.content) < 300


def test_a_file_without_metadata_is_named_once_in_the_embed():
    text = "Zymurgy is the study of fermentation in brewing."
    passage = Passage(0, "notes/faq.txt", None, 1, 0, len(text), text)
    excerpt = Excerpt(text, (), 0, len(text))
    item = AnswerItem(
        1, 3.0, 1.0, "notes/faq.txt", DocumentMeta("faq", "faq.txt"), passage, excerpt
    )
    fields = {f.name: f.value for f in answer_message(Answer("q", (item,))).embeds[0].fields}
    assert fields["Source"] == "Paragraph 1" and "faq.txt" in fields["Document"]
    published = dataclasses.replace(item, meta=DocumentMeta("faq", "Brew Weekly"))
    fields = {f.name: f.value for f in answer_message(Answer("q", (published,))).embeds[0].fields}
    assert fields["Source"] == "Brew Weekly · Paragraph 1"
