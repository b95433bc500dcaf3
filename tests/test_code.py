"""Code shows as code: passages and excerpts keep it exactly; Discord shows it fenced."""

import json

import pytest

from bot.analysis.analyzer import Analyzer
from bot.answer.answerer import Answer, Answerer
from bot.answer.excerpt import ELLIPSIS, make_excerpt
from bot.answer.fences import ZERO_WIDTH_SPACE, fence, safe_code
from bot.answer.render import (
    MAX_EMBED_DESCRIPTION,
    MAX_EMBED_TOTAL,
    answer_message,
    as_text,
    passage_embed,
)
from bot.cli_text import answer_json, answer_text
from bot.config import AnalysisConfig
from bot.documents.htmltext import html_to_text
from bot.documents.passages import CodeSpan
from bot.search.index import SearchIndex
from tests.conftest import config_for, write
from tests.test_cli import qabot

CODE = (
    "import qabot\n"
    "\n"
    "def fetch_page(url, timeout=10):\n"
    '    """Fetch one page."""\n'
    "    return qabot.get(url, timeout=timeout)"
)
PAGE = f"""<html><head><title>Fetching pages</title></head><body><main>
<h1 id="fetching">Fetching pages</h1>
<p>The client fetches pages over HTTP with a timeout. To fetch a page, call fetch_page:</p>
<pre class="language-python">{CODE}</pre>
<p>A page that does not answer within the timeout is reported and skipped.</p>
</main></body></html>
"""
LEAD_IN = "The client fetches pages over HTTP with a timeout. To fetch a page, call fetch_page:"
HOSTILE = "echo '```'\n@everyone <@&123456789012345678> **not bold** C:\\temp\\*.txt"
ANALYZER = Analyzer(AnalysisConfig())


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("code") / "docs"
    write(folder, "fetching.html", PAGE)
    return folder


@pytest.fixture(scope="module", params=["rank-bm25", "tantivy"])
def answerer(docs, tmp_path_factory, request):
    index_dir = tmp_path_factory.mktemp("index")
    config = config_for([docs], retrieval={"engine": request.param, "index_dir": index_dir})
    return Answerer(SearchIndex.build(config))


def excerpt_item(answerer):
    answer = answerer.answer("How do I fetch a page with a timeout?")
    return answer, answer.items[0]


def test_a_passage_keeps_its_code_exactly_and_the_prose_collapsed(answerer):
    # Both engines: tantivy stores the code spans with the passage.
    _, item = excerpt_item(answerer)
    passage = item.passage
    assert passage.text == LEAD_IN + "\n" + CODE
    assert passage.code == (CodeSpan(len(LEAD_IN) + 1, len(LEAD_IN) + 1 + len(CODE), "python"),)
    assert passage.section == "Fetching pages" and passage.anchor == "fetching"


def test_the_excerpt_quotes_the_code_with_its_line_breaks(answerer):
    _, item = excerpt_item(answerer)
    excerpt = item.excerpt
    assert excerpt.text == LEAD_IN + "\n" + CODE
    (code,) = excerpt.code
    assert excerpt.text[code.start : code.end] == CODE and code.language == "python"


def test_the_embed_fences_the_code_with_its_language(answerer):
    answer, _ = excerpt_item(answerer)
    embed = answer_message(answer).embeds[0]
    assert embed.description.endswith("\n```python\n" + CODE + "\n```")
    assert "**fetch**" in embed.description.split("```")[0]  # highlights in the prose only
    assert "**" not in embed.description.split("```python")[1]


def test_the_cli_prints_code_verbatim_and_json_keeps_the_exact_text(answerer):
    answer, _ = excerpt_item(answerer)
    text = answer_text(answer)
    assert "\n```python\n" + CODE + "\n```" in text
    assert "    “The client **fetches** **pages** over HTTP" in text
    result = answer_json(answer)["results"][0]
    assert result["excerpt"] == LEAD_IN + "\n" + CODE
    start = len(LEAD_IN) + 1
    assert result["code"] == [{"start": start, "end": start + len(CODE), "language": "python"}]


