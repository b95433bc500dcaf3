"""The sharded client (discord.shard_count) runs the same bot through AutoShardedClient."""

from __future__ import annotations

import pytest

from tests.discord_env import running_bot


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    with running_bot(
        tmp_path_factory.mktemp("sharded"), discord={"shard_count": 1, "shard_ids": "[0]"}
    ) as environment:
        yield environment


def test_sharded_bot_identifies_with_its_shard_and_answers(sharded):
    fake = sharded.fake
    assert fake.gateway.session.shard == [0, 1]
    user = sharded.new_user()
    question = sharded.call(
        fake.post_message(
            sharded.channel, user, f"<@{fake.bot_user.id}> Who is Leland Dodek?", mentions_bot=True
        )
    )
    answer = sharded.call(
        fake.wait_for_bot_message(
            channel_id=sharded.channel,
            predicate=lambda m: (
                (m.get("message_reference") or {}).get("message_id") == question["id"]
            ),
            timeout=15,
        ),
        20,
    )
    assert "Dodek" in answer["embeds"][0]["description"]
    assert fake.violations == []
