"""``python -m bot.harness``: chat with a real bot process through the fake Discord.

The fake gets one guild with a ``#general`` channel and one human user ("you").  The bot
command (default ``python -m bot run``, with this interpreter) is started with
``QABOT_DISCORD_ENDPOINT`` and ``DISCORD_TOKEN`` pointing at the fake.  At the prompt:

    some text               posted in #general, mentioning the bot
    /ask what is BM25?      slash command; the bare text fills the first required text option
    /cmd key=value k2="a b" slash command with named options ("/group sub ..." for sub-commands)
    !click N                click button N of the latest bot message that has buttons
    !modal text / k=v ...   fill in and submit the modal the bot opened last
    !plain text             post without mentioning the bot
    !dm text                direct message to the bot
    !violations             list rule violations so far
    !quit                   stop (also Ctrl-D)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shlex
import sys
import threading
from collections.abc import Sequence
from typing import Any

from bot.harness.fake_discord import FakeDiscord
from bot.harness.interactions import InteractionHandle
from bot.harness.models import Channel, User
from bot.harness.permissions import PRIVILEGED_INTENTS
from bot.harness.render import interactive_components, render_message

Payload = dict[str, Any]
PROMPT = "you> "


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot.harness",
        description="Run a bot against a local fake Discord and talk to it.",
    )
    parser.add_argument(
        "--command",
        default=None,
        help="bot command line (default: this Python running `-m bot run`, so no PATH lookup)",
    )
    parser.add_argument("--token", default="harness-token", help="token the fake accepts")
    parser.add_argument(
        "--port", type=int, default=0, help="port for the fake (default: any free one)"
    )
    parser.add_argument(
        "--intent",
        action="append",
        default=[],
        choices=sorted(PRIVILEGED_INTENTS),
        help="privileged intent the fake application enables (repeatable)",
    )
    parser.add_argument("--admin", action="store_true", help="give the user Manage Guild")
    parser.add_argument("--deadline", type=float, default=3.0, help="interaction deadline, seconds")
    parser.add_argument(
        "--ready-timeout", type=float, default=60.0, help="seconds to wait for the bot"
    )
    parser.add_argument("--bot-log", help="file for the bot's output (default: this terminal)")
    return parser.parse_args(argv)


class Console:
    def __init__(self, fake: FakeDiscord, channel: Channel, user: User) -> None:
        self.fake, self.channel, self.user = fake, channel, user
        self._shown_violations = 0
        self._modal: InteractionHandle | None = None
        self.prompt_pending = False  # True while the prompt is the last thing printed
        fake.add_listener(self._on_bot_message)

    def show(self, text: str) -> None:
        """Print above the prompt and put the prompt back."""
        print(f"\r{text}\n{PROMPT}", end="", flush=True)
        self.prompt_pending = True

    def prompt(self) -> None:
        if not self.prompt_pending:
            print(PROMPT, end="", flush=True)
            self.prompt_pending = True

    def _on_bot_message(self, kind: str, message: Payload) -> None:
        body = render_message(message).replace("\n", "\n      ")
        label = {"create": "bot", "edit": "bot (edit)", "delete": "bot (deleted)"}[kind]
        channel = self.fake.world.channels.get(int(message["channel_id"]))
        where = "DM" if channel is None or channel.is_dm else f"#{channel.name}"
        self.show(f"[{label} in {where}, message ...{message['id'][-4:]}] {body}")
        self.report_violations()

    async def handle(self, line: str) -> bool:
        """Act on one input line; False means quit."""
        line = line.strip()
        if not line:
            return True
        if line in ("!quit", "!exit"):
            return False
        try:
            await self._dispatch(line)
        except AssertionError as exc:
            self.show(f"error: {exc}")
        return True

    async def _dispatch(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        if word == "!help":
            self.show(__doc__ or "")
        elif word == "!violations":
            self.show("\n".join(self.fake.violations) or "no violations")
        elif word == "!click":
            await self._click(rest)
        elif word == "!modal":
            await self._submit_modal(rest)
        elif word == "!dm":
            await self.fake.dm(self.user, rest)
        elif word == "!plain":
            await self.fake.post_message(self.channel, self.user, rest)
        elif line.startswith("/"):
            await self._slash(line[1:])
        else:
            await self.fake.post_message(self.channel, self.user, line, mentions_bot=True)

    async def _click(self, arg: str) -> None:
        number = int(arg) if arg.strip().isdigit() else 1
        for message in reversed(self.fake.sent_messages):
            buttons = interactive_components(message)
            if buttons and int(message["id"]) not in self.fake.deleted_message_ids:
                if not 1 <= number <= len(buttons):
                    raise AssertionError(f"the message has {len(buttons)} component(s)")
                target = buttons[number - 1]
                if target.get("type") != 2 or target.get("style") == 5:
                    raise AssertionError("that component is not a clickable button")
                handle = await self.fake.click(message, target["custom_id"], user=self.user)
                asyncio.create_task(self._watch(handle))
                return
        raise AssertionError("no bot message with buttons yet")

    async def _slash(self, text: str) -> None:
        tokens = shlex.split(text)
        if not tokens:
            raise AssertionError("type a command name after /")
        name, tokens = [tokens[0]], tokens[1:]
        command = next(
            (c for c in self.fake.commands if c["name"] == name[0] and c["type"] == 1), None
        )
        if command is None:
            known = sorted(c["name"] for c in self.fake.commands if c["type"] == 1)
            raise AssertionError(f"the bot has no slash command {name[0]!r}; it has {known}")
        schema = command.get("options") or []
        while tokens and any(o["name"] == tokens[0] and o["type"] in (1, 2) for o in schema):
            schema = next(o for o in schema if o["name"] == tokens[0]).get("options") or []
            name.append(tokens.pop(0))
        options: dict[str, str] = {}
        loose = []
        for token in tokens:
            key, sep, value = token.partition("=")
            if sep and any(o["name"] == key for o in schema):
                options[key] = value
            else:
                loose.append(token)
        if loose:
            free = [o for o in schema if o["type"] == 3 and o["name"] not in options]
            target = next((o for o in free if o.get("required")), free[0] if free else None)
            if target is None:
                raise AssertionError(f"don't know which option {' '.join(loose)!r} is for")
            options[target["name"]] = " ".join(loose)
        handle = await self.fake.invoke_slash(
            " ".join(name), options, user=self.user, channel_id=self.channel
        )
        asyncio.create_task(self._watch(handle))

    async def _submit_modal(self, text: str) -> None:
        handle = self._modal
        if handle is None or handle.modal is None:
            raise AssertionError("the bot has not opened a modal")
        inputs = _text_inputs(handle.modal)
        values: dict[str, str] = {}
        loose = []
        for token in shlex.split(text):
            key, sep, value = token.partition("=")
            if sep and key in inputs:
                values[key] = value
            else:
                loose.append(token)
        if loose and inputs:
            values.setdefault(next(iter(inputs)), " ".join(loose))
        self._modal = None
        reply = await self.fake.submit_modal(handle, values)
        asyncio.create_task(self._watch(reply))

    async def _watch(self, handle: InteractionHandle) -> None:
        try:
            response = await handle.wait_response(self.fake.interaction_deadline + 1)
        except AssertionError:
            self.show(f"(no response to {handle.label} within {self.fake.interaction_deadline}s)")
            return
        if response["type"] == 9 and handle.modal is not None:
            self._modal = handle
            fields = ", ".join(f"{k} ({v})" for k, v in _text_inputs(handle.modal).items())
            self.show(
                f"[bot opened a modal {handle.modal.get('title')!r}: {fields}] use !modal ..."
            )

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait (bounded) until every interaction has a response and no "thinking..." is left."""

        def settled() -> bool:
            for handle in self.fake.interactions.values():
                if handle.response is None and handle.elapsed() < self.fake.interaction_deadline:
                    return False
                if handle.deferred and handle.response["type"] == 5 and handle.rendered is None:
                    return False
            return True

        with contextlib.suppress(AssertionError):
            await self.fake.wait_until(settled, timeout=timeout, what="answers in progress")

    def report_violations(self) -> None:
        for text in self.fake.violations[self._shown_violations :]:
            self.show(f"!! violation: {text}")
        self._shown_violations = len(self.fake.violations)


