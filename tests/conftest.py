"""Shared fixtures: the shipped config and seeds, and tiny corpora built in tmp folders."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.answer.answerer import Answerer
from bot.config import Config, load_config
from bot.search.index import SearchIndex

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO / "config" / "default.yaml"


@pytest.fixture(scope="session")
def seed_config() -> Config:
    return load_config(DEFAULT_CONFIG)


@pytest.fixture(scope="session")
def seed_index(seed_config: Config) -> SearchIndex:
    return SearchIndex.build(seed_config)


@pytest.fixture(scope="session")
def seed_answerer(seed_index: SearchIndex) -> Answerer:
    return Answerer(seed_index)


def config_for(paths: list[Path], **sections: dict) -> Config:
    """The default config pointed at ``paths``, with some settings replaced."""
    config = load_config(DEFAULT_CONFIG)
    config = dataclasses.replace(
        config, corpus=dataclasses.replace(config.corpus, paths=tuple(paths))
    )
    for name, changes in sections.items():
        config = dataclasses.replace(
            config, **{name: dataclasses.replace(getattr(config, name), **changes)}
        )
    return config


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def fail_reading(monkeypatch: pytest.MonkeyPatch, unreadable: Path) -> None:
    """Make reading one file fail with "Permission denied".

    Tests run as root in CI, where chmod cannot make a file unreadable.
    """
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == unreadable:
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
