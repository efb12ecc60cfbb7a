"""Batch labeling of a whole corpus: one row per task, never an aborted run, in bounded memory.

``label_one`` is the per-task unit of work: it turns one task into plain rows
(tasks / labels / findings) and turns anything that goes wrong into an ``error``
row with its reason. :func:`label` maps it over a corpus on local cores or a Dask
cluster (engines), appends each result to a journal as it finishes, and writes the
sorted parquet tables from the journal a row group at a time (the writer), so the
same inputs give byte-identical files whatever the order results came in.
:func:`label_corpus` does the same into a temporary folder and returns DataFrames.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
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


# -- the tables of a run ----------------------------------------------------------------------------------------

# The files of a run, in the order they are written (and published: an interrupted write leaves whole files).
TABLES = ("tasks", "labels", "findings", "report_items", "agreement", "diff")
# Row groups hold the rows of this many consecutive tasks (in task_id order), in every table: what the writer
# holds in memory is bounded by it, not by the corpus. A corpus of up to this many tasks is one row group per
# file, as pq.write_table wrote it before streaming (the shared corpus has 497 tasks).
ROW_GROUP_TASKS = 512

_STR = "str"


def _table_dtypes() -> dict[str, dict[str, str]]:
    """Each table's columns and the pandas dtypes they are written with (a column of ``object`` is written as
    arrow ``string``, the way agreement_frame leaves its nullable text columns)."""
    from drdata.corpus.report import ITEM_COLUMNS
    from drdata.labeling.agreement import AGREEMENT_COLUMNS

    tasks = {c: "string" for c in TASK_COLUMNS if c != "seconds"}
    tasks.update({c: "Int64" for c in _TASK_INTS}, training_quality="Float64", truncated_model="boolean")
    labels = {c: _STR for c in LABEL_COLUMNS}
    labels.update({c: "int64" for c in ("model_findings", "ideal_findings", "repaired", "remaining")})
    findings = {c: _STR for c in FINDING_COLUMNS}
    findings.update(line="Int64", counterpart_line="Int64", fixed="bool")
    diff = {c: _STR for c in ["task_id", *DIFF_COLUMNS]}
    diff.update(similarity="float64", model_line="Int64", ideal_line="Int64")
    # Items come from JSON with sorted keys, so their columns are in name order.
    items = {c: ("int64" if c == "index" else _STR) for c in sorted(ITEM_COLUMNS)}
    agreement = {c: "object" for c in AGREEMENT_COLUMNS}
    agreement.update(task_id=_STR, category=_STR, reported="bool", report_items="int64", detected="bool")
    return {"tasks": tasks, "labels": labels, "findings": findings, "report_items": items,
            "agreement": agreement, "diff": diff}


_SCHEMAS: dict = {}


def table_schema(name: str):
    """The arrow schema (with pandas metadata) every ``name``.parquet is written with."""
    if name not in _SCHEMAS:
        import pyarrow as pa

        arrow = {"string": pa.large_string(), _STR: pa.large_string(), "object": pa.string(),
                 "Int64": pa.int64(), "int64": pa.int64(), "Float64": pa.float64(), "float64": pa.float64(),
                 "boolean": pa.bool_(), "bool": pa.bool_()}
        dtypes = _table_dtypes()[name]
        empty = pd.DataFrame({c: pd.Series([], dtype=d) for c, d in dtypes.items()})
        plain = pa.schema([pa.field(c, arrow[d]) for c, d in dtypes.items()])
        _SCHEMAS[name] = pa.Table.from_pandas(empty, schema=plain, preserve_index=False).schema
    return _SCHEMAS[name]


def _arrow(name: str, frame: pd.DataFrame):
    import pyarrow as pa

    schema = table_schema(name)
    return pa.Table.from_pandas(frame.reindex(columns=schema.names), schema=schema, preserve_index=False)


def _read_table(folder: Path, name: str) -> pd.DataFrame | None:
    path = Path(folder) / f"{name}.parquet"
    if not path.is_file():
        return None
    frame = pd.read_parquet(path)
    if name == "agreement":  # agreement_frame's nullable text columns are objects holding None
        for col, dtype in _table_dtypes()["agreement"].items():
            if dtype == "object":
                frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


class LabelRun:
    """The tables of a label run.

    Either held in memory (what :func:`label_corpus` returns) or backed by a folder that ``drdata label`` /
    :func:`label` wrote (:meth:`open`): then each table is read from its parquet file when first used, and
    :meth:`summary` reads only the columns it counts, a row group at a time.
    """

    _FRAMES = ("tasks", "labels", "findings", "report_items", "agreement", "diff")

    def __init__(self, tasks=None, labels=None, findings=None, report_items=None, agreement=None, diff=None,
                 stats: dict | None = None, meta: dict | None = None, *, folder: str | Path | None = None):
        self._frames = {"tasks": tasks, "labels": labels, "findings": findings, "report_items": report_items,
                        "agreement": agreement, "diff": diff}
        self._loaded = set() if folder is not None else set(self._FRAMES)
        self.folder = Path(folder) if folder is not None else None
        self.stats = stats if stats is not None else {}
        self.meta = meta if meta is not None else {}
        self._summary: dict | None = None

    @classmethod
    def open(cls, folder: str | Path) -> LabelRun:
        """A run backed by the files ``drdata label`` wrote to ``folder``; nothing is read until used."""
        folder = Path(folder)
        if not (folder / "tasks.parquet").is_file():
            raise FileNotFoundError(f"{folder}: no tasks.parquet; not a drdata label output")
        meta_path = folder / "run.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        meta.pop("drdata_version", None)
        return cls(folder=folder, meta=meta)

    def _get(self, name: str):
        if name not in self._loaded:
            self._frames[name] = _read_table(self.folder, name)
            self._loaded.add(name)
        return self._frames[name]

    def _set(self, name: str, value) -> None:
        self._frames[name] = value
        self._loaded.add(name)
        self._summary = None

    tasks = property(lambda self: self._get("tasks"), lambda self, v: self._set("tasks", v))
    labels = property(lambda self: self._get("labels"), lambda self, v: self._set("labels", v))
    findings = property(lambda self: self._get("findings"), lambda self, v: self._set("findings", v))
    report_items = property(lambda self: self._get("report_items"), lambda self, v: self._set("report_items", v))
    agreement = property(lambda self: self._get("agreement"), lambda self, v: self._set("agreement", v))
    diff = property(lambda self: self._get("diff"), lambda self, v: self._set("diff", v))

    def load(self) -> LabelRun:
        """Read every table into memory now (for a folder-backed run); returns self."""
        for name in self._FRAMES:
            self._get(name)
        return self

    @property
    def errors(self) -> int:
        return self.summary()["errors"]

    def summary(self) -> dict:
        """Counts of the run (what `drdata label` prints): tasks, errors, fixed failures per severity, unknown
        labels per reason, how the pairs compare."""
        if self._summary is None:
            counter = _Summary()
            if self.folder is not None and not {"tasks", "labels"} <= self._loaded:
                for tasks, labels in _summary_batches(self.folder):
                    counter.add(tasks, labels)
            else:
                counter.add(self.tasks, self.labels)
            self._summary = counter.result()
        return self._summary

    def __repr__(self) -> str:
        where = f"folder={str(self.folder)!r}" if self.folder is not None else "in memory"
        return f"LabelRun({where}, {self.meta.get('tasks', '?')} tasks)"


_SEVERITIES = ("Critical", "High", "Medium", "Low")


class _Summary:
    """LabelRun.summary() counted chunk by chunk, so a run of any size is summarised in bounded memory."""

    def __init__(self):
        from collections import Counter

        self.tasks = self.ok = self.errors = 0
        self.fixed = dict.fromkeys(_SEVERITIES, 0)
        self.reasons: Counter = Counter()
        self.states: Counter = Counter()

    def add(self, t: pd.DataFrame | None, lab: pd.DataFrame | None) -> None:
        if t is not None and len(t):
            self.tasks += len(t)
            self.ok += int((t["status"] == "ok").sum())
            self.errors += int((t["status"] == "error").sum())
            for s in _SEVERITIES:
                self.fixed[s] += int(t[f"fixed_{s.lower()}"].fillna(0).sum())
            self.states.update({str(k): int(v) for k, v in t["pair_state"].dropna().value_counts().items()})
        if lab is not None and len(lab):
            unknown = lab[lab["status"] == "unknown"]
            if len(unknown):
                counts = unknown["reason"].fillna("unspecified").value_counts()
                self.reasons.update({str(k): int(v) for k, v in counts.items()})

    def result(self) -> dict:
        return {"tasks": self.tasks, "ok": self.ok, "errors": self.errors, "fixed": dict(self.fixed),
                "unknown_reasons": {k: v for k, v in sorted(self.reasons.items()) if v},
                "pair_states": {k: v for k, v in sorted(self.states.items()) if v}}


def _summary_batches(folder: Path) -> Iterator[tuple[pd.DataFrame | None, pd.DataFrame | None]]:
    import pyarrow.parquet as pq

    cols = ["status", "pair_state", *(f"fixed_{s.lower()}" for s in _SEVERITIES)]
    for batch in pq.ParquetFile(folder / "tasks.parquet").iter_batches(columns=cols, batch_size=65536):
        yield batch.to_pandas(), None
    labels = folder / "labels.parquet"
    if labels.is_file():
        for batch in pq.ParquetFile(labels).iter_batches(columns=["status", "reason"], batch_size=65536):
            yield None, batch.to_pandas()



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
        from drdata.corpus.report import parse_report
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


# -- what is scheduled: a task, or a task folder read where it is labelled --------------------------------------

@dataclass(frozen=True)
class TaskRef:
    """A task folder found in a corpus and not read yet: the worker that labels it reads it
    (:func:`drdata.corpus.read_task`), so the client never holds the corpus' texts."""

    path: str
    platform: str | None
    id: str
    size: int  # bytes of its answers and report, to schedule the largest first

    def read(self):
        from drdata.corpus import read_task

        return read_task(Path(self.path), self.platform)


