"""Batch labeling: one row per task, resume, timeouts, Dask, exit codes, determinism."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from drdata.cli.main import cli
from drdata.labeling.batch import label_corpus
from drdata.labeling.store import write_outputs
from tests.factory import BUCKET_MODEL, make_corpus, make_task

FILES = ("tasks.parquet", "labels.parquet", "findings.parquet")


def _bytes(outdir: Path) -> dict[str, bytes]:
    return {name: (outdir / name).read_bytes() for name in FILES}


@pytest.fixture
def corpus(tmp_path):
    root = make_corpus(tmp_path / "corpus", 5)
    make_task(root, "T900", model="")  # empty MODEL: labeled one-sided (IDEAL findings, unknown labels)
    make_task(root, "T901", model="Sorry, I cannot help with that.")  # no Terraform in the MODEL: the same
    make_task(root, "T902", model="", ideal="Nothing here either.")  # nothing on either side -> error row
    return root


def test_every_task_is_a_row_labelled_or_an_error_with_its_reason(corpus):
    run = label_corpus(corpus, jobs=1, cache=False)
    rows = run.tasks.set_index("task_id")
    assert list(rows.index) == ["T000", "T001", "T002", "T003", "T004", "T900", "T901", "T902"]
    assert rows.loc["T900", "status"] == "ok" and rows.loc["T900", "pair_note"] == "MODEL_RESPONSE.md is empty"
    assert rows.loc["T901", "status"] == "ok" and "no Terraform code found" in rows.loc["T901", "pair_note"]
    assert (rows.loc[["T900", "T901"], "pair_state"] == "model_unusable").all()
    assert rows.loc["T902", "status"] == "error"
    assert rows.loc["T902", "error"] == ("MODEL_RESPONSE.md is empty; no Terraform code found in IDEAL_RESPONSE.md")
    assert (rows.loc["T000":"T004", "status"] == "ok").all()
    assert (rows.loc["T000":"T004", "pair_state"] == "paired").all()
    one_sided = run.labels[run.labels.task_id == "T900"]
    assert set(one_sided["status"]) == {"unknown"} and set(one_sided["reason"]) == {"model_no_terraform"}
    assert len(run.findings[(run.findings.task_id == "T900") & (run.findings.side == "ideal")]) > 0
    assert rows.loc["T000", "model_resources"] == 2 and rows.loc["T000", "ideal_resources"] == 6
    labels = run.labels[run.labels.task_id == "T000"].set_index("category")["status"]
    assert labels["s3_bucket_security_missing"] == "fixed"
    assert labels["kms_key_alias_missing"] == "fixed"


def test_an_in_process_run_leaves_the_garbage_collector_as_it_was(corpus):
    import gc

    assert gc.get_freeze_count() == 0
    during = []
    run = label_corpus(corpus, jobs=1, cache=False, on_result=lambda _: during.append(gc.get_freeze_count()))
    assert len(run.tasks) == 8 and len(during) == 8
    assert min(during) > 0  # long-lived objects frozen while tasks run (see engines._frozen_gc) ...
    assert gc.get_freeze_count() == 0  # ... and thawed afterwards


def test_parallel_and_serial_runs_write_identical_files(corpus, tmp_path):
    write_outputs(label_corpus(corpus, jobs=1, cache=False), tmp_path / "serial")
    write_outputs(label_corpus(corpus, jobs=2, cache=False), tmp_path / "parallel")
    assert _bytes(tmp_path / "serial") == _bytes(tmp_path / "parallel")
    assert (tmp_path / "serial" / "run.json").read_bytes() == (tmp_path / "parallel" / "run.json").read_bytes()


def test_resume_after_an_interruption_gives_the_same_files(corpus, tmp_path):
    write_outputs(label_corpus(corpus, jobs=1, cache=False), tmp_path / "whole")

    journal = tmp_path / "resumed" / "journal.jsonl"
    seen = []

    def interrupt_after_three(result):
        seen.append(result.task_id)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        label_corpus(corpus, jobs=1, cache=False, journal=journal, on_result=interrupt_after_three)
    lines = journal.read_text().splitlines()
    assert len(lines) == 1 + 3  # header + the three finished tasks
    with journal.open("a") as fh:
        fh.write('{"task": {"task_id": "T00')  # killed mid-write: a cut line must not break the resume

    labelled = []
    run = label_corpus(corpus, jobs=1, cache=False, journal=journal, resume=True,
                       on_result=lambda r: labelled.append(r.task_id))
    assert sorted(labelled) == sorted(set(run.tasks.task_id) - set(seen))  # finished tasks are not redone
    write_outputs(run, tmp_path / "resumed")
    assert _bytes(tmp_path / "whole") == _bytes(tmp_path / "resumed")


def test_resume_with_other_options_is_refused(corpus, tmp_path):
    journal = tmp_path / "j.jsonl"
    label_corpus(corpus, jobs=1, cache=False, journal=journal, taxonomy="reference")
    with pytest.raises(ValueError, match="other options"):
        label_corpus(corpus, jobs=1, cache=False, journal=journal, resume=True, taxonomy="full")


def test_a_task_over_the_time_limit_becomes_an_error_row(tmp_path):
    root = tmp_path / "c"
    make_task(root, "A_small")
    huge = "```hcl\n" + "".join(
        f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "bucket-{i}"\n  tags = {{ Name = "b{i}" }}\n}}\n'
        for i in range(4000)) + "```\n"
    make_task(root, "B_huge", model=huge, ideal=huge)
    run = label_corpus(root, jobs=1, cache=False, timeout=0.2)
    rows = run.tasks.set_index("task_id")
    assert rows.loc["A_small", "status"] == "ok"
    assert rows.loc["B_huge", "status"] == "error"
    assert rows.loc["B_huge", "error"] == "timed out after 0.2 s"


def test_the_dask_engine_gives_the_same_files_as_the_local_run(corpus, tmp_path):
    write_outputs(label_corpus(corpus, jobs=2, cache=False), tmp_path / "local")
    write_outputs(label_corpus(corpus, jobs=2, cache=False, engine="dask"), tmp_path / "dask")
    assert _bytes(tmp_path / "local") == _bytes(tmp_path / "dask")


# -- the command ------------------------------------------------------------------------

def _invoke(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_exit_0_and_a_json_summary_when_every_task_is_ok(tmp_path):
    root = make_corpus(tmp_path / "c", 2)
    res = _invoke("label", root, "-o", tmp_path / "out", "--jobs", "1")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["tasks"] == 2 and summary["ok"] == 2 and summary["errors"] == 0
    assert summary["fixed"]["High"] >= 2  # the bucket controls of both tasks
    for name in FILES:
        assert (tmp_path / "out" / name).is_file()


def test_exit_3_when_some_tasks_are_error_rows(corpus, tmp_path):
    res = _invoke("label", corpus, "-o", tmp_path / "out", "--jobs", "1")
    assert res.exit_code == 3, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["errors"] == 1
    # The two one-sided tasks leave every label unknown, and the summary says why.
    n_categories = len(__import__("drdata").categories("full"))
    assert summary["unknown_reasons"]["model_no_terraform"] == 2 * n_categories
    assert summary["pair_states"] == {"model_unusable": 2, "paired": 5}


def test_fail_on_exits_1_when_a_fixed_failure_reaches_the_severity(tmp_path):
    root = make_corpus(tmp_path / "c", 1)
    assert _invoke("label", root, "-o", tmp_path / "a", "-j", "1", "--fail-on", "high").exit_code == 1
    # The same answer on both sides: nothing is fixed, so even --fail-on critical passes.
    make_task(tmp_path / "d", "T1", model=BUCKET_MODEL, ideal=BUCKET_MODEL)
    assert _invoke("label", tmp_path / "d", "-o", tmp_path / "b", "-j", "1", "--fail-on", "critical").exit_code == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["label", "/no/such/folder", "-o", "OUT"], "/no/such/folder"),
        (["label", "CORPUS", "-o", "OUT", "--taxonomy", "nope"], "nope"),
        (["label", "CORPUS", "-o", "OUT", "--jobs", "0"], "--jobs"),
    ],
)
def test_usage_errors_exit_2_with_a_message_and_no_traceback(tmp_path, args, message):
    root = make_corpus(tmp_path / "c", 1)
    args = [str(root) if a == "CORPUS" else str(tmp_path / "out") if a == "OUT" else a for a in args]
    res = _invoke(*args)
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output


def test_ctrl_c_exits_130_and_leaves_a_journal_to_resume_from(tmp_path):
    root = tmp_path / "c"
    big = "```hcl\n" + "".join(f'resource "aws_sqs_queue" "q{i}" {{\n  name = "q{i}"\n}}\n'
                               for i in range(1500)) + "```\n"
    for i in range(40):
        make_task(root, f"T{i:03d}", model=big, ideal=big)
    out = tmp_path / "out"
    env = {**os.environ, "DRDATA_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "drdata.cli.main", "label", str(root), "-o", str(out), "-j", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    journal = out / "journal.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and (not journal.exists() or len(journal.read_text().splitlines()) < 3):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    done = len(journal.read_text().splitlines()) - 1
    assert 2 <= done < 40
    res = subprocess.run([sys.executable, "-m", "drdata.cli.main", "label", str(root), "-o", str(out), "-j", "1",
                          "--resume"], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1])["tasks"] == 40
