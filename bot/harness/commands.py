"""Application commands: validating what the bot registers, storing it, and building
the ``data.options`` of an invocation from ``{name: value}`` the way Discord's client does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.harness.validation import FormError

Payload = dict[str, Any]

CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 1, 2, 3
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
NAME_RE = re.compile(r"^[-_'\w]{1,32}$")
MAX_CHAT_INPUT = 100
MAX_CONTEXT_MENU = 5
MAX_TOTAL_CHARS = 4000


def _check_name(errors: list[FormError], name: Any, path: tuple, *, chat_input: bool) -> None:
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        errors.append(
            FormError(
                (*path, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."
            )
        )
    elif chat_input and (not NAME_RE.match(name) or name != name.lower()):
        errors.append(
            FormError(
                (*path, "name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                f"Command name {name!r} is invalid",
            )
        )


def _check_description(errors: list[FormError], value: Any, path: tuple) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= 100:
        errors.append(
            FormError(
                (*path, "description"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        )


def _option_chars(option: Payload) -> int:
    total = len(option.get("name", "")) + len(option.get("description", ""))
    for choice in option.get("choices") or []:
        total += len(str(choice.get("name", ""))) + len(str(choice.get("value", "")))
    return total + sum(_option_chars(o) for o in option.get("options") or [])


def _check_options(errors: list[FormError], options: Any, path: tuple) -> None:
    if options is None:
        return
    if len(options) > 25:
        errors.append(
            FormError((*path, "options"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        )
    seen_optional = False
    names: set[str] = set()
    for i, opt in enumerate(options):
        opath = (*path, "options", i)
        _check_name(errors, opt.get("name"), opath, chat_input=True)
        _check_description(errors, opt.get("description"), opath)
        if opt.get("name") in names:
            errors.append(
                FormError(
                    (*opath, "name"),
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    "Option names must be unique",
                )
            )
        names.add(opt.get("name"))
        otype = opt.get("type")
        if otype not in range(1, 12):
            errors.append(
                FormError(
                    (*opath, "type"), "ENUM_TYPE_COERCE", f"Value {otype!r} is not a valid enum."
                )
            )
        if otype in (SUB_COMMAND, SUB_COMMAND_GROUP):
            _check_options(errors, opt.get("options"), opath)
            continue
        if opt.get("required"):
            if seen_optional:
                errors.append(
                    FormError(
                        (*opath, "required"),
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
                )
        else:
            seen_optional = True
        choices = opt.get("choices") or []
        if choices and opt.get("autocomplete"):
            errors.append(
                FormError(
                    (*opath, "autocomplete"),
                    "AUTOCOMPLETE_CHOICES_EXCLUSIVE",
                    "Autocomplete and choices are mutually exclusive",
                )
            )
        errors.extend(validate_choices(choices, (*opath, "choices")))


def validate_choices(choices: Any, path: tuple = ("choices",)) -> list[FormError]:
    """At most 25 choices, each with a name and a value of 1–100 characters."""
    errors: list[FormError] = []
    if not isinstance(choices, list):
        return [FormError(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType.")]
    if len(choices) > 25:
        errors.append(FormError(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    for i, choice in enumerate(choices):
        if not isinstance(choice, dict):
            errors.append(
                FormError((*path, i), "DICT_TYPE_CONVERT", "Only dictionaries may be used.")
            )
            continue
        name = choice.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            errors.append(
                FormError(
                    (*path, i, "name"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            )
        value = choice.get("value")
        if isinstance(value, str) and not 1 <= len(value) <= 100:
            errors.append(
                FormError(
                    (*path, i, "value"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                )
            )
        elif value is None:
            errors.append(
                FormError((*path, i, "value"), "BASE_TYPE_REQUIRED", "This field is required")
            )
    return errors


def validate_command(cmd: Any, path: tuple = ()) -> list[FormError]:
    errors: list[FormError] = []
    if not isinstance(cmd, dict):
        return [FormError(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used.")]
    ctype = cmd.get("type", CHAT_INPUT)
    if ctype not in (CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND):
        errors.append(
            FormError((*path, "type"), "ENUM_TYPE_COERCE", f"Value {ctype!r} is not a valid enum.")
        )
        return errors
    _check_name(errors, cmd.get("name"), path, chat_input=ctype == CHAT_INPUT)
    if ctype == CHAT_INPUT:
        _check_description(errors, cmd.get("description"), path)
        _check_options(errors, cmd.get("options"), path)
        if _option_chars(cmd) > MAX_TOTAL_CHARS:
            errors.append(
                FormError(
                    path, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (4000)"
                )
            )
    else:
        if cmd.get("description"):
            errors.append(
                FormError(
                    (*path, "description"),
                    "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                    "Context menu commands cannot have a description",
                )
            )
        if cmd.get("options"):
            errors.append(
                FormError(
                    (*path, "options"),
                    "APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS",
                    "Context menu commands cannot have options",
                )
            )
    return errors


def validate_command_list(commands: Any) -> list[FormError]:
    if not isinstance(commands, list):
        return [FormError((), "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType.")]
    errors: list[FormError] = []
    seen: set[tuple[int, str]] = set()
    counts = {CHAT_INPUT: 0, USER_COMMAND: 0, MESSAGE_COMMAND: 0}
    for i, cmd in enumerate(commands):
        errors.extend(validate_command(cmd, (i,)))
        if isinstance(cmd, dict):
            key = (cmd.get("type", CHAT_INPUT), cmd.get("name"))
            if key in seen:
                errors.append(
                    FormError(
                        (i, "name"),
                        "APPLICATION_COMMANDS_DUPLICATE_NAME",
                        f"Application command names must be unique: {key[1]!r}",
                    )
                )
            seen.add(key)
            if key[0] in counts:
                counts[key[0]] += 1
    if counts[CHAT_INPUT] > MAX_CHAT_INPUT:
        errors.append(
            FormError((), "MAX_COMMANDS", f"At most {MAX_CHAT_INPUT} chat input commands")
        )
    if counts[USER_COMMAND] > MAX_CONTEXT_MENU or counts[MESSAGE_COMMAND] > MAX_CONTEXT_MENU:
        errors.append(
            FormError(
                (), "MAX_COMMANDS", f"At most {MAX_CONTEXT_MENU} context menu commands per type"
            )
        )
    return errors


class CommandRegistry:
    """Registered commands, global and per guild, with ids stable across re-syncs."""

    def __init__(self, new_id: Callable[[], int], application_id: int) -> None:
        self._new_id = new_id
        self._application_id = application_id
        self.global_commands: list[Payload] = []
        self.guild_commands: dict[int, list[Payload]] = {}
        self._ids: dict[tuple[int | None, int, str], int] = {}
        self.sync_count = 0

    def _store(self, cmd: Payload, guild_id: int | None) -> Payload:
        ctype = cmd.get("type", CHAT_INPUT)
        key = (guild_id, ctype, cmd["name"])
        cid = self._ids.setdefault(key, self._new_id())
        perms = cmd.get("default_member_permissions")
        stored: Payload = {
            "id": str(cid),
            "application_id": str(self._application_id),
            "version": str(self._new_id()),
            "type": ctype,
            "name": cmd["name"],
            "description": cmd.get("description", "") or "",
            "options": cmd.get("options") or [],
            "default_member_permissions": None if perms is None else str(perms),
            "dm_permission": cmd.get("dm_permission", True),
            "contexts": cmd.get("contexts"),
            "integration_types": cmd.get("integration_types") or [0],
            "nsfw": bool(cmd.get("nsfw", False)),
            "name_localizations": cmd.get("name_localizations"),
            "description_localizations": cmd.get("description_localizations"),
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    def overwrite(self, commands: list[Payload], guild_id: int | None) -> list[Payload]:
        stored = [self._store(cmd, guild_id) for cmd in commands]
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        self.sync_count += 1
        return stored

    def upsert(self, cmd: Payload, guild_id: int | None) -> Payload:
        current = self.list(guild_id)
        stored = self._store(cmd, guild_id)
        current[:] = [
            c for c in current if not (c["name"] == stored["name"] and c["type"] == stored["type"])
        ]
        current.append(stored)
        return stored

    def list(self, guild_id: int | None) -> list[Payload]:
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.setdefault(guild_id, [])

    def all(self) -> list[Payload]:
        return self.global_commands + [c for cmds in self.guild_commands.values() for c in cmds]

    def find(self, name: str, *, guild_id: int | None, ctype: int = CHAT_INPUT) -> Payload | None:
        """The command a user would see: the guild's own first, then the global one."""
        scopes = ([guild_id] if guild_id is not None else []) + [None]
        for scope in scopes:
            candidates = (
                self.global_commands if scope is None else self.guild_commands.get(scope, [])
            )
            for cmd in candidates:
                if cmd["name"] == name and cmd["type"] == ctype:
                    return cmd
        return None


