"""The ratchet on label quality: precision and recall of `fixed` on the blind gold set never fall below the
floors stored in benchmarks/gold/floors.json (raise them with `python benchmarks/label_quality.py
--write-floors` whenever the figures rise)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from drdata.corpus import read_task
from drdata.labeling.batch import label_corpus
from drdata.stats.gold import check_gold, cohen_kappa, gold_quality, gold_status, read_gold

GOLD_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "gold"
RANDOM_PARTS = ("dev", "holdout", "extension")


@pytest.fixture(scope="module")
def quality(shared_corpus: Path):
    gold = read_gold(GOLD_DIR / "reference.csv")
    gold = gold[gold["part"].isin(RANDOM_PARTS)]  # the floors are the random sample's figures
    root = shared_corpus / "archive" / "tf-hcl"
    tasks = [read_task(root / t) for t in sorted(gold["task"].unique())]
    run = label_corpus(tasks, jobs=2, cache=False, progress=False, timeout=300)  # not load-dependent
    return gold_quality(run.labels, gold)


FLOORS = json.loads((GOLD_DIR / "floors.json").read_text())


@pytest.mark.corpus
@pytest.mark.parametrize("category", sorted(FLOORS))
def test_fixed_precision_and_recall_stay_above_their_floors(quality, category):
    figures = quality.micro if category == "micro" else quality.per_category.loc[category]
    for measure in ("precision", "recall"):
        floor = FLOORS[category][measure]
        if floor is None:
            continue
        value = figures[measure]
        assert not math.isnan(value) and value >= floor, f"{category} {measure} {value:.3f} fell below {floor}"


def test_the_gold_set_is_well_formed():
    gold = read_gold(GOLD_DIR / "reference.csv")
    assert set(gold["part"]) == {*RANDOM_PARTS, "lambda"}
    rand = gold[gold["part"].isin(RANDOM_PARTS)]
    assert rand["task"].nunique() >= 80 and len(rand) == 12 * rand["task"].nunique()
    lam = gold[gold["part"] == "lambda"]
    assert set(lam["category"]) == {"lambda_package_missing"} and len(lam) == lam["task"].nunique() == 40
    assert not set(lam["task"]) & set(rand["task"])  # the targeted draw excludes the random one
    sample = pd.read_csv(GOLD_DIR / "sample.csv", dtype=str)
    assert set(gold["task"]) == set(sample["task"])


@pytest.mark.parametrize("model,ideal,status", [
    ("yes", "no", "fixed"), ("yes", "yes", "persisting"), ("no", "yes", "introduced"), ("no", "no", "absent"),
    ("na", "no", "not_comparable"), ("yes", "na", "not_comparable"),
])
def test_gold_status_follows_the_two_judgements(model, ideal, status):
    assert gold_status(model, ideal) == status


def test_a_gold_row_whose_status_contradicts_its_judgements_is_refused():
    bad = pd.DataFrame([{"task": "T", "category": "c", "model": "yes", "ideal": "no", "gold": "absent"}])
    with pytest.raises(ValueError, match="does not follow"):
        check_gold(bad)


def test_quality_figures_on_a_hand_made_run():
    gold = pd.DataFrame([
        {"task": "A", "category": "c", "model": "yes", "ideal": "no", "gold": "fixed", "evidence": ""},
        {"task": "B", "category": "c", "model": "yes", "ideal": "no", "gold": "fixed", "evidence": ""},
        {"task": "C", "category": "c", "model": "yes", "ideal": "yes", "gold": "persisting", "evidence": ""},
        {"task": "D", "category": "c", "model": "na", "ideal": "no", "gold": "not_comparable", "evidence": ""},
    ])
    labels = pd.DataFrame([
        {"task_id": "A", "category": "c", "status": "fixed", "model_findings": 1, "ideal_findings": 0},
        {"task_id": "B", "category": "c", "status": "unknown", "model_findings": 1, "ideal_findings": 0},
        {"task_id": "C", "category": "c", "status": "fixed", "model_findings": 1, "ideal_findings": 0},
        # D is missing from the run (an error row): it counts as not comparable.
    ])
    q = gold_quality(labels, gold)
    row = q.per_category.loc["c"]
    assert (row["n"], row["labeled_fixed"], row["true_fixed"]) == (2, 2, 1)
    assert row["precision"] == 0.5 and row["recall"] == 0.5
    assert q.confusion.loc["fixed", "not_comparable"] == 1  # B: drdata unknown where the gold says fixed
    assert q.confusion.loc["not_comparable", "not_comparable"] == 1  # D: missing from the run
    assert q.sides.loc["c", "ideal_precision"] != q.sides.loc["c", "ideal_precision"]  # NaN: no IDEAL fires
    assert list(q.misses()["task"]) == ["B", "C"]


def test_kappa_of_identical_and_of_independent_raters():
    a = pd.Series(["x", "y", "x", "y"])
    assert cohen_kappa(a, a) == 1.0
    assert cohen_kappa(a, pd.Series(["x", "x", "y", "y"])) == 0.0


def _finding(task, address, message, status="fixed"):
    return {"task_id": task, "side": "model", "status": status, "detector": "kms_key_rotation_missing",
            "category": "kms_key_rotation_missing", "address": address, "part": None, "message": message,
            "evidence": 'enable_key_rotation = false'}


def test_a_sample_judgement_counts_only_while_its_finding_is_unchanged():
    from drdata.stats.gold import finding_digest, precision_samples_quality

    msg = "aws_kms_key.a: enable_key_rotation = false"
    samples = pd.DataFrame([
        # still the same finding: counted (a true repaired defect)
        {"task": "T1", "category": "kms_key_rotation_missing", "detector": "kms_key_rotation_missing",
         "address": "aws_kms_key.a", "part": "", "digest": finding_digest(msg, 'enable_key_rotation = false'),
         "true_defect": "yes", "repaired": "yes", "in_report": "no"},
        # the message changed since it was judged: stale
        {"task": "T1", "category": "kms_key_rotation_missing", "detector": "kms_key_rotation_missing",
         "address": "aws_kms_key.b", "part": "", "digest": "000000000000",
         "true_defect": "no", "repaired": "no", "in_report": "no"},
        # no longer a fixed finding at all: stale
        {"task": "T2", "category": "kms_key_rotation_missing", "detector": "kms_key_rotation_missing",
         "address": "aws_kms_key.c", "part": "", "digest": "000000000000",
         "true_defect": "no", "repaired": "no", "in_report": "no"},
    ])
    findings = pd.DataFrame([_finding("T1", "aws_kms_key.a", msg), _finding("T1", "aws_kms_key.b", "reworded"),
                             _finding("T2", "aws_kms_key.c", "x", status="persisting")])
    row = precision_samples_quality(samples, findings).loc["kms_key_rotation_missing"]
    assert (row["judged"], row["current"], row["stale"], row["correct"], row["precision"]) == (3, 1, 2, 1, 1.0)
    with pytest.raises(ValueError, match="no status column"):
        precision_samples_quality(samples, findings.drop(columns=["status"]))
