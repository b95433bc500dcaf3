"""Discord's checks on message payloads, and the "would this ping anyone?" rule.

Every check returns a list of :class:`FormError`; an empty list means Discord would
accept the payload.  :func:`form_error_body` turns errors into Discord's 400 body
(code 50035, "Invalid Form Body").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

Payload = dict[str, Any]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_NAME_MAX = 256
ACTION_ROWS_MAX = 5
ROW_BUTTONS_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
V2_COMPONENTS_MAX = 40

FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_COMPONENTS_V2 = 1 << 15
CHANNEL_MESSAGE_FLAGS = FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2
INTERACTION_MESSAGE_FLAGS = CHANNEL_MESSAGE_FLAGS | FLAG_EPHEMERAL

BUTTON = 2
ACTION_ROW = 1
SELECT_TYPES = (3, 5, 6, 7, 8)
LINK_STYLE = 5
PREMIUM_STYLE = 6

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
URL_SCHEMES = ("http://", "https://", "attachment://")


@dataclass(frozen=True)
class FormError:
    path: tuple[str | int, ...]
    code: str
    message: str

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.path) or "(body)"
        return f"{where}: {self.message}"


def form_error_body(errors: list[FormError]) -> Payload:
    """Discord's nested ``errors`` object for a 50035 response."""
    tree: Payload = {}
    for error in errors:
        node = tree
        for part in error.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": error.code, "message": error.message})
    return {"code": 50035, "message": "Invalid Form Body", "errors": tree}


def _too_long(path: tuple[str | int, ...], limit: int) -> FormError:
    return FormError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _required(path: tuple[str | int, ...]) -> FormError:
    return FormError(path, "BASE_TYPE_REQUIRED", "This field is required")


def _check_str(
    errors: list[FormError], value: Any, path: tuple[str | int, ...], limit: int, *, required: bool
) -> int:
    """Check one string field and return its length (0 when absent)."""
    if value is None:
        if required:
            errors.append(_required(path))
        return 0
    if not isinstance(value, str):
        errors.append(FormError(path, "BASE_TYPE_STRING", "Could not interpret value as string."))
        return 0
    if required and not value.strip():
        errors.append(FormError(path, "BASE_TYPE_REQUIRED", "This field is required"))
    if len(value) > limit:
        errors.append(_too_long(path, limit))
    return len(value)


def _check_url(errors: list[FormError], value: Any, path: tuple[str | int, ...]) -> None:
    if value is not None and not (isinstance(value, str) and value.startswith(URL_SCHEMES)):
        errors.append(FormError(path, "URL_TYPE_INVALID_URL", "Not a well formed URL."))


