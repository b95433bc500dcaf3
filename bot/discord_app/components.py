"""Buttons whose custom ids carry what a click needs, so they work after a restart.

``qa:<action>:<index fingerprint>:<arguments>``; the fingerprint tells a click
on an answer from an older index apart, which then gets a polite "expired".
Views are stopped before sending: discord.py then keeps no per-message state,
and every click arrives at ``on_interaction``.
"""

from __future__ import annotations

from dataclasses import dataclass

import discord

PREFIX = "qa"
MAX_CUSTOM_ID = 100
MORE, PAGE, FULL, UP, DOWN = "more", "page", "full", "up", "down"


@dataclass(frozen=True)
class ButtonId:
    action: str
    fingerprint: str
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        value = ":".join((PREFIX, self.action, self.fingerprint, *self.args))
        if len(value) > MAX_CUSTOM_ID:
            raise ValueError(f"custom id too long: {len(value)}")
        return value


def decode(custom_id: str) -> ButtonId | None:
    parts = custom_id.split(":")
    if len(parts) < 3 or parts[0] != PREFIX:
        return None
    return ButtonId(parts[1], parts[2], tuple(parts[3:]))


def encode_ids(pids: list[int]) -> str:
    """Passage ids in base 36, dot-separated; as many as fit a custom id."""
    out = ""
    for pid in pids:
        piece = _base36(pid)
        candidate = f"{out}.{piece}" if out else piece
        if len(candidate) > 60:
            break
        out = candidate
    return out


def decode_ids(text: str) -> list[int]:
    try:
        return [int(piece, 36) for piece in text.split(".") if piece]
    except ValueError:
        return []


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def static_view(buttons: list[discord.ui.Button]) -> discord.ui.View:
    """A view holding only ids: stopped, so discord.py stores nothing per message."""
    view = discord.ui.View(timeout=None)
    for button in buttons[:5]:  # one row; Discord allows 5 buttons in a row
        view.add_item(button)
    view.stop()
    return view


def answer_buttons(fingerprint: str, pids: list[int], index: int, page_of: int | None) -> list:
    """Buttons under one result: paging (or "More results"), full passage, feedback."""
    buttons: list[discord.ui.Button] = []
    ids = encode_ids(pids)
    if page_of is None and len(pids) > 1:
        buttons.append(_button(f"More results ({len(pids) - 1})", ButtonId(MORE, fingerprint)))
    elif page_of is not None:
        if index > 0:
            buttons.append(
                _button("◀ Previous", ButtonId(PAGE, fingerprint, (str(page_of), str(index - 1))))
            )
        if index + 1 < len(pids):
            buttons.append(
                _button("Next ▶", ButtonId(PAGE, fingerprint, (str(page_of), str(index + 1))))
            )
    buttons.append(_button("Full passage", ButtonId(FULL, fingerprint, (_base36(pids[index]),))))
    if page_of is None:
        buttons.append(
            _button("👍", ButtonId(UP, fingerprint, (ids,)), discord.ButtonStyle.success)
        )
        buttons.append(
            _button("👎", ButtonId(DOWN, fingerprint, (ids,)), discord.ButtonStyle.danger)
        )
    return buttons


def _button(
    label: str, button_id: ButtonId, style: discord.ButtonStyle = discord.ButtonStyle.secondary
) -> discord.ui.Button:
    return discord.ui.Button(label=label[:80], custom_id=button_id.encode(), style=style)
