"""qabot eval's plumbing on a tiny benchmark whose figures are known by hand."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bot.evaluation import EvalError, evaluate, load_eval_set
from tests.conftest import DEFAULT_CONFIG, REPO, config_for

CORPUS = [
    {"_id": "d1", "title": "", "text": "Apples are red fruit that grow on trees."},
    {"_id": "d2", "title": "", "text": "Bananas are yellow fruit from the tropics."},
    {"_id": "d3", "title": "", "text": "The sky looks blue on a clear afternoon."},
    {"_id": "d4", "title": "", "text": "Grass stays green after the spring rain."},
]
QUERIES = [{"_id": "q1", "text": "red apples"}, {"_id": "q2", "text": "yellow bananas fruit"}]
QRELS = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq2\td4\t1\n"
ANSWERS = [{"_id": "q1", "answers": ["RED fruit"]}, {"_id": "q2", "answers": ["purple"]}]


def write_beir(folder: Path) -> Path:
    (folder / "qrels").mkdir(parents=True)
    for name, rows in (("corpus", CORPUS), ("queries", QUERIES), ("answers", ANSWERS)):
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (folder / "qrels" / "test.tsv").write_text(QRELS)
    return folder


def test_metrics_match_hand_computed_figures(tmp_path):
    data = load_eval_set(write_beir(tmp_path / "tiny"))
    report = evaluate(data, config_for([REPO / "seeds"]), progress=False)
    # q1: d1 first, its only relevant document: every metric is 1.
    # q2: d2 first; d4 (relevant) shares no word, so it is never retrieved:
    #     nDCG@10 = 1 / (1 + 1/log2(3)), Recall@100 = 1/2, MRR = 1, hit@1 = hit@5 = 1.
    ndcg_q2 = 1 / (1 + 1 / math.log2(3))
    metrics = report.metrics
    assert metrics["ndcg@10"] == pytest.approx((1 + ndcg_q2) / 2, abs=1e-4)
    assert metrics["recall@100"] == pytest.approx(0.75)
    assert metrics["mrr@10"] == metrics["hit@1"] == metrics["hit@5"] == 1.0
    # Answers: q1's "RED fruit" is in its top passage and excerpt (case-insensitive), q2's not.
    assert metrics["answer_in_top_passage"] == metrics["answer_in_excerpt"] == 0.5
    assert (report.queries, report.documents) == (2, 4)


def test_doc_filter_and_split(tmp_path):
    folder = write_beir(tmp_path / "tiny")
    assert list(load_eval_set(folder, docs_pattern=r"d1").queries) == ["q1"]
    with pytest.raises(EvalError, match="not found"):
        load_eval_set(folder, split="train")


def test_question_file_judges_passages_holding_the_answer():
    data = load_eval_set(REPO / "tests" / "data" / "seed_questions.yaml")
    report = evaluate(data, config_for([REPO / "seeds"]), progress=False)
    assert report.passages == 13 and report.queries >= 70
    assert report.metrics["hit@5"] >= 0.9


def test_cli_eval_prints_json(tmp_path):
    folder = write_beir(tmp_path / "tiny")
    qabot = Path(sys.executable).with_name("qabot")
    result = subprocess.run(
        [str(qabot), "eval", str(folder), "--json", "--config", str(DEFAULT_CONFIG)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["metrics"]["recall@100"] == 0.75
    missing = subprocess.run(
        [str(qabot), "eval", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 2 and "expected a BEIR folder" in missing.stderr
