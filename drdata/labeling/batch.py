"""Batch labeling of a whole corpus: one row per task, never an aborted run.

``label_one`` is the per-task unit of work: it turns one task into plain rows
(tasks / labels / findings) and turns anything that goes wrong into an ``error``
row with its reason. ``label_corpus`` maps it over a corpus on local cores and
assembles sorted DataFrames, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from drdata.labeling.diff import DIFF_COLUMNS
from drdata.labeling.pair import FINDING_COLUMNS, LABEL_COLUMNS, label_configs

TASK_COLUMNS = [
    "task_id", "platform", "status", "error", "model_hcl_blocks", "model_hcl_blocks_parsed", "ideal_hcl_blocks",
    "ideal_hcl_blocks_parsed", "model_resources", "ideal_resources", "truncated_model", "complexity", "subtask",
    "training_quality", "pair_state", "pair_note", "fixed_critical", "fixed_high", "fixed_medium", "fixed_low",
    "unknown_labels", "faults", "problems", "seconds",
]
# pair_state: how the two answers can be compared. ``paired`` (both have Terraform, the IDEAL shows at least half
# of the MODEL's resources), ``ideal_excerpt`` (it shows fewer), ``ideal_unusable`` / ``model_unusable`` (that
# side has no Terraform: its labels are unknown, the other side's findings are still reported, pair_note says why).
PAIR_STATES = ("paired", "ideal_excerpt", "ideal_unusable", "model_unusable")
DEFAULT_TASK_TIMEOUT = 10.0


class TaskTimeout(BaseException):
    """Raised into a task at its time limit; a BaseException so that the
    fault-tolerant ``except Exception`` of parsers and detectors lets it through."""


@dataclass
class LabelRun:
    tasks: pd.DataFrame
    labels: pd.DataFrame
    findings: pd.DataFrame
    report_items: pd.DataFrame | None = None
    agreement: pd.DataFrame | None = None
    diff: pd.DataFrame | None = None  # the pairs' structural diffs (one row per corresponding object)
    stats: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)  # corpus path, taxonomy, backend: written as run.json

    @property
    def errors(self) -> int:
        return int((self.tasks["status"] == "error").sum()) if len(self.tasks) else 0

    def summary(self) -> dict:
        """Counts of the run (what `drdata label` prints): tasks, errors, fixed failures per severity, unknown
        labels per reason, how the pairs compare."""
        t, lab = self.tasks, self.labels
        fixed = {s: int(t[f"fixed_{s.lower()}"].fillna(0).sum()) if len(t) else 0
                 for s in ("Critical", "High", "Medium", "Low")}
        unknown = lab[lab["status"] == "unknown"] if len(lab) else lab
        reasons = unknown["reason"].fillna("unspecified").value_counts() if len(unknown) else {}
        states = t["pair_state"].dropna().value_counts() if len(t) else {}
        return {"tasks": int(len(t)), "ok": int((t["status"] == "ok").sum()) if len(t) else 0,
                "errors": self.errors, "fixed": fixed,
                "unknown_reasons": {str(k): int(v) for k, v in sorted(dict(reasons).items())},
                "pair_states": {str(k): int(v) for k, v in sorted(dict(states).items())}}


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
    """Arm a per-task time limit; returns a handle for :func:`_disarm`.

    In a process's main thread (local worker processes) SIGALRM interrupts the
    task. Elsewhere (Dask runs tasks in worker threads) a timer raises
    TaskTimeout asynchronously in the task's thread, which interrupts Python code
    at its next bytecode.
    """
    if not seconds:
        return None
    import threading

    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        def on_timeout(signum, frame):
            raise TaskTimeout()

        old = signal.signal(signal.SIGALRM, on_timeout)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        return ("signal", old)
    import ctypes

    tid = threading.get_ident()

    def fire():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid), ctypes.py_object(TaskTimeout))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    return ("thread", timer)


def _disarm(handle) -> None:
    if handle is None:
        return
    kind, obj = handle
    if kind == "signal":
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, obj)
    else:
        obj.cancel()


def label_one(task, taxonomy: str = "full", backend: str = "treesitter", cache: bool = True,
              timeout: float | None = DEFAULT_TASK_TIMEOUT, with_reports: bool = True) -> dict:
    """Label one task into plain rows: {"task": row, "labels": [...], "findings": [...], "items": [...]}.

    Never raises for a bad task: parse failures, detector faults and timeouts end up
    in the rows.
    """
    return json.loads(label_one_json(task, taxonomy, backend, cache, timeout, with_reports))


def label_one_json(task, taxonomy: str = "full", backend: str = "treesitter", cache: bool = True,
                   timeout: float | None = DEFAULT_TASK_TIMEOUT, with_reports: bool = True) -> str:
    """``label_one`` as its JSON text (sorted keys): what workers send back, the journal keeps and the
    result cache stores, so a result is serialised once."""
    from drdata.hcl import parse_answer

    start = time.perf_counter()
    store, key = _result_cache(task, cache, taxonomy, backend, with_reports)
    if store is not None:
        cached = store.get_result_text(key)
        if cached is not None:
            return cached
    old = _alarm(timeout)
    try:
        try:
            result = _label_one(task, taxonomy, backend, cache, timeout, with_reports, start, parse_answer)
        finally:
            _disarm(old)
    except TaskTimeout:  # the limit struck between the task's own handler and the disarm
        row = _task_row(task, status="error", error=f"timed out after {timeout:g} s")
        result = {"task": _finish(row, start), "labels": [], "findings": [], "items": []}
    text = json.dumps(result, sort_keys=True, default=str)
    if store is not None and not (result["task"]["error"] or "").startswith(("timed out", "internal error")):
        store.put_result_text(key, text)
    return text


def _result_cache(task, cache, taxonomy: str, backend: str, with_reports: bool):
    if not cache:
        return None, None
    import hashlib

    from drdata.hcl.cache import ParseCache, code_fingerprint, default_cache

    store = cache if isinstance(cache, ParseCache) else default_cache()
    h = hashlib.sha256(json.dumps([code_fingerprint(), taxonomy, backend, with_reports, task.id, task.platform,
                                   task.problems, task.metadata], sort_keys=True, default=str).encode())
    for text in (task.model_response, task.ideal_response, task.failures_report):
        h.update(b"\0" if text is None else b"\1" + text.encode("utf-8", "surrogatepass"))
    return store, h.hexdigest()


def _label_one(task, taxonomy, backend, cache, timeout, with_reports, start, parse_answer) -> dict:
    try:
        model = parse_answer(task.model_response, backend=backend, cache=cache)
        ideal = parse_answer(task.ideal_response, backend=backend, cache=cache)
        health = dict(
            model_hcl_blocks=model.blocks_total, model_hcl_blocks_parsed=model.blocks_parsed,
            ideal_hcl_blocks=ideal.blocks_total, ideal_hcl_blocks_parsed=ideal.blocks_parsed,
            model_resources=len(model.resources), ideal_resources=len(ideal.resources),
            truncated_model=bool(model.truncated),
        )
        model_error = _answer_error("MODEL_RESPONSE.md", task.model_response, model)
        ideal_error = _answer_error("IDEAL_RESPONSE.md", task.ideal_response, ideal)
        items = _report_items(task) if with_reports else []
        if model_error and ideal_error:
            row = _task_row(task, status="error", error=f"{model_error}; {ideal_error}", **health)
            return {"task": _finish(row, start), "labels": [], "findings": [], "items": items, "diff": []}
        # One unusable side still leaves the other's findings worth reporting; its labels say unknown, and why.
        if model_error or ideal_error:
            model = model if not model_error else _empty(model)
            ideal = ideal if not ideal_error else _empty(ideal)
        labels = label_configs(model, ideal, taxonomy=taxonomy, task_id=task.id, prompt=task.prompt)
        counts = labels.severity_counts()
        state = ("model_unusable" if model_error else "ideal_unusable" if ideal_error
                 else "ideal_excerpt" if labels.diff.ideal_state == "excerpt" else "paired")
        row = _task_row(task, status="ok", error=None, faults=len(labels.faults), **health,
                        pair_state=state, pair_note=model_error or ideal_error,
                        fixed_critical=counts["Critical"], fixed_high=counts["High"],
                        fixed_medium=counts["Medium"], fixed_low=counts["Low"],
                        unknown_labels=sum(labels.unknown_reasons().values()))
        if labels.faults:
            row["problems"] = "; ".join(filter(None, [row["problems"], *labels.faults]))
        diff = labels.diff.frame(task.id).to_dict("records") if not (model_error or ideal_error) else []
        return {"task": _finish(row, start), "labels": labels.label_rows(),
                "findings": labels.finding_rows(), "items": items, "diff": diff}
    except TaskTimeout:
        row = _task_row(task, status="error", error=f"timed out after {timeout:g} s")
        return {"task": _finish(row, start), "labels": [], "findings": [], "items": []}
    except RecursionError:
        row = _task_row(task, status="error", error="answer nested too deeply to analyse")
        return {"task": _finish(row, start), "labels": [], "findings": [], "items": []}
    except Exception as exc:  # the run goes on; the reason is kept
        row = _task_row(task, status="error", error=f"internal error: {type(exc).__name__}: {exc}"[:300])
        return {"task": _finish(row, start), "labels": [], "findings": [], "items": []}


def _empty(cfg):
    """An answer with nothing usable, keeping its code blocks for the health counts."""
    from drdata.hcl.model import TerraformConfig

    return TerraformConfig(code_blocks=cfg.code_blocks, errors=cfg.errors, truncated=cfg.truncated,
                           backend=cfg.backend)


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
    # The JSON text travels back: the parent parses it once and journals it as is, so the
    # serialisation work is spread over the workers instead of queuing in the parent.
    task, kw = args
    return label_one_json(task, **kw)


def _size(task) -> int:
    return len(task.model_response or "") + len(task.ideal_response or "") + len(task.failures_report or "")


def _init_worker() -> None:
    # Ctrl-C is the parent's to handle: workers stay quiet and are terminated.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _warm_up()
    # Everything alive now (modules, registry, the parent's task list) lives as long as the worker:
    # frozen, the cyclic GC stops re-scanning it on every full collection (~7 % of cold labeling time).
    gc.freeze()


def _warm_up() -> None:
    """Import and build once what every task needs, before the first task's clock starts."""
    from drdata.detectors.registry import registry
    from drdata.extract import extract_code_blocks
    from drdata.hcl import parse_hcl
    from drdata.reports.human import parse_report

    registry()
    parse_hcl("")
    extract_code_blocks("")
    parse_report("")


