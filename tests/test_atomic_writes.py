"""Writes are atomic: an interrupted write leaves the previous file intact and no temporary file behind."""

from __future__ import annotations

import io
import os

import pandas as pd
import pytest

import drdata.io as dio
from drdata.io import atomic_write_bytes, atomic_write_text, write_parquet
from drdata.labeling.batch import label_corpus
from drdata.labeling.store import write_outputs
from tests.factory import make_corpus

OLD = b"previous complete content\n"
NEW = b"x" * 100_000


class HalfWriter(io.FileIO):
    """A file whose write puts half the data on disk, then fails like a full disk."""

    def write(self, data):
        super().write(bytes(data)[: len(data) // 2])
        raise OSError(28, "No space left on device")


def _fail_replace(*args, **kwargs):
    raise KeyboardInterrupt  # Ctrl-C at the worst moment: data written, not yet renamed


def _fail_mid_write(monkeypatch):
    monkeypatch.setattr(dio.os, "fdopen", lambda fd, mode: HalfWriter(fd, "wb"))


@pytest.mark.parametrize(("interrupt", "raised"), [
    (lambda mp: mp.setattr(dio.os, "replace", _fail_replace), KeyboardInterrupt),
    (_fail_mid_write, OSError),
    (lambda mp: mp.setattr(dio.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error"))), OSError),
])
@pytest.mark.parametrize("existing", [True, False])
def test_an_interrupted_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch, interrupt, raised,
                                                                   existing):
    target = tmp_path / "out" / "tasks.parquet"
    if existing:
        target.parent.mkdir()
        target.write_bytes(OLD)
    interrupt(monkeypatch)
    with pytest.raises(raised):
        atomic_write_bytes(target, NEW)
    monkeypatch.undo()
    assert sorted(p.name for p in target.parent.iterdir()) == (["tasks.parquet"] if existing else [])
    if existing:
        assert target.read_bytes() == OLD


def test_a_completed_write_replaces_the_file_with_the_usual_permissions(tmp_path):
    target = tmp_path / "card.md"
    target.write_bytes(OLD)
    assert atomic_write_text(target, "new card\n") == target
    assert target.read_text() == "new card\n"
    assert list(tmp_path.iterdir()) == [target]
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's owner-only 0600


def test_write_parquet_failing_in_the_writer_leaves_nothing(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    target = tmp_path / "labels.parquet"
    write_parquet(pd.DataFrame({"a": [1, 2]}), target)
    before = target.read_bytes()

    def broken(table, where, **kwargs):
        where.write(b"PAR1 half a file")
        raise MemoryError

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(MemoryError):
        write_parquet(pd.DataFrame({"a": [3, 4, 5]}), target)
    monkeypatch.undo()
    assert target.read_bytes() == before
    assert pd.read_parquet(target)["a"].tolist() == [1, 2]
    assert list(tmp_path.iterdir()) == [target]


def test_a_label_run_interrupted_while_writing_keeps_every_file_whole(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path / "c", 2)
    out = tmp_path / "out"
    write_outputs(label_corpus(corpus, jobs=1, cache=False), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    run = label_corpus(make_corpus(tmp_path / "c2", 3), jobs=1, cache=False)
    real_replace = os.replace
    done = []

    def replace_twice_then_interrupt(src, dst):
        if len(done) == 2:
            raise KeyboardInterrupt
        done.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(dio.os, "replace", replace_twice_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(run, out)
    monkeypatch.undo()
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no temp file left
    for path in out.glob("*.parquet"):
        frame = pd.read_parquet(path)  # every parquet is whole: the new one or the old one
        if path.name == "tasks.parquet":
            assert len(frame) == 3  # written before the interruption
    assert (out / "findings.parquet").read_bytes() == before["findings.parquet"]  # interrupted: still the old one
    assert (out / "run.json").read_bytes() == before["run.json"]
