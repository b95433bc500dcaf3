"""How often the shown results repeat each other, on a docs question file.

    .venv/bin/python bench/duplicates.py ../shared/realdocs/git_qa.yaml [--config X]

For each question answered, the highest word-3-shingle Jaccard similarity between
two of its top k results; prints how many answers hold a pair at or above 0.5,
0.8 and 1.0 (the same text).
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

from bot.config import load_config
from bot.docs_eval import eval_config, load_docs_questions
from bot.search.duplicates import shingles, similarity
from bot.search.index import SearchIndex


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("questions", type=Path)
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("-k", type=int, default=3)
    args = parser.parse_args()
    questions = load_docs_questions(args.questions)
    config = eval_config(load_config(args.config), questions.root)
    index = SearchIndex.build(config)
    answered, counts = 0, dict.fromkeys((0.5, 0.8, 1.0), 0)
    for question in questions.questions:
        results = index.search(question.text, args.k).results
        if not results:
            continue
        answered += 1
        sets = [shingles(r.passage.text) for r in results]
        worst = max((similarity(a, b) for a, b in itertools.combinations(sets, 2)), default=0.0)
        for level in counts:
            counts[level] += worst >= level
    print(
        f"{args.questions.name}: {answered} answered; a pair in the top {args.k} "
        + ", ".join(f"≥ {level}: {n}" for level, n in counts.items())
    )


if __name__ == "__main__":
    main()
