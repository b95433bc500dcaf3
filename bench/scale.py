"""Scale benchmark: the project's engines against rank-bm25, raw bm25s and raw tantivy.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--data ../shared/data]
                                    [--queries 200] [--workdir TMPDIR/qabot-bench] [--json FILE]

Corpus: real text from the BEIR sets in --data (SQuAD paragraphs, SciFact,
Cranfield and CISI abstracts, about 20k distinct passages). Larger sizes
repeat it with variation: copy c of a paragraph has its sentences rotated by
c and carries a copy tag word, so passages are distinct but the vocabulary
and length distribution stay those of real text. Paragraphs are written 200
to a file, as .txt files with blank-line separated paragraphs, so the corpus
goes through the same loader as a user's folder.

Every measurement runs in a fresh subprocess (so peak memory is that job's
alone): build time, index size on disk, peak RSS while building and while
serving, restart-to-ready time (open the cached index), time to update one
changed file, and query latency p50/p99 over --queries questions (SQuAD and
SciFact queries) for: the project's full path (analysis, ranking, excerpt:
``Answerer.answer``) on tantivy and on rank-bm25, the project's ranking step
alone (``engine.search`` on analysed terms), and the raw engines on the same
pre-analysed terms (bm25s sparse matrices; tantivy boolean term query).
Figures are reported as ratios against rank-bm25 / raw tantivy measured in
the same run, since the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PER_FILE = 200


# --------------------------------------------------------------------------- corpus


def real_paragraphs(data: Path) -> list[str]:
    paragraphs = []
    for name in ("squad-dev-v1.1", "scifact", "cranfield", "cisi"):
        with (data / name / "corpus.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                text = " ".join((record.get("text") or "").split())
                if len(text) > 750:  # one paragraph = one passage (limit 800)
                    cut = text.rfind(". ", 200, 750)
                    text = text[: cut + 1] if cut > 0 else text[:750].rsplit(" ", 1)[0]
                if len(text.split()) >= 8:
                    paragraphs.append(text)
    return paragraphs


def varied(paragraph: str, copy: int) -> str:
    if copy == 0:
        return paragraph
    sentences = [s for s in paragraph.split(". ") if s]
    shift = copy % len(sentences)
    rotated = ". ".join(sentences[shift:] + sentences[:shift])
    return f"{rotated} copy{copy}"[:790]


def write_corpus(folder: Path, size: int, paragraphs: list[str]) -> None:
    marker = folder / ".complete"
    if marker.exists() and marker.read_text() == str(size):
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    batch: list[str] = []
    for number in range(size):
        paragraph = varied(paragraphs[number % len(paragraphs)], number // len(paragraphs))
        batch.append(paragraph)
        if len(batch) == PER_FILE or number == size - 1:
            index = number // PER_FILE
            path = folder / f"{index // 1000:03d}" / f"doc{index:06d}.txt"
            path.parent.mkdir(exist_ok=True)
            path.write_text(f"Document {index}\n\n" + "\n\n".join(batch) + "\n", encoding="utf-8")
            batch = []
    marker.write_text(str(size))


def questions(data: Path, count: int) -> list[str]:
    found = []
    for name in ("squad-dev-v1.1", "scifact"):
        with (data / name / "queries.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                found.append(json.loads(line)["text"])
                if len(found) >= count * (1 if name == "scifact" else 0.5):
                    break
    return found[:count]


# --------------------------------------------------------------------------- workers


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 3), "p99_ms": round(p99 * 1000, 3)}


def config_for(corpus: Path, engine: str, index_dir: Path):
    import dataclasses

    from bot.config import load_config

    config = load_config(REPO / "config" / "default.yaml")
    corpus_config = dataclasses.replace(config.corpus, paths=(corpus,))
    retrieval = dataclasses.replace(config.retrieval, engine=engine, index_dir=index_dir)
    return dataclasses.replace(config, corpus=corpus_config, retrieval=retrieval)


def timed_queries(function, items: list) -> dict:
    for item in items[:5]:
        function(item)  # warm caches
    samples = []
    for item in items:
        started = time.perf_counter()
        function(item)
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def worker(job: dict) -> dict:
    """One measurement in this process; prints a JSON dict."""
    from bot.answer.answerer import Answerer
    from bot.search.index import SearchIndex

    corpus, index_dir = Path(job["corpus"]), Path(job["index_dir"])
    queries = job["queries"]
    kind = job["kind"]
    result: dict = {"kind": kind}
    if kind in ("build", "open"):
        config = config_for(corpus, job["engine"], index_dir)
        started = time.perf_counter()
        index = SearchIndex.build(config)
        result["seconds"] = round(time.perf_counter() - started, 3)
        result["peak_rss_mb"] = round(peak_rss_mb(), 1)
        # The build's worker processes (corpus.workers): the largest one's peak.
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        result["worker_peak_rss_mb"] = round(children, 1)
        if job["engine"] == "tantivy":
            result["action"] = index.store_report.action
            result["index_mb"] = round(folder_size(index_dir) / 2**20, 1)
        answerer = Answerer(index)
        result["full_path"] = timed_queries(answerer.answer, queries)
        built = [index.queries.build(q).terms for q in queries]
        result["ranking_step"] = timed_queries(lambda terms: index.engine.search(terms, 30), built)
        result["serving_rss_mb"] = round(current_rss_mb(), 1)
        result["passages"] = len(index.corpus.passages)
    elif kind == "update":
        config = config_for(corpus, "tantivy", index_dir)
        victim = sorted(corpus.rglob("*.txt"))[0]
        original = victim.read_text(encoding="utf-8")
        victim.write_text(original + "\n\nAn added paragraph about tidal energy.\n", "utf-8")
        try:
            started = time.perf_counter()
            index = SearchIndex.build(config)
            result["seconds"] = round(time.perf_counter() - started, 3)
            result["changed"] = index.store_report.changed
        finally:
            victim.write_text(original, encoding="utf-8")
    elif kind in ("raw-tantivy", "raw-bm25s"):
        result.update(raw_engine(kind, corpus, queries))
    return result


def analysed_corpus(corpus: Path):
    """The project's terms for every passage (what both raw engines index)."""
    from bot.analysis.analyzer import Analyzer
    from bot.documents.corpus import load_corpus

    config = config_for(corpus, "rank-bm25", Path("/nonexistent"))
    analyzer = Analyzer(config.analysis)
    loaded = load_corpus(config.corpus)
    return analyzer, (analyzer.terms(p.text) for p in loaded.passages)