def _text_inputs(modal: Payload) -> dict[str, str]:
    """custom_id -> label of the text inputs in a modal (rows or labels)."""
    found: dict[str, str] = {}

    def walk(items: list[Any], label: str) -> None:
        for comp in items:
            if comp.get("type") == 4:
                found[comp["custom_id"]] = comp.get("label") or label
            elif comp.get("type") == 18 and isinstance(comp.get("component"), dict):
                walk([comp["component"]], comp.get("label", ""))
            walk(comp.get("components") or [], label)

    walk(modal.get("components") or [], "")
    return found


def _stdin_lines(loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str | None]:
    """Lines from stdin, read by a daemon thread so a pending read never blocks exit."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def reader() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=reader, name="harness-stdin", daemon=True).start()
    return queue


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


def bot_command(command: str | None) -> list[str]:
    """The bot's command line: ``command`` split like a shell would, or by default
    ``qabot run`` through the interpreter running the harness (found without PATH,
    so it works from ``.venv/bin/python`` in a shell where the venv is not active)."""
    if command is None:
        return [sys.executable, "-m", "bot", "run"]
    return shlex.split(command)


async def run(args: argparse.Namespace) -> int:
    async with FakeDiscord(
        token=args.token,
        port=args.port,
        privileged_intents=args.intent,
        interaction_deadline=args.deadline,
    ) as fake:
        guild = await fake.add_guild("Harness Guild", channels=("general",))
        user = await fake.add_user("you")
        await fake.add_member(guild, user, ["manage_guild"] if args.admin else 0)
        console = Console(fake, guild.channel("general"), user)
        env = dict(os.environ, QABOT_DISCORD_ENDPOINT=fake.url, DISCORD_TOKEN=fake.token)
        with contextlib.ExitStack() as stack:
            log = stack.enter_context(open(args.bot_log, "ab")) if args.bot_log else None  # noqa: SIM115
            command = bot_command(args.command)
            print(f"fake Discord at {fake.url}; starting: {shlex.join(command)}")
            proc = await asyncio.create_subprocess_exec(*command, env=env, stdout=log, stderr=log)
            try:
                return await _session(fake, console, proc, args.ready_timeout)
            finally:
                await _stop(proc)


async def _session(
    fake: FakeDiscord, console: Console, proc: asyncio.subprocess.Process, ready_timeout: float
) -> int:
    exited = asyncio.create_task(proc.wait())
    ready = asyncio.create_task(fake.wait_ready(ready_timeout))
    await asyncio.wait({exited, ready}, return_when=asyncio.FIRST_COMPLETED)
    if not ready.done() or ready.exception() is not None:
        ready.cancel()
        print(f"the bot did not connect (exit code {proc.returncode})")
        exited.cancel()
        return 1
    print("the bot is connected. Type a question, or !help.")
    console.prompt()
    lines = _stdin_lines(asyncio.get_running_loop())
    try:
        while True:
            next_line = asyncio.create_task(lines.get())
            await asyncio.wait({next_line, exited}, return_when=asyncio.FIRST_COMPLETED)
            if exited.done():
                next_line.cancel()
                print(f"\nthe bot exited with code {proc.returncode}")
                return 1
            line = next_line.result()
            console.prompt_pending = False
            if line is None:  # end of input: let answers in progress arrive first
                await console.settle()
                print()
                return 0
            if not await console.handle(line):
                print()
                return 0
            await asyncio.sleep(0.05)
            console.report_violations()
            console.prompt()
    finally:
        exited.cancel()
        console.report_violations()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130
