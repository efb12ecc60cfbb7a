"""Labeling at scale: streamed outputs, row groups, lazy reading, bounded submission, Dask failures, resume."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import drdata.labeling.batch as batch
import drdata.labeling.engines as engines
import drdata.labeling.store as store
from drdata.labeling.batch import label, label_corpus
from drdata.labeling.store import TABLES, LabelRun, write_outputs
from drdata.labeling.task import TaskRef, discover
from tests.factory import make_task

REPORT = """# Model failures

## 1. The bucket is not encrypted

**Severity:** Critical

The S3 bucket has no server-side encryption configuration.

## 2. No versioning

**Severity:** High

Versioning is not enabled on the bucket.
"""


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    for i in range(7):
        # Reports on some tasks only: row groups with and without report items.
        make_task(root, f"T{i:03d}", report=REPORT if i in (1, 4, 5) else None)
    make_task(root, "T900", model="")  # one-sided
    make_task(root, "T902", model="", ideal="Nothing here either.")  # error row
    return root


@pytest.fixture
def small_groups(monkeypatch):
    """Row groups of 3 tasks and parse chunks of 2, so a small corpus crosses every boundary."""
    monkeypatch.setattr(store, "ROW_GROUP_TASKS", 3)
    monkeypatch.setattr(store, "PARSE_CHUNK_TASKS", 2)


def _files(outdir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(outdir.iterdir()) if p.suffix in (".parquet", ".json")}


def test_streamed_files_are_the_bytes_of_write_outputs_and_hold_one_row_group_per_group(corpus, tmp_path,
                                                                                       small_groups):
    run, written = label(corpus, tmp_path / "streamed", jobs=1, cache=False)
    assert [p.name for p in written] == [f"{n}.parquet" for n in TABLES] + ["run.json"]
    write_outputs(label_corpus(corpus, jobs=1, cache=False), tmp_path / "frames")
    assert _files(tmp_path / "streamed") == _files(tmp_path / "frames")
    # 9 tasks in groups of 3: three row groups in the tables every task has rows in.
    for name in ("tasks", "labels"):
        assert pq.ParquetFile(tmp_path / "streamed" / f"{name}.parquet").metadata.num_row_groups == 3
    # Sorted by the keys of store._frames across the boundaries.
    labels = pd.read_parquet(tmp_path / "streamed" / "labels.parquet")
    assert list(labels[["task_id", "category"]].itertuples(index=False)) == sorted(
        labels[["task_id", "category"]].itertuples(index=False))


def _values(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


def test_streamed_tables_equal_the_tables_assembled_in_memory(corpus, tmp_path, small_groups):
    from drdata.labeling.journal import Journal
    from drdata.labeling.store import assemble

    label(corpus, tmp_path / "out", jobs=1, cache=False)
    jnl = Journal(tmp_path / "out" / "journal.jsonl", {"taxonomy": "full", "backend": "treesitter", "timeout": 10.0})
    with jnl.reader() as read:
        results = [read(k) for k in jnl.load()]
    whole = assemble(results)  # everything at once, as before streaming
    run = LabelRun.open(tmp_path / "out")
    for name in TABLES:
        expected, got = _values(getattr(whole, name)), _values(getattr(run, name))
        # Same rows and values; a column with no value at all in a run is typed now (str), not left as None.
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_column_type=False)
    assert run.summary() == whole.summary()


def test_jobs_resume_and_engines_give_the_same_files_across_row_groups(corpus, tmp_path, small_groups):
    label(corpus, tmp_path / "serial", jobs=1, cache=False)
    label(corpus, tmp_path / "parallel", jobs=2, cache=False, window=2)
    seen = []

    def stop_after_four(result):
        seen.append(result)
        if len(seen) == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        label(corpus, tmp_path / "resumed", jobs=2, cache=False, on_result=stop_after_four)
    assert not (tmp_path / "resumed" / "tasks.parquet").exists()  # nothing published by an interrupted run
    label(corpus, tmp_path / "resumed", jobs=2, cache=False, resume=True)
    label(corpus, tmp_path / "dask", jobs=2, cache=False, engine="dask", window=3)
    reference = _files(tmp_path / "serial")
    for other in ("parallel", "resumed", "dask"):
        assert _files(tmp_path / other) == reference, other


def test_a_folder_backed_run_reads_nothing_until_used(corpus, tmp_path):
    run, _ = label(corpus, tmp_path / "out", jobs=1, cache=False)
    assert run._loaded == set()
    assert run.summary()["tasks"] == 9 and run.errors == 1
    assert run._loaded == set()  # the summary was counted while writing
    opened = LabelRun.open(tmp_path / "out")
    assert opened.summary() == run.summary()  # counted from the files, a row group at a time
    assert opened._loaded == set()
    assert len(opened.labels) > 0 and opened._loaded == {"labels"}
    in_memory = label_corpus(corpus, jobs=1, cache=False)
    assert in_memory.folder is None and in_memory.summary() == run.summary()
    pd.testing.assert_frame_equal(opened.tasks, in_memory.tasks)
    pd.testing.assert_frame_equal(opened.agreement, in_memory.agreement)


def test_the_old_single_table_writer_gives_the_same_bytes_for_a_run_of_one_row_group(corpus, tmp_path):
    from drdata.io import write_parquet

    run = label_corpus(corpus, jobs=1, cache=False)
    write_outputs(run, tmp_path / "out")
    for name in TABLES:
        # Every column of this corpus has a value somewhere, so inferring the schema finds the declared one.
        if name in ("tasks", "labels", "report_items"):
            write_parquet(getattr(run, name), tmp_path / f"old-{name}.parquet")
            assert (tmp_path / f"old-{name}.parquet").read_bytes() == (tmp_path / "out" / f"{name}.parquet").read_bytes()


def test_task_folders_are_found_up_front_and_read_by_the_workers(corpus, tmp_path, monkeypatch):
    import drdata.corpus

    refs = discover(corpus)
    assert all(isinstance(r, TaskRef) for r in refs) and len(refs) == 9
    assert {r.id for r in refs if r.size > 0} == {r.id for r in refs}
    readers = tmp_path / "readers"
    readers.mkdir()
    real = drdata.corpus.read_task

    def recording_read(path, platform=None, **kw):
        (readers / f"{os.getpid()}-{Path(path).name}").touch()
        return real(path, platform, **kw)

    monkeypatch.setattr(drdata.corpus, "read_task", recording_read)  # forked workers inherit it
    label(corpus, tmp_path / "out", jobs=2, cache=False)
    pids = {p.name.split("-")[0] for p in readers.iterdir()}
    assert len(list(readers.iterdir())) == 9
    assert str(os.getpid()) not in pids  # the client never read a task


def test_local_submission_is_bounded_by_the_window(corpus, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor

    submitted = []

    class CountingPool(ProcessPoolExecutor):
        def submit(self, *a, **kw):
            submitted.append(1)
            return super().submit(*a, **kw)

    monkeypatch.setattr(engines, "ProcessPoolExecutor", CountingPool)
    in_flight = []
    results = engines.LocalProcesses(jobs=2, window=2).run(discover(corpus), {"cache": False})
    for n, _ in enumerate(results, start=1):
        in_flight.append(len(submitted) - (n - 1))  # submitted before this result, minus those already taken
    assert len(submitted) == 9
    assert max(in_flight) <= 2


@pytest.mark.parametrize("ship", ["paths", "texts"])
def test_dask_ships_paths_or_texts_with_the_same_files(corpus, tmp_path, ship, monkeypatch):
    from dask.distributed import LocalCluster

    label(corpus, tmp_path / "local", jobs=1, cache=False)
    shipped = []
    real = batch.make_engine

    def spy(*a, **kw):
        engine = real(*a, **kw)
        engine.on_ship = shipped.append
        return engine

    monkeypatch.setattr(batch, "make_engine", spy)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        label(corpus, tmp_path / ship, cache=False, scheduler=cluster.scheduler_address, ship=ship, window=2)
    assert shipped == [ship]
    assert _files(tmp_path / ship) == _files(tmp_path / "local")


def test_a_dask_worker_lost_mid_run_loses_nothing(tmp_path):
    import signal

    from dask.distributed import Client, LocalCluster

    root = tmp_path / "c"
    big = "```hcl\n" + "".join(f'resource "aws_sqs_queue" "q{i}" {{\n  name = "q{i}"\n}}\n'
                               for i in range(300)) + "```\n"
    for i in range(16):
        make_task(root, f"T{i:03d}", model=big, ideal=big)
    label(root, tmp_path / "local", jobs=2, cache=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:  # closed before the run opens its own
            pids = list(client.run(os.getpid).values())
        killed = []

        def kill_one_worker(result):
            if not killed:
                os.kill(pids[0], signal.SIGKILL)  # its nanny starts a new one; its tasks are rescheduled
                killed.append(result.task_id)

        label(root, tmp_path / "dask", cache=False, scheduler=cluster.scheduler_address, window=4,
              on_result=kill_one_worker)
    assert killed
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")