def test_qabot_ask_prints_the_code_block_verbatim(docs, tmp_path):
    config = tmp_path / "qabot.yaml"
    config.write_text(
        f"corpus:\n  paths: [{json.dumps(str(docs))}]\n"
        f"retrieval:\n  index_dir: {json.dumps(str(tmp_path / 'index'))}\n",
        encoding="utf-8",
    )
    asked = qabot("ask", "--config", str(config), "How do I fetch a page with a timeout?")
    assert asked.returncode == 0, asked.stderr
    assert "\n```python\n" + CODE + "\n```\n" in asked.stdout + "\n"
    as_json = qabot("ask", "--json", "--config", str(config), "fetch a page with a timeout")
    top = json.loads(as_json.stdout)["results"][0]
    assert top["excerpt"] == LEAD_IN + "\n" + CODE and top["code"][0]["language"] == "python"


@pytest.mark.parametrize(
    ("html", "language"),
    [
        ('<pre class="language-python">x = 1</pre>', "python"),  # Prism, highlight.js
        ('<pre><code class="lang-sh">ls</code></pre>', "sh"),
        (
            '<div class="highlight-python3 notranslate"><div class="highlight">'
            "<pre><span></span>x = 1</pre></div></div>",
            "python3",
        ),  # Sphinx
        ('<div class="highlight-default"><div class="highlight"><pre>x</pre></div></div>', None),
        ('<pre class="chroma"><code class="language-go" data-lang="go">x</code></pre>', "go"),
        ('<pre data-lang="toml">a = 1</pre>', "toml"),
        ('<pre class="sourceCode yaml"><code>a: 1</code></pre>', "yaml"),  # Pandoc
        (
            '<div class="language-yaml highlighter-rouge"><div class="highlight">'
            '<pre class="highlight"><code>a: 1</code></pre></div></div>',
            "yaml",
        ),  # Jekyll
        ('<pre class="nohighlight">x</pre>', None),
        ("<pre>x</pre>", None),
    ],
)
def test_the_language_comes_from_the_generators_conventions(html, language):
    page = html_to_text(f"<html><body><main><p>Run this:</p>{html}</main></body></html>")
    assert [b.language for b in page.blocks if b.kind == "code"] == [language]


# ----------------------------------------------------------------------------- excerpts


def weights(*words):
    return {ANALYZER.term(w): 1.0 for w in words}


def test_a_code_block_is_taken_whole_or_not_at_all():
    prose = "Some background about the tool comes first. " * 4
    lead_in = "To list the files, run:"
    code = "ls -la /srv/files\n    | sort\n    | head -n 5"
    passage = prose + lead_in + "\n" + code
    spans = (CodeSpan(len(passage) - len(code), len(passage), "sh"),)
    whole = make_excerpt(passage, ANALYZER, weights("list", "files"), 400, code=spans)
    assert whole.text.endswith(lead_in + "\n" + code)
    # Too small a budget for the code too: the lead-in alone, never half a block.
    part = make_excerpt(passage, ANALYZER, weights("list", "files"), 60, code=spans)
    assert part.text.endswith(" " + lead_in) and part.code == ()


def test_a_long_code_block_is_cut_between_lines_with_indentation_kept():
    lines = [f"    option_{n} = {n}" for n in range(40)]
    lines[20] = "    retries = 5"
    code = "[settings]\n" + "\n".join(lines)
    spans = (CodeSpan(0, len(code), "ini"),)
    excerpt = make_excerpt(code, ANALYZER, weights("retries"), 120, code=spans)
    assert "    retries = 5" in excerpt.text.split("\n")
    assert excerpt.text in code and len(excerpt.text) <= 120  # whole lines, no ellipsis
    assert not excerpt.text.startswith(ELLIPSIS) and not excerpt.text.endswith(ELLIPSIS)
    (inside,) = excerpt.code
    assert (inside.start, inside.end) == (0, len(excerpt.text))


