"""Running the unmodified ``qabot run`` against the local fake Discord, for end-to-end tests.

The fake lives on an event loop in a background thread; tests call its
coroutines through ``env.call``. The bot is a real subprocess pointed at the
fake with the test-only ``QABOT_DISCORD_ENDPOINT`` setting.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.harness import FakeDiscord

REPO = Path(__file__).resolve().parent.parent
QABOT = Path(sys.executable).with_name("qabot")
COMMANDS = ("ask", "sources", "source", "help", "about", "reload", "Ask the docs")
HUGE_DOC_WORD = "zanzibarian"  # a word only the oversized document holds


def write_corpus(folder: Path) -> None:
    """The shipped article plus documents that stress rendering."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in (REPO / "seeds").iterdir():
        shutil.copy(path, folder / path.name)
    sentence = (
        f"The {HUGE_DOC_WORD} archive holds @everyone <@&123456789012345678> **markup** `code` "
        "and [links](https://example.com) in a sentence that goes on and on"
    )
    # One paragraph longer than every Discord limit, with no sentence break to split at.
    (folder / "huge.md").write_text(
        "# Huge\n\n" + ", ".join([sentence] * 120) + ".\n", encoding="utf-8"
    )


# ----------------------------------------------------------------------------- corpora

# 64 made-up words: every passage holds many of them, so a question made of them
# makes the reference engine (rank-bm25, one Python loop per question word over all
# passages) take tens of milliseconds: long enough to keep workers busy in a burst.
VOCABULARY = [
    f"{head}{tail}"
    for head in ("lum", "kor", "zet", "bran", "mol", "tiv", "sar", "pon")
    for tail in ("ade", "ine", "oth", "ure", "ock", "ish", "ent", "ary")
]
SLOW_QUESTION = " ".join(VOCABULARY[:54])  # 400 characters, under max_question_chars
FILLER_WORD = "quillmoor"  # only the filler documents hold it


