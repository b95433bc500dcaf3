"""Where tantivy's full query path overtakes rank-bm25's (sets retrieval.auto_tantivy_from).

    .venv/bin/python bench/crossover.py [--sizes 500,1000,2000,5000] [--data ../shared/data]

Builds corpora of real text as bench/scale.py does and times the project's
full path (Answerer.answer) on both engines in one process, interleaved.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.scale import config_for, percentiles, questions, real_paragraphs, write_corpus  # noqa: E402
from bot.answer.answerer import Answerer  # noqa: E402
from bot.search.index import SearchIndex  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="500,1000,2000,5000,10000")
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    data = Path(args.data)
    paragraphs, texts = real_paragraphs(data), questions(data, args.queries)
    print("| passages | rank-bm25 build s | tantivy build s | rank-bm25 p50 ms | tantivy p50 ms |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for size in [int(s) for s in args.sizes.split(",")]:
            corpus = Path(work) / f"c{size}"
            write_corpus(corpus, size, paragraphs)
            row = []
            answerers = {}
            for engine in ("rank-bm25", "tantivy"):
                started = time.perf_counter()
                index = SearchIndex.build(config_for(corpus, engine, Path(work) / f"i{size}"))
                row.append(round(time.perf_counter() - started, 2))
                answerers[engine] = Answerer(index)
            samples: dict[str, list[float]] = {"rank-bm25": [], "tantivy": []}
            for text in texts:
                for engine, answerer in answerers.items():
                    started = time.perf_counter()
                    answerer.answer(text)
                    samples[engine].append(time.perf_counter() - started)
            p50 = [percentiles(samples[e])["p50_ms"] for e in ("rank-bm25", "tantivy")]
            print(f"| {size:,} | {row[0]} | {row[1]} | {p50[0]} | {p50[1]} |", flush=True)


if __name__ == "__main__":
    main()
