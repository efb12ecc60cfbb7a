"""Statistics on small hand-built runs whose expected values are worked out by hand in the comments."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from drdata import stats as S
from drdata import verbs

A, B, C = "external_module_dependency", "missing_environment_suffix", "incomplete_tagging"  # Critical, High, Low
KMS = "kms_key_alias_missing"  # Low; mentioned by a report only


def _tasks() -> pd.DataFrame:
    return pd.DataFrame({
        "task_id": ["T1", "T2", "T3", "T4", "T5"],
        "platform": ["tf-hcl"] * 5,
        "status": ["ok", "ok", "ok", "error", "ok"],
        "error": [None, None, None, "no Terraform code found in MODEL_RESPONSE.md", None],
        "complexity": ["hard", "expert", "medium", "hard", "hard"],
        "subtask": ["Net", "Net", None, "Net", "Web"],
        "training_quality": [9.0, 8.0, 10.0, 7.0, None],
        "model_hcl_blocks": [4, 2, 1, 0, 3],
        "model_hcl_blocks_parsed": [3, 2, 1, 0, 3],
        "ideal_hcl_blocks": [5, 5, 5, 5, 5],
        "ideal_hcl_blocks_parsed": [5, 5, 5, 5, 5],
        "truncated_model": pd.array([True, False, False, None, False], dtype="boolean"),
    })


def _labels() -> pd.DataFrame:
    rows = [
        ("T1", A, "fixed"), ("T1", B, "fixed"), ("T1", C, "persisting"),
        ("T2", A, "absent"), ("T2", B, "fixed"), ("T2", C, "fixed"),
        ("T3", A, "absent"), ("T3", B, "absent"), ("T3", C, "unknown"),
        ("T5", A, "fixed"), ("T5", B, "introduced"), ("T5", C, "fixed"),
    ]
    sev = {A: "Critical", B: "High", C: "Low"}
    return pd.DataFrame([{"task_id": t, "category": c, "severity": sev[c], "status": s,
                          "model_findings": 1, "ideal_findings": 0} for t, c, s in rows])


def _items() -> pd.DataFrame:
    return pd.DataFrame([
        {"task_id": "T1", "index": 1, "title": "Registry modules", "severity": "Critical", "category": A},
        {"task_id": "T1", "index": 2, "title": "No suffix", "severity": "Medium", "category": B},
        {"task_id": "T1", "index": 3, "title": "No alias", "severity": "Low", "category": KMS},
        {"task_id": "T2", "index": 1, "title": "Tags", "severity": "Low", "category": C},
        {"task_id": "T3", "index": 1, "title": "Something else", "severity": "High", "category": "other"},
    ])


def test_task_scores_counts_fixed_by_severity_and_weights_them():
    s = S.task_scores(_tasks(), _labels())
    assert s.index.name == "task_id"
    assert list(s.index) == ["T1", "T2", "T3", "T5"]  # T4 errored: not labeled
    # T1: Critical + High = 8 + 4; T2: High + Low = 4 + 1; T3: nothing; T5: Critical + Low = 8 + 1
    assert s["severity_score"].tolist() == [12, 5, 0, 9]
    assert s["fixed_total"].tolist() == [2, 2, 0, 2]
    assert s[["critical", "high", "medium", "low"]].values.tolist() == [[1, 1, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0],
                                                                        [1, 0, 0, 1]]
    assert s["quality_bucket"].tolist() == ["9–9.9", "8–8.9", "10", "(missing)"]


def test_severity_weights_are_documented_values():
    assert S.SEVERITY_WEIGHTS == {"Critical": 8, "High": 4, "Medium": 2, "Low": 1}


def test_severity_distribution():
    d = S.severity_distribution(S.task_scores(_tasks(), _labels()))
    assert d.index.name == "severity"
    assert d["failures"].to_dict() == {"Critical": 2, "High": 2, "Medium": 0, "Low": 2}
    assert d["tasks_with"].to_dict() == {"Critical": 2, "High": 2, "Medium": 0, "Low": 2}
    assert d.loc["High", "share_of_tasks"] == pytest.approx(0.5)  # 2 of the 4 labeled tasks


def test_category_prevalence_without_reports():
    p = S.category_prevalence(_labels(), _tasks())
    assert p.index.name == "category"
    assert p.loc[A, ["fixed", "persisting", "introduced", "absent", "unknown"]].tolist() == [2, 0, 0, 2, 0]
    assert p.loc[C, ["fixed", "persisting", "unknown"]].tolist() == [2, 1, 1]
    assert p.loc[A, "share_fixed"] == pytest.approx(2 / 4)
    assert p.loc[C, "share_present"] == pytest.approx(3 / 4)  # fixed in 2, persisting in 1
    assert p.loc[A, "default_severity"] == "Critical" and p.loc[A, "title"] == "External Module Dependency"
    assert "report_severity" not in p.columns  # no reports: the column is absent, not made up


def test_category_prevalence_with_reports_adds_report_severity():
    p = S.category_prevalence(_labels(), _tasks(), _items())
    assert p.loc[B, "report_mentions"] == 1 and p.loc[B, "report_severity"] == "Medium"
    assert p.loc[A, "report_severity"] == "Critical"
    assert p.loc[B, "report_rated"] == 1 and p.loc[B, "report_severity_share"] == pytest.approx(1.0)
    # A category only the reports name still gets a row, with zero detector counts.
    assert p.loc[KMS, "fixed"] == 0 and p.loc[KMS, "report_severity"] == "Low"
    assert p.loc[KMS, "default_severity"] == "Low"


def test_report_severity_ties_go_to_the_more_severe_level():
    items = pd.DataFrame([
        {"task_id": "T1", "index": 1, "severity": "Low", "category": A},
        {"task_id": "T2", "index": 1, "severity": "High", "category": A},
        {"task_id": "T3", "index": 1, "severity": None, "category": A},  # unrated: not counted
    ])
    p = S.category_prevalence(_labels(), _tasks(), items)
    assert p.loc[A, "report_severity"] == "High"
    assert p.loc[A, "report_rated"] == 2 and p.loc[A, "report_severity_share"] == pytest.approx(0.5)
    assert p.loc[A, "report_mentions"] == 3


@pytest.mark.parametrize("by, group, tasks, mean_score, mean_fixed", [
    ("complexity", "hard", 2, 10.5, 2.0),  # T1 (12) and T5 (9)
    ("complexity", "expert", 1, 5.0, 2.0),
    ("complexity", "medium", 1, 0.0, 0.0),
    ("subtask", "Net", 2, 8.5, 2.0),  # T1 (12) and T2 (5)
    ("subtask", "(missing)", 1, 0.0, 0.0),
    ("quality_bucket", "10", 1, 0.0, 0.0),
    ("quality_bucket", "(missing)", 1, 9.0, 2.0),
])
def test_breakdowns(by, group, tasks, mean_score, mean_fixed):
    b = S.breakdown(S.task_scores(_tasks(), _labels()), by)
    assert b.index.name == by
    assert b.loc[group, "tasks"] == tasks
    assert b.loc[group, "mean_score"] == pytest.approx(mean_score)
    assert b.loc[group, "mean_fixed"] == pytest.approx(mean_fixed)


def test_quality_buckets_are_ordered_low_to_high():
    b = S.breakdown(S.task_scores(_tasks(), _labels()), "quality_bucket")
    assert list(b.index) == ["8–8.9", "9–9.9", "10", "(missing)"]


@pytest.mark.parametrize("measure, rho", [
    # pairs with training_quality: T1 (12, 9), T2 (5, 8), T3 (0, 10); ranks (3,2,1) vs (2,1,3): d²=1+1+4
    ("severity_score", 1 - 6 * 6 / (3 * (9 - 1))),  # -0.5
    # fixed_total (2, 2, 0): tied ranks (2.5, 2.5, 1) vs (2, 1, 3): Pearson on ranks = -1.5 / sqrt(1.5 * 2)
    ("fixed_total", -1.5 / math.sqrt(3.0)),
    ("critical", 0.0),  # (1, 0, 0): ranks (3, 1.5, 1.5) vs (2, 1, 3): covariance 0
])
def test_spearman_with_training_quality(measure, rho):
    c = S.quality_correlation(S.task_scores(_tasks(), _labels()))
    assert c.index.name == "measure"
    assert c.loc[measure, "n"] == 3  # T5 has no training_quality
    assert c.loc[measure, "rho"] == pytest.approx(rho)


def test_spearman_is_nan_for_a_constant_measure():
    c = S.quality_correlation(S.task_scores(_tasks(), _labels()))
    assert math.isnan(c.loc["medium", "rho"]) and c.loc["medium", "n"] == 3


def test_category_by_complexity_is_share_of_group():
    m = S.category_by(_labels(), S.task_scores(_tasks(), _labels()), "complexity")
    assert list(m.columns) == ["medium", "hard", "expert"]
    # hard = T1, T5; expert = T2; medium = T3
    assert m.loc[A].tolist() == [0.0, 1.0, 0.0]
    assert m.loc[B].tolist() == [0.0, 0.5, 1.0]
    assert m.loc[C].tolist() == [0.0, 0.5, 1.0]


def test_severity_comparison_puts_detector_and_report_side_by_side():
    cmp = S.severity_comparison(_labels(), _items())
    assert cmp.index.names == ["task_id", "item"]
    rows = cmp.reset_index()[["task_id", "category", "report_severity", "detector_severity", "detector_status",
                              "same_severity"]].values.tolist()
    assert rows == [
        ["T1", A, "Critical", "Critical", "fixed", True],
        ["T1", B, "Medium", "High", "fixed", False],
        ["T1", KMS, "Low", "Low", "not labeled", True],
        ["T2", C, "Low", "Low", "fixed", True],
    ]  # the T3 item maps to no category: nothing to compare
    ct = S.severity_crosstab(cmp)
    assert ct.loc["High", "Medium"] == 1 and ct.loc["Low", "Low"] == 2 and ct.loc["Critical", "Critical"] == 1
    assert int(ct.values.sum()) == 4


def test_agreement_by_category():
    a = S.agreement_by_category(_labels(), _items(), _tasks())
    # tasks with a report and labels: T1, T2, T3. B is fixed in T1 (reported) and T2 (not reported).
    assert a.loc[B, ["both", "report_only", "detector_only"]].tolist() == [1, 0, 1]
    assert a.loc[B, "precision"] == pytest.approx(0.5) and a.loc[B, "recall"] == pytest.approx(1.0)
    assert a.loc[A, ["both", "report_only", "detector_only"]].tolist() == [1, 0, 0]
    # T5 has no report: its fixed C does not count as detector_only.
    assert a.loc[C, ["both", "report_only", "detector_only"]].tolist() == [1, 0, 0]


@pytest.mark.parametrize("items", [None, pd.DataFrame(), pd.DataFrame({"task_id": ["T1"], "title": ["x"]})])
def test_missing_or_partial_report_items_degrade_to_empty_tables(items):
    cmp = S.severity_comparison(_labels(), items)
    assert len(cmp) == 0 and "detector_severity" in cmp.columns
    assert len(S.agreement_by_category(_labels(), items, _tasks())) == 0
    assert "report_severity" not in S.category_prevalence(_labels(), _tasks(), items).columns


def test_parse_health():
    h = S.parse_health(_tasks())
    assert h.index.name == "platform"
    r = h.loc["tf-hcl"]
    assert (r["tasks"], r["labelled"], r["errors"], r["truncated_model"]) == (5, 4, 1, 1)
    assert r["model_parsed_share"] == pytest.approx(9 / 10)
    assert r["ideal_parsed_share"] == pytest.approx(1.0)


def test_empty_run_gives_empty_tables_not_errors():
    tasks = _tasks().assign(status="error")
    st = S.compute_stats(tasks, _labels().iloc[0:0], None)
    assert len(st.task_scores) == 0
    assert st.severity_distribution["failures"].sum() == 0
    summary = st.summary()
    assert summary["labelled"] == 0 and summary["errors"] == 5
    assert summary["spearman_score_vs_training_quality"]["n"] == 0


def test_write_stats_reads_label_outdir_and_writes_tables_and_pngs(tmp_path):
    from drdata.io import write_parquet

    labels_dir = tmp_path / "labels"
    labels_dir.mkdir()
    write_parquet(_tasks(), labels_dir / "tasks.parquet")
    write_parquet(_labels(), labels_dir / "labels.parquet")
    write_parquet(_items(), labels_dir / "report_items.parquet")
    (labels_dir / "run.json").write_text(json.dumps({"taxonomy": "reference"}))
    out = tmp_path / "stats"
    summary = verbs.stats(labels_dir, out)
    assert summary["tasks"] == 5 and summary["labelled"] == 4
    assert summary["fixed_failures"] == {"Critical": 2, "High": 2, "Medium": 0, "Low": 2}
    assert summary["report_agreement"]["both"] == 3 and summary["report_agreement"]["detector_only"] == 1
    assert summary["taxonomy"] == "reference"
    for name in ("task_scores", "category_prevalence", "by_complexity", "by_subtask", "by_quality",
                 "quality_correlation", "severity_comparison", "agreement_by_category"):
        assert (out / f"{name}.csv").is_file() and (out / f"{name}.parquet").is_file()
    for png in ("severity_distribution", "top_categories", "category_complexity_heatmap", "score_vs_quality",
                "agreement_by_category"):
        assert (out / f"{png}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # CSV keeps the named index as its first column; parquet keeps it as a column.
    scores = pd.read_csv(out / "task_scores.csv")
    assert scores.columns[0] == "task_id" and scores["severity_score"].tolist() == [12, 5, 0, 9]
    assert pd.read_parquet(out / "category_prevalence.parquet")["category"].iloc[0] in {A, B, C}
    # Deterministic: a second run writes the same bytes.
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    verbs.stats(labels_dir, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert "fixed failures: 2 Critical, 2 High, 0 Medium, 2 Low" in S.format_summary(summary)


def test_write_stats_refuses_a_folder_that_is_not_a_label_output(tmp_path):
    with pytest.raises(FileNotFoundError, match="drdata label"):
        verbs.stats(tmp_path, tmp_path / "out")


def test_unknown_labels_are_counted_by_reason():
    from drdata.stats.tables import unknown_reasons

    labels = pd.DataFrame({
        "task_id": ["A", "A", "B", "B", "C"],
        "category": ["x", "y", "x", "y", "x"],
        "status": ["unknown", "unknown", "unknown", "fixed", "unknown"],
        "reason": ["ideal_omits", "ideal_omits", "ideal_dropped", None, None],
    })
    table = unknown_reasons(labels)
    assert list(table.index) == ["ideal_omits", "ideal_dropped", "unspecified"]
    assert table.loc["ideal_omits", "labels"] == 2 and table.loc["ideal_omits", "tasks"] == 1
    assert table["labels"].sum() == 4 and round(table.loc["ideal_omits", "share_of_unknown"], 2) == 0.5
