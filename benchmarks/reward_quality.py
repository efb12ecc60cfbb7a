"""How well drdata's reward ranks a corrected answer above the flawed one, and how fast it scores.

    python benchmarks/reward_quality.py [--labels DIR] [--inversions N] [--normalise log_objects|objects|none]

On the shared corpus every task pairs a MODEL answer with its corrected IDEAL answer. A reward is judged the way
reward models are: the share of pairs where the IDEAL scores strictly higher (pairwise accuracy), ties and
inversions; overall, for comparable pairs (``pair_state == "paired"`` in a label run's tasks table: both sides
have Terraform, the IDEAL is no excerpt), and for comparable pairs whose two answers differ (identical answers
can only tie). Each inversion gets a cause (first that applies):

1. ``IDEAL does not parse or is cut off`` (the MODEL does);
2. ``IDEAL is smaller`` (its raw penalty is at most the MODEL's: only the size normalisation inverts it);
3. ``IDEAL refers to objects it never declares`` (undefined references only the IDEAL has: a file not shown);
4. ``IDEAL adds objects that fail rules`` (most of the IDEAL-only penalty sits on addresses the MODEL lacks);
5. ``IDEAL-only findings on shared objects`` (the IDEAL changed an object both have and a rule now fires: a
   regression of the correction or a false positive of the rule; these are the ones to read).

Then the scoring's speed on one core (this process, sequentially): a cold start (a new interpreter: import and
first answer), cold answers (no parse cache: every answer parsed, as a fresh completion is in RL) and warm
answers (the parse cache already holds the answer), with answers/s, p50 / p95 / max latency per answer.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

CAUSES = ("IDEAL does not parse or is cut off", "IDEAL is smaller (size normalisation)",
          "IDEAL refers to objects it never declares", "IDEAL adds objects that fail rules",
          "IDEAL-only findings on shared objects")


def _same(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def cause(model, ideal, config) -> tuple[str, list]:
    """(cause, IDEAL-only problems) of one inversion."""
    from dataclasses import replace

    from drdata.rewards import penalty

    keys = {(p.category, p.address) for p in model.problems}
    only = [p for p in ideal.problems if (p.category, p.address) not in keys]
    if (ideal.parse.errors or ideal.parse.truncated) and not (model.parse.errors or model.parse.truncated):
        return CAUSES[0], only
    raw = replace(config, normalise="none")
    if penalty(ideal, raw) <= penalty(model, raw):
        return CAUSES[1], only
    if any(p.category == "undefined_reference" for p in only):
        return CAUSES[2], only
    model_addresses = {p.address for p in model.problems} | set(model._meta.get("addresses", ()))
    new = [p for p in only if p.address not in model_addresses]
    weights = config.severity_weights
    if sum(weights.get(p.severity, 1) for p in new) > sum(weights.get(p.severity, 1) for p in only) / 2:
        return CAUSES[3], only
    return CAUSES[4], only


def addresses(text: str) -> set[str]:
    from drdata.hcl import parse_answer
    from drdata.labeling.diff import entries

    return set(entries(parse_answer(text, cache=False)))


def pairwise(rows: list[tuple[str, float, float]], ids: set[str]) -> str:
    sel = [(m, i) for t, m, i in rows if t in ids]
    if not sel:
        return "n=0"
    m = np.array([x[0] for x in sel])
    i = np.array([x[1] for x in sel])
    return (f"n={len(sel)}: IDEAL better {np.mean(i > m):.3f}, ties {np.mean(i == m):.3f}, "
            f"inversions {np.mean(i < m):.3f}")


def latency(items, cache) -> np.ndarray:
    from drdata.rewards import DEFAULT, score
    from drdata.verify import verify

    out = []
    for text, prompt in items:
        t0 = time.perf_counter()
        score(verify(text, prompt, cache=cache, time_budget=DEFAULT.time_budget), DEFAULT)
        out.append(time.perf_counter() - t0)
    return np.array(out)


def describe(lat: np.ndarray) -> str:
    return (f"{len(lat) / lat.sum():.1f} answers/s, p50 {1000 * np.median(lat):.1f} ms, "
            f"p95 {1000 * np.percentile(lat, 95):.1f} ms, max {1000 * lat.max():.0f} ms")


def cold_start(text: str, prompt: str) -> float:
    code = ("import time, sys; t = time.perf_counter(); from drdata.rewards import terraform_reward; "
            "terraform_reward([sys.argv[2]], [sys.argv[1]]); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code, text, prompt], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labels", type=Path, default=None, help="a `drdata label` folder of the shared corpus "
                                                             "(default: label it here)")
    ap.add_argument("--inversions", type=int, default=0, help="list this many inversions per cause")
    ap.add_argument("--normalise", default=None, help="override RewardConfig.normalise")
    args = ap.parse_args()
    os.environ["DRDATA_CACHE_DIR"] = tempfile.mkdtemp(prefix="drdata-reward-cache-")
    import pandas as pd
    from _corpus import shared_corpus

    from drdata.corpus import load_corpus
    from drdata.rewards import DEFAULT, RewardConfig, score
    from drdata.verify import verify

    config = DEFAULT if args.normalise is None else RewardConfig(normalise=args.normalise)
    corpus = shared_corpus()
    tasks = [t for t in load_corpus(corpus)]
    if args.labels is None:
        from drdata.labeling.batch import label_corpus

        states = label_corpus(corpus, progress=False).tasks
    else:
        states = pd.read_parquet(args.labels / "tasks.parquet")
    state = {r.task_id: (r.pair_state if isinstance(r.pair_state, str) else None) for r in states.itertuples()}

    items = [(a, t.prompt) for t in tasks for a in (t.model_response, t.ideal_response)]
    cold = latency(items, cache=False)
    latency(items, cache=True)  # fills the parse cache
    warm = latency(items, cache=True)
    start = cold_start(tasks[0].ideal_response or "", tasks[0].prompt or "")

    verdicts = {t.id: (verify(t.model_response, t.prompt, time_budget=config.time_budget),
                       verify(t.ideal_response, t.prompt, time_budget=config.time_budget)) for t in tasks}
    rows = [(t.id, score(verdicts[t.id][0], config), score(verdicts[t.id][1], config)) for t in tasks]
    everything = {t.id for t in tasks}
    paired = {t for t in everything if state.get(t) == "paired"}
    differ = {t.id for t in tasks if t.id in paired and not _same(t.model_response, t.ideal_response)}
    print(f"reward: {config}\n")
    print("Pairwise accuracy (IDEAL strictly better than MODEL)")
    print(f"- all tasks           {pairwise(rows, everything)}")
    print(f"- comparable pairs    {pairwise(rows, paired)}")
    print(f"- comparable, answers differ  {pairwise(rows, differ)}")
    timed_out = sum(v.timed_out for pair in verdicts.values() for v in pair)
    print(f"  ({timed_out} answers hit the time budget: the rules not run are skipped)\n")

    texts = {t.id: t for t in tasks}
    inverted = [t for t, m, i in rows if t in paired and i < m]
    by_cause: dict[str, list] = {c: [] for c in CAUSES}
    per_category: Counter = Counter()
    for tid in inverted:
        model, ideal = verdicts[tid]
        model._meta["addresses"] = addresses(texts[tid].model_response)
        why, only = cause(model, ideal, config)
        by_cause[why].append((tid, only))
        for cat in {p.category for p in only}:
            per_category[cat] += 1
    print(f"Inversions among comparable pairs: {len(inverted)}, by cause")
    for c in CAUSES:
        print(f"- {c}: {len(by_cause[c])}" + (f"  ({', '.join(t for t, _ in by_cause[c][:12])}"
                                              f"{' ...' if len(by_cause[c]) > 12 else ''})" if by_cause[c] else ""))
    print("Categories with IDEAL-only findings in inverted pairs (pairs): "
          + ", ".join(f"{c} {n}" for c, n in per_category.most_common(12)))
    if args.inversions:
        for c in CAUSES:
            for tid, only in by_cause[c][:args.inversions]:
                print(f"\n[{c}] {tid}: MODEL {rows_of(rows, tid)[0]:.3f}, IDEAL {rows_of(rows, tid)[1]:.3f}")
                for p in only[:8]:
                    print(f"  IDEAL-only {p.severity} {p.category} {p.address} (line {p.line}): {p.message[:150]}")

    print("\nSpeed on one core (the reward of one answer: verify + score)")
    print(f"- cold start (new interpreter, import + first answer): {start:.2f} s")
    print(f"- cold answers (no parse cache): {describe(cold)}")
    print(f"- warm answers (parse cache holds the answer): {describe(warm)}")
    print(f"  answers: {len(items)}, median length {int(np.median([len(a or '') for a, _ in items]))} characters")
    return 0


def rows_of(rows, tid):
    return next((m, i) for t, m, i in rows if t == tid)


if __name__ == "__main__":
    sys.exit(main())
