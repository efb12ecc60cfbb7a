"""Batch labeling of a whole corpus: one row per task, never an aborted run.

``label_one`` is the per-task unit of work: it turns one task into plain rows
(tasks / labels / findings) and turns anything that goes wrong into an ``error``
row with its reason. ``label_corpus`` maps it over a corpus on local cores and
assembles sorted DataFrames, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from drdata.labeling.pair import FINDING_COLUMNS, LABEL_COLUMNS, label_configs

TASK_COLUMNS = [
    "task_id", "platform", "status", "error", "model_hcl_blocks", "model_hcl_blocks_parsed", "ideal_hcl_blocks",
    "ideal_hcl_blocks_parsed", "model_resources", "ideal_resources", "truncated_model", "complexity", "subtask",
    "training_quality", "fixed_critical", "fixed_high", "fixed_medium", "fixed_low", "faults", "problems",
    "seconds",
]
DEFAULT_TASK_TIMEOUT = 10.0


class TaskTimeout(Exception):
    pass


@dataclass
class LabelRun:
    tasks: pd.DataFrame
    labels: pd.DataFrame
    findings: pd.DataFrame
    report_items: pd.DataFrame | None = None
    agreement: pd.DataFrame | None = None
    stats: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)  # corpus path, taxonomy, backend: written as run.json

    @property
    def errors(self) -> int:
        return int((self.tasks["status"] == "error").sum()) if len(self.tasks) else 0


def _task_row(task, **extra) -> dict:
    row = dict.fromkeys(TASK_COLUMNS)
    row.update(task_id=task.id, platform=task.platform, complexity=task.complexity, subtask=task.subtask,
               training_quality=task.training_quality, problems="; ".join(task.problems) or None,
               faults=0)
    row.update(extra)
    return row


def _answer_error(name: str, text: str | None, cfg) -> str | None:
    if text is None:
        return f"{name} is missing or unreadable"
    if not text.strip():
        return f"{name} is empty"
    if not cfg.code_blocks:
        return f"no Terraform code found in {name}"
    if cfg.empty:
        reason = cfg.errors[0].reason if cfg.errors else "nothing recognisable"
        return f"no Terraform block of {name} could be parsed ({reason})"
    return None


def _alarm(seconds: float | None):
    """Arm a per-task timer where signals work (a process's main thread)."""
    if not seconds or not hasattr(signal, "setitimer"):
        return None
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def on_timeout(signum, frame):
        raise TaskTimeout()

    old = signal.signal(signal.SIGALRM, on_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return old


def _disarm(old) -> None:
    if old is not None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def label_one(task, taxonomy: str = "full", backend: str = "treesitter", cache: bool = True,
              timeout: float | None = DEFAULT_TASK_TIMEOUT, with_reports: bool = True) -> dict:
    """Label one task into plain rows: {"task": row, "labels": [...], "findings": [...], "items": [...]}.

    Never raises for a bad task: parse failures, detector faults and timeouts end up
    in the rows.
    """
    from drdata.hcl import parse_answer

    start = time.perf_counter()
    old = _alarm(timeout)
    try:
        model = parse_answer(task.model_response, backend=backend, cache=cache)
        ideal = parse_answer(task.ideal_response, backend=backend, cache=cache)
        health = dict(
            model_hcl_blocks=model.blocks_total, model_hcl_blocks_parsed=model.blocks_parsed,
            ideal_hcl_blocks=ideal.blocks_total, ideal_hcl_blocks_parsed=ideal.blocks_parsed,
            model_resources=len(model.resources), ideal_resources=len(ideal.resources),
            truncated_model=bool(model.truncated),
        )
        error = (_answer_error("MODEL_RESPONSE.md", task.model_response, model)
                 or _answer_error("IDEAL_RESPONSE.md", task.ideal_response, ideal))
        items = _report_items(task) if with_reports else []
        if error:
            row = _task_row(task, status="error", error=error, **health)
            return {"task": _finish(row, start), "labels": [], "findings": [], "items": items}
        labels = label_configs(model, ideal, taxonomy=taxonomy, task_id=task.id)
        counts = labels.severity_counts()
        row = _task_row(task, status="ok", error=None, faults=len(labels.faults), **health,
                        fixed_critical=counts["Critical"], fixed_high=counts["High"],
                        fixed_medium=counts["Medium"], fixed_low=counts["Low"])
        if labels.faults:
            row["problems"] = "; ".join(filter(None, [row["problems"], *labels.faults]))
        return {"task": _finish(row, start), "labels": labels.labels_frame().to_dict("records"),
                "findings": labels.findings_frame().to_dict("records"), "items": items}
    except TaskTimeout:
        row = _task_row(task, status="error", error=f"timed out after {timeout:g} s")
        return {"task": _finish(row, start), "labels": [], "findings": [], "items": []}
    except RecursionError:
        row = _task_row(task, status="error", error="answer nested too deeply to analyse")
        return {"task": _finish(row, start), "labels": [], "findings": [], "items": []}
    except Exception as exc:  # the run goes on; the reason is kept
        row = _task_row(task, status="error", error=f"internal error: {type(exc).__name__}: {exc}"[:300])
        return {"task": _finish(row, start), "labels": [], "findings": [], "items": []}
    finally:
        _disarm(old)


def _finish(row: dict, start: float) -> dict:
    row["seconds"] = round(time.perf_counter() - start, 4)
    return row


def _report_items(task) -> list[dict]:
    try:
        from drdata.reports.human import parse_report
    except ImportError:
        return []
    try:
        items = parse_report(task.failures_report)
    except Exception:
        return []
    out = []
    for it in items:
        d = {"task_id": task.id}
        d.update(it.to_dict() if hasattr(it, "to_dict") else vars(it))
        out.append(d)
    return out


def _worker(args):
    task, kw = args
    return label_one(task, **kw)


def iter_label(tasks: list, *, jobs: int | None = None, **kw) -> Iterator[dict]:
    """Yield per-task results as they finish (order not guaranteed)."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(tasks) <= 1:
        for t in tasks:
            yield label_one(t, **kw)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        chunks = max(1, min(16, len(tasks) // (jobs * 8)))
        yield from pool.map(_worker, ((t, kw) for t in tasks), chunksize=chunks)


def assemble(results: Iterable[dict]) -> LabelRun:
    """Sorted DataFrames from per-task results, whatever order they came in."""
    results = sorted(results, key=lambda r: r["task"]["task_id"])
    tasks = pd.DataFrame([r["task"] for r in results], columns=TASK_COLUMNS)
    labels = pd.DataFrame([x for r in results for x in r["labels"]], columns=LABEL_COLUMNS)
    findings = pd.DataFrame([x for r in results for x in r["findings"]], columns=FINDING_COLUMNS)
    items = pd.DataFrame([x for r in results for x in r.get("items", [])])
    tasks = _typed_tasks(tasks)
    labels = labels.sort_values(["task_id", "category"], kind="stable").reset_index(drop=True)
    labels = labels.astype({"model_findings": "int64", "ideal_findings": "int64"})
    findings = findings.sort_values(["task_id", "side", "category", "line", "address", "message"],
                                    kind="stable", na_position="first").reset_index(drop=True)
    findings["line"] = findings["line"].astype("Int64")
    if len(items):
        sort_cols = [c for c in ("task_id", "index") if c in items.columns]
        items = items.sort_values(sort_cols, kind="stable").reset_index(drop=True)
    run = LabelRun(tasks, labels, findings, items if len(items) else None)
    run.agreement = _agreement(run)
    return run


def _typed_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    ints = ["model_hcl_blocks", "model_hcl_blocks_parsed", "ideal_hcl_blocks", "ideal_hcl_blocks_parsed",
            "model_resources", "ideal_resources", "fixed_critical", "fixed_high", "fixed_medium", "fixed_low",
            "faults"]
    tasks = tasks.astype({c: "Int64" for c in ints})
    tasks["training_quality"] = tasks["training_quality"].astype("Float64")
    tasks["truncated_model"] = tasks["truncated_model"].astype("boolean")
    for c in ("task_id", "platform", "status", "error", "complexity", "subtask", "problems"):
        tasks[c] = tasks[c].astype("string")
    # Timing varies run to run; keep it out of the deterministic table.
    tasks = tasks.drop(columns=["seconds"])
    return tasks.sort_values("task_id", kind="stable").reset_index(drop=True)


def _agreement(run: LabelRun) -> pd.DataFrame | None:
    if run.report_items is None:
        return None
    try:
        from drdata.reports.agreement import agreement_frame
    except ImportError:
        return None
    return agreement_frame(run.labels, run.report_items)


def label_corpus(source, *, taxonomy: str = "full", jobs: int | None = None, cache: bool = True,
                 backend: str = "treesitter", timeout: float | None = DEFAULT_TASK_TIMEOUT,
                 progress: bool | None = None, on_result: Callable[[dict], None] | None = None) -> LabelRun:
    """Label every task of a corpus (a path, or a list of tasks) and return the tables."""
    from drdata.corpus import load_corpus
    from drdata.taxonomy import categories

    categories(taxonomy)  # fail early on an unknown taxonomy
    tasks = load_corpus(source) if isinstance(source, (str, Path)) else list(source)
    kw = dict(taxonomy=taxonomy, backend=backend, cache=cache, timeout=timeout)
    results = []
    bar = _progress(len(tasks), progress)
    try:
        for res in iter_label(tasks, jobs=jobs, **kw):
            results.append(res)
            if on_result is not None:
                on_result(res)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    run = assemble(results)
    run.meta = {"corpus": str(Path(source).resolve()) if isinstance(source, (str, Path)) else None,
                "taxonomy": taxonomy, "backend": backend, "tasks": len(tasks)}
    return run


def _progress(total: int, progress: bool | None):
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="task", desc="labeling", file=sys.stderr)


def write_outputs(run: LabelRun, outdir: str | Path) -> list[Path]:
    """Write the run's tables as parquet (atomically: temp file then rename)."""
    from drdata.io import write_parquet

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = [write_parquet(run.tasks, outdir / "tasks.parquet"),
               write_parquet(run.labels, outdir / "labels.parquet"),
               write_parquet(run.findings, outdir / "findings.parquet")]
    if run.report_items is not None:
        written.append(write_parquet(run.report_items, outdir / "report_items.parquet"))
    if run.agreement is not None:
        written.append(write_parquet(run.agreement, outdir / "agreement.parquet"))
    import json

    from drdata import __version__
    from drdata.io import atomic_write_text

    meta = {**run.meta, "drdata_version": __version__}
    written.append(atomic_write_text(outdir / "run.json", json.dumps(meta, indent=2, sort_keys=True) + "\n"))
    return written
