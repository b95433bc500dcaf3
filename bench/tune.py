"""Tune ranking settings on the tuning splits only (never on the reported test queries).

Tuning splits: SciFact's train qrels, SQuAD dev articles 0-23. Prints one JSON
line per (variant, set). Usage: python bench/tune.py [DATA_DIR] [VARIANT ...]
DATA_DIR defaults to ../shared/data beside the repository.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path

from bot.config import load_config
from bot.evaluation import evaluate, load_eval_set

REPO = Path(__file__).resolve().parent.parent
SQUAD_TUNE = r"a(0\d|1\d|2[0-3])p\d+"
PLAIN = {
    "analysis": {"synonyms": (), "mine_acronyms": False, "typo_correction": False},
    "retrieval": {
        "coord_weight": 0.0,
        "title_weight": 1,
        "bigram_weight": 0.0,
        "sentence_weight": 0.0,
    },
    "corpus": {"max_passage_chars": 1_000_000},
}
VARIANTS: dict[str, dict] = {
    "plain": PLAIN,
    "default": {},
    "no-split": {"corpus": {"max_passage_chars": 1_000_000}},
    "title1": {"retrieval": {"title_weight": 1}},
    "title2": {"retrieval": {"title_weight": 2}},
    "coord0": {"retrieval": {"coord_weight": 0.0}},
    "coord0.5": {"retrieval": {"coord_weight": 0.5}},
    "coord2": {"retrieval": {"coord_weight": 2.0}},
    "prf": {"retrieval": {"prf_docs": 5}},
    "sentence0": {"retrieval": {"sentence_weight": 0.0}},
    "sentence2": {"retrieval": {"sentence_window": 2}},
    "bigram0.5": {"retrieval": {"bigram_weight": 0.5}},
    "title1-bigram0.5": {"retrieval": {"title_weight": 1, "bigram_weight": 0.5}},
}


def configured(base, changes: dict):
    for section, values in changes.items():
        base = dataclasses.replace(
            base, **{section: dataclasses.replace(getattr(base, section), **values)}
        )
    return base


def parse_variant(name: str) -> dict:
    """A named variant, or ad hoc 'section.key=value,section.key=value'."""
    if name in VARIANTS:
        return VARIANTS[name]
    changes: dict = {}
    for part in name.split(","):
        key, value = part.split("=")
        section, field = key.split(".")
        changes.setdefault(section, {})[field] = json.loads(value)
    return changes


def main() -> None:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data"
    names = sys.argv[2:] or list(VARIANTS)
    sets = [
        ("scifact-train", load_eval_set(data_dir / "scifact", "train")),
        ("squad-a00-23", load_eval_set(data_dir / "squad-dev-v1.1", "test", SQUAD_TUNE)),
    ]
    base = load_config(REPO / "config" / "default.yaml")
    for name in names:
        config = configured(base, parse_variant(name))
        for label, data in sets:
            started = time.perf_counter()
            report = evaluate(data, config, progress=False)
            figures = {k: round(v, 4) for k, v in report.metrics.items()}
            print(
                json.dumps(
                    {
                        "variant": name,
                        "set": label,
                        **figures,
                        "seconds": round(time.perf_counter() - started, 1),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