def write_synthetic(folder: Path, passages: int = 4000, seed: int = 7, per_doc: int = 100) -> None:
    """``passages`` paragraphs of 40 vocabulary words, ``per_doc`` to a file."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(max(1, passages // per_doc)):
        paragraphs = [
            f"{FILLER_WORD} " + " ".join(rng.choice(VOCABULARY) for _ in range(40)) + "."
            for _ in range(per_doc)
        ]
        (folder / f"synthetic{number:04}.txt").write_text(
            f"Synthetic document {number}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
        )


def write_slow_corpus(folder: Path) -> None:
    """The shipped article and friends, plus 2,000 synthetic passages (slow questions)."""
    write_corpus(folder)
    write_synthetic(folder / "synthetic", passages=2000)


PINNED_ENGINE = "retrieval:\n  engine: rank-bm25\n"  # the slow reference engine, on purpose


class DiscordEnv:
    """The fake Discord on a background loop, and ``qabot run`` as a subprocess.

    ``discord`` adds settings to the config's ``discord:`` section (e.g.
    ``{"max_pending": 1}``), ``extra_config`` appends YAML (other sections),
    ``feedback_file`` replaces the vote log's path, ``corpus_writer`` replaces
    :func:`write_corpus`, and ``log_level`` sets ``logging.level``.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        cooldown: float = 30.0,
        discord: dict[str, Any] | None = None,
        extra_config: str = "",
        feedback_file: str = "var/feedback.jsonl",
        corpus_writer: Callable[[Path], None] = write_corpus,
        log_level: str = "INFO",
        heartbeat_interval_ms: int = 5000,
        token: str = "test-token",
    ) -> None:
        self.workdir = workdir
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.fake = FakeDiscord(heartbeat_interval_ms=heartbeat_interval_ms, token=token)
        self.process: subprocess.Popen | None = None
        self.corpus = workdir / "corpus"
        self.feedback = workdir / feedback_file
        self.config = workdir / "qabot.yaml"
        corpus_writer(self.corpus)
        settings = {"cooldown_seconds": cooldown, "feedback_file": feedback_file}
        settings.update(discord or {})
        discord_yaml = "".join(f"  {key}: {value}\n" for key, value in settings.items())
        self.config.write_text(
            "corpus:\n  paths: [corpus]\n"
            f"discord:\n{discord_yaml}"
            f"logging:\n  level: {log_level}\n" + extra_config,
            encoding="utf-8",
        )
        self.log = workdir / "bot.log"
        self._users = 0

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
        future = asyncio.run_coroutine_threadsafe(asyncio.wait_for(coro, timeout), self.loop)
        return future.result(timeout + 5)

    def setup_world(self) -> None:
        self.call(self.fake.start())
        self.guild = self.call(self.fake.add_guild("Docs", channels=("general", "other")))
        self.channel = self.guild.channel("general").id
        self.admin = self.new_user("admin", ["manage_guild"])
        self.role = self.call(self.fake.add_role(self.guild, "everyone-ish", mentionable=True))

    def new_user(self, name: str | None = None, permissions=0):
        """A fresh member (each has its own cooldown)."""
        self._users += 1
        user = self.call(self.fake.add_user(name or f"user{self._users}"))
        self.call(self.fake.add_member(self.guild, user, permissions))
        return user

    def start_bot(self, *, token: str | None = None) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if k not in ("QABOT_CONFIG", "DISCORD_TOKEN")}
        env.update(DISCORD_TOKEN=token or self.fake.token, QABOT_DISCORD_ENDPOINT=self.fake.url)
        self.log_handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [str(QABOT), "run", "--config", str(self.config)],
            env=env,
            stdout=self.log_handle,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
        )
        return self.process

    def wait_ready(self, identified_before: int = 0) -> None:
        """Wait for a new IDENTIFY, READY and the registered commands."""
        self.call(
            self.fake.wait_until(
                lambda: (
                    self.fake.identify_count > identified_before
                    or (self.process is not None and self.process.poll() is not None)
                ),
                timeout=30,
                what="the bot to identify",
            ),
            35,
        )
        assert self.process is not None and self.process.poll() is None, self.bot_log()
        self.call(self.fake.wait_ready(timeout=30), 35)
        self.call(self.fake.wait_for_commands(*COMMANDS, timeout=30), 35)

    def stop_bot(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log_handle.close()
        code, self.process = self.process.returncode, None
        return code

    def bot_log(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        self.stop_bot()
        self.call(self.fake.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def run_qabot(config: Path, environment: dict[str, str]) -> subprocess.CompletedProcess:
    """``qabot run`` to completion with only ``environment`` (for start-up failures)."""
    return subprocess.run(
        [str(QABOT), "run", "--config", str(config)],
        env={"PATH": "", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextmanager
def running_bot(workdir: Path, **options: Any) -> Iterator[DiscordEnv]:
    """The fake Discord with the standard world and a ready ``qabot run``; closed afterwards."""
    environment = DiscordEnv(workdir, **options)
    try:
        environment.setup_world()
        environment.start_bot()
        environment.wait_ready()
        yield environment
    finally:
        environment.close()


# ----------------------------------------------------------------------------- user actions


def mention(env: DiscordEnv, text: str, user=None, channel=None) -> dict:
    """Post ``@bot text`` as ``user`` (a fresh member by default)."""
    user = user or env.new_user()
    bot_id = env.fake.bot_user.id
    return env.call(
        env.fake.post_message(
            channel or env.channel, user, f"<@{bot_id}> {text}", mentions_bot=True
        )
    )


def reply_to(env: DiscordEnv, message: dict, timeout: float = 15) -> dict:
    """The bot's reply to ``message`` (waits for it)."""
    return env.call(
        env.fake.wait_for_bot_message(
            channel_id=int(message["channel_id"]),
            predicate=lambda m: (
                (m.get("message_reference") or {}).get("message_id") == message["id"]
            ),
            timeout=timeout,
        ),
        timeout + 5,
    )


def replies_to(env: DiscordEnv, message: dict) -> list[dict]:
    """Every bot message sent so far that replies to ``message``."""
    return [
        m
        for m in env.fake.sent_messages
        if (m.get("message_reference") or {}).get("message_id") == message["id"]
    ]


def slash(env: DiscordEnv, name: str, options: dict | None = None, *, user=None):
    """Run ``/name`` in the general channel; returns the interaction handle."""
    return env.call(
        env.fake.invoke_slash(
            name,
            options or {},
            user=user or env.new_user(),
            channel_id=env.channel,
            guild_id=env.guild.id,
        )
    )


def buttons(message: dict) -> dict[str, str]:
    """Button label -> custom_id."""
    return {
        c["label"]: c["custom_id"]
        for row in message.get("components") or []
        for c in row.get("components", [])
        if c.get("custom_id")
    }


def embed_text(message: dict) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(parts)


def answered_since(env: DiscordEnv, mark: int, log_text: str | None = None) -> int:
    """Questions the bot finished answering since ``mark`` (one log line each, written
    after the reply was sent: nothing more is sent for them afterwards)."""
    text = env.bot_log() if log_text is None else log_text
    return text[mark:].count("question via=")


def wait_answered(env: DiscordEnv, mark: int, count: int, timeout: float = 20) -> None:
    """Wait until ``count`` questions were answered (and logged) since ``mark``."""
    env.call(
        env.fake.wait_until(
            lambda: answered_since(env, mark) >= count,
            timeout=timeout,
            what=f"{count} answered question(s) in the bot's log",
        ),
        timeout + 5,
    )
