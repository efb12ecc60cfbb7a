"""Where cold labeling spends its time: per phase, and the top functions by own time.

Labels every task of the shared corpus in this one process (empty cache, as a cold run), timing each phase
with wall-clock timers around the library's own functions (low overhead), then, with ``--functions``, runs
again under cProfile and prints the functions with the most own time (cProfile inflates pure-Python code
relative to C, so read that list for ranking, the phase table for shares).

    .venv/bin/python benchmarks/profile_label.py [--every N] [--functions 20]

For a sampling profile of the parallel run, use py-spy on bench_label.py:
    py-spy record -f speedscope -o label.json -- .venv/bin/python benchmarks/bench_label.py
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import tempfile
import time
from collections import defaultdict

from _corpus import shared_corpus

# (label, module, attribute): each is wrapped by a timer; nested phases are subtracted from their parent.
PHASES = [
    ("markdown extraction (markdown-it)", "drdata.extract", "extract_code_blocks"),
    ("tree-sitter parse (C)", "drdata.hcl.treesitter", "_parse"),
    ("HCL model building", "drdata.hcl.parse", "parse_code_blocks"),
    ("parse cache writes (pickle + zlib)", "drdata.hcl.cache.ParseCache", "put"),
    ("detectors", "drdata.labeling.task", "label_configs"),
    ("report parsing", "drdata.labeling.task", "_report_items"),
    ("result cache writes", "drdata.labeling.cache.ResultCache", "put_text"),
]
PARENT = {"tree-sitter parse (C)": "HCL model building"}


def _wrap(totals: dict[str, float]) -> None:
    import drdata.extract
    import drdata.hcl.cache
    import drdata.hcl.parse
    import drdata.hcl.treesitter
    import drdata.labeling.cache
    import drdata.labeling.task

    owners = {"drdata.extract": drdata.extract, "drdata.hcl.treesitter": drdata.hcl.treesitter,
              "drdata.hcl.parse": drdata.hcl.parse, "drdata.hcl.cache.ParseCache": drdata.hcl.cache.ParseCache,
              "drdata.labeling.task": drdata.labeling.task,
              "drdata.labeling.cache.ResultCache": drdata.labeling.cache.ResultCache}
    for label, owner, name in PHASES:
        target = owners[owner]
        real = getattr(target, name)

        def timed(*a, _real=real, _label=label, **kw):
            t0 = time.perf_counter()
            try:
                return _real(*a, **kw)
            finally:
                totals[_label] += time.perf_counter() - t0

        setattr(target, name, timed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=int, default=1, help="label every Nth task (1 = all)")
    ap.add_argument("--functions", type=int, default=20, help="top functions by own time (0 = skip cProfile)")
    args = ap.parse_args()

    from drdata.corpus import load_corpus

    tasks = load_corpus(shared_corpus())[:: args.every]
    totals: dict[str, float] = defaultdict(float)
    _wrap(totals)
    from drdata.labeling.task import label_one_json, warm_up

    warm_up()
    gc.freeze()  # as the batch workers do
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DRDATA_CACHE_DIR"] = os.path.join(tmp, "timers")
        t0 = time.perf_counter()
        for task in tasks:
            label_one_json(task)
        wall = time.perf_counter() - t0
        shares = dict(totals)
        for child, parent in PARENT.items():
            shares[parent] -= shares[child]
        print(f"{len(tasks)} tasks on one core in {wall:.2f} s ({wall / len(tasks) * 1000:.1f} ms/task)")
        print(f"{'phase':38s} {'s':>7s} {'share':>6s} {'ms/task':>8s}")
        for label, _o, _n in PHASES:
            s = shares[label]
            print(f"{label:38s} {s:7.2f} {s / wall:6.1%} {s / len(tasks) * 1000:8.1f}")
        rest = wall - sum(shares.values())
        print(f"{'everything else (hashing, rows, JSON)':38s} {rest:7.2f} {rest / wall:6.1%} "
              f"{rest / len(tasks) * 1000:8.1f}")

        if args.functions:
            os.environ["DRDATA_CACHE_DIR"] = os.path.join(tmp, "cprofile")
            prof = cProfile.Profile()
            prof.enable()
            for task in tasks:
                label_one_json(task)
            prof.disable()
            print(f"\ntop {args.functions} functions by own time (cProfile):")
            pstats.Stats(prof).sort_stats("tottime").print_stats(args.functions)


if __name__ == "__main__":
    main()
