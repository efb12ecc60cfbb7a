"""Labeling at scale: does client memory or time per task grow with the corpus?

Builds synthetic corpora of 1x, 4x and 16x the shared corpus in a temporary folder (never in the repo): every
task folder symlinked under new ids (copy 0 keeps the real id, so 1x is the shared corpus itself; copy k is
``<id>x<k>``). Labels each one cold (an empty parse cache: every task of copy 0 is parsed, later copies find the
same answers in the parse cache, but each copy is labelled) and then warm (the same cache again: every result
comes from the result cache, so the run measures what the client, the scheduler and the writer cost per task),
locally and on a Dask LocalCluster. Prints tasks/s, ms per task (wall), CPU ms per task (client and workers,
user+sys: steady when other processes share the cores, as they may on a shared machine), the client's peak RSS,
the largest worker's peak RSS, the output sizes and the row groups of labels.parquet.

Each label run is a fresh process (``drdata.labeling.batch.label`` to a folder), so its peak RSS is its own:
``ru_maxrss`` of the client; worker peaks are the kernel's high-water mark (VmHWM) of the local pool's
processes, or of the LocalCluster's processes (started by this script, outside the client, as a real cluster
would be). Needs ~8 GB of free disk at 16x for journals and outputs.

    .venv/bin/python benchmarks/bench_scale.py [--scales 1,4,16] [--engines local,dask] [--jobs 2] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _corpus import shared_corpus


def build_corpus(root: Path, source: Path, copies: int) -> int:
    """``root/archive/<platform>/<id>[x<k>]`` symlinks to the source's task folders; returns the task count."""
    from drdata.corpus.reader import find_task_dirs

    n = 0
    for task_dir, platform in find_task_dirs(source):
        plat = root / "archive" / (platform or "unknown")
        plat.mkdir(parents=True, exist_ok=True)
        for k in range(copies):
            name = task_dir.name if k == 0 else f"{task_dir.name}x{k:02d}"
            os.symlink(task_dir.resolve(), plat / name, target_is_directory=True)
            n += 1
    return n


def _vmhwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakSampler:
    """The largest VmHWM among the descendants of ``root`` (minus ``exclude``'s subtree), polled."""

    def __init__(self, root: int, exclude: int | None = None, every: float = 0.25):
        self.root, self.exclude, self.every = root, exclude, every
        self.peak_kb = 0
        self.cpu: dict[int, float] = {}  # user+sys seconds of each process seen, last sample
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _pids(self) -> list[int]:
        import psutil

        try:
            procs = psutil.Process(self.root).children(recursive=True)
        except psutil.Error:
            return []
        skip = set()
        if self.exclude is not None:
            skip.add(self.exclude)
            try:
                skip.update(p.pid for p in psutil.Process(self.exclude).children(recursive=True))
            except psutil.Error:
                pass
        return [p.pid for p in procs if p.pid not in skip]

    def _run(self) -> None:
        while not self._stop.is_set():
            import psutil

            for pid in self._pids():
                self.peak_kb = max(self.peak_kb, _vmhwm_kb(pid))
                try:
                    t = psutil.Process(pid).cpu_times()
                    self.cpu[pid] = t.user + t.system
                except psutil.Error:
                    pass
            self._stop.wait(self.every)


def _client_main(args) -> None:
    """One label run in this fresh process; prints its measures as JSON."""
    from drdata.labeling.batch import label

    t0 = time.perf_counter()
    run, files = label(args.corpus, args.out, jobs=args.jobs, engine=args.engine, scheduler=args.scheduler,
                       progress=False)
    seconds = time.perf_counter() - t0
    summary = run.summary()
    out = Path(args.out)
    print(json.dumps({
        "seconds": seconds, "tasks": summary["tasks"], "errors": summary["errors"],
        "client_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "client_cpu_s": _cpu(resource.RUSAGE_SELF),
        "children_cpu_s": _cpu(resource.RUSAGE_CHILDREN),  # the local pool's workers, once they have exited
        "parquet_mb": sum(p.stat().st_size for p in out.glob("*.parquet")) / 1e6,
        "journal_mb": (out / "journal.jsonl").stat().st_size / 1e6,
        "row_groups": _row_groups(out / "labels.parquet"),
    }))


def _cpu(who) -> float:
    use = resource.getrusage(who)
    return use.ru_utime + use.ru_stime


