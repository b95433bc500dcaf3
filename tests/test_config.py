import dataclasses
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, load_config, parse_config, validate_paths
from tests.conftest import DEFAULT_CONFIG, REPO, write


def parse(text: str, tmp_path: Path) -> Config:
    path = tmp_path / "qabot.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_default_config_loads_with_paths_resolved_against_its_folder():
    config = load_config(DEFAULT_CONFIG)
    assert config.corpus.paths[0].resolve() == (DEFAULT_CONFIG.parent.parent / "seeds").resolve()
    assert config.retrieval.k1 == 1.2 and config.answer.excerpt_chars == 400
    validate_paths(config)


def test_empty_file_gives_the_shipped_defaults_but_not_their_paths(tmp_path):
    config = parse("", tmp_path)
    shipped = load_config(DEFAULT_CONFIG)
    assert config.retrieval == dataclasses.replace(
        shipped.retrieval, index_dir=tmp_path / "var" / "index"
    )
    assert config.retrieval.k1 == Config().retrieval.k1
    assert config.analysis == shipped.analysis


def test_a_config_without_corpus_is_an_error_not_the_seeds(tmp_path):
    config = parse("retrieval:\n  top_k: 5\n", tmp_path)
    assert config.corpus.paths == ()
    with pytest.raises(ConfigError) as caught:
        validate_paths(config)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'qabot.yaml'}: corpus.paths: no documents configured")
    assert "seeds" not in message and "\n" not in message


def test_paths_a_config_leaves_out_are_beside_it_not_in_the_repository(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)  # the working directory plays no part
    config = load_config(write(folder, "qabot.yaml", "corpus:\n  paths: [docs]\n"))
    assert config.corpus.paths == (folder / "docs",)
    assert config.retrieval.index_dir == folder / "var" / "index"
    assert config.discord.feedback_file == folder / "var" / "feedback.jsonl"
    assert REPO not in config.retrieval.index_dir.parents


def test_paths_a_config_sets_resolve_against_it(tmp_path):
    text = "corpus:\n  paths: [../docs, /abs/docs]\nretrieval:\n  index_dir: cache\n"
    config = load_config(write(tmp_path / "conf", "qabot.yaml", text))
    assert config.corpus.paths == ((tmp_path / "conf" / ".." / "docs"), Path("/abs/docs"))
    assert config.retrieval.index_dir == tmp_path / "conf" / "cache"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("retrieval:\n  k1: abc\n", "qabot.yaml:2: retrieval.k1: expected a number, got 'abc'"),
        ("retrieval:\n  top_k: 2.5\n", "qabot.yaml:2: retrieval.top_k: expected a whole number"),
        ("retrieval:\n  top_k: 0\n", "retrieval.top_k: must be at least 1, got 0"),
        ("retrieval:\n  b: 3\n", "retrieval.b: must be at most 1.0"),
        ("retrieval:\n  engine: lucene\n", "retrieval.engine: invalid value 'lucene'; choose from"),
        ("analysis:\n  stopwords: maybe\n", "analysis.stopwords: expected true or false"),
        ("corpus:\n  paths: seeds\n", "qabot.yaml:2: corpus.paths: expected a list"),
        (
            "corpus:\n  ignore_patterns: ['(']\n",
            "corpus.ignore_patterns[0]: invalid regular expression",
        ),
        (
            "\n\nretreival:\n  k1: 1\n",
            "qabot.yaml:3: retreival: unknown setting (valid here: analysis",
        ),
        ("retrieval:\n  k2: 1\n", "qabot.yaml:2: retrieval.k2: unknown setting"),
        (
            "retrieval: [1, 2]\n",
            "qabot.yaml:1: retrieval: expected a mapping of settings, got a list",
        ),
        ("retrieval:\n  k1: [1\n", "invalid YAML"),
        ("- just\n- a list\n", "(top level): expected a mapping of settings"),
    ],
    ids=[
        "float",
        "int",
        "min",
        "max",
        "choice",
        "bool",
        "list",
        "regex",
        "unknown-section",
        "unknown-key",
        "mapping",
        "yaml-syntax",
        "top-level",
    ],
)
def test_bad_config_is_one_line_naming_file_line_and_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        parse(text, tmp_path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_corpus_path_names_the_key(tmp_path):
    config = parse("corpus:\n  paths: [nowhere]\n", tmp_path)
    with pytest.raises(ConfigError, match=r"corpus.paths\[0\]: no such file or folder"):
        validate_paths(config)


def test_missing_file_and_env_variable(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "absent.yaml")
    (tmp_path / "env.yaml").write_text("retrieval:\n  top_k: 7\n", encoding="utf-8")
    monkeypatch.setenv("QABOT_CONFIG", str(tmp_path / "env.yaml"))
    assert load_config().retrieval.top_k == 7


def test_duplicate_key_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="retrieval.k1: set twice"):
        parse_config("retrieval:\n  k1: 1\n  k1: 2\n", tmp_path / "x.yaml")


def test_a_partial_config_keeps_the_shipped_defaults(tmp_path):
    shipped = load_config(DEFAULT_CONFIG)
    config = parse("retrieval:\n  top_k: 5\n", tmp_path)
    assert config.retrieval.top_k == 5
    assert config.corpus.ignore_patterns == shipped.corpus.ignore_patterns != ()
    assert config.analysis.synonyms == shipped.analysis.synonyms
