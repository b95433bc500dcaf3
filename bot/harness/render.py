"""Plain-text rendering of a message, roughly as a Discord client would show it."""

from __future__ import annotations

from typing import Any

Payload = dict[str, Any]

BUTTON_STYLES = {1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link", 6: "premium"}


def interactive_components(message: Payload) -> list[Payload]:
    """Buttons and selects of a message in display order (what ``!click N`` counts)."""
    found: list[Payload] = []

    def walk(items: list[Any]) -> None:
        for comp in items:
            if not isinstance(comp, dict):
                continue
            if comp.get("type") in (2, 3, 5, 6, 7, 8):
                found.append(comp)
            walk(comp.get("components") or [])
            if isinstance(comp.get("component"), dict):
                walk([comp["component"]])
            if isinstance(comp.get("accessory"), dict):
                walk([comp["accessory"]])

    walk(message.get("components") or [])
    return found


def _render_v2(items: list[Any], indent: str, out: list[str]) -> None:
    for comp in items:
        if not isinstance(comp, dict):
            continue
        if comp.get("type") == 10:  # text display
            out.extend(indent + line for line in str(comp.get("content", "")).splitlines())
        elif comp.get("type") == 14:  # separator
            out.append(indent + "-" * 20)
        _render_v2(
            comp.get("components") or [], indent + ("  " if comp.get("type") == 17 else ""), out
        )


def _component_label(index: int, comp: Payload) -> str:
    label = (
        comp.get("label") or (comp.get("emoji") or {}).get("name") or comp.get("placeholder") or "?"
    )
    if comp.get("type") == 2:
        kind = BUTTON_STYLES.get(comp.get("style", 0), "?")
        extra = f" -> {comp['url']}" if comp.get("style") == 5 else ""
        disabled = " (disabled)" if comp.get("disabled") else ""
        return f"[{index}: {label} ({kind}){extra}{disabled}]"
    return f"[{index}: select {label!r}]"


def render_message(message: Payload) -> str:
    """Content, embeds (title, description, fields, footer), attachments and buttons."""
    flags = message.get("flags", 0)
    out: list[str] = []
    tags = []
    if flags & 64:
        tags.append("ephemeral")
    if flags & 128:
        tags.append("thinking...")
    if message.get("edited_timestamp"):
        tags.append("edited")
    if tags:
        out.append(f"({', '.join(tags)})")
    if message.get("content"):
        out.append(message["content"])
    for embed in message.get("embeds") or []:
        if embed.get("author", {}).get("name"):
            out.append(f"| {embed['author']['name']}")
        if embed.get("title"):
            title = embed["title"] + (f" <{embed['url']}>" if embed.get("url") else "")
            out.append(f"| **{title}**")
        if embed.get("description"):
            out.extend("| " + line for line in embed["description"].splitlines())
        for fld in embed.get("fields") or []:
            out.append(f"| {fld.get('name')}:")
            out.extend("|   " + line for line in str(fld.get("value", "")).splitlines())
        if embed.get("footer", {}).get("text"):
            out.append(f"| -- {embed['footer']['text']}")
    if flags & (1 << 15):
        _render_v2(message.get("components") or [], "", out)
    for attachment in message.get("attachments") or []:
        out.append(f"[file: {attachment.get('filename')} ({attachment.get('size', '?')} bytes)]")
    components = interactive_components(message)
    if components:
        out.append(" ".join(_component_label(i, c) for i, c in enumerate(components, 1)))
    return "\n".join(out) if out else "(empty)"
