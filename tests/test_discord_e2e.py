"""End to end: the real ``qabot run`` process against the local fake Discord.

Every test ends with the fake's validation: nothing the bot sent broke a
Discord limit, answered an interaction twice or late, or pinged anyone.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.discord_env import (
    HUGE_DOC_WORD,
    DiscordEnv,
    buttons,
    embed_text,
    mention,
    reply_to,
    run_qabot,
    running_bot,
)

ARTICLE = "000_6de46ddb6a965145.txt"
TITLE = "Social Security workers are required to turn over appointment details to ICE"
SHARED = "What did the SSA share with the Department of Homeland Security?"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with running_bot(tmp_path_factory.mktemp("discord")) as environment:
        yield environment


@pytest.fixture(autouse=True)
def no_violations(request):
    """After each test: the fake saw nothing Discord would refuse, and nobody was pinged."""
    yield
    if "env" in request.fixturenames:
        environment = request.getfixturevalue("env")
        assert environment.fake.violations == [], environment.fake.violations


def test_mention_gets_an_exact_excerpt_with_attribution_and_typing(env):
    typing_before = len(env.fake.typing_events)
    question = mention(env, "who can be issued a Social Security number?")
    answer = reply_to(env, question)
    embed = answer["embeds"][0]
    assert (
        embed["title"]
        == "Social Security workers are required to turn over appointment details to ICE"
    )
    assert (
        "**Social** **Security** **numbers** are **issued** to US citizens" in embed["description"]
    )
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Source"] == "WIRED · 2026-02-15 · Paragraph 4"
    assert fields["Document"] == ARTICLE.replace("_", "\\_")
    labels = set(buttons(answer))
    assert {"Full passage", "👍", "👎"} <= labels
    assert labels - {"Full passage", "👍", "👎"} <= {"More results (1)", "More results (2)"}
    assert len(env.fake.typing_events) > typing_before


def test_reply_to_an_answer_is_a_follow_up(env):
    user = env.new_user()
    first = reply_to(env, mention(env, "What did the judge in Massachusetts decide?", user))
    follow_user = env.new_user()
    follow = env.call(
        env.fake.post_message(
            env.channel, follow_user, "and who did they say it can't go to?", reply_to=first
        )
    )
    answer = reply_to(env, follow)
    assert "taxpayer data" in embed_text(answer)
    # A reply that does not ping the bot arrives without text (no Message Content intent).
    silent = env.call(
        env.fake.post_message(
            env.channel, env.new_user(), "and when was that?", reply_to=first, mention_author=False
        )
    )
    assert "can't read replies that don't mention me" in reply_to(env, silent)["content"]


def test_direct_message_is_answered(env):
    user = env.new_user()
    dm = env.call(env.fake.dm(user, "What did DOGE try to end?"))
    answer = reply_to(env, dm)
    assert "**Department** of **Government** **Efficiency**" in embed_text(answer)


def test_off_topic_question_gets_a_short_friendly_reply(env):
    answer = reply_to(env, mention(env, "What is the capital of France?"))
    assert answer["embeds"] == []
    assert "couldn't find that in the documents" in answer["content"]


def test_mentions_in_the_question_ping_nobody(env):
    role = env.role.id
    question = mention(env, f"@everyone @here <@&{role}> what did the SSA share with ICE?")
    answer = reply_to(env, question)
    assert answer["embeds"], answer
    # The footer echoes the question; the fake checks no ping (no_violations fixture).
    assert "@everyone" in embed_text(answer)


def test_a_3000_character_question_is_refused_with_a_message(env):
    answer = reply_to(env, mention(env, "why " * 750))
    assert "too long" in answer["content"] and "500 characters" in answer["content"]


def test_cooldown_gives_a_friendly_reply(env):
    user = env.new_user()
    reply_to(env, mention(env, "Who is Leland Dodek?", user))
    again = reply_to(env, mention(env, "Who is Leland Dodek?", user))
    assert "Please wait" in again["content"]


def test_passage_longer_than_every_limit_renders_within_limits(env):
    question = mention(env, f"What does the {HUGE_DOC_WORD} archive hold?")
    answer = reply_to(env, question)
    assert HUGE_DOC_WORD in answer["embeds"][0]["description"]
    handle = env.call(env.fake.click(answer, buttons(answer)["Full passage"], user=env.admin))
    full = env.call(handle.wait_message())
    assert len(full["embeds"][0]["description"]) <= 4096
    assert handle.ephemeral


def test_buttons_more_results_paging_full_passage(env):
    answer = reply_to(
        env, mention(env, "What did the SSA share with the Department of Homeland Security?")
    )
    ids = buttons(answer)
    more_label = next(label for label in ids if label.startswith("More results"))
    handle = env.call(env.fake.click(answer, ids[more_label], user=env.admin))
    page = env.call(handle.wait_message())
    assert handle.ephemeral and page["embeds"][0]["footer"]["text"].startswith("Result 2 of")
    next_ids = buttons(page)
    if "Next ▶" in next_ids:
        turn = env.call(env.fake.click(page, next_ids["Next ▶"], user=env.admin))
        third = env.call(turn.wait_message())
        assert third["embeds"][0]["footer"]["text"].startswith("Result 3 of")
        assert "◀ Previous" in buttons(third)
    full = env.call(env.fake.click(answer, ids["Full passage"], user=env.admin))
    shown = env.call(full.wait_message())
    assert full.ephemeral and shown["embeds"][0]["footer"]["text"].startswith(ARTICLE)


def test_feedback_buttons_append_a_json_line_with_a_hashed_user(env):
    answer = reply_to(env, mention(env, "Who is Leland Dodek?"))
    voter = env.new_user()
    for label in ("👍", "👎"):
        handle = env.call(env.fake.click(answer, buttons(answer)[label], user=voter))
        assert "Thanks" in env.call(handle.wait_message())["content"]
    lines = [json.loads(line) for line in env.feedback.read_text().splitlines()]
    votes = [entry for entry in lines if entry["question"] == "Who is Leland Dodek?"]
    assert [v["vote"] for v in votes[-2:]] == ["up", "down"]
    assert votes[-1]["results"][0].startswith(ARTICLE + "#")
    assert str(voter.id) not in json.dumps(votes)  # never the raw id


def test_slash_ask_public_and_private(env):
    user = env.new_user()
    handle = env.call(
        env.fake.invoke_slash(
            "ask",
            {"question": "Who is Leland Dodek?"},
            user=user,
            channel_id=env.channel,
            guild_id=env.guild.id,
        )
    )
    message = env.call(handle.wait_message(timeout=15), 20)
    assert handle.deferred and not handle.ephemeral
    assert "Dodek" in embed_text(message)
    private = env.call(
        env.fake.invoke_slash(
            "ask",
            {"question": "What is DOGE?", "private": True},
            user=env.new_user(),
            channel_id=env.channel,
            guild_id=env.guild.id,
        )
    )
    env.call(private.wait_message(timeout=15), 20)
    assert private.ephemeral


def test_slash_sources_source_autocomplete_help_about(env):
    user = env.new_user()

    def slash(name, options=None):
        handle = env.call(
            env.fake.invoke_slash(
                name, options or {}, user=user, channel_id=env.channel, guild_id=env.guild.id
            )
        )
        return env.call(handle.wait_message(timeout=10), 15)

    assert "2 documents" in embed_text(slash("sources"))
    choices = env.call(
        env.fake.autocomplete(
            "source", {"document": "social"}, focused="document", user=user, channel_id=env.channel
        )
    )
    assert [c["value"] for c in choices] == [ARTICLE]
    details = embed_text(slash("source", {"document": choices[0]["value"]}))
    assert "WIRED" in details and "2026-02-15" in details
    refused = slash("source", {"document": "../../etc/passwd"})
    assert "No document called" in refused["content"]
    assert "Ask me about the documents" in slash("help")["content"]
    about = embed_text(slash("about"))
    assert "Passages" in about and "Uptime" in about and "Version" in about


def test_context_menu_answers_the_selected_message(env):
    user = env.new_user()
    target = env.call(env.fake.post_message(env.channel, user, "Who is Leland Dodek?"))
    handle = env.call(
        env.fake.invoke_message_command("Ask the docs", target, user=user, channel_id=env.channel)
    )
    assert "Dodek" in embed_text(env.call(handle.wait_message(timeout=15), 20))


def test_reload_is_admin_only(env):
    handle = env.call(
        env.fake.invoke_slash(
            "reload", {}, user=env.new_user(), channel_id=env.channel, guild_id=env.guild.id
        )
    )
    message = env.call(handle.wait_message())
    assert "Only server admins" in message["content"] and handle.ephemeral


def test_reload_while_questions_are_in_flight(env):
    (env.corpus / "extra.md").write_text("# Extra\n\nThe moon base opened in 2031 for visitors.\n")
    (env.corpus / "junk.txt").write_bytes(b"\x00\x01\x02 binary junk")
    questions = [mention(env, "What did the judge in Massachusetts decide?") for _ in range(6)]
    reload = env.call(
        env.fake.invoke_slash(
            "reload", {}, user=env.admin, channel_id=env.channel, guild_id=env.guild.id
        )
    )
    questions += [mention(env, "Who is Leland Dodek?") for _ in range(6)]
    for question in questions:
        assert reply_to(env, question)["embeds"]
    report = env.call(reload.wait_message(timeout=20), 25)["content"]
    assert "Reloaded: 3 documents" in report and "junk.txt" in report and "binary" in report
    answer = reply_to(env, mention(env, "When did the moon base open?"))
    assert "moon base" in embed_text(answer)


def test_reconnect_and_resume(env):
    resumes = env.fake.resume_count
    env.call(env.fake.drop_gateway(code=4000))
    env.call(env.fake.wait_until(lambda: env.fake.resume_count > resumes, timeout=20), 25)
    answer = reply_to(env, mention(env, "Who is Leland Dodek?"))
    assert "Dodek" in embed_text(answer)


def test_buttons_survive_a_restart(env):
    answer = reply_to(env, mention(env, SHARED))
    ids = buttons(answer)
    more_label = next(label for label in ids if label.startswith("More results"))
    env.stop_bot()
    identified = env.fake.identify_count
    env.start_bot()
    env.wait_ready(identified)
    full = env.call(env.fake.click(answer, ids["Full passage"], user=env.admin))
    assert env.call(full.wait_message())["embeds"][0]["footer"]["text"].startswith(ARTICLE)
    # The restarted bot no longer remembers the answer: it re-asks the echoed question.
    more = env.call(env.fake.click(answer, ids[more_label], user=env.admin))
    page = env.call(more.wait_message(timeout=15), 20)
    assert more.deferred and more.ephemeral
    assert page["embeds"][0]["footer"]["text"].startswith("Result 2 of")


def test_buttons_of_an_older_index_say_they_expired(env):
    answer = reply_to(env, mention(env, "Who is Leland Dodek?"))
    (env.corpus / "later.md").write_text("# Later\n\nA document added after the answer.\n")
    reload = env.call(
        env.fake.invoke_slash(
            "reload", {}, user=env.admin, channel_id=env.channel, guild_id=env.guild.id
        )
    )
    assert "Reloaded" in env.call(reload.wait_message(timeout=20), 25)["content"]
    old = env.call(env.fake.click(answer, buttons(answer)["Full passage"], user=env.admin))
    message = env.call(old.wait_message())
    assert "expired" in message["content"] and old.ephemeral


def test_token_never_appears_in_the_log(env):
    assert env.fake.token not in env.bot_log()


def run_bot(env: DiscordEnv, token: str | None) -> subprocess.CompletedProcess:
    environment = {"QABOT_DISCORD_ENDPOINT": env.fake.url}
    if token is not None:
        environment["DISCORD_TOKEN"] = token
    return run_qabot(env.config, environment)


def test_missing_token_is_one_line_and_exit_2(env):
    result = run_bot(env, None)
    assert result.returncode == 2
    assert (
        result.stderr.strip().splitlines()[-1].startswith("qabot: error: DISCORD_TOKEN is not set")
    )
    assert "Traceback" not in result.stderr


def test_refused_token_is_one_line_exit_2_and_never_printed(env):
    secret = "not-the-right-token-ABC123"
    result = run_bot(env, secret)
    assert result.returncode == 2
    assert "Discord refused the token" in result.stderr
    assert secret not in result.stderr + result.stdout and "Traceback" not in result.stderr
