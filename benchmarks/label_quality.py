"""Label quality against the blind gold set: precision and recall of `fixed`, per category and overall.

    python benchmarks/label_quality.py                 # label the gold tasks with this checkout, print the figures
    python benchmarks/label_quality.py --run OUT       # score an existing `drdata label` folder instead
    python benchmarks/label_quality.py --misses        # also list the misses of the dev and extension parts
    python benchmarks/label_quality.py --json FILE     # also write the figures as JSON
    python benchmarks/label_quality.py --write-floors  # raise the ratchet floors to today's figures

The gold set (benchmarks/gold/reference.csv, method in benchmarks/gold/README.md) covers the 12 reference
categories on a seeded random sample of the shared corpus; its `part` column splits it into a development part
(misses may be read while improving rules), a holdout part (only its figures are read) and an extension judged
later (scored once before any rule changed with its misses in view, development material since), and a Lambda
part judged for lambda_package_missing only, on tasks drawn from those that declare a Lambda (scored on its own
and, for that category, with the random parts; it stays out of the micro figures). The other categories
are measured from judged samples of `fixed` labels (benchmarks/gold/precision_samples.csv); a judgement whose
finding no longer exists, or whose message or evidence changed, is stale and reported as such.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import shared_corpus  # noqa: E402

from drdata.stats.gold import GOLD_STATUSES, gold_quality, precision_samples_quality, read_gold  # noqa: E402

GOLD_DIR = Path(__file__).resolve().parent / "gold"
FLOORS = GOLD_DIR / "floors.json"
RANDOM_PARTS = ("dev", "holdout", "extension")
TARGETED_PARTS = ("lambda",)  # judged for one category only (benchmarks/gold/sample.py)


def label_tasks(task_ids: list[str], taxonomy: str = "full") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(labels, findings) of the given shared-corpus tasks, labeled by this checkout."""
    from drdata.corpus import read_task
    from drdata.labeling.batch import label_corpus

    root = shared_corpus() / "archive" / "tf-hcl"
    tasks = [read_task(root / t) for t in sorted(set(task_ids))]
    # A generous time limit: the figures must not depend on how loaded the machine is.
    run = label_corpus(tasks, taxonomy=taxonomy, progress=False, timeout=300)
    return run.labels, run.findings


def fmt(x: float) -> str:
    return "  -  " if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def print_table(title: str, q) -> None:
    print(f"\n## {title}\n")
    per = q.per_category.join(q.sides[["model_precision", "ideal_precision"]])
    print(f"{'category':36} {'n':>3} {'said':>4} {'true':>4} {'prec':>5} {'rec':>5}   {'M-yes prec':>10} "
          f"{'I-yes prec':>10}")
    for cat, r in per.iterrows():
        print(f"{cat:36} {int(r['n']):>3} {int(r['labeled_fixed']):>4} {int(r['true_fixed']):>4} {fmt(r['precision']):>5} "
              f"{fmt(r['recall']):>5}   {fmt(r['model_precision']):>10} {fmt(r['ideal_precision']):>10}")
    m = q.micro
    print(f"{'micro':36} {m['n']:>3} {m['labeled_fixed']:>4} {m['true_fixed']:>4} {fmt(m['precision']):>5} "
          f"{fmt(m['recall']):>5}")
    print(f"{'macro':36} {'':>3} {'':>4} {'':>4} {fmt(q.macro['precision']):>5} {fmt(q.macro['recall']):>5}")
    print(f"status agreement (all five statuses): {fmt(m['status_agreement'])}")


def floors_of(q) -> dict:
    """Per category, today's precision and recall of `fixed` rounded down to 2 decimals (None where undefined)."""
    def down(x) -> float | None:
        return None if x is None or math.isnan(x) else math.floor(x * 100) / 100

    out = {cat: {"precision": down(r["precision"]), "recall": down(r["recall"])}
           for cat, r in q.per_category.iterrows()}
    out["micro"] = {"precision": down(q.micro["precision"]), "recall": down(q.micro["recall"])}
    return out


