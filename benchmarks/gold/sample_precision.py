"""Draw the precision samples: `fixed` labels of the categories outside the reference taxonomy, to be judged.

    python benchmarks/gold/sample_precision.py RUN_DIR             # prints how many per category
    python benchmarks/gold/sample_precision.py RUN_DIR --write OUT  # writes the samples to judge to OUT

OUT holds each finding's message and evidence for the reviewers; it quotes the corpus, so it is kept out of
the repository. The judged file committed here, precision_samples.csv, keeps only the finding's subject, its
digest and the judgements.

RUN_DIR is a `drdata label` folder of the shared corpus. Per category, SIZE fixed labels (all of them where
fewer exist) are drawn with a seeded random.Random over the sorted (task, category) pairs, and of each label
one fixed MODEL finding, drawn the same way. A reviewer judges each from the code: is the finding a true
defect of the category, did the IDEAL repair it (yes / no / dropped: the IDEAL has no counterpart), does the
human report name it; the judged file is precision_samples.csv. A judgement names its finding by subject
(task, detector, address, part) and digest (message + evidence), so label_quality.py can tell which
judgements a later change has made stale.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
from drdata.stats.gold import finding_digest  # noqa: E402
from drdata.taxonomy import categories  # noqa: E402

SEED = 20261205
SIZE = 8
COLUMNS = ["task", "category", "detector", "address", "part", "digest", "file", "line", "message", "evidence",
           "counterpart_address", "counterpart_line", "change", "true_defect", "repaired", "in_report", "note"]


def draw(run_dir: Path, excluded: set[str]) -> list[dict]:
    labels = pd.read_parquet(run_dir / "labels.parquet")
    findings = pd.read_parquet(run_dir / "findings.parquet")
    fixed = labels[(labels["status"] == "fixed") & ~labels["category"].isin(excluded)]
    rng = random.Random(SEED)
    rows = []
    for cat in sorted(fixed["category"].unique()):
        tasks = sorted(fixed.loc[fixed["category"] == cat, "task_id"])
        for task in sorted(rng.sample(tasks, min(SIZE, len(tasks)))):
            f = findings[(findings["task_id"] == task) & (findings["category"] == cat) & (findings["side"] == "model")
                         & (findings["status"] == "fixed")].sort_values(["line", "address", "part"], kind="stable")
            r = f.iloc[rng.randrange(len(f))]
            evidence = "\n".join((r["evidence"] or "").splitlines()[:4])
            rows.append({"task": task, "category": cat, "detector": r["detector"], "address": r["address"],
                         "part": r["part"] or "", "digest": finding_digest(r["message"], r["evidence"] or ""),
                         "file": r["file"] if isinstance(r["file"], str) else "", "line": "" if pd.isna(r["line"]) else int(r["line"]),
                         "message": r["message"], "evidence": evidence,
                         "counterpart_address": r["counterpart_address"] or "",
                         "counterpart_line": "" if pd.isna(r["counterpart_line"]) else int(r["counterpart_line"]),
                         "change": r["change"] or "", "true_defect": "", "repaired": "", "in_report": "", "note": ""})
    return rows


def main() -> int:
    run_dir = Path(sys.argv[1])
    rows = draw(run_dir, {c.id for c in categories("reference")})
    if "--write" in sys.argv:
        out = Path(sys.argv[sys.argv.index("--write") + 1])
        with open(out, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    print(pd.DataFrame(rows)["category"].value_counts().sort_index().to_string())
    print(f"{len(rows)} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
