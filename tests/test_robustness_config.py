"""Every config key with a wrong value, an unknown key, bad YAML: one clear line naming
the file, the line and the key. The keys are generated from the dataclasses in
bot/config.py, so a new setting is covered the day it is added."""

from __future__ import annotations

import dataclasses
import subprocess
import types
import typing
from pathlib import Path
from typing import Any, Literal

import pytest

from bot.config import Config, ConfigError, load_config, parse_config
from tests.discord_env import QABOT


def sections() -> list[tuple[str, type]]:
    hints = typing.get_type_hints(Config)
    return [
        (f.name, hints[f.name])
        for f in dataclasses.fields(Config)
        if not f.metadata.get("internal") and dataclasses.is_dataclass(hints[f.name])
    ]


def settings() -> list[tuple[str, str, Any, dict]]:
    """(section, key, type hint, checks) for every setting."""
    found = []
    for section, cls in sections():
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):
            if field.metadata.get("internal"):  # set with another key (corpus.base_urls)
                continue
            found.append((section, field.name, hints[field.name], dict(field.metadata)))
    return found


SETTINGS = settings()


def wrong_values(hint: Any) -> list[tuple[str, str]]:
    """YAML values of the wrong type for ``hint``, with the words the error must use."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    mapping = ("{a: 1}", "expected a")
    if origin in (typing.Union, types.UnionType):
        inner = next(a for a in args if a is not type(None))
        return wrong_values(inner)
    if origin is tuple:
        item = wrong_values(args[0])[0]
        return [
            ("just-one-word", "expected a list"),
            (mapping[0], "expected a list"),
            (f"[{item[0]}]", item[1]),  # a wrong item, named by its index
        ]
    if origin is Literal:
        return [("no-such-choice", "invalid value"), ("[1, 2]", "expected a single value")]
    if hint is bool:
        return [("maybe", "expected true or false"), ("3", "expected true or false"), mapping]
    if hint is int:
        return [
            ("twelve", "expected a whole number"),
            ("2.5", "expected a whole number"),
            ("true", "expected a whole number"),
            ("[1]", "expected a single value"),
        ]
    if hint is float:
        return [
            ("fast", "expected a number"),
            ("false", "expected a number"),
            (".nan", "expected a finite number"),
            ("-.inf", "expected a finite number"),
            ("[0.5]", "expected a single value"),
        ]
    if hint is str:
        return [("[x]", "expected a single value"), mapping]
    if hint is Path:
        return [("''", "expected a path"), ("12", "expected a path"), ("[a]", "expected a single")]
    raise AssertionError(f"no wrong values for {hint!r}: add them here")


CASES = [
    pytest.param(section, key, value, words, id=f"{section}.{key}={value}")
    for section, key, hint, _ in SETTINGS
    for value, words in wrong_values(hint)
]


def error_of(tmp_path: Path, text: str) -> str:
    """The error for a config file holding ``text`` (parsed as load_config parses the
    user's file, without re-reading the shipped defaults each time)."""
    with pytest.raises(ConfigError) as caught:
        parse_config(text, tmp_path / "qabot.yaml")
    message = str(caught.value)
    # One line, and short: the file's path (the test's temp folder) not counted.
    assert "\n" not in message and len(message.removeprefix(str(tmp_path))) < 500, message
    return message


def test_errors_read_the_same_through_load_config(tmp_path):
    path = tmp_path / "qabot.yaml"
    path.write_text("discord:\n  max_pending: lots\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == error_of(tmp_path, path.read_text())
    assert str(caught.value).startswith(f"{path}:2: discord.max_pending: expected a whole number")


def test_every_setting_is_covered():
    assert len(SETTINGS) >= 45  # corpus, analysis, retrieval, answer, discord, logging
    assert {s for s, _, _, _ in SETTINGS} == {
        "corpus",
        "analysis",
        "retrieval",
        "answer",
        "discord",
        "logging",
    }


@pytest.mark.parametrize(("section", "key", "value", "words"), CASES)
def test_a_wrong_value_is_one_line_naming_file_line_and_key(tmp_path, section, key, value, words):
    # Line 3: a comment first, so the line number is not just "the second line".
    message = error_of(tmp_path, f"# settings\n{section}:\n  {key}: {value}\n")
    where = f"{tmp_path / 'qabot.yaml'}:3: {section}.{key}"
    assert message.startswith(where), message
    assert words in message, message


BOUNDS = [
    pytest.param(section, key, bound, checks[bound], id=f"{section}.{key}.{bound}")
    for section, key, _, checks in SETTINGS
    for bound in ("min", "max")
    if checks.get(bound) is not None
]


@pytest.mark.parametrize(("section", "key", "bound", "limit"), BOUNDS)
def test_a_value_out_of_bounds_names_the_bound(tmp_path, section, key, bound, limit):
    step = 1 if isinstance(limit, int) else 0.5
    value = limit - step if bound == "min" else limit + step
    message = error_of(tmp_path, f"{section}:\n  {key}: {value}\n")
    assert message.startswith(f"{tmp_path / 'qabot.yaml'}:2: {section}.{key}: must be at ")


@pytest.mark.parametrize("section", [name for name, _ in sections()])
def test_an_unknown_key_is_named_with_the_valid_ones(tmp_path, section):
    message = error_of(tmp_path, f"{section}:\n\n  not_a_setting: 1\n")
    assert message.startswith(f"{tmp_path / 'qabot.yaml'}:3: {section}.not_a_setting: ")
    valid = [key for s, key, _, _ in SETTINGS if s == section]
    assert "unknown setting (valid here: " + ", ".join(sorted(valid)) + ")" in message


def test_an_unknown_section_and_a_misspelt_key_inside_a_list_item(tmp_path):
    assert ":2: retreival: unknown setting" in error_of(tmp_path, "\nretreival:\n  k1: 1\n")
    assert ":2: retrieval.(a list as a key): unknown" in error_of(
        tmp_path, "retrieval:\n  [k1]: 1\n"
    )
    message = error_of(tmp_path, "corpus:\n  paths: [a, [b]]\n")
    assert ":2: corpus.paths[1]: expected a single value" in message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("retrieval:\n  k1: [1\n", 3),  # unclosed flow sequence
        ("retrieval:\n  k1: 'open\n", 3),  # unclosed quote
        ("retrieval:\n\tk1: 1\n", 2),  # a tab for indentation
        ("retrieval:\n  k1: 1\n b: 2\n", 3),  # bad indentation
        ("corpus: {paths: [a]\n", 2),  # unclosed mapping
        ("retrieval: k1: 1\n", 1),  # a mapping value where none is allowed
        ("a: *nowhere\n", 1),  # an undefined alias
        ("retrieval:\n  k1: !!python/object/apply:os.system ['true']\n", 2),  # no tags run
        ("retrieval:\n  k1: !!python/name:os.system\n", 2),
        ("retrieval:\n  engine: !!python/name:os.system\n", 2),
        ("retrieval:\n  [k1]: 1\n", 2),  # a key that is not text
    ],
    ids=[
        "bracket",
        "quote",
        "tab",
        "indent",
        "brace",
        "colon",
        "alias",
        "python-apply",
        "python-name",
        "python-name-choice",
        "list-key",
    ],
)
def test_bad_yaml_is_one_line_with_file_and_line(tmp_path, text, line):
    message = error_of(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'qabot.yaml'}:{line}: "), message
    assert "invalid YAML" in message or "retrieval." in message, message


def test_a_config_that_is_not_text_is_one_line(tmp_path):
    path = tmp_path / "qabot.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage\xc3")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: cannot read config file")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("retrieval:\n  top_k: many\n", ":2: retrieval.top_k: expected a whole number"),
        ("retrieval:\n  k1: [1\n", ": invalid YAML"),
    ],
)
def test_the_cli_prints_one_line_and_exits_2(tmp_path, text, expected):
    path = tmp_path / "qabot.yaml"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [str(QABOT), "index", "--config", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"qabot: error: {path}"), result.stderr
    assert expected in lines[0] and "Traceback" not in result.stderr