def ratchet(q, write: bool) -> None:
    """Compare with the stored floors; with ``write``, raise them to today's figures."""
    now = floors_of(q)
    old = json.loads(FLOORS.read_text()) if FLOORS.exists() else {}
    rises = [f"{c} {k} {old.get(c, {}).get(k)} -> {v}" for c, d in now.items() for k, v in d.items()
             if v is not None and (old.get(c, {}).get(k) is None or v > old[c][k])]
    if write:
        FLOORS.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nfloors written to {FLOORS}")
    elif rises:
        print("\nfigures above the stored floors (raise them with --write-floors): " + "; ".join(rises))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(GOLD_DIR / "reference.csv"))
    ap.add_argument("--samples", default=str(GOLD_DIR / "precision_samples.csv"))
    ap.add_argument("--run", help="a `drdata label` output folder to score instead of labeling now")
    ap.add_argument("--misses", action="store_true", help="list the development part's misses")
    ap.add_argument("--json", help="write the figures to this JSON file")
    ap.add_argument("--write-floors", action="store_true",
                    help=f"store today's per-category figures as the floors of the ratchet test ({FLOORS.name})")
    args = ap.parse_args(argv)

    gold = read_gold(args.gold)
    if args.run:
        labels = pd.read_parquet(Path(args.run) / "labels.parquet")
        findings = pd.read_parquet(Path(args.run) / "findings.parquet")
    else:
        labels, findings = label_tasks(list(gold["task"].unique()))
    out: dict = {}
    # "all" is the random sample (its micro figures describe the corpus); the Lambda part is a draw targeted
    # at one category, so it is scored on its own and, for that category, together with the random parts.
    random_parts = gold[gold["part"].isin(RANDOM_PARTS)]
    for part in ("all", *RANDOM_PARTS, *TARGETED_PARTS):
        g = random_parts if part == "all" else gold[gold["part"] == part]
        if not len(g):
            continue
        q = gold_quality(labels, g)
        print_table(f"reference categories, {part} ({g['task'].nunique()} tasks)", q)
        out[part] = {"micro": q.micro, "macro": q.macro,
                     "per_category": json.loads(q.per_category.to_json(orient="index")),
                     "sides": json.loads(q.sides.to_json(orient="index"))}
        if part == "all":
            ratchet(q, args.write_floors)
            print("\nstatus confusion, all reference categories (rows gold, columns drdata):\n")
            print(q.confusion.reindex(index=list(GOLD_STATUSES), columns=list(GOLD_STATUSES)).to_string())
            out["confusion"] = json.loads(q.confusion.to_json(orient="index"))
        if part in TARGETED_PARTS:
            cats = sorted(g["category"].unique())
            both = gold_quality(labels, gold[gold["category"].isin(cats)])
            for cat, r in both.per_category.iterrows():
                print(f"{cat}, random and {part} parts together: n {int(r['n'])}, said {int(r['labeled_fixed'])}, "
                      f"true {int(r['true_fixed'])}, precision {fmt(r['precision'])}, recall {fmt(r['recall'])}, "
                      f"M-yes precision {fmt(both.sides.loc[cat, 'model_precision'])}, "
                      f"I-yes precision {fmt(both.sides.loc[cat, 'ideal_precision'])}")
            out[f"{part}+random"] = {"per_category": json.loads(both.per_category.to_json(orient="index")),
                                     "sides": json.loads(both.sides.to_json(orient="index"))}
        if part in ("dev", "extension", *TARGETED_PARTS) and args.misses:
            miss = q.misses()
            print(f"\n{part} misses ({len(miss)}):")
            for r in miss.itertuples():
                print(f"  {r.task:8} {r.category:34} gold={r.gold:14} drdata={r.drdata:14} {r.evidence}")

    samples_path = Path(args.samples)
    if samples_path.exists():
        samples = pd.read_csv(samples_path, dtype=str, keep_default_na=False)
        if args.run:
            s_labels, s_findings = labels, findings
        else:
            extra = sorted(set(samples["task"]) - set(gold["task"]))
            s_labels, s_findings = label_tasks(extra) if extra else (labels.iloc[:0], findings.iloc[:0])
            s_labels, s_findings = pd.concat([labels, s_labels]), pd.concat([findings, s_findings])
        print("\n## other categories: precision of `fixed` from judged samples\n")
        try:
            per = precision_samples_quality(samples, s_findings)
        except ValueError as exc:
            print(f"not scored: {exc}")
        else:
            print(per.to_string(float_format=lambda x: f"{x:.2f}"))
            cur, ok = int(per["current"].sum()), int(per["correct"].sum())
            print(f"micro: {ok}/{cur} current judgements correct = {ok / cur:.2f}" if cur else "micro: no current judgement")
            out["samples"] = json.loads(per.to_json(orient="index"))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
