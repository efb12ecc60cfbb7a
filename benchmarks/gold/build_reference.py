"""Assemble the gold set from the judging passes, and measure the agreement of the two passes.

    python benchmarks/gold/build_reference.py            # prints the agreement, writes reference.csv

Inputs (all in benchmarks/gold/passes/, method in benchmarks/gold/README.md):
- pass1_bNN.csv: the first, blind pass over the whole sample (10 batches of 10 tasks, one reviewer each);
- pass2_bNN.csv: the second, independent pass over the overlap (15 % of the sample);
- settled.csv: rows re-judged after the passes, where two reviewers read the protocol differently (the
  settled readings are in the README); a settled row replaces the first pass's row.

Output: reference.csv, one row per (task, category): the judgements, the gold status, the evidence, the part
of the sample (dev / holdout) and whether the row was settled.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
from drdata.stats.gold import check_gold, cohen_kappa  # noqa: E402


def read_pass(pattern: str) -> pd.DataFrame:
    files = sorted((HERE / "passes").glob(pattern))
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


def agreement(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    both = second.merge(first, on=["task", "category"], suffixes=("_2", "_1"))
    rows = []
    for col in ("gold", "model", "ideal"):
        rows.append({"judgement": col, "items": len(both), "agreement": float((both[f"{col}_1"] == both[f"{col}_2"]).mean()),
                     "kappa": cohen_kappa(both[f"{col}_1"], both[f"{col}_2"])})
    fixed1, fixed2 = both["gold_1"] == "fixed", both["gold_2"] == "fixed"
    rows.append({"judgement": "gold is fixed (yes/no)", "items": len(both),
                 "agreement": float((fixed1 == fixed2).mean()), "kappa": cohen_kappa(fixed1.astype(str), fixed2.astype(str))})
    return pd.DataFrame(rows).set_index("judgement")


def main() -> int:
    first, second = read_pass("pass1_*.csv"), read_pass("pass2_*.csv")
    settled = pd.read_csv(HERE / "passes" / "settled.csv", dtype=str, keep_default_na=False)
    print(f"first pass: {first['task'].nunique()} tasks, second pass: {second['task'].nunique()} tasks\n")
    print(agreement(first, second).to_string(float_format=lambda x: f"{x:.3f}"))
    both = second.merge(first, on=["task", "category"], suffixes=("_2", "_1"))
    diff = both[both["gold_1"] != both["gold_2"]]
    if len(diff):
        print("\ndisagreements on the gold status (settled in settled.csv):")
        for r in diff.itertuples():
            print(f"  {r.task} {r.category}: first {r.gold_1}, second {r.gold_2}")
    sample = pd.read_csv(HERE / "sample.csv", dtype=str)
    gold = first.set_index(["task", "category"])
    for r in settled.itertuples():
        gold.loc[(r.task, r.category), ["model", "ideal", "gold", "evidence"]] = [r.model, r.ideal, r.gold, r.evidence]
    gold["settled"] = gold.index.isin(list(settled.set_index(["task", "category"]).index))
    gold = gold.reset_index().merge(sample[["task", "part"]], on="task", how="left")
    if gold["part"].isna().any():
        raise SystemExit("a judged task is not in sample.csv")
    check_gold(gold)
    changed = int(gold["settled"].sum())
    print(f"\n{changed} rows settled; {len(gold)} rows, {gold['task'].nunique()} tasks")
    print(gold["gold"].value_counts().to_string())
    cols = ["task", "category", "model", "ideal", "gold", "part", "settled", "evidence"]
    gold[cols].sort_values(["task", "category"]).to_csv(HERE / "reference.csv", index=False, lineterminator="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