def _answer_bytes(task_dir: Path) -> int:
    from drdata.corpus.reader import TEXT_FILES

    total = 0
    for key in ("model_response", "ideal_response", "failures_report"):
        for folder in (task_dir / "lib", task_dir):
            try:
                total += os.stat(folder / TEXT_FILES[key]).st_size
                break
            except OSError:
                continue
    return total


def discover(source) -> list:
    """What a run schedules: TaskRefs for a corpus path (found now, read when labelled), or the given tasks."""
    from drdata.corpus.reader import find_task_dirs

    if not isinstance(source, (str, Path)):
        return list(source)
    refs = [TaskRef(str(d), platform, d.name, _answer_bytes(d)) for d, platform in find_task_dirs(source)]
    return sorted(refs, key=lambda r: (r.platform or "", r.id))


def _as_task(item):
    return item.read() if isinstance(item, TaskRef) else item


def _size(item) -> int:
    if isinstance(item, TaskRef):
        return item.size
    return len(item.model_response or "") + len(item.ideal_response or "") + len(item.failures_report or "")


def _label_item(item, kw: dict) -> tuple[str, str, str]:
    """(task id, platform, result JSON) of one scheduled item; reading a task never raises (see read_task)."""
    task = _as_task(item)
    return task.id, task.platform, label_one_json(task, **kw)


