"""Links to the place: page#anchor:~:text=... as the URL Fragment Text Directives spec says."""

import urllib.parse

import pytest

from bot.answer.links import encode_text, page_link, quoted_words, result_link, text_directive
from bot.documents.pageurl import join_url

PAGE = "https://docs.example.org/en/latest/install.html"


def decoded(directive: str) -> list[str]:
    """The directive's parameters as a browser reads them: split at ',' then decoded."""
    assert directive.startswith("text=")
    return [urllib.parse.unquote(part) for part in directive[len("text=") :].split(",")]


def test_the_syntax_characters_and_spaces_are_percent_encoded():
    assert encode_text("a-b, c&d") == "a%2Db%2C%20c%26d"
    assert encode_text("100% #1") == "100%25%20%231"


def test_the_explicit_characters_of_the_grammar_are_kept():
    kept = "AZaz09!$'()*+./:;=?@_~"
    assert encode_text(kept) == kept


def test_unicode_is_utf8_percent_encoded():
    assert encode_text("é") == "%C3%A9"
    assert encode_text("“quoted” naïve 日本") == (
        "%E2%80%9Cquoted%E2%80%9D%20na%C3%AFve%20%E6%97%A5%E6%9C%AC"
    )
    assert encode_text("🙂") == "%F0%9F%99%82"  # outside the BMP: four bytes


def test_a_short_quote_is_given_whole():
    assert text_directive("Run the installer again.") == "text=Run%20the%20installer%20again."


def test_a_long_quote_is_given_by_its_first_and_last_words():
    quote = "To upgrade the co-op build, run the installer again, then restart the daemon."
    directive = text_directive(quote)
    assert directive == "text=To%20upgrade%20the%20co%2Dop,then%20restart%20the%20daemon."
    start, end = decoded(directive)
    assert quote.startswith(start) and quote.endswith(end)


def test_commas_and_dashes_inside_a_quote_do_not_split_the_directive():
    quote = "Use --force-with-lease, not --force, to push & pull."
    directive = text_directive(quote)
    assert directive is not None
    assert decoded(directive) == [quote]  # one parameter: no comma of the text left bare
    assert not set("-,& ") & set(directive.split("=", 1)[1])


def test_the_excerpts_ellipses_are_dropped_and_whole_words_kept():
    quote = "…the daemon restarts on its own after an upgrade of the co-op build…"
    start, end = decoded(text_directive(quote))
    assert (start, end) == ("the daemon restarts on", "of the co-op build")
    assert "…" not in start + end


def test_markdown_markup_never_starts_or_ends_a_quote():
    assert quoted_words("**Note** keep `pip` current [here]") == ["keep", "`pip`", "current"]
    start, end = decoded(text_directive("**Note:** keep `pip` current and upgrade often"))
    assert (start, end) == ("keep", "current and upgrade often")


def test_nothing_to_quote_gives_no_directive():
    assert text_directive("") is None
    assert text_directive("…") is None
    assert text_directive("**bold**") is None


def test_with_an_anchor_the_directive_follows_it():
    link = result_link(PAGE, "upgrading", "Run the installer again.")
    assert link == PAGE + "#upgrading:~:text=Run%20the%20installer%20again."


def test_without_an_anchor_the_fragment_is_only_the_directive():
    assert result_link(PAGE, None, "Run it.") == PAGE + "#:~:text=Run%20it."


def test_an_anchor_replaces_the_urls_fragment_and_is_encoded():
    assert page_link(PAGE + "#top", "id with space") == PAGE + "#id%20with%20space"
    assert page_link(PAGE + "#top", None) == PAGE + "#top"
    assert result_link(PAGE + "#top", None, "Run it.") == PAGE + "#top:~:text=Run%20it."


def test_a_url_that_already_has_a_directive_is_left_as_it_is():
    url = PAGE + "#:~:text=theirs"
    assert result_link(url, None, "Run it.") == url


@pytest.mark.parametrize("url", [None, ""])
def test_no_url_no_link(url):
    assert result_link(url, "anchor", "Run it.") is None
    assert page_link(url, "anchor") is None


def test_page_paths_are_encoded_a_segment_at_a_time():
    base = "https://docs.example.org/en/latest"  # no trailing slash: still a folder
    assert join_url(base, ("api", "Data Types.html")) == (
        "https://docs.example.org/en/latest/api/Data%20Types.html"
    )
    assert join_url(base + "/", ("a#b?c", "ü.html")) == (
        "https://docs.example.org/en/latest/a%23b%3Fc/%C3%BC.html"
    )


def test_a_quote_with_code_lines_is_matched_by_the_ends_of_its_first_and_last_lines():
    from bot.answer.links import text_directive

    quote = "To install the widget from a script:\nimport widget\nwidget.install(force=True)"
    assert text_directive(quote) == "text=To%20install%20the%20widget,widget.install(force=True)"
    # A short quote of two lines is still given by its ends: no term crosses a block.
    assert text_directive("Run this:\nmake all") == "text=Run%20this:,make%20all"
