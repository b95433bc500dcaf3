"""``qabot eval`` on documentation question files, through exactly the bot's answer path.

The file format (``root``, and per question ``id``, ``q``, ``gold_sources``,
``gold``) and the scoring rules are those of the realdocs dev sets: a page hit
is a result whose source file, relative to ``root``, is a gold source; an
answer is quoted when a gold string occurs in a shown excerpt, both lower-cased,
whitespace folded and ``*``/`` ` `` markers removed; an off-topic question
(no gold source) should be refused. Every question goes through
``Answerer.answer``, the call ``qabot ask`` makes, on an index built by
``SearchIndex.build`` from the config; a stored index goes to a cache folder,
never into the documents or the repository.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.answer.answerer import Answer, Answerer
from bot.config import Config
from bot.progress import progress_bar
from bot.search.index import SearchIndex

TOP = 3  # results asked for: hit@1 and hit@3
_MARKERS = re.compile(r"[*`]")
_SPACE = re.compile(r"\s+")


class DocsEvalError(Exception):
    """The question file cannot be used; one line for the user."""


@dataclass(frozen=True)
class DocsQuestion:
    qid: str
    text: str
    gold_sources: tuple[str, ...]
    gold: tuple[str, ...]

    @property
    def off_topic(self) -> bool:
        return not self.gold_sources


@dataclass(frozen=True)
class DocsQuestionFile:
    name: str
    root: Path | None
    questions: tuple[DocsQuestion, ...]


def is_docs_question_file(path: Path) -> bool:
    """A YAML file whose questions have ``q`` (the seed format has ``question``)."""
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        return False
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    questions = data.get("questions") if isinstance(data, dict) else None
    return bool(questions) and all(isinstance(q, dict) and "q" in q for q in questions)


def load_docs_questions(path: Path) -> DocsQuestionFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = data["questions"]
        questions = tuple(
            DocsQuestion(
                str(entry.get("id") or f"q{number}"),
                str(entry["q"]),
                tuple(str(s) for s in entry.get("gold_sources") or ()),
                tuple(str(g) for g in entry.get("gold") or ()),
            )
            for number, entry in enumerate(entries, 1)
        )
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise DocsEvalError(f"{path}: not a documentation question file ({exc})") from None
    if not questions:
        raise DocsEvalError(f"{path}: no questions")
    root = data.get("root")
    return DocsQuestionFile(path.stem, Path(root) if root else None, questions)


def normalise(text: str) -> str:
    """Lower case, whitespace folded, markdown emphasis and code markers removed."""
    return _SPACE.sub(" ", _MARKERS.sub("", text)).strip().casefold()


@dataclass(frozen=True)
class Outcome:
    """One question's answer, reduced to what the scores need."""

    question: DocsQuestion
    answered: bool
    sources: tuple[str, ...]  # result sources relative to the root, best first
    excerpts: tuple[str, ...]

    def page_hit(self, k: int) -> bool:
        return any(s in self.question.gold_sources for s in self.sources[:k])

    def quoted(self, k: int) -> bool:
        shown = [normalise(e) for e in self.excerpts[:k]]
        golds = [normalise(g) for g in self.question.gold if g.strip()]
        return any(g in e for g in golds for e in shown)


@dataclass
class DocsReport:
    name: str
    corpus: str
    documents: int
    passages: int
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def answerable(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.question.off_topic]

    @property
    def off_topic(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.question.off_topic]

    def counts(self) -> dict[str, tuple[int, int]]:
        """Each figure as (count, out of)."""
        answerable, off = self.answerable, self.off_topic
        n = len(answerable)
        return {
            "page@1": (sum(o.page_hit(1) for o in answerable), n),
            "page@3": (sum(o.page_hit(3) for o in answerable), n),
            "answer@1": (sum(o.quoted(1) for o in answerable), n),
            "answer@3": (sum(o.quoted(3) for o in answerable), n),
            "off-topic refused": (sum(not o.answered for o in off), len(off)),
            "wrongly refused": (sum(not o.answered for o in answerable), n),
        }

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "corpus": self.corpus,
            "documents": self.documents,
            "passages": self.passages,
            "figures": {k: {"count": c, "of": n} for k, (c, n) in self.counts().items()},
            "questions": [
                {
                    "id": o.question.qid,
                    "answered": o.answered,
                    "sources": list(o.sources),
                    "page@1": o.page_hit(1),
                    "page@3": o.page_hit(3),
                    "answer@3": o.quoted(3),
                }
                for o in self.outcomes
            ],
        }