@contextmanager
def _frozen_gc() -> Iterator[None]:
    """gc.freeze() for an in-process run (see _init_worker), undone afterwards; left alone when the
    caller froze objects of its own."""
    if gc.get_freeze_count():
        yield
        return
    _warm_up()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def iter_label(tasks: list, *, jobs: int | None = None, **kw) -> Iterator[str | dict]:
    """Yield per-task results as they finish, on local cores (order not guaranteed): their JSON text,
    or a dict for a task whose worker died."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(tasks) <= 1:
        with _frozen_gc():
            for t in tasks:
                yield label_one_json(t, **kw)
        return
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker)
    left: dict[int, object] = dict(enumerate(tasks))
    try:
        # Largest tasks first, so no long task starts last while the other cores sit idle.
        order = sorted(left, key=lambda i: -_size(left[i]))
        futures = {pool.submit(_worker, (left[i], kw)): i for i in order}
        for fut in as_completed(futures):
            try:
                res = fut.result()
            except BrokenProcessPool:
                break  # a worker died (a crash in native code, the OOM killer): every pending future fails
            del left[futures[fut]]
            yield res
    except BaseException:
        # Interrupted (Ctrl-C, or the consumer stopped): drop what is queued, stop the workers now.
        _stop(pool)
        raise
    if not left:
        pool.shutdown(wait=True)
        return
    _stop(pool)
    # Which task killed its worker is unknown: label the rest one process per task, so only it is lost.
    for _, task in sorted(left.items()):
        yield _label_isolated(task, kw)


def _stop(pool: ProcessPoolExecutor) -> None:
    # Take the processes first: shutdown() sets pool._processes to None.
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()


def _label_isolated(task, kw: dict) -> dict:
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(max_workers=1, initializer=_init_worker)
    try:
        return json.loads(pool.submit(_worker, (task, kw)).result())
    except BrokenProcessPool:
        row = _task_row(task, status="error", error="the worker process died while labeling this task "
                        "(a crash in native code or out of memory)")
        row["seconds"] = None
        return {"task": row, "labels": [], "findings": [], "items": []}
    finally:
        _stop(pool)


def iter_label_dask(tasks: list, *, scheduler: str | None = None, jobs: int | None = None,
                    **kw) -> Iterator[str]:
    """The same per-task function on a Dask cluster (a LocalCluster when no address is given)."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - dask is a declared dependency
        raise RuntimeError("the dask engine needs dask[distributed]: pip install 'dask[distributed]'") from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=jobs or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(label_one_json, tasks, key=[f"label-{t.id}-{i}" for i, t in enumerate(tasks)], **kw)
        for fut in as_completed(futures):
            yield fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def assemble(results: Iterable[dict]) -> LabelRun:
    """Sorted DataFrames from per-task results, whatever order they came in."""
    results = sorted(results, key=lambda r: r["task"]["task_id"])
    tasks = pd.DataFrame([r["task"] for r in results], columns=TASK_COLUMNS)
    labels = pd.DataFrame([x for r in results for x in r["labels"]], columns=LABEL_COLUMNS)
    findings = pd.DataFrame([x for r in results for x in r["findings"]], columns=FINDING_COLUMNS)
    items = pd.DataFrame([x for r in results for x in r.get("items", [])])
    diff = pd.DataFrame([x for r in results for x in r.get("diff", [])], columns=["task_id", *DIFF_COLUMNS])
    tasks = _typed_tasks(tasks)
    labels = labels.sort_values(["task_id", "category"], kind="stable").reset_index(drop=True)
    labels = labels.astype({"model_findings": "int64", "ideal_findings": "int64", "repaired": "int64",
                            "remaining": "int64"})
    findings = findings.sort_values(["task_id", "side", "category", "line", "address", "part", "message"],
                                    kind="stable", na_position="first").reset_index(drop=True)
    findings["line"] = findings["line"].astype("Int64")
    findings["counterpart_line"] = findings["counterpart_line"].astype("Int64")
    diff = diff.sort_values(["task_id", "model_address", "ideal_address"], kind="stable",
                            na_position="last").reset_index(drop=True)
    for col in ("model_line", "ideal_line"):
        diff[col] = diff[col].astype("Int64")
    diff["similarity"] = diff["similarity"].astype("float64")
    if len(items):
        sort_cols = [c for c in ("task_id", "index") if c in items.columns]
        items = items.sort_values(sort_cols, kind="stable").reset_index(drop=True)
    run = LabelRun(tasks, labels, findings, items if len(items) else None, diff=diff)
    run.agreement = _agreement(run)
    return run


