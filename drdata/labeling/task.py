"""The per-task unit of work: one task (or a task folder not read yet) in, one :class:`TaskResult` out.

:func:`label_one` never raises for a bad task: parse failures, detector faults and time limits become an error
row with its reason. What engines schedule is a :class:`TaskRef` (a task folder, read by the worker that labels
it) or a task already in memory.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from drdata.labeling.cache import result_cache
from drdata.labeling.pair import label_configs
from drdata.labeling.result import Finished, TaskResult, task_row

DEFAULT_TASK_TIMEOUT = 10.0


class TaskTimeout(BaseException):
    """Raised into a task at its time limit; a BaseException so that the
    fault-tolerant ``except Exception`` of parsers and detectors lets it through."""


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


# -- time limits ------------------------------------------------------------------------------------------------

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


# -- one task ---------------------------------------------------------------------------------------------------

def label_one(task, taxonomy: str = "full", backend: str = "treesitter", cache: bool = True,
              timeout: float | None = DEFAULT_TASK_TIMEOUT, with_reports: bool = True) -> TaskResult:
    """Label one task into its rows. Never raises for a bad task: parse failures, detector faults and
    timeouts end up in the rows."""
    return TaskResult.from_json(label_one_json(task, taxonomy, backend, cache, timeout, with_reports))


def label_one_json(task, taxonomy: str = "full", backend: str = "treesitter", cache: bool = True,
                   timeout: float | None = DEFAULT_TASK_TIMEOUT, with_reports: bool = True) -> str:
    """``label_one`` as its JSON text (sorted keys): what workers send back, the journal keeps and the
    result cache stores, so a result is serialised once."""
    start = time.perf_counter()
    store = result_cache(cache)
    key = store.key(task, taxonomy, backend, with_reports) if store is not None else None
    if store is not None:
        cached = store.get_text(key)
        if cached is not None:
            return cached
    old = _alarm(timeout)
    try:
        try:
            result = _label_one(task, taxonomy, backend, cache, timeout, with_reports, start)
        finally:
            _disarm(old)
    except TaskTimeout:  # the limit struck between the task's own handler and the disarm
        result = _error(task, f"timed out after {timeout:g} s", start)
    text = result.to_json()
    if store is not None and not (result.task["error"] or "").startswith(("timed out", "internal error")):
        store.put_text(key, text)
    return text


def _seconds(start: float) -> float:
    return round(time.perf_counter() - start, 4)


def _error(task, reason: str, start: float) -> TaskResult:
    return TaskResult.error(task, reason, _seconds(start))


def _label_one(task, taxonomy, backend, cache, timeout, with_reports, start) -> TaskResult:
    from drdata.hcl import parse_answer

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
            row = task_row(task, status="error", error=f"{model_error}; {ideal_error}", **health)
            row["seconds"] = _seconds(start)
            return TaskResult(row, items=items, diff=[])
        # One unusable side still leaves the other's findings worth reporting; its labels say unknown, and why.
        if model_error or ideal_error:
            model = model if not model_error else _empty(model)
            ideal = ideal if not ideal_error else _empty(ideal)
        labels = label_configs(model, ideal, taxonomy=taxonomy, task_id=task.id, prompt=task.prompt)
        counts = labels.severity_counts()
        state = ("model_unusable" if model_error else "ideal_unusable" if ideal_error
                 else "ideal_excerpt" if labels.diff.ideal_state == "excerpt" else "paired")
        row = task_row(task, status="ok", error=None, faults=len(labels.faults), **health,
                       pair_state=state, pair_note=model_error or ideal_error,
                       fixed_critical=counts["Critical"], fixed_high=counts["High"],
                       fixed_medium=counts["Medium"], fixed_low=counts["Low"],
                       unknown_labels=sum(labels.unknown_reasons().values()))
        if labels.faults:
            row["problems"] = "; ".join(filter(None, [row["problems"], *labels.faults]))
        diff = labels.diff.frame(task.id).to_dict("records") if not (model_error or ideal_error) else []
        row["seconds"] = _seconds(start)
        return TaskResult(row, labels.label_rows(), labels.finding_rows(), items, diff)
    except TaskTimeout:
        return _error(task, f"timed out after {timeout:g} s", start)
    except RecursionError:
        return _error(task, "answer nested too deeply to analyse", start)
    except Exception as exc:  # the run goes on; the reason is kept
        return _error(task, f"internal error: {type(exc).__name__}: {exc}"[:300], start)


def _empty(cfg):
    """An answer with nothing usable, keeping its code blocks for the health counts."""
    from drdata.hcl.model import TerraformConfig

    return TerraformConfig(code_blocks=cfg.code_blocks, errors=cfg.errors, truncated=cfg.truncated,
                           backend=cfg.backend)


def _report_items(task) -> list[dict]:
    from drdata.corpus.report import parse_report

    return [{"task_id": task.id, **vars(it)} for it in parse_report(task.failures_report)]  # never raises


def warm_up() -> None:
    """Import and build once what every task needs, before the first task's clock starts."""
    from drdata.corpus.report import parse_report
    from drdata.detectors.registry import registry
    from drdata.extract import extract_code_blocks
    from drdata.hcl import parse_hcl

    registry()
    parse_hcl("")
    extract_code_blocks("")
    parse_report("")


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


def as_task(item):
    """The task of a scheduled item (reading a TaskRef's folder never raises: see read_task)."""
    return item.read() if isinstance(item, TaskRef) else item


def size(item) -> int:
    if isinstance(item, TaskRef):
        return item.size
    return len(item.model_response or "") + len(item.ideal_response or "") + len(item.failures_report or "")


def label_item(item, kw: dict) -> Finished:
    """One scheduled item labelled, as its key and result text."""
    task = as_task(item)
    return Finished(task.id, task.platform, label_one_json(task, **kw))


def died(item) -> Finished:
    """The error row of an item whose worker process died under it."""
    task = as_task(item)
    result = TaskResult.error(task, "the worker process died while labeling this task "
                                    "(a crash in native code or out of memory)", None)
    return Finished(task.id, task.platform, result.to_json())