def eval_config(
    config: Config,
    corpus: Path | None,
    index_dir: Path | None = None,
    engine: str | None = None,
) -> Config:
    """The config pointed at ``corpus`` (when given) with its stored index in a cache folder."""
    corpus_config = config.corpus
    if corpus is not None:
        corpus_config = dataclasses.replace(corpus_config, paths=(corpus,))
    retrieval = dataclasses.replace(
        config.retrieval,
        index_dir=index_dir or default_index_dir(),
        **({"engine": engine} if engine else {}),
    )
    return dataclasses.replace(config, corpus=corpus_config, retrieval=retrieval)


def default_index_dir() -> Path:
    """``$XDG_CACHE_HOME/qabot/eval-index`` (``~/.cache`` by default), else a temp folder."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(cache):
        cache = tempfile.gettempdir()
    return Path(cache) / "qabot" / "eval-index"


def evaluate_docs(
    questions: DocsQuestionFile, config: Config, root: Path, progress: bool = False
) -> DocsReport:
    """Answer every question as ``qabot ask -k 3`` would and score the answers."""
    index = SearchIndex.build(config, progress=progress)
    answerer = Answerer(index)
    corpus = index.corpus
    report = DocsReport(
        questions.name,
        ", ".join(str(p) for p in config.corpus.paths),
        len(corpus.documents),
        len(corpus.passages),
    )
    for question in progress_bar(list(questions.questions), "asking", progress):
        answer = answerer.answer(question.text, TOP)
        report.outcomes.append(_outcome(question, answer, index, root))
    return report


def _outcome(question: DocsQuestion, answer: Answer, index: SearchIndex, root: Path) -> Outcome:
    sources = tuple(
        relative_source(index.corpus.documents[item.doc_id].path, item.doc_id, root)
        for item in answer.items
    )
    excerpts = tuple(item.excerpt.text for item in answer.items)
    return Outcome(question, answer.answered, sources, excerpts)


def relative_source(path: Path, doc_id: str, root: Path) -> str:
    """The result's file relative to the question file's root (its doc id if outside it)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return doc_id


def format_docs_report(report: DocsReport, verbose: bool = False) -> str:
    lines = [
        f"{report.name}: {len(report.answerable)} answerable + {len(report.off_topic)} "
        f"off-topic questions, {report.documents} documents, {report.passages} passages "
        f"({report.corpus})"
    ]
    for name, (count, total) in report.counts().items():
        share = f"{count / total:.2f}" if total else "-"
        lines.append(f"  {name:<18} {count:>3}/{total:<3} {share}")
    if verbose:
        lines += list(_misses(report.outcomes))
    return "\n".join(lines)


def _misses(outcomes: Iterable[Outcome]) -> Iterable[str]:
    """Each question that missed, with what won: its top sources and excerpts' first words."""
    for o in outcomes:
        if o.question.off_topic:
            problems = ["off-topic answered"] if o.answered else []
        elif not o.answered:
            problems = ["wrongly refused"]
        else:
            checks = (("page@1", o.page_hit(1)), ("answer@3", o.quoted(3)))
            problems = [name for name, ok in checks if not ok]
        if not problems:
            continue
        yield f"  miss {o.question.qid}: {', '.join(problems)}"
        for rank, (source, excerpt) in enumerate(zip(o.sources, o.excerpts, strict=True), 1):
            words = " ".join(excerpt.split()[:12])
            yield f"      [{rank}] {source}: “{words} …”"
        if o.question.gold_sources:
            yield f"      gold: {', '.join(o.question.gold_sources)}"
