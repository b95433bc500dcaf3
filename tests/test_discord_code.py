"""End to end: code in a document reaches Discord as a fenced code block.

The real ``qabot run`` against the local fake Discord, with a corpus of one HTML
page whose code holds a ``` run, @everyone and Markdown: the embed shows it
verbatim in a fence that the document cannot close, and nobody is pinged.
"""

from __future__ import annotations

import pytest

from bot.answer.fences import ZERO_WIDTH_SPACE
from tests.conftest import write
from tests.discord_env import buttons, mention, reply_to, running_bot

CODE = (
    "deploy:\n  script:\n    - echo '```' @everyone **done**\n    - ./release.sh --tag \"$CI_TAG\""
)
PAGE = f"""<html><head><title>Release pipeline</title></head><body><main>
<h1 id="release">Release pipeline</h1>
<p>The release job publishes a tagged build. Add this job to the pipeline file:</p>
<pre class="language-yaml">{CODE}</pre>
<p>Tags that do not match the version pattern are ignored by the release job.</p>
</main></body></html>
"""


def write_code_corpus(folder):
    write(folder, "release.html", PAGE)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with running_bot(
        tmp_path_factory.mktemp("discord-code"), corpus_writer=write_code_corpus
    ) as environment:
        yield environment


def test_code_in_an_answer_is_a_fenced_block_with_its_language(env):
    answer = reply_to(env, mention(env, "How do I add the release job to the pipeline?"))
    description = answer["embeds"][0]["description"]
    fenced = CODE.replace("```", f"`{ZERO_WIDTH_SPACE}`{ZERO_WIDTH_SPACE}`")
    assert description.endswith("\n```yaml\n" + fenced + "\n```")
    assert description.count("```") == 2  # the document's ``` cannot close the fence
    assert "**release** **job**" in description.split("```yaml")[0]  # highlights: prose only
    assert not answer.get("content")  # nothing outside the embed that could ping
    full = env.call(env.fake.click(answer, buttons(answer)["Full passage"], user=env.admin))
    whole = env.call(full.wait_message())["embeds"][0]["description"]
    assert "```yaml\n" + fenced + "\n```" in whole
    assert env.fake.violations == []  # within Discord's limits, nobody pinged
