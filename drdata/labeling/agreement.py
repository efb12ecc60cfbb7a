"""Where human reports and detector labels agree, per (task, category) and per category.

Inputs are the frames ``drdata label`` writes: ``labels`` (task_id, category, severity, status, model_findings,
ideal_findings), ``findings`` (task_id, side, category, detector, severity, address, kind, file, line, message,
evidence) and the report items frame (``report_items_frame``). A detector *detects* a category on a task when the
pair status is ``fixed`` or ``persisting`` (the MODEL answer has the failure), which is what a report about the
MODEL answer describes.
"""

from __future__ import annotations

import pandas as pd

from drdata.corpus.report_mapping import OTHER, known_category_ids

DETECTED_STATUSES = ("fixed", "persisting")
_SEV_ORDER = {"Critical": 0, "High": 1, "Medium": 2, "Low": 3}

AGREEMENT_COLUMNS = [
    "task_id", "category", "reported", "report_items", "report_severity", "detector_status", "detected",
    "detector_severity",
]
SUMMARY_COLUMNS = [
    "reported_tasks", "detected_tasks", "both", "report_only", "detector_only", "report_unknown", "recall",
    "precision", "report_severity", "detector_severity",
]
DISAGREEMENT_COLUMNS = [
    "task_id", "category", "kind", "detector_status", "report_severity", "report_titles", "detector_severity",
    "detector_evidence",
]


def _most_severe(values) -> str | None:
    vals = [v for v in values if isinstance(v, str) and v in _SEV_ORDER]
    return min(vals, key=_SEV_ORDER.__getitem__) if vals else None


def _most_common(values) -> str | None:
    """Most frequent severity; ties go to the more severe one so results do not depend on row order."""
    vals = [v for v in values if isinstance(v, str) and v in _SEV_ORDER]
    if not vals:
        return None
    counts = pd.Series(vals).value_counts()
    top = counts[counts == counts.max()].index
    return min(top, key=_SEV_ORDER.__getitem__)


def agreement_frame(labels: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """One row per (task, category) that a report names or the detectors label, sorted by key.

    ``reported``: an item of the task's report maps to the category (``other`` never counts);
    ``report_severity``: the most severe severity those items state; ``detected``: the pair status is fixed or
    persisting; ``detector_severity``: the label's severity when detected.
    """
    rep = items[items["category"].notna() & (items["category"] != OTHER)]
    rep = (
        rep.groupby(["task_id", "category"], sort=True)
        .agg(report_items=("title", "size"), report_severity=("severity", _most_severe))
        .reset_index()
    )
    lab = labels[["task_id", "category", "status", "severity"]].rename(
        columns={"status": "detector_status", "severity": "label_severity"}
    )
    df = lab.merge(rep, on=["task_id", "category"], how="outer")
    df["reported"] = df["report_items"].fillna(0).astype("int64") > 0
    df["report_items"] = df["report_items"].fillna(0).astype("int64")
    df["detected"] = df["detector_status"].isin(DETECTED_STATUSES)
    df["detector_severity"] = df["label_severity"].where(df["detected"], None)
    df = df[df["reported"] | df["detected"] | df["detector_status"].notna()]
    df = df.sort_values(["task_id", "category"], kind="mergesort").reset_index(drop=True)
    out = df[AGREEMENT_COLUMNS].copy()
    for col in ("report_severity", "detector_status", "detector_severity"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def agreement_summary(agreement: pd.DataFrame) -> pd.DataFrame:
    """Per category (snorkel LFAnalysis style): counts of tasks and how far reports and detectors agree.

    ``recall`` = both / reported_tasks (share of report mentions the detectors also find); ``precision`` = both /
    detected_tasks (share of detector labels that reports confirm). ``report_unknown`` counts reported tasks where
    the detector could not tell (status ``unknown``); they are included in ``report_only``.
    """
    rows = []
    cats = list(dict.fromkeys(agreement["category"]))
    order = {c: i for i, c in enumerate(known_category_ids())}
    for cat in sorted(cats, key=lambda c: (order.get(c, len(order)), c)):
        g = agreement[agreement["category"] == cat]
        rep, det = g["reported"].astype(bool), g["detected"].astype(bool)
        n_rep, n_det, both = int(rep.sum()), int(det.sum()), int((rep & det).sum())
        rows.append(
            {
                "category": cat,
                "reported_tasks": n_rep,
                "detected_tasks": n_det,
                "both": both,
                "report_only": int((rep & ~det).sum()),
                "detector_only": int((det & ~rep).sum()),
                "report_unknown": int((rep & (g["detector_status"] == "unknown")).sum()),
                "recall": both / n_rep if n_rep else float("nan"),
                "precision": both / n_det if n_det else float("nan"),
                "report_severity": _most_common(g.loc[rep, "report_severity"]),
                "detector_severity": _most_common(g.loc[det, "detector_severity"]),
            }
        )
    out = pd.DataFrame(rows, columns=["category"] + SUMMARY_COLUMNS).set_index("category")
    for col in ("reported_tasks", "detected_tasks", "both", "report_only", "detector_only", "report_unknown"):
        out[col] = out[col].astype("int64")
    for col in ("report_severity", "detector_severity"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out


def disagreements(agreement: pd.DataFrame, items: pd.DataFrame, findings: pd.DataFrame) -> pd.DataFrame:
    """Report-only and detector-only (task, category) rows with the report titles and detector messages.

    ``report_titles``: the titles of the report items that name the category (joined with `` | ``);
    ``detector_evidence``: the messages of the MODEL-side findings (``address: message``, joined with `` | ``).
    """
    dis = agreement[agreement["reported"] != agreement["detected"]].copy()
    dis["kind"] = dis["reported"].map({True: "report_only", False: "detector_only"})
    titles = (
        items[items["category"] != OTHER]
        .sort_values(["task_id", "index"], kind="mergesort")
        .groupby(["task_id", "category"])["title"]
        .agg(lambda s: " | ".join(dict.fromkeys(s)))
        .rename("report_titles")
    )
    f = findings[findings["side"] == "model"].copy()
    f = f.sort_values(["task_id", "category", "line", "address"], kind="mergesort", na_position="last")
    f["text"] = [
        f"{a}: {m}" if isinstance(a, str) and a and not str(m).startswith(a) else str(m)
        for a, m in zip(f["address"], f["message"], strict=True)
    ]
    evidence = f.groupby(["task_id", "category"])["text"].agg(lambda s: " | ".join(dict.fromkeys(s))).rename(
        "detector_evidence"
    )
    dis = dis.join(titles, on=["task_id", "category"]).join(evidence, on=["task_id", "category"])
    dis = dis.sort_values(["kind", "category", "task_id"], kind="mergesort").reset_index(drop=True)
    out = dis[DISAGREEMENT_COLUMNS].copy()
    for col in ("report_titles", "detector_evidence", "report_severity", "detector_severity", "detector_status"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out
