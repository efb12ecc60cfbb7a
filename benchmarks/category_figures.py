"""Per-category figures on the shared corpus: statuses, IDEAL fire rate, and agreement with human reports.

For every category of the full taxonomy it prints:
- tasks labelled fixed / persisting / introduced / absent / unknown (labelled tasks only);
- share of IDEAL answers that fire (among labelled tasks): a rule that fires everywhere labels nothing;
- tasks whose human report names the category (drdata.parse_report + its category mapping),
  how many of those the detectors label fixed (recall_fixed) or fixed-or-persisting (recall_detected),
  and the share of detector labels that reports confirm (precision).

    .venv/bin/python benchmarks/category_figures.py [--taxonomy full|reference] [--csv out.csv]
"""

from __future__ import annotations

import argparse

import pandas as pd
from _corpus import shared_corpus

from drdata.labeling.agreement import agreement_frame, agreement_summary
from drdata.labeling.batch import label_corpus
from drdata.taxonomy import categories


def figures(run, taxonomy: str) -> pd.DataFrame:
    ok = set(run.tasks.task_id[run.tasks.status == "ok"])
    labels = run.labels[run.labels.task_id.isin(ok)]
    status = labels.pivot_table(index="category", columns="status", values="task_id", aggfunc="count",
                                fill_value=0)
    for s in ("fixed", "persisting", "introduced", "absent", "unknown"):
        if s not in status:
            status[s] = 0
    status = status[["fixed", "persisting", "introduced", "absent", "unknown"]]
    ideal_fires = labels.assign(fires=labels.ideal_findings > 0).groupby("category").fires.mean()
    out = status.join(ideal_fires.rename("ideal_fire_share"))
    items = run.report_items
    agree = agreement_frame(labels, items[items.task_id.isin(ok)])
    summary = agreement_summary(agree)
    reported = agree[agree.reported]
    fixed_hits = reported[reported.detector_status == "fixed"].groupby("category").size()
    out = out.join(summary[["reported_tasks", "both", "precision", "report_severity"]])
    out["recall_fixed"] = (fixed_hits.reindex(out.index).fillna(0) / out.reported_tasks).where(out.reported_tasks > 0)
    out["recall_detected"] = (out.both / out.reported_tasks).where(out.reported_tasks > 0)
    order = [c.id for c in categories(taxonomy)]
    out = out.reindex([c for c in order if c in out.index])
    sev = {c.id: c.severity for c in categories(taxonomy)}
    out.insert(0, "severity", out.index.map(sev))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--taxonomy", default="full", choices=["full", "reference"])
    ap.add_argument("--csv", default=None)
    args = ap.parse_args()
    run = label_corpus(shared_corpus(), taxonomy=args.taxonomy, progress=False)
    n_ok = int((run.tasks.status == "ok").sum())
    print(f"{len(run.tasks)} tasks, {n_ok} labelled, {len(run.tasks) - n_ok} error rows; taxonomy {args.taxonomy}")
    out = figures(run, args.taxonomy)
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_rows", 100,
                           "display.float_format", "{:.2f}".format):
        print(out)
    if args.csv:
        out.to_csv(args.csv)


if __name__ == "__main__":
    main()
