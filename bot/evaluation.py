"""``qabot eval``: answer quality on a benchmark, through exactly the bot's pipeline.

A BEIR-layout folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv and,
optionally, answers.jsonl) or a question file in the seed question set's
format is indexed with the bot's analyzer, passage splitting, ranking and
excerpting. Documents score as their best passage. IR metrics come from
pytrec_eval (trec_eval's own code), not from hand-written formulas.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.answer.excerpt import make_excerpt
from bot.config import Config, with_glossaries
from bot.documents.corpus import corpus_from_records, load_corpus
from bot.progress import progress_bar
from bot.search.index import SearchIndex

DEPTH = 100  # documents ranked per query (Recall@100)


class EvalError(Exception):
    """The evaluation set cannot be read; one line for the user."""


@dataclass
class EvalSet:
    name: str
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    answers: dict[str, list[str]] = field(default_factory=dict)
    records: list[tuple[str, str, str]] | None = None  # None: use the configured corpus


def load_eval_set(path: Path, split: str = "test", docs_pattern: str | None = None) -> EvalSet:
    """A BEIR folder or a seed-format question file; keep queries whose docs match the pattern."""
    if path.is_dir():
        data = _load_beir(path, split)
    elif path.suffix in (".yaml", ".yml"):
        data = _load_question_file(path)
    else:
        raise EvalError(f"{path}: expected a BEIR folder or a .yaml question file")
    if docs_pattern:
        pattern = re.compile(docs_pattern)
        keep = {q for q, docs in data.qrels.items() if all(pattern.fullmatch(d) for d in docs)}
        data.queries = {q: t for q, t in data.queries.items() if q in keep}
        data.qrels = {q: d for q, d in data.qrels.items() if q in keep}
    if data.records is not None:  # a question file's judgments come from the corpus later
        data.queries = {q: t for q, t in data.queries.items() if data.qrels.get(q)}
    if not data.queries:
        raise EvalError(f"{path}: no query with relevance judgments")
    return data


def _jsonl(path: Path) -> Iterator[dict]:
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise EvalError(f"{path}:{number}: invalid JSON ({exc.msg})") from None
    except FileNotFoundError:
        raise EvalError(f"{path}: not found") from None


def _load_beir(folder: Path, split: str) -> EvalSet:
    records = [
        (str(d["_id"]), d.get("title") or "", d.get("text") or "")
        for d in _jsonl(folder / "corpus.jsonl")
    ]
    queries = {str(q["_id"]): q["text"] for q in _jsonl(folder / "queries.jsonl")}
    qrels: dict[str, dict[str, int]] = {}
    qrels_path = folder / "qrels" / f"{split}.tsv"
    try:
        lines = qrels_path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EvalError(f"{qrels_path}: not found") from None
    for line in lines[1:]:
        parts = line.split("\t")
        if len(parts) >= 3 and int(parts[2]) > 0:
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    answers: dict[str, list[str]] = {}
    if (folder / "answers.jsonl").exists():
        answers = {str(a["_id"]): list(a["answers"]) for a in _jsonl(folder / "answers.jsonl")}
    return EvalSet(folder.name, queries, qrels, answers, records)


def _load_question_file(path: Path) -> EvalSet:
    """Seed-format questions over the configured corpus: relevant = passages holding the answer."""
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise EvalError(f"{path}: not a question file ({exc})") from None
    queries = {str(q["id"]): q["question"] for q in entries if q.get("answer")}
    answers = {str(q["id"]): [q["answer"]] for q in entries if q.get("answer")}
    return EvalSet(path.stem, queries, {}, answers, None)


@dataclass
class EvalReport:
    name: str
    engine: str
    queries: int
    documents: int
    passages: int
    metrics: dict[str, float]
    index_seconds: float
    queries_per_second: float

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def ranking_config(config: Config, engine: str | None) -> Config:
    """The bot's config with the no-answer rule off: every query gets a full ranking."""
    retrieval = dataclasses.replace(
        config.retrieval,
        min_coverage=0.0,
        min_matched_terms=1,
        refuse_unknown_names=False,
        answer_type_check=False,
        **({"engine": engine} if engine else {}),
    )
    return dataclasses.replace(config, retrieval=retrieval)


def require_pytrec_eval() -> types.ModuleType:
    """pytrec_eval, an optional dependency (the ``eval`` extra); EvalError says how to get it."""
    try:
        import pytrec_eval
    except ImportError:
        raise EvalError(
            "qabot eval needs pytrec_eval, which the bot itself does not install: "
            "pip install -e '.[eval]' in a clone, or pip install 'qabot[eval]'"
        ) from None
    return pytrec_eval


