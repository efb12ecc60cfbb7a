"""Batch labeling of a whole corpus: one row per task, never an aborted run, in bounded memory.

:func:`label` schedules the per-task unit (:mod:`drdata.labeling.task`) on an engine
(:mod:`drdata.labeling.engines`: in process, local processes, Dask), appends each result to the journal
(:mod:`drdata.labeling.journal`) as it finishes, and writes the sorted tables of the run from the journal
(:mod:`drdata.labeling.store`), so the same inputs give byte-identical files whatever order results came in.
:func:`label_corpus` does the same into a temporary folder and returns the tables in memory.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from drdata.labeling.engines import ENGINES, SHIP_MODES, Dask, LocalProcesses, make_engine
from drdata.labeling.journal import Journal
from drdata.labeling.result import TaskResult
from drdata.labeling.store import LabelRun, write_results
from drdata.labeling.task import DEFAULT_TASK_TIMEOUT, TaskRef, discover

__all__ = ["ENGINES", "SHIP_MODES", "iter_label", "label", "label_corpus"]


def iter_label(tasks: list, *, jobs: int | None = None, **kw) -> Iterator[str]:
    """Yield per-task results as they finish, on local cores (order not guaranteed), as JSON text."""
    for finished in LocalProcesses(jobs=jobs).run(tasks, kw):
        yield finished.text


def label(source, outdir: str | Path, *, taxonomy: str = "full", jobs: int | None = None, cache: bool = True,
          backend: str = "treesitter", timeout: float | None = DEFAULT_TASK_TIMEOUT, progress: bool | None = None,
          journal: str | Path | None = None, resume: bool = False, engine: str = "local",
          scheduler: str | None = None, ship: str = "auto", window: int | None = None,
          on_result: Callable[[TaskResult], None] | None = None,
          terraform_validate: bool = False) -> tuple[LabelRun, list[Path]]:
    """``drdata label``: label a corpus (a path, or a list of tasks) and write its tables to ``outdir``.

    Memory does not grow with the corpus: task folders are found up front and read when scheduled, at most
    ``window`` tasks are in flight, each finished task goes to the journal (``outdir/journal.jsonl`` unless
    ``journal`` says otherwise) as it arrives, and the parquet files are written from the journal in task_id
    order, a row group of ROW_GROUP_TASKS tasks at a time. With ``resume`` the tasks already in the journal are
    not labelled again. ``engine="dask"`` runs the same per-task function on a Dask cluster at ``scheduler``
    (or a LocalCluster); ``ship`` says whether its workers get task folders (``paths``) or texts (``texts``;
    ``auto``: paths when the workers see the corpus). ``terraform_validate`` adds terraform's verdicts as the
    opt-in ``terraform_validate`` category (:mod:`drdata.labeling.terraform`), a writer chunk at a time. Returns a
    folder-backed :class:`LabelRun` (tables read when used, the summary already counted) and the files written.
    """
    from drdata.hcl.parse import BACKENDS
    from drdata.taxonomy import categories

    categories(taxonomy)  # fail early on an unknown taxonomy
    if backend not in BACKENDS:  # else every task would become an "internal error" row
        raise ValueError(f"unknown parser backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    runner = make_engine(engine, jobs=jobs, window=window, scheduler=scheduler, ship=ship)
    if terraform_validate:  # say so before any work, not after the detectors ran
        from drdata.terraform.tool import find_toolchain

        find_toolchain()
    outdir = Path(outdir)
    items = discover(source)
    kw = dict(taxonomy=taxonomy, backend=backend, cache=cache, timeout=timeout)
    header = {"taxonomy": taxonomy, "backend": backend, "timeout": timeout}
    jnl = Journal(Path(journal) if journal else outdir / "journal.jsonl", header)
    done_ids = {tid for tid, _ in jnl.load()} if resume else set()
    todo = [t for t in items if t.id not in done_ids]
    jnl.start(resume)
    bar = _progress(len(items), progress)
    if bar is not None and len(items) > len(todo):
        bar.update(len(items) - len(todo))
    if not todo:  # nothing to label: no cluster to start
        runner = LocalProcesses(jobs=jobs, window=window)
    try:
        for task_id, platform, text in runner.run(todo, kw):
            jnl.append(task_id, platform, text)
            if on_result is not None:
                on_result(TaskResult.from_json(text))
            if bar is not None:
                bar.update(1)
    except (KeyboardInterrupt, GeneratorExit):
        raise
    except Exception as exc:
        if not isinstance(runner, Dask):
            raise
        raise RuntimeError(f"the Dask run stopped ({type(exc).__name__}: {exc}); the {len(jnl.index)} finished "
                           f"tasks are in {jnl.path}: run again with --resume to label the rest") from exc
    finally:
        if bar is not None:
            bar.close()
        jnl.close()
    wanted = {t.id for t in items}
    keys = sorted(k for k in jnl.index if k[0] in wanted)
    meta = {"corpus": str(Path(source).resolve()) if isinstance(source, (str, Path)) else None,
            "taxonomy": taxonomy, "backend": backend, "tasks": len(items)}
    transform = None
    if terraform_validate:
        meta["terraform_validate"] = True
        transform = _terraform_transform(items, jobs=jobs, cache=cache, backend=backend)
    with jnl.reader() as read:
        run = write_results(keys, read, outdir, meta, transform)
    return run, run.files


def label_corpus(source, *, taxonomy: str = "full", jobs: int | None = None, cache: bool = True,
                 backend: str = "treesitter", timeout: float | None = DEFAULT_TASK_TIMEOUT,
                 progress: bool | None = None, journal: str | Path | None = None, resume: bool = False,
                 engine: str = "local", scheduler: str | None = None, ship: str = "auto",
                 on_result: Callable[[TaskResult], None] | None = None, terraform_validate: bool = False
                 ) -> LabelRun:
    """Label every task of a corpus (a path, or a list of tasks) and return the tables as DataFrames.

    For in-memory use (notebooks, tests, a few thousand tasks): the tables are written to a temporary folder
    by :func:`label` and read back, so they are exactly what ``drdata label`` writes. A corpus too large to hold
    as DataFrames is labelled with :func:`label` to a folder, and :meth:`LabelRun.open` reads it lazily.
    ``journal``: a JSONL file that receives each finished task; with ``resume`` the tasks already in it are not
    labelled again.
    """
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="drdata-label-"))
    try:
        run, _ = label(source, tmp / "out", taxonomy=taxonomy, jobs=jobs, cache=cache, backend=backend,
                       timeout=timeout, progress=progress, journal=journal or tmp / "journal.jsonl",
                       resume=resume, engine=engine, scheduler=scheduler, ship=ship, on_result=on_result,
                       terraform_validate=terraform_validate)
        return run.detach()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _terraform_transform(items: list, *, jobs: int | None, cache: bool, backend: str):
    """A writer-chunk transform adding terraform's verdicts to the results (tasks read when their chunk comes)."""
    from drdata.labeling.terraform import add_terraform_validation

    by_id = {t.id: t for t in items}

    def transform(chunk: list[TaskResult]) -> None:
        tasks = []
        for r in chunk:
            item = by_id.get(r.task_id)
            if item is not None:
                tasks.append(item.read() if isinstance(item, TaskRef) else item)
        add_terraform_validation(chunk, tasks, jobs=jobs, cache=cache, backend=backend)

    return transform


def _progress(total: int, progress: bool | None):
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="task", desc="labeling", file=sys.stderr)
