"""Messages the bot creates or edits, through channels and interactions alike.

:func:`make_draft` applies Discord's checks (limits, emptiness, reply target) and the
project's no-ping rule; :func:`create`, :func:`edit` and :func:`delete` store the result,
record it in ``fake.sent_messages`` and tell the gateway.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.harness.models import Channel, iso_now
from bot.harness.responses import UploadedFile, error, form_errors
from bot.harness.validation import (
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    FormError,
    is_empty,
    validate_message,
    would_ping,
)

if TYPE_CHECKING:
    from bot.harness.fake_discord import FakeDiscord

Payload = dict[str, Any]
EDITABLE = ("content", "embeds", "components", "poll", "sticker_ids")


@dataclass
class Draft:
    """The fields of a message the bot asked for, already checked."""

    fields: Payload
    flags: int | None  # None when the payload did not set flags
    referenced: Payload | None = None
    attachments: list[Payload] = field(default_factory=list)
    attachments_given: bool = False


def _attachments(
    fake: FakeDiscord,
    channel_id: int,
    body: Payload,
    files: list[UploadedFile],
    existing: list[Payload],
) -> list[Payload]:
    """Attachment objects for the uploaded files plus kept existing ones (by id)."""
    by_index = {f.field: f for f in files}
    result = []
    kept = {a["id"]: a for a in existing}
    listed = body.get("attachments")
    if listed is None:
        listed = [{"id": i, "filename": f.filename} for i, f in enumerate(files)]
    for item in listed:
        key = str(item.get("id"))
        if key in kept:
            result.append(kept[key])
            continue
        upload = by_index.get(f"files[{key}]")
        if upload is None:
            continue
        aid = fake.world.new_id()
        fake.world.attachment_data[aid] = upload.data
        filename = item.get("filename") or upload.filename
        url = f"{fake.url}/attachments/{channel_id}/{aid}/{filename}"
        result.append(
            {
                "id": str(aid),
                "filename": filename,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url,
                "content_type": "application/octet-stream",
                "description": item.get("description"),
            }
        )
    return result


def make_draft(
    fake: FakeDiscord,
    body: Payload,
    files: list[UploadedFile],
    *,
    where: str,
    channel_id: int,
    allowed_flags: int,
    base: Payload | None = None,
) -> Draft | web.Response:
    """Check a create (``base=None``) or edit payload; a Response means it was refused."""
    errors: list[FormError] = validate_message(body, allowed_flags=allowed_flags)
    referenced = None
    ref = body.get("message_reference")
    if base is None and isinstance(ref, dict) and ref.get("message_id") is not None:
        referenced = fake.world.messages.get(int(ref["message_id"]))
        if referenced is None and ref.get("fail_if_not_exists", True):
            errors.append(
                FormError(
                    ("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                )
            )
    if errors:
        for err in errors:
            fake.record_violation(f"{where}: {err}")
        return form_errors(errors)
    fields = {key: body[key] for key in EDITABLE if key in body}
    if fields.get("content") is None and "content" in fields:
        fields["content"] = ""
    for key in ("embeds", "components"):
        if key in fields and fields[key] is None:
            fields[key] = []
    attachments_given = "attachments" in body or bool(files)
    attachments = _attachments(fake, channel_id, body, files, (base or {}).get("attachments", []))
    flags = None if body.get("flags") is None else int(body["flags"])
    draft = Draft(fields, flags, referenced, attachments, attachments_given)
    result = dict(base or {}, **fields)
    if attachments_given:
        result["attachments"] = attachments
    forward = isinstance(ref, dict) and ref.get("type") == 1  # a forward carries no content
    if is_empty(result) and not forward:
        fake.record_violation(f"{where}: Cannot send an empty message")
        return error(400, 50006, "Cannot send an empty message")
    if base is None or "content" in fields:
        replied = None if referenced is None else int(referenced["author"]["id"])
        pinged = would_ping(
            result.get("content"),
            body.get("allowed_mentions"),
            replied_user_id=replied,
            bot_id=fake.world.bot.id,
        )
        if pinged:
            fake.record_violation(
                f"{where}: message would ping {', '.join(pinged)} (allowed_mentions="
                f"{body.get('allowed_mentions')!r}); the bot must ping nobody"
            )
    return draft


async def create(
    fake: FakeDiscord,
    channel: Channel,
    draft: Draft,
    *,
    mtype: int = 0,
    extra: Payload | None = None,
    flags: int | None = None,
) -> Payload:
    """Store a new bot message and dispatch MESSAGE_CREATE unless it is ephemeral."""
    extra = dict(extra or {})
    if draft.referenced is not None:
        ref = draft.referenced
        extra["message_reference"] = {
            "type": 0,
            "message_id": ref["id"],
            "channel_id": ref["channel_id"],
            **({"guild_id": ref["guild_id"]} if "guild_id" in ref else {}),
        }
        extra["referenced_message"] = copy.deepcopy(
            {k: v for k, v in ref.items() if k != "referenced_message"}
        )
        mtype = 19 if mtype == 0 else mtype
    content = draft.fields.get("content", "")
    message = fake.world.new_message(channel, fake.world.bot, content, mtype=mtype, extra=extra)
    message.update({k: v for k, v in draft.fields.items() if k != "content"})
    message["attachments"] = draft.attachments
    message["flags"] = (draft.flags or 0) if flags is None else flags
    await fake._bot_message_event("create", message)
    return message


async def create_placeholder(
    fake: FakeDiscord, channel: Channel, *, ephemeral: bool, extra: Payload
) -> Payload:
    """The "Bot is thinking..." message a deferred (type 5) response creates."""
    message = fake.world.new_message(
        channel, fake.world.bot, "", mtype=extra.pop("type", 20), extra=extra
    )
    message["flags"] = FLAG_LOADING | (FLAG_EPHEMERAL if ephemeral else 0)
    await fake._bot_message_event("create", message)
    return message


async def edit(fake: FakeDiscord, message: Payload, draft: Draft) -> Payload:
    message.update(draft.fields)
    if draft.attachments_given:
        message["attachments"] = draft.attachments
    ephemeral = message["flags"] & FLAG_EPHEMERAL
    if draft.flags is not None:
        message["flags"] = draft.flags | ephemeral
    message["flags"] &= ~FLAG_LOADING
    message["edited_timestamp"] = iso_now()
    await fake._bot_message_event("edit", message)
    return message


async def delete(fake: FakeDiscord, message: Payload) -> None:
    fake.world.messages.pop(int(message["id"]), None)
    fake.deleted_message_ids.add(int(message["id"]))
    await fake._bot_message_event("delete", message)
