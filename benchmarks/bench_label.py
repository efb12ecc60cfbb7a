"""Batch labeling speed on the shared corpus: cold and warm cache, memory, scaling, vs python-hcl2.

Prints, in one run:
- cold time (empty parse cache) and warm time (same cache) for the whole corpus, tasks/s, and the CPU seconds of
  this process and its workers (steadier than wall time when the machine is shared);
- the same scaled to the full 644-task archive (x 644 / tasks);
- peak memory (this process and its worker processes);
- cold time on 25 / 50 / 100 % of the corpus (is time linear in corpus size?);
- python-hcl2's own parsing of the same Terraform blocks, measured here, and the ratio.

    .venv/bin/python benchmarks/bench_label.py [--jobs 2] [--hcl2-sample 1]

Before/after a change, run this same script against the older code too (``PYTHONPATH=/path/to/old/checkout``,
so only the labeling code differs) and compare the cold CPU seconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

from _corpus import shared_corpus

ARCHIVE_TASKS = 644


CPU: list[float] = []  # CPU seconds (this process and its workers) of each _timed_run, in order


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed_run(tasks, cache_dir: str, jobs: int) -> float:
    os.environ["DRDATA_CACHE_DIR"] = cache_dir
    from drdata.labeling.batch import label_corpus

    c0, t0 = _cpu(), time.perf_counter()
    run = label_corpus(tasks, jobs=jobs, progress=False)
    dt = time.perf_counter() - t0
    CPU.append(_cpu() - c0)  # workers count once the pool has shut down; steadier than wall time on a busy machine
    assert len(run.tasks) == len(tasks)
    return dt


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--hcl2-sample", type=int, default=1, help="time python-hcl2 on every Nth block (1 = all)")
    args = ap.parse_args()

    from drdata.corpus import load_corpus

    t0 = time.perf_counter()
    tasks = load_corpus(shared_corpus())
    t_read = time.perf_counter() - t0
    n = len(tasks)
    scale = ARCHIVE_TASKS / n
    print(f"{n} tasks, read in {t_read:.2f} s; jobs={args.jobs}; figures x{scale:.2f} give the {ARCHIVE_TASKS}-task archive")

    with tempfile.TemporaryDirectory() as tmp:
        cold = _timed_run(tasks, os.path.join(tmp, "full"), args.jobs)
        warm = _timed_run(tasks, os.path.join(tmp, "full"), args.jobs)
        print(f"cold: {cold:6.2f} s  {n / cold:6.1f} tasks/s  -> archive {cold * scale:6.2f} s (target <= 20 s); "
              f"CPU {CPU[0]:.2f} s")
        print(f"warm: {warm:6.2f} s  {n / warm:6.1f} tasks/s  -> archive {warm * scale:6.2f} s (target <= 3 s); "
              f"CPU {CPU[1]:.2f} s")
        own, kids = _peak_mb()
        print(f"peak memory: main process {own:.0f} MB, largest worker {kids:.0f} MB (target <= 1024 MB)")

        print("scaling (cold cache):")
        for share in (0.25, 0.5, 1.0):
            subset = tasks[: max(1, int(n * share))]
            dt = _timed_run(subset, os.path.join(tmp, f"s{share}"), args.jobs)
            print(f"  {share:4.0%}: {len(subset):4d} tasks {dt:6.2f} s  {dt / len(subset) * 1000:6.1f} ms/task  "
                  f"CPU {CPU[-1]:.2f} s")

    from drdata.extract import extract_code_blocks
    from drdata.hcl.hcl2_backend import parse_blocks

    blocks = [cb for t in tasks for a in (t.model_response, t.ideal_response) if a
              for cb in extract_code_blocks(a).blocks]
    sample = blocks[:: args.hcl2_sample]
    t0 = time.perf_counter()
    for cb in sample:
        parse_blocks(cb.text, cb.file, cb.line)
    h2 = (time.perf_counter() - t0) * len(blocks) / len(sample)
    print(f"python-hcl2 parsing alone of the same {len(blocks)} blocks (one core): {h2:.1f} s"
          + (f" (extrapolated from every {args.hcl2_sample}th block)" if args.hcl2_sample > 1 else ""))
    print(f"ratio: drdata cold labeling is {h2 / cold:.1f}x faster than python-hcl2 parsing alone; "
          f"warm {h2 / warm:.1f}x")


if __name__ == "__main__":
    main()
