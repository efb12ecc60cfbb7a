"""Label quality against a gold set: how often a status drdata gives is the status a reviewer gives.

A gold set has one row per (task, category): ``model`` and ``ideal`` judged yes / no / na from the code, and
the derived ``gold`` status (the protocol of ``../shared/gold/PROTOCOL.md``):

=====================  ===========  ===========
gold status            model        ideal
=====================  ===========  ===========
``fixed``              yes          no
``persisting``         yes          yes
``introduced``         no           yes
``absent``             no           no
``not_comparable``     na on either side
=====================  ===========  ===========

drdata's ``unknown`` is compared with ``not_comparable``. The figures that matter most are precision and recall
of ``fixed`` per category (the label statistics, reports and datasets count), then the confusion matrix of all
statuses and the precision of each side's "has the failure" (a ``persisting`` is only as true as the IDEAL-side
finding behind it). Everything here is plain pandas in, pandas out, indexed by category.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

GOLD_STATUSES = ("fixed", "persisting", "introduced", "absent", "not_comparable")
JUDGEMENTS = ("yes", "no", "na")
GOLD_COLUMNS = ["task", "category", "model", "ideal", "gold", "evidence"]


def gold_status(model: str, ideal: str) -> str:
    """The gold status of one (task, category) from its two judgements."""
    if model not in JUDGEMENTS or ideal not in JUDGEMENTS:
        raise ValueError(f"judgements are yes/no/na, got model={model!r} ideal={ideal!r}")
    if "na" in (model, ideal):
        return "not_comparable"
    return {("yes", "no"): "fixed", ("yes", "yes"): "persisting", ("no", "yes"): "introduced",
            ("no", "no"): "absent"}[(model, ideal)]


def check_gold(gold: pd.DataFrame) -> pd.DataFrame:
    """Validate a gold table (columns, values, one row per task and category, derived status consistent).

    Returns it with string columns; raises ValueError naming the first bad rows.
    """
    missing = [c for c in GOLD_COLUMNS[:5] if c not in gold.columns]
    if missing:
        raise ValueError(f"gold table lacks column(s) {', '.join(missing)}")
    g = gold.copy()
    for c in ("task", "category", "model", "ideal", "gold"):
        g[c] = g[c].astype("string").str.strip()
    bad = g[~g["model"].isin(JUDGEMENTS) | ~g["ideal"].isin(JUDGEMENTS)]
    if len(bad):
        raise ValueError(f"gold rows with judgements other than yes/no/na: {bad[['task', 'category']].head().values.tolist()}")
    derived = [gold_status(m, i) for m, i in zip(g["model"], g["ideal"], strict=True)]
    wrong = g[g["gold"] != pd.Series(derived, index=g.index, dtype="string")]
    if len(wrong):
        raise ValueError(f"gold status does not follow from the judgements: {wrong[['task', 'category']].head().values.tolist()}")
    dup = g[g.duplicated(["task", "category"], keep=False)]
    if len(dup):
        raise ValueError(f"gold has several rows for {dup[['task', 'category']].head().values.tolist()}")
    return g


def as_gold_vocabulary(status: pd.Series) -> pd.Series:
    """drdata statuses in the gold vocabulary (``unknown`` -> ``not_comparable``)."""
    return status.astype("string").replace({"unknown": "not_comparable"})


@dataclass
class GoldQuality:
    """The figures of one comparison; every table is indexed by category (or status)."""

    per_category: pd.DataFrame  # n (gold fixed), labeled_fixed, true_fixed, precision, recall, f1
    sides: pd.DataFrame  # precision / recall of "has the failure" on each side
    confusion: pd.DataFrame  # gold status (rows) x drdata status (columns), all categories
    micro: dict
    macro: dict
    pairs: pd.DataFrame  # one row per (task, category): gold beside drdata, for reading the misses

    def confusion_of(self, category: str) -> pd.DataFrame:
        return _confusion(self.pairs[self.pairs["category"] == category])

    def misses(self) -> pd.DataFrame:
        """Rows where one side says ``fixed`` and the other does not."""
        p = self.pairs
        return p[(p["gold"] == "fixed") != (p["drdata"] == "fixed")]


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


def _confusion(pairs: pd.DataFrame) -> pd.DataFrame:
    table = pd.crosstab(pd.Categorical(pairs["gold"], GOLD_STATUSES), pd.Categorical(pairs["drdata"], GOLD_STATUSES),
                        dropna=False)
    table.index.name, table.columns.name = "gold", "drdata"
    return table


def _side(pairs: pd.DataFrame, side: str) -> dict:
    judged = pairs[pairs[side] != "na"]
    says = judged[f"{side}_findings"] > 0
    truth = judged[side] == "yes"
    tp = int((says & truth).sum())
    return {f"{side}_yes": int(truth.sum()), f"{side}_fires": int(says.sum()),
            f"{side}_precision": _ratio(tp, int(says.sum())), f"{side}_recall": _ratio(tp, int(truth.sum()))}


def gold_quality(labels: pd.DataFrame, gold: pd.DataFrame, categories: list[str] | None = None) -> GoldQuality:
    """Compare a run's ``labels`` table (task_id, category, status, model_findings, ideal_findings) with a gold set.

    Only the gold's (task, category) rows count; a gold task missing from the run (an error row) counts as
    drdata ``not_comparable``. ``categories`` fixes the rows and their order (default: the gold's, sorted).
    """
    g = check_gold(gold)
    lab = labels.rename(columns={"task_id": "task"})[["task", "category", "status", "model_findings",
                                                      "ideal_findings"]].copy()
    lab["task"] = lab["task"].astype("string")
    lab["category"] = lab["category"].astype("string")
    pairs = g.merge(lab, on=["task", "category"], how="left")
    pairs["drdata"] = as_gold_vocabulary(pairs["status"].fillna("unknown"))
    for c in ("model_findings", "ideal_findings"):
        pairs[c] = pairs[c].fillna(0).astype("int64")
    pairs = pairs.drop(columns=["status"])
    cats = categories or sorted(pairs["category"].unique())
    rows = []
    for cat in cats:
        p = pairs[pairs["category"] == cat]
        n = int((p["gold"] == "fixed").sum())
        said = int((p["drdata"] == "fixed").sum())
        tp = int(((p["gold"] == "fixed") & (p["drdata"] == "fixed")).sum())
        prec, rec = _ratio(tp, said), _ratio(tp, n)
        f1 = 2 * prec * rec / (prec + rec) if said and n and (prec + rec) else float("nan")
        rows.append({"category": cat, "tasks": len(p), "n": n, "labeled_fixed": said, "true_fixed": tp,
                     "precision": prec, "recall": rec, "f1": f1,
                     "status_agreement": _ratio(int((p["gold"] == p["drdata"]).sum()), len(p))})
    per = pd.DataFrame(rows).set_index("category")
    sides = pd.DataFrame([{"category": cat, **_side(pairs[pairs["category"] == cat], "model"),
                           **_side(pairs[pairs["category"] == cat], "ideal")} for cat in cats]).set_index("category")
    n, said, tp = int(per["n"].sum()), int(per["labeled_fixed"].sum()), int(per["true_fixed"].sum())
    micro = {"n": n, "labeled_fixed": said, "true_fixed": tp, "precision": _ratio(tp, said), "recall": _ratio(tp, n),
             "status_agreement": _ratio(int((pairs["gold"] == pairs["drdata"]).sum()), len(pairs))}
    macro = {"precision": float(per["precision"].mean(skipna=True)), "recall": float(per["recall"].mean(skipna=True)),
             "categories": len(cats)}
    ordered = pairs.sort_values(["task", "category"], kind="stable").reset_index(drop=True)
    return GoldQuality(per, sides, _confusion(pairs), micro, macro, ordered)


def cohen_kappa(a: pd.Series, b: pd.Series) -> float:
    """Cohen's kappa of two raters' labels over the same items (aligned series)."""
    a, b = a.astype("string").reset_index(drop=True), b.astype("string").reset_index(drop=True)
    if len(a) != len(b) or not len(a):
        raise ValueError("kappa needs two aligned, non-empty series")
    observed = float((a == b).mean())
    cats = sorted(set(a) | set(b))
    expected = sum(float((a == c).mean()) * float((b == c).mean()) for c in cats)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def read_gold(path) -> pd.DataFrame:
    """A gold CSV (``benchmarks/gold/reference.csv`` or one of the same shape), validated."""
    gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    return check_gold(gold)


# -- judged samples of `fixed` labels (categories without a blind gold set) ---------------------------------

SAMPLE_COLUMNS = ["task", "category", "detector", "address", "part", "digest", "true_defect", "repaired",
                  "in_report", "note"]


def finding_digest(message: str, evidence: str) -> str:
    """A short fingerprint of what a finding says and quotes: a judgement made on it is stale once it changes."""
    import hashlib

    return hashlib.sha256(f"{message}\0{evidence}".encode()).hexdigest()[:12]


def precision_samples_quality(samples: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """Precision of ``fixed`` per category from judged samples of fixed MODEL findings.

    A judgement is *current* when the run still has a fixed MODEL finding with the same subject (task,
    detector, address, part) and the same digest; otherwise it is *stale* (the detector or the pairing
    changed since it was judged) and left out of the precision. ``correct`` = a true defect of the category
    that the IDEAL repaired (not dropped). Raises ValueError when ``findings`` lacks the per-finding status
    (a run written before findings carried one).
    """
    missing = [c for c in ("side", "status", "detector", "address", "part", "message", "evidence")
               if c not in findings.columns]
    if missing:
        raise ValueError(f"the findings table has no {', '.join(missing)} column(s): a run older than per-finding "
                         "statuses; label again to score the samples")
    f = findings[(findings["side"] == "model") & (findings["status"] == "fixed")].copy()
    f["digest"] = [finding_digest(m, e or "") for m, e in zip(f["message"], f["evidence"], strict=True)]
    f["part"] = f["part"].fillna("")
    current = {(r.task_id, r.detector, r.address, r.part, r.digest) for r in f.itertuples()}
    subjects = {k[:4] for k in current}
    rows = []
    s = samples.copy()
    s["state"] = ["current" if (r.task, r.detector, r.address, r.part, r.digest) in current else
                  ("changed" if (r.task, r.detector, r.address, r.part) in subjects else "gone")
                  for r in s.itertuples()]
    for cat, g in s.groupby("category", sort=True):
        cur = g[g["state"] == "current"]
        correct = int(((cur["true_defect"] == "yes") & (cur["repaired"] == "yes")).sum())
        rows.append({"category": cat, "judged": len(g), "current": len(cur), "stale": len(g) - len(cur),
                     "correct": correct, "precision": _ratio(correct, len(cur)),
                     "true_defect": _ratio(int((cur["true_defect"] == "yes").sum()), len(cur)),
                     "in_report": _ratio(int((cur["in_report"] == "yes").sum()), len(cur))})
    return pd.DataFrame(rows).set_index("category") if rows else pd.DataFrame(
        columns=["judged", "current", "stale", "correct", "precision", "true_defect", "in_report"])