def _coerce(option: Payload, value: Any, *, focused: bool) -> Any:
    """Turn a test/CLI value into what Discord would send for this option type."""
    otype = option["type"]
    if focused:
        return str(value)  # Discord sends the partially typed text as a string
    if otype in (USER, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT):
        return str(getattr(value, "id", value))
    try:
        if otype == INTEGER:
            return int(value)
        if otype == NUMBER:
            return float(value)
        if otype == BOOLEAN:
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "y", "on")
            return bool(value)
    except (TypeError, ValueError):
        raise AssertionError(f"option {option['name']!r}: {value!r} is not a valid value") from None
    return str(value)


def _check_value(option: Payload, value: Any) -> None:
    """What Discord's client enforces before it sends the interaction."""
    name = option["name"]
    choices = option.get("choices") or []
    if choices and value not in [c["value"] for c in choices]:
        allowed = ", ".join(repr(c["value"]) for c in choices)
        raise AssertionError(f"option {name!r}: {value!r} is not one of the choices ({allowed})")
    if isinstance(value, str) and option["type"] == STRING:
        low, high = option.get("min_length", 0), option.get("max_length", 6000)
        if not low <= len(value) <= high:
            raise AssertionError(f"option {name!r}: length {len(value)} is outside [{low}, {high}]")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = option.get("min_value"), option.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise AssertionError(f"option {name!r}: {value} is outside [{low}, {high}]")