def _row_groups(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_row_groups


def _cpu_now(root: int) -> dict[int, float]:
    import psutil

    out = {}
    for p in psutil.Process(root).children(recursive=True):
        try:
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
        except psutil.Error:
            pass
    return out


def run_once(corpus: Path, out: Path, cache: Path, engine: str, jobs: int) -> dict:
    os.environ["DRDATA_CACHE_DIR"] = str(cache)  # the local pool and LocalCluster workers inherit it
    cluster = None
    scheduler = None
    if engine == "dask":
        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        scheduler = cluster.scheduler_address
    cmd = [sys.executable, __file__, "--client", "--corpus", str(corpus), "--out", str(out), "--jobs", str(jobs),
           "--engine", engine] + (["--scheduler", scheduler] if scheduler else [])
    base_cpu = _cpu_now(os.getpid()) if engine == "dask" else {}
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Local workers are the client's children; Dask workers are this process's (the cluster's), not the client's.
        root, exclude = (proc.pid, None) if engine == "local" else (os.getpid(), proc.pid)
        with PeakSampler(root, exclude) as sampler:
            stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"label run failed ({proc.returncode}):\n{stderr[-3000:]}")
        res = json.loads(stdout.strip().splitlines()[-1])
        res["worker_rss_mb"] = sampler.peak_kb / 1024
        if engine == "dask":  # cluster processes: CPU they spent during the run (sampled; they outlive it)
            res["children_cpu_s"] = sum(sampler.cpu.values()) - sum(base_cpu.get(p, 0.0) for p in sampler.cpu)
        return res
    finally:
        if cluster is not None:
            cluster.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,4,16")
    ap.add_argument("--engines", default="local,dask")
    ap.add_argument("--modes", default="cold,warm")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--workdir", default=None, help="where the corpora and outputs go (default: a temp dir)")
    ap.add_argument("--json", default=None, help="also write the rows as JSON lines to this file")
    ap.add_argument("--cache-of", default=None, metavar="ENGINE",
                    help="use the parse/result cache another engine's runs filled (warm runs without a cold one)")
    ap.add_argument("--source", default=None, help="corpus to scale (default: the shared corpus)")
    ap.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--engine", default="local", help=argparse.SUPPRESS)
    ap.add_argument("--scheduler", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.client:
        _client_main(args)
        return

    source = Path(args.source) if args.source else shared_corpus()
    scales = [int(s) for s in args.scales.split(",")]
    engines = args.engines.split(",")
    modes = args.modes.split(",")
    work = Path(args.workdir or tempfile.mkdtemp(prefix="drdata-bench-scale-"))
    print(f"work folder: {work}", file=sys.stderr)
    rows = []
    header = (f"{'engine':6} {'scale':>5} {'tasks':>6} {'mode':5} {'s':>8} {'tasks/s':>8} {'ms/task':>8} "
              f"{'cpu ms/t':>8} {'client MB':>9} {'worker MB':>9} {'parquet MB':>10} {'journal MB':>10} {'rg':>3}")
    print(header, flush=True)
    for engine in engines:
        for scale in scales:
            corpus = work / f"corpus-{scale}x"
            if not corpus.exists():
                build_corpus(corpus, source, scale)
            cache = work / f"cache-{args.cache_of or engine}-{scale}x"
            for mode in modes:
                out = work / f"out-{engine}-{scale}x-{mode}"
                res = run_once(corpus, out, cache, engine, args.jobs)
                row = {"engine": engine, "scale": scale, "mode": mode, **res,
                       "tasks_per_s": res["tasks"] / res["seconds"], "ms_per_task": 1000 * res["seconds"] / res["tasks"],
                       "cpu_ms_per_task": 1000 * (res["client_cpu_s"] + res["children_cpu_s"]) / res["tasks"]}
                rows.append(row)
                print(f"{engine:6} {scale:>4}x {row['tasks']:>6} {mode:5} {row['seconds']:>8.1f} "
                      f"{row['tasks_per_s']:>8.1f} {row['ms_per_task']:>8.1f} {row['cpu_ms_per_task']:>8.1f} {row['client_rss_mb']:>9.0f} "
                      f"{row['worker_rss_mb']:>9.0f} {row['parquet_mb']:>10.1f} {row['journal_mb']:>10.1f} "
                      f"{row['row_groups']:>3}", flush=True)
                if args.json:
                    with open(args.json, "a") as fh:
                        fh.write(json.dumps(row) + "\n")
    print()
    for engine in engines:
        for mode in modes:
            by = {r["scale"]: r for r in rows if r["engine"] == engine and r["mode"] == mode}
            if 1 in by and max(by) > 1:
                top = by[max(by)]
                print(f"{engine} {mode}: client RSS {max(by)}x/1x = {top['client_rss_mb'] / by[1]['client_rss_mb']:.2f}, "
                      f"ms/task {max(by)}x/1x = {top['ms_per_task'] / by[1]['ms_per_task']:.2f}, "
                      f"CPU ms/task {max(by)}x/1x = {top['cpu_ms_per_task'] / by[1]['cpu_ms_per_task']:.2f}")


if __name__ == "__main__":
    main()