def _worker(args):
    # The JSON text travels back: the parent journals it as is, so the serialisation work is spread over the
    # workers instead of queuing in the parent.
    item, kw = args
    return _label_item(item, kw)


def _died(item) -> tuple[str, str, str]:
    task = _as_task(item)
    row = _task_row(task, status="error", error="the worker process died while labeling this task "
                    "(a crash in native code or out of memory)")
    row["seconds"] = None
    result = {"task": row, "labels": [], "findings": [], "items": []}
    return task.id, task.platform, json.dumps(result, sort_keys=True, default=str)


def _init_worker() -> None:
    # Ctrl-C is the parent's to handle: workers stay quiet and are terminated.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _warm_up()
    # Everything alive now (modules, registry, the parent's task list) lives as long as the worker:
    # frozen, the cyclic GC stops re-scanning it on every full collection (~7 % of cold labeling time).
    gc.freeze()


def _warm_up() -> None:
    """Import and build once what every task needs, before the first task's clock starts."""
    from drdata.corpus.report import parse_report
    from drdata.detectors.registry import registry
    from drdata.extract import extract_code_blocks
    from drdata.hcl import parse_hcl

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


def iter_label(tasks: list, *, jobs: int | None = None, **kw) -> Iterator[str]:
    """Yield per-task results as they finish, on local cores (order not guaranteed), as JSON text."""
    for _, _, text in _run_local(tasks, jobs=jobs, kw=kw):
        yield text