def evaluate(data: EvalSet, config: Config, engine: str | None = None, progress=True) -> EvalReport:
    pytrec_eval = require_pytrec_eval()
    config = ranking_config(config, engine)
    started = time.perf_counter()
    if data.records is not None:
        corpus = corpus_from_records(
            progress_bar(data.records, "reading", progress), config.corpus, source=data.name
        )
    else:  # the configured corpus, with its folders' glossaries
        config = with_glossaries(config)
        corpus = load_corpus(config.corpus)
    index = SearchIndex.build(config, corpus)
    index_seconds = time.perf_counter() - started
    if data.records is None:  # question file: relevant passages are those holding the answer
        data.qrels = {
            q: {str(p.pid): 1 for p in corpus.passages if data.answers[q][0] in p.text}
            for q in data.queries
        }

    run: dict[str, dict[str, float]] = {}
    top_hits: dict[str, tuple[str, str]] = {}  # query -> (top passage text, its excerpt)
    started = time.perf_counter()
    passage_depth = DEPTH * 3
    for qid, text in progress_bar(list(data.queries.items()), "querying", progress):
        outcome = index.search(text, passage_depth)
        scores: dict[str, float] = {}
        for result in outcome.results:
            key = result.passage.doc_id if data.records is not None else str(result.passage.pid)
            if key not in scores:
                scores[key] = result.score
            if len(scores) == DEPTH:
                break
        run[qid] = scores
        # The answer shown is what the bot itself returns: its own k and rescoring depth.
        shown = index.search(text) if qid in data.answers else None
        if shown is not None and shown.results:
            top = shown.results[0].passage
            weights = {t: w * index.idf(t) for t, w in shown.query.terms.items()}
            excerpt = make_excerpt(
                top.text, index.analyzer, weights, config.answer.excerpt_chars, index.synonyms
            )
            top_hits[qid] = (top.text, excerpt.text)
    query_seconds = time.perf_counter() - started

    metrics = ir_metrics(data.qrels, run, pytrec_eval)
    if data.answers:
        answered = [q for q in data.queries if q in data.answers]
        metrics["answer_in_top_passage"] = _share(
            answered, lambda q: _contains(top_hits.get(q, ("", ""))[0], data.answers[q])
        )
        metrics["answer_in_excerpt"] = _share(
            answered, lambda q: _contains(top_hits.get(q, ("", ""))[1], data.answers[q])
        )
    return EvalReport(
        name=data.name,
        engine=index.engine.name,
        queries=len(data.queries),
        documents=len(corpus.documents),
        passages=len(corpus.passages),
        metrics=metrics,
        index_seconds=round(index_seconds, 3),
        queries_per_second=round(len(data.queries) / max(query_seconds, 1e-9), 1),
    )


def ir_metrics(qrels, run, pytrec_eval) -> dict[str, float]:
    """nDCG@10, Recall@100, MRR@10, hit@1, hit@5, averaged over all judged queries."""
    full = {q: run.get(q) or {"__none__": 0.0} for q in qrels}
    top10 = {q: dict(sorted(s.items(), key=lambda kv: -kv[1])[:10]) or s for q, s in full.items()}
    main = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.100", "success"})
    mrr = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"})
    per_query = main.evaluate(full)
    rr = mrr.evaluate(top10)
    n = len(qrels)

    def mean(values) -> float:
        return round(sum(values) / n, 4)

    return {
        "ndcg@10": mean(m["ndcg_cut_10"] for m in per_query.values()),
        "recall@100": mean(m["recall_100"] for m in per_query.values()),
        "mrr@10": mean(m["recip_rank"] for m in rr.values()),
        "hit@1": mean(m["success_1"] for m in per_query.values()),
        "hit@5": mean(m["success_5"] for m in per_query.values()),
    }


def _contains(text: str, answers: list[str]) -> bool:
    folded = text.casefold()
    return any(a.casefold() in folded for a in answers if a)


def _share(items, predicate) -> float:
    items = list(items)
    return round(sum(1 for i in items if predicate(i)) / len(items), 4) if items else 0.0


def format_report(report: EvalReport) -> str:
    lines = [
        f"{report.name}: {report.queries} queries, {report.documents} documents, "
        f"{report.passages} passages, engine {report.engine}",
    ]
    lines += [f"  {name:<22} {value:.4f}" for name, value in report.metrics.items()]
    lines.append(f"  {'queries/second':<22} {report.queries_per_second}")
    lines.append(f"  {'index build':<22} {report.index_seconds} s")
    return "\n".join(lines)