def validate_embed(embed: Any, path: tuple[str | int, ...]) -> tuple[list[FormError], int]:
    """Check one embed; return the errors and its character count toward the 6000 total."""
    errors: list[FormError] = []
    if not isinstance(embed, dict):
        return [FormError(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used.")], 0
    total = 0
    for key, limit in EMBED_LIMITS.items():
        total += _check_str(errors, embed.get(key), (*path, key), limit, required=False)
    _check_url(errors, embed.get("url"), (*path, "url"))
    color = embed.get("color")
    if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
        errors.append(
            FormError((*path, "color"), "NUMBER_TYPE_MAX", "int value should be <= 16777215.")
        )
    fields = embed.get("fields") or []
    if len(fields) > FIELDS_MAX:
        errors.append(
            FormError(
                (*path, "fields"),
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {FIELDS_MAX} or fewer in length.",
            )
        )
    for i, fld in enumerate(fields):
        fpath = (*path, "fields", i)
        if not isinstance(fld, dict):
            errors.append(FormError(fpath, "DICT_TYPE_CONVERT", "Only dictionaries may be used."))
            continue
        total += _check_str(
            errors, fld.get("name"), (*fpath, "name"), FIELD_NAME_MAX, required=True
        )
        total += _check_str(
            errors, fld.get("value"), (*fpath, "value"), FIELD_VALUE_MAX, required=True
        )
    footer = embed.get("footer")
    if isinstance(footer, dict):
        total += _check_str(
            errors, footer.get("text"), (*path, "footer", "text"), FOOTER_MAX, required=True
        )
        _check_url(errors, footer.get("icon_url"), (*path, "footer", "icon_url"))
    author = embed.get("author")
    if isinstance(author, dict):
        total += _check_str(
            errors, author.get("name"), (*path, "author", "name"), AUTHOR_NAME_MAX, required=True
        )
        _check_url(errors, author.get("url"), (*path, "author", "url"))
        _check_url(errors, author.get("icon_url"), (*path, "author", "icon_url"))
    for media in ("image", "thumbnail"):
        if isinstance(embed.get(media), dict):
            _check_url(errors, embed[media].get("url"), (*path, media, "url"))
    return errors, total


def validate_embeds(embeds: Any) -> list[FormError]:
    if embeds is None:
        return []
    if not isinstance(embeds, list):
        return [
            FormError(("embeds",), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType.")
        ]
    errors: list[FormError] = []
    if len(embeds) > EMBEDS_MAX:
        errors.append(_too_long(("embeds",), EMBEDS_MAX))
    total = 0
    for i, embed in enumerate(embeds):
        embed_errors, size = validate_embed(embed, ("embeds", i))
        errors.extend(embed_errors)
        total += size
    if total > EMBED_TOTAL_MAX:
        errors.append(
            FormError(
                ("embeds",),
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}",
            )
        )
    return errors


def _check_button(errors: list[FormError], button: Payload, path: tuple[str | int, ...]) -> None:
    style = button.get("style")
    label = button.get("label")
    if label is not None:
        _check_str(errors, label, (*path, "label"), BUTTON_LABEL_MAX, required=False)
    if style == LINK_STYLE:
        if not button.get("url"):
            errors.append(
                FormError((*path, "url"), "BUTTON_LINK_URL_REQUIRED", "Link buttons need a url.")
            )
        _check_url(errors, button.get("url"), (*path, "url"))
        if button.get("custom_id") is not None:
            errors.append(
                FormError(
                    (*path, "custom_id"),
                    "BUTTON_LINK_CUSTOM_ID",
                    "Link buttons cannot have a custom_id.",
                )
            )
    elif style == PREMIUM_STYLE:
        if not button.get("sku_id"):
            errors.append(_required((*path, "sku_id")))
    else:
        if style not in (1, 2, 3, 4):
            errors.append(
                FormError(
                    (*path, "style"), "ENUM_TYPE_COERCE", f"Value {style!r} is not a valid enum."
                )
            )
        if button.get("url") is not None:
            errors.append(
                FormError((*path, "url"), "BUTTON_URL_NOT_ALLOWED", "Only link buttons have a url.")
            )
        if style != PREMIUM_STYLE and not label and not button.get("emoji"):
            errors.append(
                FormError(
                    (*path, "label"), "BUTTON_LABEL_REQUIRED", "A button needs a label or an emoji."
                )
            )


def _walk_components(
    components: list[Any],
    path: tuple[str | int, ...],
    errors: list[FormError],
    ids: dict[str, tuple],
) -> int:
    """Check custom_ids, buttons and selects at any depth; return how many components there are."""
    count = 0
    for i, comp in enumerate(components):
        cpath = (*path, i)
        if not isinstance(comp, dict):
            errors.append(FormError(cpath, "DICT_TYPE_CONVERT", "Only dictionaries may be used."))
            continue
        count += 1
        custom_id = comp.get("custom_id")
        if custom_id is not None:
            if not isinstance(custom_id, str) or not custom_id:
                errors.append(
                    FormError((*cpath, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
                )
            elif len(custom_id) > CUSTOM_ID_MAX:
                errors.append(_too_long((*cpath, "custom_id"), CUSTOM_ID_MAX))
            elif custom_id in ids:
                errors.append(
                    FormError(
                        (*cpath, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                )
            else:
                ids[custom_id] = cpath
        if comp.get("type") == BUTTON:
            _check_button(errors, comp, cpath)
            if comp.get("style") not in (LINK_STYLE, PREMIUM_STYLE) and custom_id is None:
                errors.append(_required((*cpath, "custom_id")))
        elif comp.get("type") in SELECT_TYPES:
            if custom_id is None:
                errors.append(_required((*cpath, "custom_id")))
            options = comp.get("options") or []
            if len(options) > 25:
                errors.append(_too_long((*cpath, "options"), 25))
            for j, opt in enumerate(options):
                for key in ("label", "value", "description"):
                    _check_str(
                        errors,
                        opt.get(key),
                        (*cpath, "options", j, key),
                        100,
                        required=key != "description",
                    )
        for key in ("components",):
            if isinstance(comp.get(key), list):
                count += _walk_components(comp[key], (*cpath, key), errors, ids)
        if isinstance(comp.get("accessory"), dict):
            count += _walk_components([comp["accessory"]], (*cpath, "accessory"), errors, ids)
    return count


def validate_components(components: Any, flags: int) -> list[FormError]:
    if components is None:
        return []
    if not isinstance(components, list):
        return [
            FormError(
                ("components",), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType."
            )
        ]
    errors: list[FormError] = []
    ids: dict[str, tuple] = {}
    if flags & FLAG_COMPONENTS_V2:
        total = _walk_components(components, ("components",), errors, ids)
        if total > V2_COMPONENTS_MAX:
            errors.append(_too_long(("components",), V2_COMPONENTS_MAX))
        return errors
    if len(components) > ACTION_ROWS_MAX:
        errors.append(_too_long(("components",), ACTION_ROWS_MAX))
    for i, row in enumerate(components):
        path: tuple[str | int, ...] = ("components", i)
        if not isinstance(row, dict) or row.get("type") != ACTION_ROW:
            errors.append(
                FormError(path, "UNION_TYPE_CHOICES", "Top-level components must be action rows.")
            )
            continue
        children = row.get("components") or []
        if not children:
            errors.append(
                FormError(
                    (*path, "components"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."
                )
            )
        if len(children) > ROW_BUTTONS_MAX:
            errors.append(_too_long((*path, "components"), ROW_BUTTONS_MAX))
        if (
            any(isinstance(c, dict) and c.get("type") in SELECT_TYPES for c in children)
            and len(children) > 1
        ):
            errors.append(
                FormError(
                    (*path, "components"),
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "A select menu must be alone in its row.",
                )
            )
    _walk_components(components, ("components",), errors, ids)
    return errors


def validate_allowed_mentions(allowed: Any) -> list[FormError]:
    if allowed is None:
        return []
    if not isinstance(allowed, dict):
        return [
            FormError(("allowed_mentions",), "DICT_TYPE_CONVERT", "Only dictionaries may be used.")
        ]
    errors: list[FormError] = []
    parse = allowed.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            errors.append(
                FormError(
                    ("allowed_mentions", "parse"),
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                )
            )
        if len(allowed.get(kind) or []) > 100:
            errors.append(_too_long(("allowed_mentions", kind), 100))
    return errors


def validate_message(body: Payload, *, allowed_flags: int) -> list[FormError]:
    """Check the fields a create/edit payload carries (not emptiness: see :func:`is_empty`)."""
    errors: list[FormError] = []
    content = body.get("content")
    if content is not None:
        _check_str(errors, content, ("content",), CONTENT_MAX, required=False)
    flags = body.get("flags") or 0
    if not isinstance(flags, int) or flags & ~allowed_flags:
        errors.append(
            FormError(("flags",), "MESSAGE_FLAGS_INVALID", f"Invalid message flags {flags!r}")
        )
        flags = 0
    errors += validate_embeds(body.get("embeds"))
    errors += validate_components(body.get("components"), flags)
    errors += validate_allowed_mentions(body.get("allowed_mentions"))
    if flags & FLAG_COMPONENTS_V2 and (body.get("content") or body.get("embeds")):
        errors.append(
            FormError(
                ("content",),
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "content and embeds cannot be used with the IS_COMPONENTS_V2 flag.",
            )
        )
    return errors


def is_empty(message: Payload) -> bool:
    """True when Discord would refuse the message as empty (code 50006)."""
    return not (
        (message.get("content") or "").strip()
        or message.get("embeds")
        or message.get("components")
        or message.get("attachments")
        or message.get("sticker_ids")
        or message.get("poll")
    )


def would_ping(
    content: str | None,
    allowed_mentions: Payload | None,
    *,
    replied_user_id: int | None,
    bot_id: int,
) -> list[str]:
    """Who this message would notify.  Mentions of the bot itself are not counted.

    Without ``allowed_mentions`` Discord parses users, roles and @everyone from the
    content and pings the author of a replied-to message; with it, only what
    ``parse``/``users``/``roles`` allow, and the replied-to author only when
    ``replied_user`` is true.
    """
    text = content or ""
    if allowed_mentions is None:
        parse = {"users", "roles", "everyone"}
        users: set[int] = set()
        roles: set[int] = set()
        replied = True
    else:
        parse = set(allowed_mentions.get("parse") or [])
        users = {int(u) for u in allowed_mentions.get("users") or []}
        roles = {int(r) for r in allowed_mentions.get("roles") or []}
        replied = bool(allowed_mentions.get("replied_user"))
    pinged: list[str] = []
    if "everyone" in parse:
        pinged += [word for word in ("@everyone", "@here") if word in text]
    for uid in dict.fromkeys(int(m) for m in USER_MENTION.findall(text)):
        if uid != bot_id and ("users" in parse or uid in users):
            pinged.append(f"<@{uid}>")
    for rid in dict.fromkeys(int(m) for m in ROLE_MENTION.findall(text)):
        if "roles" in parse or rid in roles:
            pinged.append(f"<@&{rid}>")
    if replied_user_id is not None and replied_user_id != bot_id and replied:
        pinged.append(f"replied-to author <@{replied_user_id}>")
    return pinged
