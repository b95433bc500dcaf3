"""Optional behaviours, each on its own bot process: answer in threads, listen channels."""

from __future__ import annotations

import pytest

from tests.discord_env import DiscordEnv, run_qabot


def started(tmp_path_factory, name: str, discord: dict, intents=()) -> DiscordEnv:
    environment = DiscordEnv(tmp_path_factory.mktemp(name), discord=discord)
    environment.fake.privileged_intents = frozenset(intents)
    environment.setup_world()
    environment.start_bot()
    environment.wait_ready()
    return environment


def reply_in(env: DiscordEnv, channel_id: int, timeout: float = 15) -> dict:
    return env.call(env.fake.wait_for_bot_message(channel_id=channel_id, timeout=timeout), 20)


@pytest.fixture(scope="module")
def threads(tmp_path_factory):
    environment = started(tmp_path_factory, "threads", {"answer_in_thread": "true"})
    yield environment
    environment.close()


def test_a_mention_is_answered_in_a_thread_named_after_the_question(threads):
    fake = threads.fake
    question = "Who is Leland Dodek?"
    threads.call(
        fake.post_message(
            threads.channel,
            threads.new_user(),
            f"<@{fake.bot_user.id}> {question}",
            mentions_bot=True,
        )
    )
    threads.call(fake.wait_until(lambda: fake.threads, timeout=15, what="a thread"), 20)
    thread = fake.threads[-1]
    assert thread.name == question and thread.parent_id == threads.channel
    answer = reply_in(threads, thread.id)
    assert "Dodek" in answer["embeds"][0]["description"]
    assert fake.violations == []


@pytest.fixture(scope="module")
def listening(tmp_path_factory):
    # The listen channel is the guild's first channel; its id is only known once the
    # world exists, so the config names it after setup and the bot starts then.
    environment = DiscordEnv(tmp_path_factory.mktemp("listen"))
    environment.fake.privileged_intents = frozenset({"message_content"})
    environment.setup_world()
    text = environment.config.read_text()
    environment.config.write_text(
        text.replace("discord:\n", f"discord:\n  listen_channels: [{environment.channel}]\n", 1)
    )
    environment.start_bot()
    environment.wait_ready()
    yield environment
    environment.close()


def test_listen_channel_answers_questions_without_a_mention(listening):
    fake = listening.fake
    listening.call(
        fake.post_message(listening.channel, listening.new_user(), "Who is Leland Dodek?")
    )
    answer = reply_in(listening, listening.channel)
    assert "Dodek" in answer["embeds"][0]["description"]
    listening.call(fake.post_message(listening.channel, listening.new_user(), "nice weather"))
    other = listening.call(
        fake.post_message(listening.channel, listening.new_user(), "What did DOGE try to end?")
    )
    second = reply_in(listening, listening.channel)
    assert second["message_reference"]["message_id"] == other["id"]  # the chatter was ignored
    assert fake.violations == []


def test_listen_channels_without_the_intent_stop_with_one_line(tmp_path):
    environment = DiscordEnv(tmp_path, discord={"listen_channels": "[1]"})
    try:
        environment.setup_world()  # the fake's application has no privileged intent
        result = run_qabot(
            environment.config,
            {
                "DISCORD_TOKEN": environment.fake.token,
                "QABOT_DISCORD_ENDPOINT": environment.fake.url,
                "PATH": "",
            },
        )
    finally:
        environment.close()
    assert result.returncode == 2
    assert "needs the Message Content intent" in result.stderr
    assert "Traceback" not in result.stderr