def _typed_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    ints = ["model_hcl_blocks", "model_hcl_blocks_parsed", "ideal_hcl_blocks", "ideal_hcl_blocks_parsed",
            "model_resources", "ideal_resources", "fixed_critical", "fixed_high", "fixed_medium", "fixed_low",
            "unknown_labels", "faults"]
    tasks = tasks.astype({c: "Int64" for c in ints})
    tasks["training_quality"] = tasks["training_quality"].astype("Float64")
    tasks["truncated_model"] = tasks["truncated_model"].astype("boolean")
    for c in ("task_id", "platform", "status", "error", "complexity", "subtask", "problems", "pair_state",
              "pair_note"):
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


class Journal:
    """Append-only JSONL of finished tasks, so an interrupted run can resume.

    The first line records the options the results depend on; a resumed run
    with other options is refused. A half-written last line (the run was
    killed mid-write) is ignored, so the journal is always valid to resume from.
    """

    def __init__(self, path: Path, header: dict):
        self.path = Path(path)
        self.header = header
        self.done: dict[str, dict] = {}

    def load(self) -> dict[str, dict]:
        if not self.path.exists():
            return {}
        lines = self.path.read_text(encoding="utf-8").splitlines()
        if not lines:
            return {}
        try:
            head = json.loads(lines[0]).get("header")
        except (json.JSONDecodeError, AttributeError):
            head = None
        if head != self.header:
            raise ValueError(f"{self.path} was written by a run with other options ({head}); "
                             "rerun without --resume to start afresh, or with the same options")
        for line in lines[1:]:
            try:
                res = json.loads(line)
                self.done[res["task"]["task_id"]] = res
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # the last line of an interrupted run may be cut short
        return self.done

    def start(self, resume: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.path.exists() and self.path.stat().st_size:
            self._repair()
            self._fh = self.path.open("a", encoding="utf-8")
        else:
            self._fh = self.path.open("w", encoding="utf-8")
            self._fh.write(json.dumps({"header": self.header}, sort_keys=True) + "\n")
            self._fh.flush()

    def _repair(self) -> None:
        # Drop a trailing partial line so appended records start on a line of their own.
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            with self.path.open("r+b") as fh:
                fh.truncate(cut)

    def append_text(self, text: str) -> None:
        self._fh.write(text + "\n")
        self._fh.flush()

    def close(self) -> None:
        fh = getattr(self, "_fh", None)
        if fh is not None:
            fh.close()


ENGINES = ("local", "dask")


def label_corpus(source, *, taxonomy: str = "full", jobs: int | None = None, cache: bool = True,
                 backend: str = "treesitter", timeout: float | None = DEFAULT_TASK_TIMEOUT,
                 progress: bool | None = None, journal: str | Path | None = None, resume: bool = False,
                 engine: str = "local", scheduler: str | None = None,
                 on_result: Callable[[dict], None] | None = None, terraform_validate: bool = False) -> LabelRun:
    """Label every task of a corpus (a path, or a list of tasks) and return the tables.

    ``journal``: a JSONL file that receives each finished task; with ``resume``
    the tasks already in it are not labelled again. ``engine="dask"`` runs the
    same per-task function on a Dask cluster at ``scheduler`` (or a LocalCluster). ``terraform_validate``
    adds terraform's verdicts as the opt-in ``terraform_validate`` category (:mod:`drdata.terraform.labels`).
    """
    from drdata.corpus import load_corpus
    from drdata.hcl.parse import BACKENDS
    from drdata.taxonomy import categories

    categories(taxonomy)  # fail early on an unknown taxonomy
    if backend not in BACKENDS:  # else every task would become an "internal error" row
        raise ValueError(f"unknown parser backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if scheduler and engine == "local":
        engine = "dask"
    if terraform_validate:  # say so before any work, not after the detectors ran
        from drdata.terraform.tool import find_toolchain

        find_toolchain()
    tasks = load_corpus(source) if isinstance(source, (str, Path)) else list(source)
    kw = dict(taxonomy=taxonomy, backend=backend, cache=cache, timeout=timeout)
    header = {"taxonomy": taxonomy, "backend": backend, "timeout": timeout}
    results: list[dict] = []
    jnl = Journal(Path(journal), header) if journal else None
    todo = tasks
    if jnl is not None:
        done = jnl.load() if resume else {}
        wanted = {t.id for t in tasks}
        results.extend(r for tid, r in done.items() if tid in wanted)
        todo = [t for t in tasks if t.id not in done]
        jnl.start(resume)
    bar = _progress(len(tasks), progress)
    if bar is not None and len(results):
        bar.update(len(results))
    runner = iter_label_dask(todo, scheduler=scheduler, jobs=jobs, **kw) if engine == "dask" and todo \
        else iter_label(todo, jobs=jobs, **kw)
    try:
        for res in runner:
            if isinstance(res, str):  # JSON text from a worker process
                text, res = res, json.loads(res)
            else:
                text = json.dumps(res, sort_keys=True, default=str)
                res = json.loads(text)
            results.append(res)
            if jnl is not None:
                jnl.append_text(text)
            if on_result is not None:
                on_result(res)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        if jnl is not None:
            jnl.close()
    if terraform_validate:
        from drdata.terraform.labels import add_terraform_validation

        add_terraform_validation(results, tasks, jobs=jobs, cache=cache, backend=backend)
    run = assemble(results)
    run.meta = {"corpus": str(Path(source).resolve()) if isinstance(source, (str, Path)) else None,
                "taxonomy": taxonomy, "backend": backend, "tasks": len(tasks)}
    if terraform_validate:
        run.meta["terraform_validate"] = True
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
    if run.diff is not None:
        written.append(write_parquet(run.diff, outdir / "diff.parquet"))
    import json

    from drdata import __version__
    from drdata.io import atomic_write_text

    meta = {**run.meta, "drdata_version": __version__}
    written.append(atomic_write_text(outdir / "run.json", json.dumps(meta, indent=2, sort_keys=True) + "\n"))
    return written


def label(source, outdir: str | Path, **options) -> tuple[LabelRun, list[Path]]:
    """``drdata label``: label a corpus and write its tables to ``outdir``.

    Options are those of :func:`label_corpus`; the journal of finished tasks is
    ``outdir/journal.jsonl`` unless ``journal`` says otherwise.
    """
    options.setdefault("journal", Path(outdir) / "journal.jsonl")
    run = label_corpus(source, **options)
    return run, write_outputs(run, outdir)

