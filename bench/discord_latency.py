"""Reply latency on the local fake Discord: the real `qabot run`, one question at a time.

    .venv/bin/python bench/discord_latency.py [--questions 50]

Posts questions from the seed question set (as mentions, each from a fresh
user so no cooldown applies) and measures the time from posting the message to
the bot's reply arriving at the fake. Prints median and worst.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.discord_env import DiscordEnv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=50)
    args = parser.parse_args()
    questions = [
        q["question"]
        for q in yaml.safe_load((REPO / "tests/data/seed_questions.yaml").read_text())["questions"]
    ][: args.questions]
    with tempfile.TemporaryDirectory() as work:
        env = DiscordEnv(Path(work), cooldown=0)
        try:
            env.setup_world()
            env.start_bot()
            env.wait_ready()
            latencies = []
            for text in questions:
                user = env.new_user()
                started = time.perf_counter()
                message = env.call(
                    env.fake.post_message(
                        env.channel, user, f"<@{env.fake.bot_user.id}> {text}", mentions_bot=True
                    )
                )
                env.call(
                    env.fake.wait_for_bot_message(
                        channel_id=env.channel,
                        predicate=lambda m, mid=message["id"]: (
                            (m.get("message_reference") or {}).get("message_id") == mid
                        ),
                        timeout=15,
                    ),
                    20,
                )
                latencies.append((time.perf_counter() - started) * 1000)
            assert env.fake.violations == [], env.fake.violations
        finally:
            env.close()
    print(
        f"{len(latencies)} questions: median {statistics.median(latencies):.1f} ms, "
        f"worst {max(latencies):.1f} ms, mean {statistics.mean(latencies):.1f} ms"
    )


if __name__ == "__main__":
    main()
