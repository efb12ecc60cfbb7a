"""The whole shared corpus through the batch labeler: every task a row, no crash."""

import pytest

pytestmark = pytest.mark.corpus

KNOWN_ERRORS = ("is missing or unreadable", "is empty", "no Terraform code found", "could be parsed",
                "timed out after")


def test_every_task_of_the_shared_corpus_comes_out_as_a_row(shared_corpus, shared_run):
    folders = sorted(p.name for p in (shared_corpus / "archive" / "tf-hcl").iterdir() if p.is_dir())
    assert list(shared_run.tasks["task_id"]) == folders


def test_no_task_crashes_and_every_error_has_a_known_reason(shared_run):
    errors = shared_run.tasks[shared_run.tasks.status == "error"]
    assert not errors.error.str.contains("internal error").any(), errors[["task_id", "error"]].to_string()
    assert errors.error.map(lambda e: any(k in e for k in KNOWN_ERRORS)).all(), errors.error.tolist()
    assert len(errors) / len(shared_run.tasks) < 0.1
    assert (shared_run.tasks.faults.fillna(0) == 0).all(), "a detector raised on some task"


def test_ok_tasks_have_a_label_for_every_category(shared_run):
    from drdata.taxonomy import category_ids

    ok = set(shared_run.tasks.task_id[shared_run.tasks.status == "ok"])
    per_task = shared_run.labels.groupby("task_id").category.nunique()
    assert set(per_task.index) == ok
    assert (per_task == len(category_ids("full"))).all()


def test_the_reference_task_is_labelled_with_evidence(shared_run):
    f = shared_run.findings
    pr = f[(f.task_id == "Pr4579") & (f.side == "model")]
    assert len(pr) > 20
    assert pr.line.notna().all() and (pr.evidence.str.len() > 0).any()