def build_options(
    command: Payload, path: list[str], values: dict[str, Any], *, focused: str | None = None
) -> list[Payload]:
    """``data.options`` for an invocation of ``command`` (``path`` = sub-command names)."""
    schema = command.get("options") or []
    if path:
        sub = path[0]
        match = next((o for o in schema if o["name"] == sub and o["type"] in (1, 2)), None)
        if match is None:
            raise AssertionError(f"command {command['name']!r} has no sub-command {sub!r}")
        nested = {"name": command["name"], "options": match.get("options") or []}
        inner = build_options(nested, path[1:], values, focused=focused)
        return [{"type": match["type"], "name": sub, "options": inner}]
    if any(o["type"] in (1, 2) for o in schema):
        subs = [o["name"] for o in schema]
        raise AssertionError(f"command {command['name']!r} needs a sub-command, one of {subs}")
    known = {o["name"]: o for o in schema}
    unknown = set(values) - set(known)
    if unknown:
        raise AssertionError(
            f"command {command['name']!r} has no option(s) {sorted(unknown)}; "
            f"it has {sorted(known)}"
        )
    result = []
    for option in schema:
        name = option["name"]
        if name not in values:
            if option.get("required") and focused is None:
                raise AssertionError(
                    f"command {command['name']!r}: required option {name!r} is missing"
                )
            continue
        value = _coerce(option, values[name], focused=name == focused)
        if name != focused:
            _check_value(option, value)
        entry: Payload = {"type": option["type"], "name": name, "value": value}
        if name == focused:
            entry["focused"] = True
        result.append(entry)
    return result