def _run_local(items: list, *, jobs: int | None, kw: dict, window: int | None = None
               ) -> Iterator[tuple[str, str, str]]:
    """(task id, platform, result JSON) of every item, as they finish, on local worker processes.

    At most ``window`` items (4 per worker by default) are submitted at a time: the next one goes when one
    finishes, so a run of any size holds a bounded number of tasks in flight. A worker that dies (a crash in
    native code, the OOM killer) costs only its own task: the items in flight are labelled again one process
    each, and the rest go on in a fresh pool.
    """
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(items) <= 1:
        with _frozen_gc():
            for item in items:
                yield _label_item(item, kw)
        return
    window = max(window or 4 * jobs, jobs)
    # Largest tasks first, so no long task starts last while the other cores sit idle.
    order = iter(sorted(range(len(items)), key=lambda i: -_size(items[i])))
    while True:
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker)
        inflight: dict = {}
        broken = False
        try:
            for i in itertools.islice(order, window):
                inflight[pool.submit(_worker, (items[i], kw))] = i
            while inflight and not broken:
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in done:
                    try:
                        res = fut.result()
                    except BrokenProcessPool:
                        broken = True  # every pending future fails now; which task killed it is unknown
                        continue
                    del inflight[fut]
                    yield res
                    if not broken:
                        nxt = next(order, None)
                        if nxt is not None:
                            inflight[pool.submit(_worker, (items[nxt], kw))] = nxt
        except BaseException:
            # Interrupted (Ctrl-C, or the consumer stopped): drop what is queued, stop the workers now.
            _stop(pool)
            raise
        if not broken:
            pool.shutdown(wait=True)
            return
        _stop(pool)
        for fut, i in sorted(inflight.items(), key=lambda kv: kv[1]):
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                yield fut.result()
            else:
                yield _label_isolated(items[i], kw)


def _stop(pool: ProcessPoolExecutor) -> None:
    # Take the processes first: shutdown() sets pool._processes to None.
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()


def _label_isolated(item, kw: dict) -> tuple[str, str, str]:
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(max_workers=1, initializer=_init_worker)
    try:
        return pool.submit(_worker, (item, kw)).result()
    except BrokenProcessPool:
        return _died(item)
    finally:
        _stop(pool)


SHIP_MODES = ("auto", "paths", "texts")


def _dask_label(item, kw: dict) -> tuple[str, str, str]:
    return _label_item(item, kw)


def _workers_see(paths: list[str]) -> bool:
    return all(os.path.isdir(p) for p in paths)


