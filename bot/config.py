"""Typed configuration loaded from YAML.

The whole configuration is one frozen :class:`Config` built once and passed in.
Loading walks the YAML node tree (not just the parsed values) so that every
error names the file, the line and the dotted key: ``config.yaml:12:
retrieval.k1: expected a number, got 'abc'``. Relative paths are resolved
against the config file's folder, never the working directory, and so are the
path settings a file leaves out: a user's config gets ``var/index`` beside
itself, and no corpus at all until it names one. The Discord token is not part
of the config: it only ever comes from the environment.

A corpus folder may carry its own glossary, ``synonyms.yaml`` at its top level
(``synonyms: [[vpn, virtual private network], ...]``): :func:`with_glossaries` adds its groups
to ``analysis.synonyms`` when the index is built from that folder.
"""

from __future__ import annotations

import codecs
import dataclasses
import math
import os
import re
import types
import typing
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

CONFIG_ENV = "QABOT_CONFIG"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_NAME = Path("config") / "default.yaml"
# A corpus folder's own synonym groups, read from its top level; never a document.
GLOSSARY_NAME = "synonyms.yaml"


class ConfigError(Exception):
    """A configuration problem, phrased as one line for the user."""


def _opt(default: Any, **checks: Any) -> Any:
    """A dataclass field with a default and value checks (min, max, choices)."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use tuples for defaults")
    return field(default=default, metadata=checks)


@dataclass(frozen=True)
class CorpusConfig:
    """Where the documents are and how they become passages."""

    # No default corpus: a config names its documents (the shipped one names seeds/).
    # An entry is a path, or {path: ..., url: ...}: the url the folder is published at.
    paths: tuple[Path, ...] = ()
    # (path, url) of the entries given a url, in order; set with paths, never on its own.
    base_urls: tuple[tuple[Path, str], ...] = field(default=(), metadata={"internal": True})
    # (path, style) of the entries given a url style (pageurl.py); set with paths too.
    url_styles: tuple[tuple[Path, str], ...] = field(default=(), metadata={"internal": True})
    extensions: tuple[str, ...] = (
        ".txt",
        ".md",
        ".markdown",
        ".mdx",
        ".rst",
        ".html",
        ".htm",
        ".pdf",
        ".docx",
    )
    # Globs (relative to the corpus folder, .gitignore style) that are never documents.
    exclude: tuple[str, ...] = ()
    # Regular expressions (case-insensitive, searched in a line stripped of
    # emoji and markdown decoration); a matching line is never a passage.
    ignore_patterns: tuple[str, ...] = field(default=(), metadata={"regex": True})
    min_passage_words: int = _opt(3, min=0)
    max_passage_chars: int = _opt(800, min=100)
    max_file_bytes: int = _opt(50_000_000, min=1)
    # Escape hatches for HTML pages the structural rules misread (CSS selectors): the
    # element holding the main content (default: main/[role=main], else article, else
    # the body; a page without it gets the default), and elements removed first.
    html_content_selector: str | None = field(default=None, metadata={"css": True})
    html_drop_selectors: tuple[str, ...] = field(default=(), metadata={"css": True})
    # The encoding of text files that are not UTF-8 (e.g. latin-1, cp1252); unset, it
    # is detected (charset-normalizer) where that is confident.
    encoding: str | None = field(default=None, metadata={"codec": True})
    # Processes that read and analyse files while building the tantivy index (null: one
    # per core this process may use). 1: no worker processes. Never changes the index.
    workers: int | None = _opt(None, min=1)

    def worker_count(self) -> int:
        """``workers``, or the cores this process may run on when it is not set."""
        if self.workers is not None:
            return self.workers
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except (AttributeError, OSError):  # not Linux
            return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class AnalysisConfig:
    """The one analyzer shared by documents and questions."""

    stopwords: bool = True
    stemmer: Literal["english", "porter", "none"] = "english"
    # British and American spellings index alike ("colour"/"color", "randomised"/
    # "randomized", "anaemia"/"anemia"): see bot.analysis.spelling.
    fold_spelling: bool = False
    # Groups of equivalent terms or phrases, e.g. ["ppl", "people"].
    synonyms: tuple[tuple[str, ...], ...] = ()
    # Also read the groups of each corpus folder's own synonyms.yaml (its glossary).
    glossary: bool = True
    # Weight of a configured synonym in a question (mined acronyms always count 1).
    synonym_weight: float = _opt(1.0, min=0.0, max=1.0)
    mine_acronyms: bool = True
    # Code identifiers and options also indexed whole ("os.path.join", "__name__",
    # "--force-with-lease"), next to their words: bot.analysis.code.
    identifiers: bool = False
    typo_correction: bool = True
    typo_min_length: int = _opt(5, min=2)
    typo_weight: float = _opt(0.8, min=0.0, max=1.0)


@dataclass(frozen=True)
class RetrievalConfig:
    """Ranking and the rule that decides when there is no answer."""

    # rank-bm25 (in memory, rebuilt at start), tantivy (on disk, updated incrementally),
    # or auto: tantivy from auto_tantivy_from passages on.
    engine: Literal["auto", "rank-bm25", "tantivy"] = "auto"
    auto_tantivy_from: int = _opt(1_000, min=0)
    # Where tantivy's index folders live (one per settings combination).
    index_dir: Path = Path("var/index")
    k1: float = _opt(1.2, min=0.0)
    b: float = _opt(0.75, min=0.0, max=1.0)
    # IDF of the rank-bm25 engine: lucene (tantivy's, so both engines rank alike) or
    # okapi (BM25Okapi's Robertson IDF, negative ones floored at epsilon x the mean).
    idf: Literal["lucene", "okapi"] = "lucene"
    epsilon: float = _opt(0.25, min=0.0)
    top_k: int = _opt(3, min=1, max=25)
    # Share of the question's weight (IDF of its terms) the best passage must
    # contain for the question to count as answered.
    min_coverage: float = _opt(0.25, min=0.0, max=1.0)
    # And at least this many distinct question words (or all, if it has fewer).
    min_matched_terms: int = _opt(2, min=1)
    # No answer when the question names something (a capitalised word mid-sentence,
    # or an acronym) that no document mentions: "the judge in Texas" is not "in Massachusetts".
    refuse_unknown_names: bool = True
    # "How many ...?" needs a number in the passage, "When ...?" a time expression.
    answer_type_check: bool = True
    # Final score = BM25 x coverage^coord_weight over the best rerank_depth passages.
    coord_weight: float = _opt(1.0, min=0.0)
    rerank_depth: int = _opt(30, min=1)
    # BM25's length normalisation treats a passage shorter than this many words as
    # this long when rescoring, so a one-line list item does not outrank the
    # paragraph that explains on a single shared word. 0: off.
    min_passage_words: int = _opt(0, min=0)
    # Proximity: the score is also multiplied by (1 - w + w x the share of the question
    # held by the passage's best window of sentence_window sentences). 0: off.
    sentence_weight: float = _opt(0.0, min=0.0, max=1.0)
    sentence_window: int = _opt(1, min=1, max=10)
    # Field weighting: how much a match in the document's title (or the passage's
    # section heading) counts next to a match in the text. 0: text only.
    title_weight: float = _opt(0.0, min=0.0, max=5.0)
    section_weight: float = _opt(0.0, min=0.0, max=5.0)
    # A question word found in the document's title counts toward each of its passages'
    # coverage (and the no-answer rule), as much as titles tell passages apart.
    title_coverage: bool = False
    # Adjacent word pairs are indexed and matched with this weight (0: off), so a
    # passage holding the question's phrases ranks above one with scattered words.
    bigram_weight: float = _opt(0.0, min=0.0, max=2.0)
    # Pseudo-relevance feedback (RM3): the prf_terms likeliest words of the prf_docs
    # best passages hold prf_weight of the question, then rank again. prf_docs 0: off.
    # Weight of a question's whole identifiers ("c:os.path.join", analysis.identifiers)
    # in the ranking, next to its words. They are not concepts: coverage is the words'.
    identifier_weight: float = _opt(1.0, min=0.0, max=5.0)
    # Chat filler in a question ("actual", "best way", "pls", "thanks") is not a
    # concept: it never counts toward coverage. bot.analysis.filler.
    question_filler: bool = False
    # Results whose texts' word 3-shingles overlap at least this much (Jaccard) are near
    # duplicates: only the best is shown, the next candidate fills its place. 1: off.
    duplicate_similarity: float = _opt(1.0, min=0.0, max=1.0)
    prf_docs: int = _opt(0, min=0, max=50)
    prf_terms: int = _opt(10, min=1, max=100)
    prf_weight: float = _opt(0.3, min=0.0, max=0.9)


@dataclass(frozen=True)
class AnswerConfig:
    """How an excerpt is cut from a passage."""

    excerpt_chars: int = _opt(400, min=80, max=4000)
    # Longer questions are refused with a message rather than silently cut.
    max_question_chars: int = _opt(500, min=10)


@dataclass(frozen=True)
class DiscordConfig:
    """The Discord side. The token is never here: it comes from $DISCORD_TOKEN."""

    # Sync slash commands to this one guild (instant, for testing) instead of globally.
    command_guild_id: int | None = None
    # Channels where every question-like message is answered (needs the privileged
    # Message Content intent, enabled in the developer portal). Empty: off.
    listen_channels: tuple[int, ...] = ()
    # Only answer in these channels (empty: everywhere) and never in those.
    allowed_channels: tuple[int, ...] = ()
    denied_channels: tuple[int, ...] = ()
    # Seconds a user waits between questions.
    cooldown_seconds: float = _opt(3.0, min=0.0)
    # Answer a channel mention in a new thread named after the question.
    answer_in_thread: bool = False
    # Where 👍/👎 votes are appended, one JSON line each.
    feedback_file: Path = Path("var/feedback.jsonl")
    # The permission a member needs for /reload.
    admin_permission: Literal["manage_guild", "administrator", "manage_messages"] = "manage_guild"
    # Questions answered at once; more wait, and past max_pending get a "busy" reply.
    max_concurrent: int = _opt(1, min=1)
    # Discord sharding (needed from 2,500 servers): total shards, and which of them
    # this process runs (empty: all). Every process reads the same cached index.
    shard_count: int | None = _opt(None, min=1)
    shard_ids: tuple[int, ...] = ()
    max_pending: int = _opt(100, min=1)


@dataclass(frozen=True)
class LoggingConfig:
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


@dataclass(frozen=True)
class Config:
    corpus: CorpusConfig = CorpusConfig()
    analysis: AnalysisConfig = AnalysisConfig()
    retrieval: RetrievalConfig = RetrievalConfig()
    answer: AnswerConfig = AnswerConfig()
    discord: DiscordConfig = DiscordConfig()
    logging: LoggingConfig = LoggingConfig()
    source: Path | None = field(default=None, metadata={"internal": True})


@dataclass(frozen=True)
class CorpusPath:
    """One ``corpus.paths`` entry written as a mapping: the path and where it is published."""

    path: Path | None = None
    url: str | None = None
    # How its generator turns a source path into a page url (bot/documents/pageurl.py).
    style: Literal["path", "html", "mkdocs", "docusaurus"] | None = None


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a corpus path's base URL, or None when it can."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return "expected an http:// or https:// URL, e.g. https://docs.example.org/en/latest/"
    if any(ch.isspace() for ch in url):
        return "a URL has no spaces (write them as %20)"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return "a base URL has no ?query or #fragment (page paths are added to it)"
    return None


# --------------------------------------------------------------------------- loading


def default_config_path() -> Path:
    """The config a user gets without --config: $QABOT_CONFIG, else the repo's default."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    candidate = REPO_ROOT / DEFAULT_CONFIG_NAME
    if candidate.is_file():
        return candidate
    return Path.cwd() / DEFAULT_CONFIG_NAME


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load and validate a config file; raise ConfigError with a one-line message.

    A config file only needs the keys it changes: the others come from the
    project's ``config/default.yaml`` (when present), else from the defaults here,
    except the paths: those the file leaves out are the defaults here, resolved
    against the file's own folder (so no corpus, and ``var/index`` beside it).
    """
    config_path = Path(path) if path is not None else default_config_path()
    base = Config()
    shipped = REPO_ROOT / DEFAULT_CONFIG_NAME
    if shipped.is_file() and not _same_file(shipped, config_path):
        base = parse_config(_read(shipped), shipped)
    base = _default_paths(base, config_path.resolve().parent)
    return parse_config(_read(config_path), config_path, base)


def _default_paths(config: Config, folder: Path) -> Config:
    """``config`` with every path setting set to its default here, resolved against ``folder``."""
    defaults = Config()
    sections = {}
    for section in dataclasses.fields(Config):
        if section.metadata.get("internal"):
            continue
        default = getattr(defaults, section.name)
        hints = typing.get_type_hints(type(default))
        paths = {}
        for name, hint in hints.items():
            value = getattr(default, name)
            if hint is Path:
                paths[name] = folder / value
            elif hint == tuple[Path, ...]:
                paths[name] = tuple(folder / p for p in value)
            elif hint == tuple[tuple[Path, str], ...]:  # base_urls, url_styles go with the paths
                paths[name] = value
        sections[section.name] = dataclasses.replace(getattr(config, section.name), **paths)
    return dataclasses.replace(config, **sections)


def _read(config_path: Path) -> str:
    try:
        return config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{config_path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read config file: {exc}") from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def parse_config(text: str, config_path: Path, base: Config | None = None) -> Config:
    node = _compose(text, config_path)
    builder = _Builder(config_path)
    config = builder.build(Config, node, "", base or Config())
    return dataclasses.replace(config, source=config_path)


def _compose(text: str, path: Path) -> yaml.Node:
    """The YAML node tree of ``text`` (an empty mapping for an empty file)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{where}: invalid YAML: {problem}") from None
    return node if node is not None else yaml.MappingNode("tag:yaml.org,2002:map", [])


