"""The pieces of a button's custom id, and views that keep no per-message state.

A button's custom id carries what a click needs (``qa:<action>:<index
fingerprint>:<arguments>``, parsed by the ``discord.ui.DynamicItem`` templates
in :mod:`bot.discord_app.buttons`), so buttons work after a restart. Views are
stopped before sending: discord.py then keeps no per-message state, and every
click is dispatched by template.
"""

from __future__ import annotations

import discord

PREFIX = "qa"
MAX_CUSTOM_ID = 100
MAX_IDS = 60  # characters of passage ids in one custom id
FINGERPRINT = r"(?P<fingerprint>[0-9a-f]{1,64})"
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def custom_id(action: str, fingerprint: str, *args: str) -> str:
    value = ":".join((PREFIX, action, fingerprint, *args))
    if len(value) > MAX_CUSTOM_ID:
        raise ValueError(f"custom id too long: {len(value)}")
    return value


def encode_ids(pids: list[int]) -> str:
    """Passage ids in base 36, dot-separated; as many as fit a custom id."""
    out = ""
    for pid in pids:
        piece = base36(pid)
        candidate = f"{out}.{piece}" if out else piece
        if len(candidate) > MAX_IDS:
            break
        out = candidate
    return out


def decode_ids(text: str) -> list[int]:
    try:
        return [int(piece, 36) for piece in text.split(".") if piece]
    except ValueError:
        return []


def base36(number: int) -> str:
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = BASE36[rest] + out
        if not number:
            return out


def static_view(items: list[discord.ui.Item]) -> discord.ui.View:
    """A view holding only ids: stopped, so discord.py stores nothing per message."""
    view = discord.ui.View(timeout=None)
    for item in items[:5]:  # one row; Discord allows 5 buttons in a row
        view.add_item(item)
    view.stop()
    return view