def test_prose_sentences_still_split_and_fill_around_code():
    passage = "First sentence about tokens. Second one about alpha tokens here.\n"
    passage += "launch(alpha)\nThe end."
    start = passage.index("launch(alpha)")
    spans = (CodeSpan(start, start + len("launch(alpha)"), None),)
    excerpt = make_excerpt(passage, ANALYZER, weights("alpha", "launch"), 70, code=spans)
    assert excerpt.text == "Second one about alpha tokens here.\nlaunch(alpha)\nThe end."
    assert excerpt.code == (CodeSpan(36, 49, None),)


# ----------------------------------------------------------------------------- rendering


def hostile_answer(code: str = HOSTILE, language: str | None = "sh"):
    from bot.answer.answerer import AnswerItem
    from bot.answer.excerpt import Excerpt
    from bot.documents.corpus import Passage
    from bot.documents.loading import DocumentMeta

    text = "Run *this* as @here:\n" + code
    spans = (CodeSpan(len(text) - len(code), len(text), language),)
    passage = Passage(0, "ops.html", "Ops", 1, 0, len(text), text, code=spans)
    excerpt = Excerpt(text, ((4, 10),), 0, len(text), spans)
    item = AnswerItem(1, 2.0, 1.0, "ops.html", DocumentMeta("Ops", "Ops"), passage, excerpt)
    return Answer("how do I run this?", (item,)), item


def test_code_in_the_embed_is_verbatim_and_cannot_close_its_fence():
    answer, _ = hostile_answer()
    description = answer_message(answer).embeds[0].description
    prose, block = description.split("\n", 1)
    assert prose == "Run **\\*this\\*** as @\u200bhere:"  # prose escaped, highlight bold
    broken = HOSTILE.replace("```", f"`{ZERO_WIDTH_SPACE}`{ZERO_WIDTH_SPACE}`")
    assert block == "```sh\n" + broken + "\n```"
    # Exactly two fences: the document's ``` no longer is one; no backslash was added.
    assert block.count("```") == 2 and "\\" not in block.replace("C:\\temp\\*", "")
    assert "@everyone <@&123456789012345678> **not bold**" in block  # shown, not a ping
    # The terminal view shows the code as the document has it.
    assert "┃ echo '```'" in as_text(answer_message(answer))


def test_a_fence_is_opened_and_closed_around_any_backtick_run():
    for code in ("```", "````python", "a ``` b ```` c", "ends with ``", "``"):
        block = fence(code, "python")
        body = block[len("```python\n") : -len("\n```")]
        assert "```" not in body and body.replace(ZERO_WIDTH_SPACE, "") == code
    assert safe_code("no backticks") == "no backticks"
    assert fence("x", "c++").startswith("```cpp\n") and fence("x", "a b").startswith("```\n")


def test_huge_code_stays_within_the_embed_limits_and_its_fence_closes():
    code = "\n".join(f"line_{n} = '{'`' * 3}' + \"{n}\"" for n in range(2000))
    answer, item = hostile_answer(code, "python")
    for embed in (answer_message(answer).embeds[0], passage_embed(item)):
        assert len(embed.description) <= MAX_EMBED_DESCRIPTION
        assert embed.total_chars() <= MAX_EMBED_TOTAL
        assert embed.description.endswith("\n```\n" + ELLIPSIS)
        assert embed.description.count("```") == 2  # the open and the close fence
        body = embed.description.split("```python\n")[1].rsplit("\n```", 1)[0]
        assert body.replace(ZERO_WIDTH_SPACE, "") in code  # whole lines, in order


def test_a_passage_embed_shows_the_whole_passage_code_fenced():
    _, item = hostile_answer("print('hi')\n  indented()", "python")
    description = passage_embed(item).description
    assert description.endswith("```python\nprint('hi')\n  indented()\n```")
