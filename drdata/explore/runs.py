"""One label run per corpus, shared by every notebook.

:func:`label_run` labels a corpus once and keeps the ``drdata label`` tables in a folder keyed by the corpus
(its resolved path and a fingerprint of its files), the drdata version and a hash of drdata's code, and the
taxonomy. The first notebook that asks writes the folder, with a progress bar; the others read it in a second.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS_DIR_ENV = "DRDATA_LABEL_RUNS"  # where keyed label runs live (default: <drdata cache dir>/label-runs)

_CURRENT: dict[str, object] = {}  # the corpus and run of the last label_run call in this process


def runs_dir() -> Path:
    env = os.environ.get(RUNS_DIR_ENV)
    if env:
        return Path(env)
    from drdata.hcl.cache import cache_dir

    return cache_dir() / "label-runs"


def corpus_fingerprint(corpus: str | Path) -> str:
    """Hash of the names, sizes and modification times of the corpus files: changes when a file does."""
    root = Path(corpus).resolve()
    h = hashlib.sha256(str(root).encode())
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            try:
                st = p.stat()
            except OSError:
                continue
            h.update(f"{p.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def run_key(corpus: str | Path, taxonomy: str = "full") -> str:
    """Folder name of a corpus's label run: ``<corpus name>-<corpus hash>-drdata<version>-<code hash>-<taxonomy>``."""
    from drdata import __version__
    from drdata.labeling.cache import code_fingerprint

    name = Path(corpus).resolve().name or "corpus"
    return f"{name}-{corpus_fingerprint(corpus)[:10]}-drdata{__version__}-{code_fingerprint()[:8]}-{taxonomy}"


def default_labels_dir(corpus: str | Path, taxonomy: str = "full") -> Path:
    return runs_dir() / run_key(corpus, taxonomy)


def _complete(folder: Path) -> bool:
    # run.json is written last: a folder without it is an interrupted write.
    return (folder / "run.json").is_file() and (folder / "tasks.parquet").is_file()


def label_run(corpus: str | Path, labels: str | Path | None = None, *, taxonomy: str = "full",
              progress: bool = True, jobs: int | None = None, quiet: bool = False):
    """The :class:`~drdata.labeling.store.LabelRun` of ``corpus``, labeled at most once.

    ``labels``: a ``drdata label`` output folder to read (or to write when it holds none); default: the
    shared folder of this corpus, drdata version and taxonomy (:func:`default_labels_dir`). Prints one line
    saying where the labels come from. The run's ``meta["labels_dir"]`` is the folder.
    """
    from drdata.labeling.store import LabelRun

    corpus = Path(corpus)
    folder = Path(labels) if labels else default_labels_dir(corpus, taxonomy)
    if _complete(folder):
        run = LabelRun.open(folder)  # each table is read when first used (the export needs none of them)
        if not quiet:
            print(f"labels: read {len(run.tasks)} tasks from {folder}")
    else:
        from drdata.corpus import load_corpus

        total = len(load_corpus(corpus))
        if not quiet:
            print(f"labels: labeling {total} tasks once into {folder}; the other notebooks read them")
        _label_in_subprocess(corpus, folder, taxonomy, jobs, total, progress)
        return label_run(corpus, folder, taxonomy=taxonomy, quiet=True)
    run.meta = {**run.meta, "labels_dir": str(folder)}
    _CURRENT.update(corpus=corpus, run=run, taxonomy=taxonomy)
    return run


def _label_in_subprocess(corpus: Path, folder: Path, taxonomy: str, jobs: int | None, total: int,
                         progress: bool) -> None:
    """``drdata label`` in a child process, with a progress bar fed by its journal.

    A kernel must not fork its labeling workers itself: forked copies of a Jupyter kernel inherit its ZeroMQ
    sockets and threads, which now and then leaves the notebook waiting for a reply that never comes. A fresh
    process also keeps the labeling's memory out of the kernel. The output goes to ``<folder>.partial`` first
    (resumed if an earlier run was interrupted) and is renamed when complete.
    """
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    journal = partial / "journal.jsonl"
    cmd = [sys.executable, "-m", "drdata.cli.main", "label", str(corpus.resolve()), "-o", str(partial),
           "--taxonomy", taxonomy, "--no-progress"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if journal.is_file():
        cmd.append("--resume")
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="task", desc="labeling")
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
        try:
            while proc.poll() is None:
                time.sleep(0.5)
                if bar is not None:
                    bar.update(max(0, min(total, _lines(journal) - 1)) - bar.n)
        except BaseException:
            proc.terminate()
            proc.wait()
            raise
        finally:
            if bar is not None:
                if proc.returncode in (0, 3):
                    bar.update(total - bar.n)
                bar.close()
        if proc.returncode not in (0, 3):  # 3: some tasks ended as error rows, which are written too
            err.seek(0)
            raise RuntimeError(f"drdata label exited {proc.returncode}: {err.read()[-3000:]}")
    if folder.exists():
        shutil.rmtree(folder)
    partial.rename(folder)


def export_run(labels: str | Path, out: str | Path, *, corpus: str | Path | None = None,
               configs: list[str] | None = None) -> dict:
    """``drdata export`` of a label run in a child process; returns its summary (rows per config and split,
    dropped rows, lengths, files).

    The export holds every row of every config while it builds them (close to 1 GB for the shared corpus): in
    a child process that memory never enters the notebook's kernel, which then reads a few rows back from the
    files. A config that cannot be exported is listed in the summary's ``errors``."""
    import json

    cmd = [sys.executable, "-m", "drdata.cli.main", "export", str(Path(labels).resolve()), "-o",
           str(Path(out).resolve())]
    if corpus is not None:
        cmd += ["--corpus", str(Path(corpus).resolve())]
    for config in configs or ():
        cmd += ["--config", config]
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode not in (0, 3):  # 3: some configs could not be exported; the summary says which
        raise RuntimeError(f"drdata export exited {proc.returncode}: {proc.stderr.strip()[-3000:]}")
    from drdata.export.names import SPLITS

    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    # The CLI prints JSON with sorted keys; splits read better in their own order.
    summary["rows"] = {cfg: {s: splits[s] for s in SPLITS if s in splits} for cfg, splits in summary["rows"].items()}
    return summary


def _lines(path: Path) -> int:
    try:
        with open(path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    except OSError:
        return 0


def notebook_parameters(corpus: str = "../corpora", labels: str | None = None) -> tuple[str, str | None]:
    """``(CORPUS, LABELS)`` of a notebook: ``DRDATA_NOTEBOOK_CORPUS`` (default: the repo's embedded corpus) and
    ``DRDATA_NOTEBOOK_LABELS`` (default None: the label run the notebooks share, see :func:`label_run`)."""
    return (os.environ.get("DRDATA_NOTEBOOK_CORPUS") or corpus, os.environ.get("DRDATA_NOTEBOOK_LABELS") or labels)


def current_corpus() -> Path | None:
    """The corpus of the last :func:`label_run` in this process, else ``DRDATA_NOTEBOOK_CORPUS``."""
    if "corpus" in _CURRENT:
        return Path(_CURRENT["corpus"])
    env = os.environ.get("DRDATA_NOTEBOOK_CORPUS")
    return Path(env) if env else None


def current_run():
    return _CURRENT.get("run")
