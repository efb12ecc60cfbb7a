"""Agreement between report items and detector labels, on small hand-built frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from drdata.corpus.report import ITEM_COLUMNS
from drdata.reports import agreement_frame, agreement_summary, disagreements

LABEL_COLUMNS = ["task_id", "category", "severity", "status", "model_findings", "ideal_findings"]
FINDING_COLUMNS = ["task_id", "side", "category", "detector", "severity", "address", "kind", "file", "line", "message",
                   "evidence"]


def labels_frame(rows):
    return pd.DataFrame(rows, columns=LABEL_COLUMNS)


def items_frame(rows):
    """rows: (task_id, index, title, severity, category)."""
    full = [
        {"task_id": t, "index": i, "title": title, "severity": sev, "severity_raw": sev, "severity_source": "section",
         "body": "", "model_snippet": None, "ideal_snippet": None, "category": cat, "section": None}
        for t, i, title, sev, cat in rows
    ]
    return pd.DataFrame(full, columns=ITEM_COLUMNS)


def findings_frame(rows):
    """rows: (task_id, side, category, address, line, message)."""
    full = [
        {"task_id": t, "side": side, "category": cat, "detector": cat, "severity": "High", "address": addr,
         "kind": "resource", "file": "main.tf", "line": line, "message": msg, "evidence": ""}
        for t, side, cat, addr, line, msg in rows
    ]
    return pd.DataFrame(full, columns=FINDING_COLUMNS)


@pytest.fixture
def frames():
    labels = labels_frame([
        # T1: report and detector agree on the suffix; detector alone finds wildcards; tagging absent on both sides.
        ("T1", "missing_environment_suffix", "High", "fixed", 3, 0),
        ("T1", "wildcard_iam_permissions", "Critical", "persisting", 1, 1),
        ("T1", "incomplete_tagging", "Low", "absent", 0, 0),
        # T2: the report names the suffix, the detector says absent; introduced does not count as detected.
        ("T2", "missing_environment_suffix", "High", "absent", 0, 0),
        ("T2", "wildcard_iam_permissions", "Critical", "introduced", 0, 2),
        # T3: the detector could not tell.
        ("T3", "missing_environment_suffix", "High", "unknown", 0, 0),
    ])
    items = items_frame([
        ("T1", 1, "No suffix on bucket names", "Medium", "missing_environment_suffix"),
        ("T1", 2, "Suffix missing on roles too", "High", "missing_environment_suffix"),
        ("T1", 3, "Unit tests are placeholders", None, "other"),
        ("T2", 1, "Names collide between deployments", "Low", "missing_environment_suffix"),
        ("T2", 2, "Key rotation disabled", "Medium", "kms_key_rotation_missing"),
        ("T3", 1, "Environment suffix absent", "High", "missing_environment_suffix"),
    ])
    findings = findings_frame([
        ("T1", "model", "wildcard_iam_permissions", "aws_iam_policy.app", 40, "Action \"*\" on Resource \"*\""),
        ("T1", "ideal", "wildcard_iam_permissions", "aws_iam_policy.app", 12, "ideal side message"),
        ("T1", "model", "missing_environment_suffix", "aws_s3_bucket.logs", 7, "name lacks suffix"),
    ])
    return labels, items, findings


def test_agreement_rows(frames):
    labels, items, _ = frames
    ag = agreement_frame(labels, items)
    got = {(r.task_id, r.category): (r.reported, r.detected, r.report_severity, r.detector_status, r.detector_severity,
                                     r.report_items)
           for r in ag.itertuples()}
    assert got == {
        ("T1", "incomplete_tagging"): (False, False, None, "absent", None, 0),
        ("T1", "missing_environment_suffix"): (True, True, "High", "fixed", "High", 2),  # most severe of Medium, High
        ("T1", "wildcard_iam_permissions"): (False, True, None, "persisting", "Critical", 0),
        ("T2", "kms_key_rotation_missing"): (True, False, "Medium", None, None, 1),  # no label row at all
        ("T2", "missing_environment_suffix"): (True, False, "Low", "absent", None, 1),
        ("T2", "wildcard_iam_permissions"): (False, False, None, "introduced", None, 0),
        ("T3", "missing_environment_suffix"): (True, False, "High", "unknown", None, 1),
    }
    assert list(ag[["task_id", "category"]].itertuples(index=False, name=None)) == sorted(got)
    assert "other" not in set(ag["category"])


def test_agreement_summary_counts(frames):
    labels, items, _ = frames
    summary = agreement_summary(agreement_frame(labels, items))
    suffix = summary.loc["missing_environment_suffix"]
    assert (suffix.reported_tasks, suffix.detected_tasks, suffix.both, suffix.report_only, suffix.detector_only,
            suffix.report_unknown) == (3, 1, 1, 2, 0, 1)
    assert suffix.recall == pytest.approx(1 / 3)
    assert suffix.precision == pytest.approx(1.0)
    # Severities High (T1), Low (T2), High (T3): High is most common.
    assert suffix.report_severity == "High"
    assert suffix.detector_severity == "High"
    wild = summary.loc["wildcard_iam_permissions"]
    assert (wild.reported_tasks, wild.detected_tasks, wild.both, wild.detector_only) == (0, 1, 0, 1)
    assert math.isnan(wild.recall) and wild.precision == 0.0
    assert wild.report_severity is None
    # Reference categories come first, in reference order.
    assert list(summary.index)[:3] == ["wildcard_iam_permissions", "missing_environment_suffix", "incomplete_tagging"]


def test_summary_severity_tie_goes_to_more_severe():
    ag = agreement_frame(
        labels_frame([]),
        items_frame([("A", 1, "x", "Low", "incomplete_tagging"), ("B", 1, "y", "High", "incomplete_tagging")]),
    )
    assert agreement_summary(ag).loc["incomplete_tagging", "report_severity"] == "High"


def test_disagreements_side_by_side(frames):
    labels, items, findings = frames
    ag = agreement_frame(labels, items)
    dis = disagreements(ag, items, findings)
    rows = {(r.task_id, r.category): r for r in dis.itertuples()}
    assert set(rows) == {
        ("T1", "wildcard_iam_permissions"),
        ("T2", "kms_key_rotation_missing"),
        ("T2", "missing_environment_suffix"),
        ("T3", "missing_environment_suffix"),
    }
    det = rows[("T1", "wildcard_iam_permissions")]
    assert det.kind == "detector_only"
    assert det.report_titles is None
    # Only MODEL-side evidence: the IDEAL message is not what the report should have named.
    assert det.detector_evidence == 'aws_iam_policy.app: Action "*" on Resource "*"'
    rep = rows[("T2", "missing_environment_suffix")]
    assert rep.kind == "report_only"
    assert rep.report_titles == "Names collide between deployments"
    assert rep.detector_evidence is None
    assert rows[("T3", "missing_environment_suffix")].detector_status == "unknown"
    # Agreeing rows are not listed.
    assert ("T1", "missing_environment_suffix") not in rows


def test_disagreements_join_several_titles():
    labels = labels_frame([("T", "missing_environment_suffix", "High", "absent", 0, 0)])
    items = items_frame([
        ("T", 2, "Second title", "High", "missing_environment_suffix"),
        ("T", 1, "First title", "High", "missing_environment_suffix"),
    ])
    dis = disagreements(agreement_frame(labels, items), items, findings_frame([]))
    assert dis.loc[0, "report_titles"] == "First title | Second title"


def test_empty_inputs():
    ag = agreement_frame(labels_frame([]), items_frame([]))
    assert ag.empty
    assert agreement_summary(ag).empty
    assert disagreements(ag, items_frame([]), findings_frame([])).empty
