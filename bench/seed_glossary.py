"""The seed question set with the seed glossary, without it, and with no synonyms at all.

"no glossary" is what a new corpus starts from: the shipped defaults (chat
abbreviations only) and mined acronyms, no synonyms.yaml. The figures are the
golden test's own (tests/test_seed_questions.py): answer passage first, in the
top 3, off-topic questions refused; plus `qabot eval`'s ranking metrics on the
same questions. Usage: .venv/bin/python bench/seed_glossary.py [--json]
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import yaml

from bot.answer.answerer import Answerer
from bot.config import Config, load_config
from bot.evaluation import evaluate, load_eval_set
from bot.search.index import SearchIndex

REPO = Path(__file__).resolve().parent.parent
QUESTIONS_FILE = REPO / "tests" / "data" / "seed_questions.yaml"


def variants(base: Config) -> dict[str, Config]:
    def analysis(**changes) -> Config:
        return dataclasses.replace(base, analysis=dataclasses.replace(base.analysis, **changes))

    return {
        "seed glossary": base,
        "no glossary": analysis(glossary=False),
        "no synonyms": analysis(glossary=False, synonyms=()),
    }


def score(config: Config, questions: list[dict]) -> dict:
    answerer = Answerer(SearchIndex.build(config))
    answerable = [q for q in questions if q["answer"] is not None]
    off_topic = [q for q in questions if q["answer"] is None]
    ranks: dict[str, int | None] = {}
    for q in answerable:
        items = answerer.answer(q["question"], 3).items
        ranks[q["id"]] = next((i.rank for i in items if q["answer"] in i.passage.text), None)
    answered_off = [q["id"] for q in off_topic if answerer.answer(q["question"]).answered]
    first = sum(1 for r in ranks.values() if r == 1)
    misses = {q["id"] for q in questions if q.get("known_miss")}
    report = evaluate(load_eval_set(QUESTIONS_FILE), config, progress=False)
    return {
        "first": f"{first}/{len(answerable)}",
        "first_share": round(first / len(answerable), 4),
        "top3": f"{sum(1 for r in ranks.values() if r)}/{len(answerable)}",
        "not_in_top3": sorted(k for k, r in ranks.items() if r is None),
        "off_topic_refused": f"{len(off_topic) - len(answered_off)}/{len(off_topic)}",
        "off_topic_answered": sorted(answered_off),
        # The golden test passes when >= 90% are first and every miss is a known one.
        "golden_test_passes": first / len(answerable) >= 0.90
        and {k for k, r in ranks.items() if r is None} <= misses
        and set(answered_off) <= misses,
        "ndcg@10": report.metrics["ndcg@10"],
        "mrr@10": report.metrics["mrr@10"],
        "answer_in_excerpt": report.metrics["answer_in_excerpt"],
    }


def main(argv: list[str]) -> int:
    questions = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))["questions"]
    base = load_config(REPO / "config" / "default.yaml")
    results = {name: score(config, questions) for name, config in variants(base).items()}
    if "--json" in argv:
        print(json.dumps(results, indent=2))
        return 0
    for name, result in results.items():
        print(
            f"{name:<14} first {result['first']} ({result['first_share']:.1%}), "
            f"top 3 {result['top3']}, off-topic refused {result['off_topic_refused']}, "
            f"nDCG@10 {result['ndcg@10']:.4f}, MRR@10 {result['mrr@10']:.4f}, "
            f"golden test {'passes' if result['golden_test_passes'] else 'fails'}"
        )
        if result["not_in_top3"]:
            print(f"{'':<14} not in top 3: {', '.join(result['not_in_top3'])}")
        if result["off_topic_answered"]:
            print(f"{'':<14} off-topic answered: {', '.join(result['off_topic_answered'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
