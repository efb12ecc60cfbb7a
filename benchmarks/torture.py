"""Torture run: mutate every answer of the shared corpus a few ways and label them all.

Each task of the shared corpus becomes one mutated task per mutation (MODEL and IDEAL both mutated, each with
its own draw from a fixed seed), written to a temporary corpus in the upstream layout and labeled with
``label_corpus(jobs=2)``. Prints tasks in, rows out, error rows grouped by reason, detector faults grouped by
detector, and crashes: an exception escaping ``label_corpus`` or a task with no row. Crashes must be 0.

    .venv/bin/python benchmarks/torture.py [--seed 9] [--limit N] [--jobs 2]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import shared_corpus  # noqa: E402

ANSWERS = ("MODEL_RESPONSE.md", "IDEAL_RESPONSE.md")


# -- mutations: bytes in, bytes out, deterministic for a given rng --------------------------------------------

def cut(data: bytes, rng: random.Random) -> bytes:
    """The answer stops at a random point (a truncated generation), possibly inside a UTF-8 sequence."""
    return data[: rng.randrange(len(data) + 1)]


def no_braces(data: bytes, rng: random.Random) -> bytes:
    """Every brace removed: no block closes, no object literal parses."""
    return data.replace(b"{", b"").replace(b"}", b"")


def shuffle_fences(data: bytes, rng: random.Random) -> bytes:
    """Fence lines (```hcl, ```, ~~~) permuted among their positions, and one of them dropped."""
    lines = data.split(b"\n")
    at = [i for i, line in enumerate(lines) if line.lstrip().startswith((b"```", b"~~~"))]
    fences = [lines[i] for i in at]
    rng.shuffle(fences)
    for i, line in zip(at, fences, strict=True):
        lines[i] = line
    if at:
        del lines[rng.choice(at)]
    return b"\n".join(lines)


def inject_binary(data: bytes, rng: random.Random) -> bytes:
    """Runs of random bytes (NULs, invalid UTF-8, control characters) at a few random points."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        pos = rng.randrange(len(out) + 1)
        out[pos:pos] = junk
    return bytes(out)


def duplicate(data: bytes, rng: random.Random) -> bytes:
    """The answer twice (every address declared twice), then a random slice of lines repeated."""
    lines = (data + b"\n" + data).split(b"\n")
    if lines:
        a = rng.randrange(len(lines))
        b = min(len(lines), a + rng.randint(1, 40))
        lines[b:b] = lines[a:b]
    return b"\n".join(lines)


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "cut": cut,
    "nobraces": no_braces,
    "fences": shuffle_fences,
    "binary": inject_binary,
    "dup": duplicate,
}


def build(source: Path, dest: Path, seed: int, limit: int | None) -> int:
    """Write the mutated corpus under ``dest``; returns the number of tasks written."""
    from drdata.corpus.reader import is_task_folder

    rng = random.Random(seed)
    tasks = sorted(p for p in (source / "archive").glob("*/*") if is_task_folder(p))
    if limit:
        tasks = tasks[:limit]
    n = 0
    for task in tasks:
        for name, mutate in MUTATIONS.items():
            out = dest / "archive" / task.parent.name / f"{task.name}__{name}"
            (out / "lib").mkdir(parents=True)
            meta = task / "metadata.json"
            if meta.is_file():
                shutil.copyfile(meta, out / "metadata.json")
            for f in ("PROMPT.md", "MODEL_FAILURES.md", *ANSWERS):
                src = task / "lib" / f
                if not src.is_file():
                    continue
                data = src.read_bytes()
                (out / "lib" / f).write_bytes(mutate(data, rng) if f in ANSWERS else data)
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--limit", type=int, default=None, help="only the first N source tasks")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0, help="per-task time limit (s)")
    args = ap.parse_args(argv)

    from drdata.labeling.batch import label_corpus

    source = shared_corpus()
    with tempfile.TemporaryDirectory(prefix="drdata-torture-") as tmp:
        root = Path(tmp) / "corpus"
        t0 = time.perf_counter()
        n_in = build(source, root, args.seed, args.limit)
        print(f"mutated corpus: {n_in} tasks ({', '.join(MUTATIONS)}) in {time.perf_counter() - t0:.1f} s")
        crashes: list[str] = []
        t0 = time.perf_counter()
        try:
            run = label_corpus(root, jobs=args.jobs, cache=False, timeout=args.timeout, progress=False)
        except BaseException:  # the one thing that must never happen
            crashes.append("label_corpus raised:\n" + traceback.format_exc())
            run = None
        seconds = time.perf_counter() - t0

    print(f"tasks in: {n_in}")
    if run is None:
        print("rows out: 0")
    else:
        tasks = run.tasks
        print(f"rows out: {len(tasks)} ({int((tasks.status == 'ok').sum())} ok, {run.errors} error rows) "
              f"in {seconds:.0f} s")
        missing = n_in - tasks.task_id.nunique()
        if missing:
            crashes.append(f"{missing} task(s) with no row")
        mut = tasks.task_id.str.rsplit("__", n=1).str[-1]
        print("\nerror rows by reason (mutation counts):")
        errors = tasks[tasks.status == "error"]
        # Group reasons without the per-task details (a line number, the parser's quoted token).
        reasons = errors.error.str.replace(r" \(.*\)$", " (…)", regex=True)
        for reason, count in Counter(reasons).most_common():
            by_mut = Counter(mut[reasons[reasons == reason].index])
            print(f"  {count:5d}  {reason}   [{', '.join(f'{k} {v}' for k, v in sorted(by_mut.items()))}]")
        internal = errors[errors.error.str.startswith("internal error")]
        for _, row in internal.iterrows():
            print(f"  internal error in {row.task_id}: {row.error}")
        print(f"\nlabeled tasks with detector faults: {int((tasks.faults.fillna(0) > 0).sum())}")
        faults = Counter()
        for text in tasks.problems.dropna():
            for part in text.split("; "):
                m = re.match(r"(model|ideal):(\w+): (\w+)", part)
                if m:
                    faults[f"{m.group(2)}: {m.group(3)}"] += 1
        for what, count in faults.most_common():
            print(f"  {count:5d}  {what}")
    print(f"\ncrashes: {len(crashes)}")
    for c in crashes:
        print("  " + c)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
