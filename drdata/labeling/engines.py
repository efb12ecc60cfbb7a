"""Engines: where the per-task unit runs. One small interface, three engines.

An engine takes the scheduled items (tasks, or :class:`~drdata.labeling.task.TaskRef` folders read where they
are labelled) and the options of :func:`~drdata.labeling.task.label_one_json`, and yields a
:class:`~drdata.labeling.result.Finished` for every item, in the order they finish. In-process runs them one
after the other here; local processes on this machine's cores; Dask on a cluster (a LocalCluster without an
address). Each keeps a bounded number of items in flight, so a run of any size holds a bounded number of tasks.
"""

from __future__ import annotations

import gc
import itertools
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from drdata.labeling.result import Finished
from drdata.labeling.task import TaskRef, died, label_item, size, warm_up

ENGINES = ("local", "dask")
SHIP_MODES = ("auto", "paths", "texts")


class Engine(Protocol):
    def run(self, items: list, kw: dict) -> Iterator[Finished]:
        """Every item labelled with the options ``kw``, as they finish."""
        ...


# -- in process -------------------------------------------------------------------------------------------------

@contextmanager
def _frozen_gc() -> Iterator[None]:
    """gc.freeze() for an in-process run (see _init_worker), undone afterwards; left alone when the
    caller froze objects of its own."""
    if gc.get_freeze_count():
        yield
        return
    warm_up()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class InProcess:
    """One item after the other, in this process."""

    def run(self, items: list, kw: dict) -> Iterator[Finished]:
        with _frozen_gc():
            for item in items:
                yield label_item(item, kw)


# -- local processes --------------------------------------------------------------------------------------------

def _init_worker() -> None:
    # Ctrl-C is the parent's to handle: workers stay quiet and are terminated.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()
    # Everything alive now (modules, registry, the parent's task list) lives as long as the worker:
    # frozen, the cyclic GC stops re-scanning it on every full collection (~7 % of cold labeling time).
    gc.freeze()


def _worker(args) -> Finished:
    # The JSON text travels back: the parent journals it as is, so the serialisation work is spread over the
    # workers instead of queuing in the parent.
    item, kw = args
    return label_item(item, kw)


def _stop(pool: ProcessPoolExecutor) -> None:
    # Take the processes first: shutdown() sets pool._processes to None.
    procs = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()


def _label_isolated(item, kw: dict) -> Finished:
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(max_workers=1, initializer=_init_worker)
    try:
        return pool.submit(_worker, (item, kw)).result()
    except BrokenProcessPool:
        return died(item)
    finally:
        _stop(pool)


@dataclass
class LocalProcesses:
    """Worker processes on this machine (in process for one job or one item).

    At most ``window`` items (4 per worker by default) are submitted at a time: the next one goes when one
    finishes. A worker that dies (a crash in native code, the OOM killer) costs only its own task: the items in
    flight are labelled again one process each, and the rest go on in a fresh pool.
    """

    jobs: int | None = None
    window: int | None = None

    def run(self, items: list, kw: dict) -> Iterator[Finished]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        jobs = self.jobs or os.cpu_count() or 1
        if jobs <= 1 or len(items) <= 1:
            yield from InProcess().run(items, kw)
            return
        window = max(self.window or 4 * jobs, jobs)
        # Largest tasks first, so no long task starts last while the other cores sit idle.
        order = iter(sorted(range(len(items)), key=lambda i: -size(items[i])))
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


# -- Dask -------------------------------------------------------------------------------------------------------

def _dask_label(item, kw: dict) -> Finished:
    return label_item(item, kw)


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


@dataclass
class Dask:
    """The same per-task function on a Dask cluster at ``scheduler`` (a LocalCluster of ``jobs`` workers when
    None).

    Submission is bounded: ``window`` futures at most (8 per worker thread by default, at least 16), the next
    one submitted as one finishes, so neither the scheduler nor the client holds the whole corpus. Folders
    (TaskRefs) are shipped as paths when the workers can read them (``ship``: see :data:`SHIP_MODES`), else
    read here, one window ahead at most, and shipped as texts (``on_ship`` hears which). A worker lost mid-run
    costs nothing finished (the caller has journalled it) and Dask reruns its tasks elsewhere; a task that kills
    every worker it lands on becomes an error row.
    """

    scheduler: str | None = None
    jobs: int | None = None
    ship: str = "auto"
    window: int | None = None
    on_ship: Callable[[str], None] | None = None

    def __post_init__(self):
        if self.ship not in SHIP_MODES:
            raise ValueError(f"unknown ship mode {self.ship!r}: choose one of {', '.join(SHIP_MODES)}")

    def run(self, items: list, kw: dict) -> Iterator[Finished]:
        from dask.distributed import Client, LocalCluster, as_completed
        from distributed.scheduler import KilledWorker

        jobs = self.jobs
        cluster = None
        if self.scheduler:
            client = Client(self.scheduler)
        else:
            cluster = LocalCluster(n_workers=jobs or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        try:
            paths = _ship_paths(client, items, self.ship, cluster is not None)
            if self.on_ship is not None:
                self.on_ship("paths" if paths else "texts")
            window = self.window
            if window is None:
                threads = sum(client.nthreads().values()) or (jobs or os.cpu_count() or 1)
                window = max(16, 8 * threads)
            order = iter(sorted(range(len(items)), key=lambda i: -size(items[i])))
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
                    res = died(items[i])
                fut.release()
                yield res
                nxt = next(order, None)
                if nxt is not None:
                    queue.add(submit(nxt))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def make_engine(engine: str = "local", *, jobs: int | None = None, window: int | None = None,
                scheduler: str | None = None, ship: str = "auto") -> Engine:
    """The engine a run asked for (``scheduler`` implies Dask)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if engine == "dask" or scheduler:
        return Dask(scheduler=scheduler, jobs=jobs, ship=ship, window=window)
    if ship not in SHIP_MODES:
        raise ValueError(f"unknown ship mode {ship!r}: choose one of {', '.join(SHIP_MODES)}")
    return LocalProcesses(jobs=jobs, window=window)