def raw_engine(kind: str, corpus: Path, queries: list[str]) -> dict:
    analyzer, passages = analysed_corpus(corpus)
    query_terms = [analyzer.terms(q) for q in queries]
    started = time.perf_counter()
    if kind == "raw-bm25s":
        import bm25s

        tokens = [t or ["_"] for t in passages]
        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index(tokens, show_progress=False)
        build = time.perf_counter() - started
        vocab = model.vocab_dict

        def search(terms):
            known = [t for t in terms if t in vocab]
            if known:
                model.retrieve([known], k=30, show_progress=False, n_threads=1)
    else:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("t", stored=False, tokenizer_name="whitespace", index_option="freq")
        builder.add_unsigned_field("id", stored=False, fast=True)
        schema = builder.build()
        index = tantivy.Index(schema)
        writer = index.writer(heap_size=128_000_000, num_threads=1)
        for number, terms in enumerate(passages):
            document = tantivy.Document()
            document.add_text("t", " ".join(terms))
            document.add_unsigned("id", number)
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        searcher = index.searcher()
        build = time.perf_counter() - started

        def search(terms):
            if terms:
                query = tantivy.Query.boolean_query(
                    [
                        (tantivy.Occur.Should, tantivy.Query.term_query(schema, "t", t))
                        for t in dict.fromkeys(terms)
                    ]
                )
                hits = searcher.search(query, 30).hits
                searcher.fast_field_values("id", [a for _, a in hits])

    return {
        "build_seconds": round(build, 3),
        "query": timed_queries(search, query_terms),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_job(job: dict) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(job)],
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode != 0:
        return {"kind": job["kind"], "error": output.stderr.strip().splitlines()[-1:]}
    return json.loads(output.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "qabot-bench"))
    parser.add_argument(
        "--rank-bm25-max",
        type=int,
        default=100_000,
        help="skip rank-bm25 above this size (it needs minutes per query batch)",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    data, workdir = Path(args.data), Path(args.workdir)
    paragraphs = real_paragraphs(data)
    query_texts = questions(data, args.queries)
    figures = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        corpus = workdir / f"corpus-{size}"
        index_dir = workdir / f"index-{size}"
        write_corpus(corpus, size, paragraphs)
        shutil.rmtree(index_dir, ignore_errors=True)
        common = {"corpus": str(corpus), "index_dir": str(index_dir), "queries": query_texts}
        row = {
            "tantivy_build": run_job({**common, "kind": "build", "engine": "tantivy"}),
            "tantivy_open": run_job({**common, "kind": "open", "engine": "tantivy"}),
            "tantivy_update": run_job({**common, "kind": "update"}),
            "raw_tantivy": run_job({**common, "kind": "raw-tantivy"}),
            "raw_bm25s": run_job({**common, "kind": "raw-bm25s"}),
        }
        if size <= args.rank_bm25_max:
            row["rank_bm25"] = run_job({**common, "kind": "build", "engine": "rank-bm25"})
        figures[size] = row
        print(json.dumps({"passages": size, **row}), flush=True)
    print(table(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


def table(figures: dict) -> str:
    lines = [
        "| passages | build s | index MB | build peak MB | serving MB | restart s | update s "
        "| full path p50/p99 ms | ranking p50 ms | raw tantivy p50 ms | raw bm25s p50 ms "
        "| rank-bm25 full p50 ms | speed-up vs rank-bm25 | ranking / raw tantivy |",
        "|" + "---|" * 14,
    ]
    for size, row in figures.items():
        build, opened = row["tantivy_build"], row["tantivy_open"]
        raw, bm25s_row = row["raw_tantivy"], row["raw_bm25s"]
        reference = row.get("rank_bm25", {})
        full = opened.get("full_path", {})
        ranking = opened.get("ranking_step", {})
        speedup = (
            f"{reference['full_path']['p50_ms'] / full['p50_ms']:.1f}×"
            if reference.get("full_path") and full
            else "–"
        )
        ratio = (
            f"{ranking['p50_ms'] / raw['query']['p50_ms']:.2f}"
            if ranking and raw.get("query")
            else "–"
        )
        lines.append(
            f"| {size:,} | {build.get('seconds', '–')} | {build.get('index_mb', '–')} "
            f"| {build.get('peak_rss_mb', '–')} | {opened.get('serving_rss_mb', '–')} "
            f"| {opened.get('seconds', '–')} | {row['tantivy_update'].get('seconds', '–')} "
            f"| {full.get('p50_ms', '–')}/{full.get('p99_ms', '–')} | {ranking.get('p50_ms', '–')} "
            f"| {raw.get('query', {}).get('p50_ms', '–')} "
            f"| {bm25s_row.get('query', {}).get('p50_ms', '–')} "
            f"| {reference.get('full_path', {}).get('p50_ms', '–')} | {speedup} | {ratio} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
