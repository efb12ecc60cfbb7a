"""Parse throughput on the shared corpus: both backends, cold and warm cache, in one run.

Prints blocks/s for tree-sitter (default) and python-hcl2 (reference) on the same
blocks, the speed-up of the default over python-hcl2, and answers/s through
``parse_answer`` with a cold and a warm parse cache.

    .venv/bin/python benchmarks/bench_parse.py [--sample N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _corpus import shared_corpus

from drdata.corpus import load_corpus
from drdata.extract import extract_code_blocks
from drdata.hcl import parse_answer
from drdata.hcl.cache import ParseCache
from drdata.hcl.parse import _backend, _without_stray_fences


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=1, help="use every Nth answer (1 = all)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    tasks = load_corpus(shared_corpus())
    answers = [t for task in tasks for t in (task.model_response, task.ideal_response) if t][:: args.sample]
    t_read = time.perf_counter() - t0

    t0 = time.perf_counter()
    blocks = [cb for a in answers for cb in extract_code_blocks(a).blocks]
    texts = [_without_stray_fences(cb.text) for cb in blocks]  # what parse_answer hands the backends
    t_extract = time.perf_counter() - t0
    print(f"corpus: {len(tasks)} tasks, {len(answers)} answers, {len(blocks)} Terraform blocks")
    print(f"read {t_read:.2f} s, extract {t_extract:.2f} s")

    results = {}
    for name in ("treesitter", "hcl2"):
        parse = _backend(name)
        ok = 0
        t0 = time.perf_counter()
        for cb, text in zip(blocks, texts, strict=True):
            if not parse(text, cb.file, cb.line)[1]:
                ok += 1
        dt = time.perf_counter() - t0
        results[name] = dt
        print(f"{name:>10}: {len(blocks) / dt:8.0f} blocks/s  ({dt:6.2f} s, {ok / len(blocks):.2%} parse without error)")
    print(f"speed-up of treesitter over python-hcl2: {results['hcl2'] / results['treesitter']:.1f}x")

    with tempfile.TemporaryDirectory() as tmp:
        cache = ParseCache(Path(tmp) / "bench.sqlite")
        for label in ("cold cache", "warm cache"):
            t0 = time.perf_counter()
            for a in answers:
                parse_answer(a, cache=cache)
            dt = time.perf_counter() - t0
            print(f"parse_answer, {label}: {len(answers) / dt:8.0f} answers/s, {len(blocks) / dt:8.0f} blocks/s "
                  f"({dt:.2f} s; hits {cache.hits}, misses {cache.misses})")
        t0 = time.perf_counter()
        for a in answers:
            parse_answer(a, cache=False)
        print(f"parse_answer, no cache: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
