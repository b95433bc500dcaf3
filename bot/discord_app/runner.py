"""``qabot run``: build the index, connect to Discord, answer until stopped.

A missing or refused token ends the run with one line and exit status 2; the
token itself is never printed or logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

import discord

from bot.config import Config
from bot.discord_endpoint import apply_discord_endpoint
from bot.index import SearchIndex
from bot.service import AnswerService

log = logging.getLogger(__name__)
TOKEN_ENV = "DISCORD_TOKEN"
ENDPOINT_ENV = "QABOT_DISCORD_ENDPOINT"  # test-only: points discord.py at the local fake


def run_bot(config: Config) -> int:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        print(
            f"qabot: error: {TOKEN_ENV} is not set; create a bot in the Discord developer "
            f"portal and export its token as {TOKEN_ENV}",
            file=sys.stderr,
        )
        return 2
    try:
        apply_discord_endpoint(os.environ.get(ENDPOINT_ENV) or None)
    except ValueError as exc:
        print(f"qabot: error: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(config, token))
    except discord.LoginFailure:
        print(
            f"qabot: error: Discord refused the token in {TOKEN_ENV} (401 Unauthorized)",
            file=sys.stderr,
        )
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "qabot: error: discord.listen_channels needs the Message Content intent; enable it "
            "for the application in the Discord developer portal (Bot → Privileged Gateway "
            "Intents) or empty listen_channels",
            file=sys.stderr,
        )
        return 2


async def _serve(config: Config, token: str) -> int:
    from bot.discord_app.client import QABot

    log.info("building the index from %s", ", ".join(str(p) for p in config.corpus.paths))
    loop = asyncio.get_running_loop()
    index = await loop.run_in_executor(None, SearchIndex.build, config)
    log.info(
        "index ready: %d documents, %d passages in %.2f s (%d files skipped)",
        len(index.corpus.documents),
        len(index.corpus.passages),
        index.build_seconds,
        len(index.corpus.skipped),
    )
    client = QABot(config, AnswerService(config, index))
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: asyncio.ensure_future(client.close()))
    async with client:
        await client.start(token)
    log.info("stopped")
    return 0
