"""The accuracy gate: F1 on the gold set must stay above the committed thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.evaluate import EvalReport, Score, _unit_code, evaluate, evaluate_document, format_report

HERE = Path(__file__).parent
GOLD = HERE / "gold"
#: Each gold folder with its committed thresholds (thresholds.json, kept beside the gold).
SETS = ["gold", "gold_holdout", "gold_blind", "gold_fresh", "gold_fresh2"]


@pytest.fixture(scope="module", params=SETS)
def gold_set(request):
    folder = HERE / request.param
    thresholds = json.loads((folder / "thresholds.json").read_text(encoding="utf-8"))
    return folder, thresholds, evaluate(folder)


@pytest.mark.parametrize("group", ["entities", "relations", "metrics"])
def test_eval_f1_stays_above_threshold(gold_set, group):
    folder, thresholds, report = gold_set
    score = report.group(group)
    assert score.f1 >= thresholds[group], f"{folder.name}\n" + format_report(report)


def test_eval_covers_every_gold_article(gold_set):
    folder, _, report = gold_set
    assert len(report.documents) == len([p for p in folder.glob("*.json") if p.name != "thresholds.json"])


@pytest.mark.parametrize(
    "tp, fp, fn, p, r, f1",
    [(8, 2, 0, 0.8, 1.0, 0.889), (0, 0, 0, 1.0, 1.0, 1.0), (0, 3, 3, 0.0, 0.0, 0.0), (5, 5, 5, 0.5, 0.5, 0.5)],
)
def test_eval_score_arithmetic(tp, fp, fn, p, r, f1):
    score = Score(tp, fp, fn)
    assert (round(score.precision, 3), round(score.recall, 3), round(score.f1, 3)) == (p, r, f1)


def test_eval_counts_a_wrong_issuer_as_a_trap(seed_graph):
    gold = {
        "doc": "seed",
        "entities": {"Park": [{"name": "南昌高新区", "aliases": []}]},
        "relations": [],
        "not_relations": [{"s": "南昌高新区", "p": "hosts", "o": "泰豪软件", "why": "test"}],
        "metrics": [],
    }
    document = evaluate_document(seed_graph, gold)
    assert document.traps, "a predicted relation listed in not_relations must be reported"
    assert document.scores["Park"].tp == 1
    assert document.scores["Park"].fp > 0  # the other parks of the page are not in this gold


def test_eval_scope_leaves_unannotated_types_unscored(seed_graph):
    gold = {
        "doc": "seed",
        "scope": {"entities": ["Park"], "relations": ["hosts"], "metrics": False},
        "entities": {"Park": [{"name": "南昌高新区", "aliases": []}]},
        "relations": [],
        "metrics": [],
    }
    document = evaluate_document(seed_graph, gold)
    report = EvalReport(documents=[document])
    assert report.total("Park").tp == 1
    # Places, bodies and metrics are in the graph but outside the scope: neither right nor wrong.
    assert report.total("Place") == Score() and report.total("metrics") == Score()
    assert not any(line.startswith(("Place", "metric", "holdsPost")) for line in document.false_positives)
    assert "Place" not in format_report(report, details=False)


def test_eval_ignored_names_count_neither_way(seed_graph):
    gold = {
        "doc": "seed",
        "scope": {"entities": ["Park"], "relations": [], "metrics": False},
        "entities": {"Park": [{"name": "南昌高新区", "aliases": []}]},
        "relations": [],
        "metrics": [],
    }
    extra = [line.split(": ", 1)[1] for line in evaluate_document(seed_graph, gold).false_positives]
    assert extra, "the seed page names other parks than 南昌高新区"
    document = evaluate_document(seed_graph, {**gold, "ignore": {"Park": extra}})
    assert (document.scores["Park"].tp, document.scores["Park"].fp) == (1, 0), document.false_positives


@pytest.mark.parametrize(
    "unit, code", [("CNY", "CNY"), ("吨", "tonne"), ("个", "count"), ("%", "percent"), ("平方米", "m2")]
)
def test_eval_gold_units_may_be_written_as_words(unit, code):
    assert _unit_code(unit) == code


def test_eval_prints_one_row_per_set_and_json(tmp_path, capsys):
    from kg.cli import main

    assert main(["eval", "--gold", str(GOLD), "--gold", str(HERE / "gold_fresh"), "--summary"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].split()[:2] == ["set", "articles"] and [r.split()[0] for r in rows[1:]] == ["gold", "gold_fresh"]
    assert main(["eval", "--gold", str(HERE / "gold_fresh"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary["groups"]) == {"entities", "relations", "metrics"} and summary["articles"] == 8
