"""``qabot run``: build the index, connect to Discord, answer until stopped.

A missing or refused token ends the run with one line and exit status 2; the
token itself is never printed or logged (log lines and crash output pass
through a filter that masks it, and the interaction tokens in webhook URLs).
SIGTERM or SIGINT stops the bot cleanly with exit status 0: during the index
build at once, afterwards once the questions in progress are answered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import sys
import threading
import traceback

import aiohttp
import discord

from bot.config import Config
from bot.discord_app.endpoint import apply_discord_endpoint
from bot.search.index import SearchIndex
from bot.service import AnswerService, run_in_daemon_thread, settle_heap

log = logging.getLogger(__name__)
TOKEN_ENV = "DISCORD_TOKEN"
ENDPOINT_ENV = "QABOT_DISCORD_ENDPOINT"  # test-only: points discord.py at the local fake
EXIT_UNREACHABLE = 1
_URL_TOKEN = re.compile(r"/(webhooks|interactions)/(\d+)/([A-Za-z0-9_.\-]{20,})")
_FIELD_TOKEN = re.compile(r"""(['"]token['"]\s*:\s*['"])[^'"]+""")  # payloads at DEBUG


def run_bot(config: Config) -> int:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        print(
            f"qabot: error: {TOKEN_ENV} is not set; create a bot in the Discord developer "
            f"portal and export its token as {TOKEN_ENV}",
            file=sys.stderr,
        )
        return 2
    install_redaction(token)
    try:
        apply_discord_endpoint(os.environ.get(ENDPOINT_ENV) or None)
    except ValueError as exc:
        print(f"qabot: error: {exc}", file=sys.stderr)
        return 2
    tolerate_lone_surrogates()
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
    except (aiohttp.ClientError, OSError, discord.HTTPException, discord.GatewayNotFound) as exc:
        # Only logging in can fail like this: once connected, discord.py reconnects itself.
        print(
            redact(f"qabot: error: cannot connect to Discord: {_one_line(exc)}", token),
            file=sys.stderr,
        )
        return EXIT_UNREACHABLE


async def _serve(config: Config, token: str) -> int:
    from bot.discord_app.client import make_client

    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop_requested.set)
    log.info("building the index from %s", ", ".join(str(p) for p in config.corpus.paths))
    build = run_in_daemon_thread(SearchIndex.build, config)
    stopping = asyncio.ensure_future(stop_requested.wait())
    await asyncio.wait({build, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if not build.done():
        build.cancel()
        log.info("stopped before the index was ready")
        return 0
    stopping.cancel()
    index = build.result()
    settle_heap()
    log.info(
        "index ready: %d documents, %d passages in %.2f s (%d files skipped)",
        len(index.corpus.documents),
        len(index.corpus.passages),
        index.build_seconds,
        len(index.corpus.skipped),
    )
    client = make_client(config, AnswerService(config, index))
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lambda: asyncio.ensure_future(client.close()))
    async with client:
        await client.start(token)
    log.info("stopped")
    return 0


# ----------------------------------------------------------------------------- secrets


def redact(text: str, token: str | None) -> str:
    """``text`` with the bot token, and interaction tokens in URLs and payloads, masked."""
    if token:
        text = text.replace(token, "[token]")
    text = _FIELD_TOKEN.sub(r"\1[token]", text)
    return _URL_TOKEN.sub(r"/\1/\2/[token]", text)


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message and traceback before any handler formats it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: logging reports it itself
            return True
        clean = redact(message, self.token)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.token)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.token)
        return True


def install_redaction(token: str) -> None:
    """Mask the token in every log handler and in uncaught-exception output."""
    redactor = RedactingFilter(token)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redactor)

    def excepthook(exc_type, exc, tb) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        sys.stderr.write(redact(text, token))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread else "?"
        text = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        )
        sys.stderr.write(redact(f"Exception in thread {name}:\n{text}", token))

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


# ----------------------------------------------------------------------------- JSON


def tolerate_lone_surrogates() -> None:
    """Keep one odd frame from ending the bot when discord.py uses orjson.

    With orjson installed discord.py parses every gateway frame and REST reply with
    it, and orjson refuses a JSON string holding a lone UTF-16 surrogate (``\\ud800``)
    that the standard ``json`` module reads: one such message would raise out of the
    gateway loop and stop the bot. Those frames (and payloads holding such text,
    which orjson cannot write) fall back to ``json``.
    """
    import discord.utils as utils

    if not getattr(utils, "HAS_ORJSON", False) or getattr(utils, "_qabot_tolerant", False):
        return
    fast_loads, fast_dumps = utils._from_json, utils._to_json

    def loads(data):
        try:
            return fast_loads(data)
        except ValueError:
            return json.loads(data)

    def dumps(obj) -> str:
        try:
            return fast_dumps(obj)
        except TypeError:
            return json.dumps(obj, separators=(",", ":"), ensure_ascii=True)

    utils._from_json, utils._to_json = loads, dumps
    utils._qabot_tolerant = True