class _Builder:
    def __init__(self, config_path: Path) -> None:
        self.path = config_path
        self.base = config_path.resolve().parent

    def fail(self, node: yaml.Node, key: str, message: str) -> typing.NoReturn:
        line = node.start_mark.line + 1
        label = key or "(top level)"
        raise ConfigError(f"{self.path}:{line}: {label}: {message}")

    def build(self, cls: type, node: yaml.Node, prefix: str, base: Any) -> Any:
        """``base`` with the settings present in ``node`` replaced."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, prefix, f"expected a mapping of settings, got {_describe(node)}")
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
        values: dict[str, Any] = {}
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            name = key if key is not None else f"({_describe(key_node)} as a key)"
            dotted = f"{prefix}.{name}" if prefix else name
            if key not in fields:
                choices = ", ".join(sorted(fields))
                self.fail(key_node, dotted, f"unknown setting (valid here: {choices})")
            if key in seen:
                self.fail(key_node, dotted, "set twice")
            seen.add(key)
            hint = hints[key]
            if cls is CorpusConfig and key == "paths":
                paths, urls, styles = self.corpus_paths(value_node, dotted)
                values["paths"], values["base_urls"], values["url_styles"] = paths, urls, styles
            elif dataclasses.is_dataclass(hint):
                values[key] = self.build(hint, value_node, dotted, getattr(base, key))
            else:
                values[key] = self.convert(hint, value_node, dotted, fields[key].metadata)
        return dataclasses.replace(base, **values)

    def convert(self, hint: Any, node: yaml.Node, key: str, checks: Any = None) -> Any:
        checks = checks or {}
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, types.UnionType):
            if type(None) in args and _is_null(node):
                return None
            inner = [a for a in args if a is not type(None)]
            return self.convert(inner[0], node, key, checks)
        if origin is tuple:
            if not isinstance(node, yaml.SequenceNode):
                self.fail(node, key, f"expected a list, got {_describe(node)}")
            item_hint = args[0]
            return tuple(
                self.convert(item_hint, item, f"{key}[{i}]", checks)
                for i, item in enumerate(node.value)
            )
        if origin is Literal:
            value = self.scalar(node, key)
            if value not in args:
                valid = ", ".join(repr(a) for a in args)
                self.fail(node, key, f"invalid value {value!r}; choose from {valid}")
            return value
        value = self.scalar(node, key)
        if hint is bool:
            if not isinstance(value, bool):
                self.fail(node, key, f"expected true or false, got {value!r}")
            return value
        if hint is int:
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(node, key, f"expected a whole number, got {value!r}")
        elif hint is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail(node, key, f"expected a number, got {value!r}")
            if not math.isfinite(value):  # YAML's .nan and .inf
                self.fail(node, key, f"expected a finite number, got {value!r}")
            value = float(value)
        elif hint is str:
            if not isinstance(value, str):
                # YAML reads `on`, `12` or `1.5` as other types; names must be strings.
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    value = str(value)
                else:
                    self.fail(node, key, f"expected text, got {value!r}")
            if checks.get("css"):
                self.check_css(node, key, value)
            if checks.get("codec"):
                self.check_codec(node, key, value)
            if checks.get("regex"):
                try:
                    re.compile(value)
                except re.error as exc:
                    self.fail(node, key, f"invalid regular expression: {exc}")
        elif hint is Path:
            if not isinstance(value, str) or not value:
                self.fail(node, key, f"expected a path, got {value!r}")
            path = Path(os.path.expanduser(value))
            return path if path.is_absolute() else self.base / path
        self.check_bounds(node, key, value, checks)
        return value

    def check_codec(self, node: yaml.Node, key: str, value: str) -> None:
        try:
            text_codec = getattr(codecs.lookup(value), "_is_text_encoding", True)
        except LookupError:
            self.fail(node, key, f"unknown text encoding {value!r} (e.g. latin-1, cp1252)")
        if not text_codec:
            self.fail(node, key, f"{value!r} is not a text encoding (e.g. latin-1, cp1252)")

    def check_css(self, node: yaml.Node, key: str, value: str) -> None:
        from selectolax.lexbor import LexborHTMLParser, SelectolaxError

        try:
            LexborHTMLParser("<p></p>").css(value)
        except (SelectolaxError, ValueError) as exc:
            self.fail(node, key, f"invalid CSS selector: {exc}")

    def corpus_paths(
        self, node: yaml.Node, key: str
    ) -> tuple[tuple[Path, ...], tuple[tuple[Path, str], ...], tuple[tuple[Path, str], ...]]:
        """``corpus.paths``: each entry a path, or a mapping ``{path: ..., url: ..., style:
        ...}``; the paths, (path, url) and (path, style) of the entries that give them."""
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, key, f"expected a list, got {_describe(node)}")
        paths: list[Path] = []
        urls: list[tuple[Path, str]] = []
        styles: list[tuple[Path, str]] = []
        for i, item in enumerate(node.value):
            where = f"{key}[{i}]"
            if not isinstance(item, yaml.MappingNode):
                paths.append(self.convert(Path, item, where))
                continue
            entry = self.build(CorpusPath, item, where, CorpusPath())
            if entry.path is None:
                self.fail(item, f"{where}.path", "missing: the file or folder this url is for")
            paths.append(entry.path)
            if entry.url is not None:
                urls.append((entry.path, self.base_url(item, f"{where}.url", entry.url)))
            if entry.style is not None:
                styles.append((entry.path, entry.style))
        return tuple(paths), tuple(urls), tuple(styles)

    def base_url(self, node: yaml.MappingNode, key: str, url: str) -> str:
        """A checked http(s) base URL (the url's own node is named in errors)."""
        for key_node, value_node in node.value:
            if getattr(key_node, "value", None) == "url":
                node = value_node
        problem = base_url_problem(url)
        if problem:
            self.fail(node, key, f"{problem}, got {url!r}")
        return url

    def scalar(self, node: yaml.Node, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, key, f"expected a single value, got {_describe(node)}")
        try:
            return yaml.safe_load(yaml.serialize(node))
        except yaml.YAMLError:  # a tag safe YAML does not build, e.g. !!python/name:...
            self.fail(node, key, f"unsupported YAML tag {node.tag!r}")

    def check_bounds(self, node: yaml.Node, key: str, value: Any, checks: Any) -> None:
        low, high = checks.get("min"), checks.get("max")
        if low is not None and value < low:
            self.fail(node, key, f"must be at least {low}, got {value!r}")
        if high is not None and value > high:
            self.fail(node, key, f"must be at most {high}, got {value!r}")


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    try:
        return repr(yaml.safe_load(yaml.serialize(node)))
    except yaml.YAMLError:
        return f"a value tagged {node.tag!r}"


def validate_paths(config: Config) -> None:
    """Check that every corpus path exists; raise ConfigError naming key and file."""
    where = config.source or "config"
    if not config.corpus.paths:
        raise ConfigError(
            f"{where}: corpus.paths: no documents configured; list the files or folders"
            " to answer from, e.g. `corpus: {paths: [docs]}` (relative to this file)"
        )
    for i, path in enumerate(config.corpus.paths):
        if not path.exists():
            raise ConfigError(f"{where}: corpus.paths[{i}]: no such file or folder: {path}")


# --------------------------------------------------------------------------- glossaries


@dataclass(frozen=True)
class Glossary:
    """A corpus folder's ``synonyms.yaml``: groups of equivalent words or phrases."""

    synonyms: tuple[tuple[str, ...], ...] = ()


def glossary_paths(corpus: CorpusConfig) -> list[Path]:
    """The glossary file of each configured corpus folder that has one."""
    return [p / GLOSSARY_NAME for p in corpus.paths if (p / GLOSSARY_NAME).is_file()]


def load_glossary(path: Path) -> Glossary:
    """Parse one glossary file; errors name the file, line and key like config errors."""
    return _Builder(path).build(Glossary, _compose(_read(path), path), "", Glossary())


def with_glossaries(config: Config) -> Config:
    """``config`` with the groups of its corpus folders' glossaries added to analysis.synonyms.

    Read at every index build (start and /reload), so an edited glossary takes
    effect like an edited document. ``analysis.glossary: false`` leaves them out.
    """
    if not config.analysis.glossary:
        return config
    groups = [g for path in glossary_paths(config.corpus) for g in load_glossary(path).synonyms]
    if not groups:
        return config
    analysis = dataclasses.replace(
        config.analysis, synonyms=config.analysis.synonyms + tuple(groups)
    )
    return dataclasses.replace(config, analysis=analysis)