def _ship_paths(client, items: list, ship: str, local_cluster: bool) -> bool:
    """Whether workers are sent task folders to read (True) or the tasks' texts read here (False)."""
    refs = [it for it in items if isinstance(it, TaskRef)]
    if ship == "texts" or not refs:
        return False
    if ship == "paths" or local_cluster:
        return True
    # auto on a remote cluster: paths when every worker sees the corpus where the client does.
    probe = [refs[0].path, refs[len(refs) // 2].path, refs[-1].path]
    try:
        seen = client.run(_workers_see, probe)
    except Exception:
        return False
    return bool(seen) and all(seen.values())


def iter_label_dask(tasks: list, *, scheduler: str | None = None, jobs: int | None = None, **kw) -> Iterator[str]:
    """The same per-task function on a Dask cluster (a LocalCluster when no address is given), as JSON text."""
    for _, _, text in _run_dask(tasks, scheduler=scheduler, jobs=jobs, kw=kw):
        yield text


def _run_dask(items: list, *, scheduler: str | None, jobs: int | None, kw: dict, ship: str = "auto",
              window: int | None = None, on_ship: Callable[[str], None] | None = None
              ) -> Iterator[tuple[str, str, str]]:
    """(task id, platform, result JSON) of every item on a Dask cluster, as they finish.

    Submission is bounded: ``window`` futures at most (8 per worker thread by default, at least 16), the next
    one submitted as one finishes, so neither the scheduler nor the client holds the whole corpus. Folders
    (TaskRefs) are shipped as paths when the workers can read them (``ship``: see :data:`SHIP_MODES`), else
    read here, one window ahead at most, and shipped as texts. A worker lost mid-run costs nothing finished
    (the caller has journalled it) and Dask reruns its tasks elsewhere; a task that kills every worker it
    lands on becomes an error row.
    """
    if ship not in SHIP_MODES:
        raise ValueError(f"unknown ship mode {ship!r}: choose one of {', '.join(SHIP_MODES)}")
    try:
        from dask.distributed import Client, LocalCluster, as_completed
        from distributed.scheduler import KilledWorker
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
        paths = _ship_paths(client, items, ship, cluster is not None)
        if on_ship is not None:
            on_ship("paths" if paths else "texts")
        if window is None:
            threads = sum(client.nthreads().values()) or (jobs or os.cpu_count() or 1)
            window = max(16, 8 * threads)
        order = iter(sorted(range(len(items)), key=lambda i: -_size(items[i])))
        owner: dict = {}

        def submit(i: int):
            item = items[i]
            if isinstance(item, TaskRef) and not paths:
                item = item.read()
            fut = client.submit(_dask_label, item, kw, key=f"label-{items[i].id}-{i}", pure=False)
            owner[fut.key] = i
            return fut

        queue = as_completed([submit(i) for i in itertools.islice(order, window)])
        for fut in queue:
            i = owner.pop(fut.key)
            try:
                res = fut.result()
            except KilledWorker:
                res = _died(items[i])
            fut.release()
            yield res
            nxt = next(order, None)
            if nxt is not None:
                queue.add(submit(nxt))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- assembly: per-task results to sorted tables ----------------------------------------------------------------

def _frames(results: list[dict]) -> dict[str, pd.DataFrame | None]:
    """The sorted tables of some tasks' results (all of a task_id's results among them), whatever order they
    came in. Every table sorts by task_id first, so the tables of consecutive task_id ranges, concatenated,
    are the tables of all of them: this is what the streaming writer relies on."""
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
    return {"tasks": tasks, "labels": labels, "findings": findings, "report_items": items if len(items) else None,
            "agreement": _agreement(labels, items if len(items) else None), "diff": diff}


def assemble(results: Iterable[dict]) -> LabelRun:
    """Sorted DataFrames from per-task results, whatever order they came in (all in memory: for a few tasks;
    a run of any size goes through the streaming writer of :func:`label`)."""
    frames = _frames(list(results))
    return LabelRun(frames["tasks"], frames["labels"], frames["findings"], frames["report_items"],
                    frames["agreement"], frames["diff"])


_TASK_INTS = ["model_hcl_blocks", "model_hcl_blocks_parsed", "ideal_hcl_blocks", "ideal_hcl_blocks_parsed",
              "model_resources", "ideal_resources", "fixed_critical", "fixed_high", "fixed_medium", "fixed_low",
              "unknown_labels", "faults"]


def _typed_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    tasks = tasks.astype({c: "Int64" for c in _TASK_INTS})
    tasks["training_quality"] = tasks["training_quality"].astype("Float64")
    tasks["truncated_model"] = tasks["truncated_model"].astype("boolean")
    for c in ("task_id", "platform", "status", "error", "complexity", "subtask", "problems", "pair_state",
              "pair_note"):
        tasks[c] = tasks[c].astype("string")
    # Timing varies run to run; keep it out of the deterministic table.
    tasks = tasks.drop(columns=["seconds"])
    return tasks.sort_values("task_id", kind="stable").reset_index(drop=True)


def _agreement(labels: pd.DataFrame, items: pd.DataFrame | None) -> pd.DataFrame | None:
    """Report/detector agreement of these tasks; None without report items (``items`` None: the run has none)."""
    if items is None:
        return None
    try:
        from drdata.labeling.agreement import agreement_frame
    except ImportError:
        return None
    return agreement_frame(labels, items)


class _TablesWriter:
    """The parquet files of a run, written a row group at a time from chunks of sorted tasks.

    ``add`` takes the tables of consecutive tasks (in task_id order); ``end_group`` closes the current row group
    of every file. Rows are buffered as arrow tables of one group only, so memory is bounded by
    ROW_GROUP_TASKS, not by the run. The files appear (atomically, in TABLES order) at :meth:`commit`.
    """

    def __init__(self, outdir: Path):
        from drdata.io import ParquetStream

        self.outdir = Path(outdir)
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.streams = {name: ParquetStream(self.outdir / f"{name}.parquet", table_schema(name)) for name in TABLES}
        self.parts: dict[str, list] = {name: [] for name in TABLES}
        self.has_items = False
        self.summary = _Summary()

    def add(self, frames: dict[str, pd.DataFrame | None]) -> None:
        self.summary.add(frames["tasks"], frames["labels"])
        if frames["report_items"] is not None:
            self.has_items = True
        elif frames["agreement"] is None and len(frames["labels"]):
            # No items in these tasks; other tasks may have some, and then these tasks' labels still belong in
            # the agreement table (as agreement_frame gives them for the whole run).
            from drdata.corpus.report import ITEM_COLUMNS

            frames = {**frames, "agreement": _agreement(frames["labels"], pd.DataFrame(columns=ITEM_COLUMNS))}
        for name in TABLES:
            frame = frames[name]
            if frame is not None and len(frame):
                self.parts[name].append(_arrow(name, frame))

    def end_group(self) -> None:
        import pyarrow as pa

        for name in TABLES:
            if self.parts[name]:
                self.streams[name].write_row_group(pa.concat_tables(self.parts[name]))
                self.parts[name] = []

    def commit(self, meta: dict) -> list[Path]:
        from drdata import __version__
        from drdata.io import atomic_write_text

        self.end_group()
        written = []
        try:
            for name in TABLES:
                stream = self.streams[name]
                if name in ("report_items", "agreement") and not self.has_items:
                    stream.abort()  # a run without any report item has neither file (as before)
                else:
                    written.append(stream.commit())
        except BaseException:
            self.abort()
            raise
        meta = {**meta, "drdata_version": __version__}
        written.append(atomic_write_text(self.outdir / "run.json", json.dumps(meta, indent=2, sort_keys=True) + "\n"))
        return written

    def abort(self) -> None:
        for stream in self.streams.values():
            stream.abort()


# Tasks parsed from the journal and turned into frames at a time, while writing: bounds the Python objects.
PARSE_CHUNK_TASKS = 32


def _write_from_journal(journal: Journal, keys: list[tuple[str, str]], outdir: Path, meta: dict,
                        transform: Callable[[list[dict]], None] | None = None) -> tuple[list[Path], dict]:
    """Write the tables of the journalled results ``keys`` (sorted) to ``outdir``: (files, summary).
    ``transform`` may add to each chunk of results (in place) before it is written."""
    writer = _TablesWriter(outdir)
    try:
        chunk: list[dict] = []
        group_ids = 0
        with journal.reader() as read:
            for n, key in enumerate(keys):
                chunk.append(read(key))
                last_of_id = n + 1 == len(keys) or keys[n + 1][0] != key[0]
                if not last_of_id:
                    continue  # results of one task_id stay in one chunk (their rows interleave when sorted)
                group_ids += 1
                if group_ids == ROW_GROUP_TASKS or len(chunk) >= PARSE_CHUNK_TASKS or n + 1 == len(keys):
                    if transform is not None:
                        transform(chunk)
                    writer.add(_frames(chunk))
                    chunk = []
                if group_ids == ROW_GROUP_TASKS:
                    writer.end_group()
                    group_ids = 0
        files = writer.commit(meta)
    except BaseException:
        writer.abort()
        raise
    return files, writer.summary.result()


def write_outputs(run: LabelRun, outdir: str | Path) -> list[Path]:
    """Write the run's tables as parquet, the same bytes as :func:`label` writes for the same tasks (row groups
    of ROW_GROUP_TASKS tasks; each file atomic: temp file then rename)."""
    outdir = Path(outdir)
    if run.folder is not None and run.folder.resolve() == outdir.resolve():
        return [outdir / f"{n}.parquet" for n in TABLES if (outdir / f"{n}.parquet").is_file()] + [outdir / "run.json"]
    frames = {name: getattr(run, name) for name in TABLES}
    ids = frames["tasks"]["task_id"].drop_duplicates()
    writer = _TablesWriter(outdir)
    try:
        writer.has_items = frames["report_items"] is not None and len(frames["report_items"]) > 0
        for start in range(0, max(len(ids), 1), ROW_GROUP_TASKS):
            group = ids.iloc[start:start + ROW_GROUP_TASKS]
            lo, hi = (group.iloc[0], group.iloc[-1]) if len(group) else (None, None)
            for name in TABLES:
                frame = frames[name]
                if frame is None or not len(frame) or lo is None:
                    continue
                col = frame["task_id"]
                a, b = col.searchsorted(lo, side="left"), col.searchsorted(hi, side="right")
                if b > a:
                    writer.parts[name].append(_arrow(name, frame.iloc[a:b]))
            writer.end_group()
        return writer.commit(run.meta)
    except BaseException:
        writer.abort()
        raise


# -- the journal ------------------------------------------------------------------------------------------------

class Journal:
    """Append-only JSONL of finished tasks: what an interrupted run resumes from, and what the tables are
    written from (read back in task_id order through an index of line offsets, never all at once).

    The first line records the options the results depend on; a resumed run
    with other options is refused. A half-written last line (the run was
    killed mid-write) is ignored, so the journal is always valid to resume from.
    """

    def __init__(self, path: Path, header: dict):
        self.path = Path(path)
        self.header = header
        # (task_id, platform) -> (offset, length) of its latest line
        self.index: dict[tuple[str, str], tuple[int, int]] = {}

    def load(self) -> dict[tuple[str, str], tuple[int, int]]:
        """Index the finished tasks of an earlier run (refusing one with other options)."""
        if not self.path.exists():
            return {}
        with self.path.open("rb") as fh:
            first = fh.readline()
            if not first:
                return {}
            try:
                head = json.loads(first).get("header")
            except (json.JSONDecodeError, AttributeError, UnicodeDecodeError):
                head = None
            if head != self.header:
                raise ValueError(f"{self.path} was written by a run with other options ({head}); "
                                 "rerun without --resume to start afresh, or with the same options")
            offset = len(first)
            for line in fh:
                if line.endswith(b"\n"):  # the last line of an interrupted run may be cut short
                    try:
                        task = json.loads(line)["task"]
                        self.index[(task["task_id"], task["platform"] or "")] = (offset, len(line) - 1)
                    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError):
                        pass
                offset += len(line)
        return self.index

    def start(self, resume: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.path.exists() and self.path.stat().st_size:
            self._repair()
            self._fh = self.path.open("ab")
        else:
            self.index.clear()
            self._fh = self.path.open("wb")
            self._fh.write(json.dumps({"header": self.header}, sort_keys=True).encode() + b"\n")
            self._fh.flush()
        self._offset = self._fh.tell()

    def _repair(self) -> None:
        # Drop a trailing partial line so appended records start on a line of their own.
        data_end = self.path.stat().st_size
        with self.path.open("r+b") as fh:
            fh.seek(max(0, data_end - 1))
            if fh.read(1) == b"\n":
                return
            # find the last newline, reading backwards in blocks
            pos, cut = data_end, 0
            while pos > 0:
                step = min(1 << 16, pos)
                pos -= step
                fh.seek(pos)
                block = fh.read(step)
                at = block.rfind(b"\n")
                if at >= 0:
                    cut = pos + at + 1
                    break
            fh.truncate(cut)

    def append(self, task_id: str, platform: str | None, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        self._fh.write(data + b"\n")
        self._fh.flush()
        self.index[(task_id, platform or "")] = (self._offset, len(data))
        self._offset += len(data) + 1

    def append_text(self, text: str) -> None:
        task = json.loads(text)["task"]
        self.append(task["task_id"], task["platform"], text)

    def close(self) -> None:
        fh = getattr(self, "_fh", None)
        if fh is not None:
            fh.close()
            self._fh = None

    @contextmanager
    def reader(self) -> Iterator[Callable[[tuple[str, str]], dict]]:
        """A function reading the result of a (task_id, platform) key back from the journal."""
        with self.path.open("rb") as fh:
            def read(key: tuple[str, str]) -> dict:
                offset, length = self.index[key]
                fh.seek(offset)
                return json.loads(fh.read(length))
            yield read


# -- running a corpus -------------------------------------------------------------------------------------------

ENGINES = ("local", "dask")


def label(source, outdir: str | Path, *, taxonomy: str = "full", jobs: int | None = None, cache: bool = True,
          backend: str = "treesitter", timeout: float | None = DEFAULT_TASK_TIMEOUT, progress: bool | None = None,
          journal: str | Path | None = None, resume: bool = False, engine: str = "local",
          scheduler: str | None = None, ship: str = "auto", window: int | None = None,
          on_result: Callable[[dict], None] | None = None,
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
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if ship not in SHIP_MODES:
        raise ValueError(f"unknown ship mode {ship!r}: choose one of {', '.join(SHIP_MODES)}")
    if scheduler and engine == "local":
        engine = "dask"
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
    if engine == "dask" and todo:
        runner = _run_dask(todo, scheduler=scheduler, jobs=jobs, kw=kw, ship=ship, window=window)
    else:
        runner = _run_local(todo, jobs=jobs, kw=kw, window=window)
    try:
        for task_id, platform, text in runner:
            jnl.append(task_id, platform, text)
            if on_result is not None:
                on_result(json.loads(text))
            if bar is not None:
                bar.update(1)
    except (KeyboardInterrupt, GeneratorExit):
        raise
    except Exception as exc:
        if engine != "dask":
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
    files, summary = _write_from_journal(jnl, keys, outdir, meta, transform)
    run = LabelRun(folder=outdir, meta=meta)
    run._summary = summary
    return run, files


def label_corpus(source, *, taxonomy: str = "full", jobs: int | None = None, cache: bool = True,
                 backend: str = "treesitter", timeout: float | None = DEFAULT_TASK_TIMEOUT,
                 progress: bool | None = None, journal: str | Path | None = None, resume: bool = False,
                 engine: str = "local", scheduler: str | None = None, ship: str = "auto",
                 on_result: Callable[[dict], None] | None = None, terraform_validate: bool = False) -> LabelRun:
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
        summary = run._summary
        run.load()
        run.folder = None
        run._summary = summary
        return run
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _terraform_transform(items: list, *, jobs: int | None, cache: bool, backend: str):
    """A writer-chunk transform adding terraform's verdicts to the results (tasks read when their chunk comes)."""
    from drdata.labeling.terraform import add_terraform_validation

    by_id = {t.id: t for t in items}

    def transform(chunk: list[dict]) -> None:
        tasks = []
        for r in chunk:
            item = by_id.get(r["task"]["task_id"])
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
