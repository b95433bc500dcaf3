"""Where the tantivy index build spends its time, stage by stage.

    .venv/bin/python bench/build_profile.py CORPUS_FOLDER [--workers N] [--workdir DIR]

Runs the real build (``IndexStore.open`` on an empty index folder) with the
pipeline's functions wrapped in CPU timers (process time: a shared machine's
load does not inflate them; in the parent it includes tantivy's own indexing
threads, which run while documents are added). Each stage's time is exclusive (a
stage called inside another counts only for itself), so the rows add up to the
measured time in the process that runs them. With ``--workers`` above 1 the
stages that run in the worker processes are timed there and summed (CPU spent
across processes; the wall time is the build's), and the parent's own stages
(its share of the work) are listed as well.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# (stage, module, attribute path): every place the build spends time in. An attribute
# missing in this version of the code is skipped.
STAGES = [
    ("reading and decoding", "bot.documents.loading", "read_source"),
    ("passage splitting", "bot.documents.corpus", "document_of"),
    ("content hash", "bot.search.store", "content_hash"),
    ("acronym mining", "bot.analysis.synonyms", "AcronymMiner.feed"),
    ("analysis", "bot.analysis.analyzer", "Analyzer.term_pairs"),
    ("synonyms", "bot.analysis.synonyms", "SynonymTable.expand"),
    ("spill write/read (parallel)", "bot.search.parallel_build", "_spill"),
    ("spill write/read (parallel)", "bot.search.parallel_build", "_unspill"),
    ("bigrams", "bot.analysis.analyzer", "bigrams"),
    ("title and section fields", "bot.search.terms", "FieldTerms.of"),
    # Before fields were computed apart: term sets, fields and tantivy documents in one.
    ("tantivy documents (TantivyEngine.add)", "bot.search.tantivy_engine", "TantivyEngine.add"),
    ("term sets, field strings", "bot.search.tantivy_engine", "passage_fields"),
    ("term sets, field strings", "bot.search.tantivy_engine", "passage_fields_of_parts"),
    (
        "tantivy documents, writer.add_document",
        "bot.search.tantivy_engine",
        "TantivyEngine.add_fields",
    ),
    ("tantivy writer: commit and merge", "bot.search.tantivy_engine", "TantivyEngine.commit"),
    ("manifest and vocabulary", "bot.search.store", "IndexStore._save"),
]

_totals: dict[str, float] = {}
_calls: dict[str, int] = {}
_stack: list[float] = []  # time spent in nested stages, per open frame


def _timed(stage: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        _stack.append(0.0)
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = time.process_time() - started
            nested = _stack.pop()
            _totals[stage] = _totals.get(stage, 0.0) + elapsed - nested
            _calls[stage] = _calls.get(stage, 0) + 1
            if _stack:
                _stack[-1] += elapsed

    wrapper.__wrapped_stage__ = stage  # type: ignore[attr-defined]
    return wrapper


def install() -> None:
    """Wrap every stage, in its module and wherever it was imported by name."""
    import importlib

    for stage, module_name, attribute in STAGES:
        module = importlib.import_module(module_name)
        owner_name, _, name = attribute.rpartition(".")
        owner = getattr(module, owner_name) if owner_name else module
        original = getattr(owner, name, None)
        if original is None or hasattr(original, "__wrapped_stage__"):
            continue
        wrapped = _timed(stage, original)
        setattr(owner, name, wrapped)
        if not owner_name:  # a function: rebind it where other modules imported it
            for other in list(sys.modules.values()):
                if (
                    getattr(other, "__name__", "").startswith("bot.")
                    and getattr(other, name, None) is original
                ):
                    setattr(other, name, wrapped)


def report() -> dict[str, dict[str, float]]:
    return {
        stage: {"seconds": round(_totals[stage], 3), "calls": _calls[stage]} for stage in _totals
    }


def _start_profiled_worker(*args) -> None:
    """A build worker's initializer that times its stages and writes them at exit."""
    import atexit

    from bot.search import parallel_build

    install()
    folder = os.environ["QABOT_PROFILE_DIR"]

    def dump() -> None:
        Path(folder, f"worker-{os.getpid()}.json").write_text(json.dumps(report()))

    atexit.register(dump)
    parallel_build._start_worker(*args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "qabot-profile"))
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    install()
    from bot.analysis.analyzer import Analyzer
    from bot.config import load_config
    from bot.search.store import IndexStore

    config = load_config(REPO / "config" / "default.yaml")
    corpus = dataclasses.replace(config.corpus, paths=(Path(args.corpus),))
    if any(f.name == "workers" for f in dataclasses.fields(corpus)):
        corpus = dataclasses.replace(corpus, workers=args.workers)
    workdir = Path(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    retrieval = dataclasses.replace(config.retrieval, engine="tantivy", index_dir=workdir)
    config = dataclasses.replace(config, corpus=corpus, retrieval=retrieval)
    profile_dir = Path(tempfile.mkdtemp(prefix="qabot-profile-workers-"))
    os.environ["QABOT_PROFILE_DIR"] = str(profile_dir)
    try:
        from bot.search import parallel_build

        class ProfiledPool(parallel_build.WorkerPool):
            def __init__(self, workers, initializer, initargs):
                super().__init__(workers, _start_profiled_worker, initargs)

        parallel_build.WorkerPool = ProfiledPool
    except ImportError:  # the code before worker processes
        pass
    started = time.perf_counter()
    cpu_started = time.process_time()
    IndexStore(config, workdir).open(Analyzer(config.analysis))
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    parent = report()
    workers: dict[str, float] = {}
    for path in profile_dir.glob("worker-*.json"):
        for stage, row in json.loads(path.read_text()).items():
            workers[stage] = workers.get(stage, 0.0) + row["seconds"]
    shutil.rmtree(profile_dir, ignore_errors=True)
    figures = {"wall_seconds": round(wall, 3), "parent_cpu_seconds": round(cpu, 3)}
    figures["parent"] = parent
    figures["workers"] = {k: round(v, 3) for k, v in workers.items()}
    print(f"build wall {wall:.3f} s, parent CPU {cpu:.3f} s, workers {args.workers}")
    print("| stage | parent s | workers s (summed) |")
    print("|---|---|---|")
    for stage in dict.fromkeys(stage for stage, _, _ in STAGES):
        if stage in parent or stage in workers:
            mine = parent.get(stage, {}).get("seconds", "–")
            theirs = figures["workers"].get(stage, "–")
            print(f"| {stage} | {mine} | {theirs} |")
    accounted = sum(row["seconds"] for row in parent.values())
    print(f"| other (walk, loop, glue, waiting) | {cpu - accounted:.3f} | |")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
