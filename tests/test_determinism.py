"""`drdata label` on the embedded corpus writes byte-identical files across runs, --jobs values and cache
states."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from drdata.cli.main import cli
from tests.conftest import DEMO_CORPUS

# Everything `label` writes except the journal, whose lines come in the order tasks finish.
OUTPUTS = ("tasks.parquet", "labels.parquet", "findings.parquet", "diff.parquet", "report_items.parquet",
           "agreement.parquet", "run.json")


def _label(outdir, *args) -> dict[str, bytes]:
    res = CliRunner().invoke(cli, ["label", str(DEMO_CORPUS), "-o", str(outdir), *args])
    assert res.exit_code in (0, 3), res.output  # 3: the demo corpus holds tasks meant to be error rows
    written = {p.name for p in outdir.iterdir()} - {"journal.jsonl"}
    assert written == set(OUTPUTS)
    return {name: (outdir / name).read_bytes() for name in OUTPUTS}


def test_label_outputs_are_byte_identical_across_runs_jobs_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DRDATA_CACHE_DIR", str(tmp_path / "cache"))  # a cold cache of this test's own
    serial = _label(tmp_path / "serial", "--jobs", "1", "--no-cache")
    parallel_cold = _label(tmp_path / "parallel-cold", "--jobs", "2")  # fills the cache
    parallel_warm = _label(tmp_path / "parallel-warm", "--jobs", "2")  # reads it
    serial_warm = _label(tmp_path / "serial-warm", "--jobs", "1")
    for other in (parallel_cold, parallel_warm, serial_warm):
        assert other == serial

    # Identical, and not identically empty: every demo task is a row, with labels and findings.
    tasks = pd.read_parquet(tmp_path / "serial" / "tasks.parquet")
    assert sorted(tasks.task_id) == sorted(p.name for p in (DEMO_CORPUS / "archive" / "tf-hcl").iterdir())
    assert len(pd.read_parquet(tmp_path / "serial" / "findings.parquet")) > 0
    meta = json.loads(serial["run.json"])
    assert meta["tasks"] == len(tasks) and meta["taxonomy"] == "full"
