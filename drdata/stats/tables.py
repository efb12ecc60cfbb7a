"""Severity statistics over labeled runs: plain pandas in, pandas out, named indexes.

Inputs are the tables ``drdata label`` writes (``tasks``, ``labels`` and, when
human reports were parsed, ``report_items``). Every function tolerates missing
optional columns and empty frames, because partial runs are normal (a corpus
without reports, a run where every task errored).

Severity score of a task = sum over its *fixed* categories of the weight of the
category's severity, weights :data:`SEVERITY_WEIGHTS` (Critical 8, High 4,
Medium 2, Low 1): each level counts twice the next, so one Critical outweighs
any single lower failure and the reference task Pr4579 (3/4/3/2) scores 24+16+6+2 = 48.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from drdata.taxonomy import SEVERITIES

SEVERITY_WEIGHTS: dict[str, int] = {"Critical": 8, "High": 4, "Medium": 2, "Low": 1}
SEVERITY_COLUMNS = [s.lower() for s in SEVERITIES]  # per-task count columns: critical, high, medium, low
LABEL_STATUSES = ("fixed", "persisting", "introduced", "absent", "unknown")

# training_quality is scored 0-10 and piles up at 8-10: buckets keep the top end apart.
QUALITY_BINS = [-math.inf, 8, 9, 10, math.inf]
QUALITY_LABELS = ["<8", "8–8.9", "9–9.9", "10"]
MISSING = "(missing)"


def _category_meta(ids) -> pd.DataFrame:
    """Title and default severity of each category id (ids unknown to the taxonomy keep blanks)."""
    from drdata.taxonomy import category

    rows = []
    for cid in ids:
        try:
            c = category(cid)
            rows.append({"category": cid, "title": c.title, "default_severity": c.severity})
        except KeyError:
            rows.append({"category": cid, "title": cid, "default_severity": None})
    return pd.DataFrame(rows, columns=["category", "title", "default_severity"]).set_index("category")


def labelled_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    """Tasks that were labeled (status ``ok``); all of them when the frame has no status column."""
    if "status" in tasks.columns:
        return tasks[tasks["status"].astype("string").fillna("") == "ok"]
    return tasks


def quality_bucket(values: pd.Series) -> pd.Series:
    """training_quality -> bucket label (``<8``, ``8–8.9``, ``9–9.9``, ``10``, ``(missing)``)."""
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    b = pd.cut(v, QUALITY_BINS, labels=QUALITY_LABELS, right=False).astype("object")
    return b.where(v.notna(), MISSING).astype("string")


def task_scores(tasks: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """One row per labeled task: fixed failures per severity, their total and the weighted severity score.

    Index ``task_id``; columns ``critical, high, medium, low, fixed_total, severity_score`` plus
    ``complexity, subtask, training_quality, quality_bucket`` when the tasks frame has them.
    """
    ok = labelled_tasks(tasks)
    ids = pd.Index(ok["task_id"].astype("string"), name="task_id")
    fixed = labels[labels["status"] == "fixed"] if len(labels) else labels
    counts = (pd.crosstab(fixed["task_id"], fixed["severity"]) if len(fixed)
              else pd.DataFrame(index=pd.Index([], name="task_id")))
    counts = counts.reindex(columns=list(SEVERITIES), fill_value=0)
    counts.index = counts.index.astype("string")
    counts = counts.reindex(ids, fill_value=0).astype("int64")
    counts.columns = SEVERITY_COLUMNS
    out = counts.copy()
    out["fixed_total"] = counts.sum(axis=1).astype("int64")
    out["severity_score"] = sum(counts[s.lower()] * w for s, w in SEVERITY_WEIGHTS.items()).astype("int64")
    meta = ok.set_index(ok["task_id"].astype("string"))
    for col in ("complexity", "subtask"):
        if col in meta.columns:
            out[col] = meta[col].astype("string").reindex(ids).to_numpy()
    if "training_quality" in meta.columns:
        tq = pd.to_numeric(meta["training_quality"], errors="coerce").astype("float64").reindex(ids)
        out["training_quality"] = tq.to_numpy()
        out["quality_bucket"] = quality_bucket(tq).to_numpy()
    out.index.name = "task_id"
    return out.sort_index()


def severity_distribution(scores: pd.DataFrame) -> pd.DataFrame:
    """Per severity: fixed failures in the corpus, tasks with at least one, and their share of labeled tasks."""
    n = len(scores)
    rows = []
    for s in SEVERITIES:
        col = scores[s.lower()] if s.lower() in scores.columns else pd.Series(dtype="int64")
        rows.append({"severity": s, "weight": SEVERITY_WEIGHTS[s], "failures": int(col.sum()),
                     "tasks_with": int((col > 0).sum()), "share_of_tasks": (col > 0).sum() / n if n else np.nan})
    return pd.DataFrame(rows).set_index("severity")


def _report_categories(report_items: pd.DataFrame | None) -> pd.DataFrame | None:
    """Report items that carry a category and a severity (others say nothing about severity)."""
    if report_items is None or not len(report_items):
        return None
    if not {"task_id", "category"} <= set(report_items.columns):
        return None
    items = report_items.copy()
    if "severity" not in items.columns:
        items["severity"] = None
    return items


def category_prevalence(labels: pd.DataFrame, tasks: pd.DataFrame | None = None,
                        report_items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per category: tasks fixed / persisting / introduced / absent / unknown, share of the corpus, severities.

    ``share_fixed`` = tasks where the category is fixed / labeled tasks (all tasks with labels when no
    tasks frame is given). ``report_items`` (optional) adds ``report_mentions`` (tasks whose human
    report has an item of this category) and ``report_severity`` (the severity reports give it most often;
    ties go to the more severe).
    """
    cats = pd.Index(sorted(labels["category"].unique()), name="category") if len(labels) else pd.Index(
        [], name="category")
    status = (pd.crosstab(labels["category"], labels["status"]) if len(labels)
              else pd.DataFrame(index=cats))
    status = status.reindex(index=cats, columns=list(LABEL_STATUSES), fill_value=0).astype("int64")
    out = _category_meta(cats).join(status)
    n = len(labelled_tasks(tasks)) if tasks is not None else (labels["task_id"].nunique() if len(labels) else 0)
    out["labelled_tasks"] = n
    out["share_fixed"] = out["fixed"] / n if n else np.nan
    out["share_present"] = (out["fixed"] + out["persisting"]) / n if n else np.nan
    items = _report_categories(report_items)
    if items is not None:
        mentions = items.groupby("category")["task_id"].nunique()
        out = out.reindex(out.index.union(mentions.index.rename("category")))
        missing = out["title"].isna()
        if missing.any():
            meta = _category_meta(out.index[missing])
            out.loc[missing, ["title", "default_severity"]] = meta[["title", "default_severity"]].to_numpy()
        for col in (*LABEL_STATUSES, "labelled_tasks"):
            out[col] = out[col].fillna(0).astype("int64")
        out["labelled_tasks"] = n
        out["share_fixed"] = out["fixed"] / n if n else np.nan
        out["share_present"] = (out["fixed"] + out["persisting"]) / n if n else np.nan
        out["report_mentions"] = mentions.reindex(out.index, fill_value=0).astype("int64")
        modal, rated, share = _modal_severity(items)
        out["report_severity"] = modal.reindex(out.index)
        # How many items state a severity, and how many of them agree with the modal one: reports disagree a lot.
        out["report_rated"] = rated.reindex(out.index, fill_value=0).astype("int64")
        out["report_severity_share"] = share.reindex(out.index)
    out.index.name = "category"
    return out.sort_values(["fixed", "share_present"], ascending=False, kind="stable")


def _modal_severity(items: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per category: most frequent report severity (ties -> more severe), items rated, share at the mode."""
    sev = items.dropna(subset=["severity"])
    sev = sev[sev["severity"].isin(SEVERITIES)]
    if not len(sev):
        empty = pd.Series(dtype="object")
        return empty, pd.Series(dtype="int64"), pd.Series(dtype="float64")
    counts = pd.crosstab(sev["category"], sev["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    # idxmax takes the first maximum: columns run Critical..Low, so ties go to the more severe.
    rated = counts.sum(axis=1)
    return counts.idxmax(axis=1), rated, counts.max(axis=1) / rated


def breakdown(scores: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of ``by`` (``complexity``, ``subtask``, ``quality_bucket``): tasks, mean failures and scores."""
    if by not in scores.columns:
        return pd.DataFrame(index=pd.Index([], name=by))
    key = scores[by].astype("string").fillna(MISSING)
    g = scores.assign(**{by: key}).groupby(by, sort=True)
    out = pd.DataFrame({
        "tasks": g.size(),
        "mean_fixed": g["fixed_total"].mean(),
        "mean_score": g["severity_score"].mean(),
        "median_score": g["severity_score"].median(),
        **{f"mean_{c}": g[c].mean() for c in SEVERITY_COLUMNS},
    })
    if by == "quality_bucket":
        order = [b for b in [*QUALITY_LABELS, MISSING] if b in out.index]
        out = out.loc[order]
    out.index.name = by
    return out


def quality_correlation(scores: pd.DataFrame) -> pd.DataFrame:
    """Spearman correlation of each failure measure with training_quality, with n (pairs) and p-value.

    rho is NaN when fewer than 3 pairs exist or a side is constant (no ranking to compare).
    """
    from scipy.stats import spearmanr

    measures = ["fixed_total", "severity_score", *SEVERITY_COLUMNS]
    rows = []
    for m in measures:
        rho = p = np.nan
        n = 0
        if "training_quality" in scores.columns and m in scores.columns:
            pair = scores[[m, "training_quality"]].astype("float64").dropna()
            n = len(pair)
            if n >= 3 and pair[m].nunique() > 1 and pair["training_quality"].nunique() > 1:
                res = spearmanr(pair[m], pair["training_quality"])
                rho, p = float(res.statistic), float(res.pvalue)
        rows.append({"measure": m, "rho": rho, "p_value": p, "n": n})
    return pd.DataFrame(rows).set_index("measure")


def category_by(labels: pd.DataFrame, scores: pd.DataFrame, by: str = "complexity") -> pd.DataFrame:
    """Share of tasks in each ``by`` group where a category is fixed (rows categories, columns groups)."""
    if by not in scores.columns or not len(labels):
        return pd.DataFrame(index=pd.Index([], name="category"))
    group = {t: (g if isinstance(g, str) else MISSING) for t, g in scores[by].astype(object).items()}
    fixed = labels[(labels["status"] == "fixed") & labels["task_id"].isin(list(group))]
    sizes = pd.Series(list(group.values()), dtype=object).value_counts()
    known = ("medium", "hard", "expert")
    cols = [c for c in known if c in sizes.index] + sorted(c for c in sizes.index if c not in known)
    cats = sorted(labels["category"].unique())
    counts = pd.DataFrame(0.0, index=pd.Index(cats, dtype=object), columns=pd.Index(cols, dtype=object))
    for t, c in zip(fixed["task_id"], fixed["category"], strict=True):
        counts.loc[c, group[t]] += 1
    out = counts / sizes.reindex(cols).to_numpy(dtype=float)
    out.index.name = "category"
    out.columns.name = by
    return out


def severity_comparison(labels: pd.DataFrame, report_items: pd.DataFrame | None) -> pd.DataFrame:
    """Detector severities beside report severities, per report item with a known category.

    Index (``task_id``, ``index``) of the report item; columns ``category``, ``report_severity``,
    ``detector_severity`` (the taxonomy default), ``detector_status`` (the pair label of that
    task/category: ``fixed``, ``persisting``, ..., ``not labeled``) and ``same_severity``.
    """
    cols = ["category", "title", "report_severity", "detector_severity", "detector_status", "same_severity"]
    items = _report_categories(report_items)
    if items is None:
        return pd.DataFrame(columns=cols, index=pd.MultiIndex.from_arrays([[], []], names=["task_id", "item"]))
    meta = _category_meta(sorted(items["category"].dropna().unique()))
    items = items[items["category"].isin(meta.index[meta["default_severity"].notna()])]
    status = (labels.set_index(["task_id", "category"])["status"] if len(labels)
              else pd.Series(dtype="object"))
    key = list(zip(items["task_id"], items["category"], strict=True))
    det_status = [status.get(k, "not labeled") for k in key]
    out = pd.DataFrame({
        "task_id": items["task_id"].to_numpy(),
        "item": items["index"].to_numpy() if "index" in items.columns else np.arange(len(items)),
        "category": items["category"].to_numpy(),
        "title": items["title"].to_numpy() if "title" in items.columns else None,
        "report_severity": items["severity"].to_numpy(),
        "detector_severity": meta.loc[items["category"], "default_severity"].to_numpy(),
        "detector_status": det_status,
    })
    out["same_severity"] = out["report_severity"] == out["detector_severity"]
    return out.set_index(["task_id", "item"]).sort_index()[cols]


def severity_crosstab(comparison: pd.DataFrame) -> pd.DataFrame:
    """Report items counted by detector severity (rows) and report severity (columns)."""
    levels = list(SEVERITIES)
    if not len(comparison):
        ct = pd.DataFrame(0, index=levels, columns=[*levels, "none"])
    else:
        rep = comparison["report_severity"].where(comparison["report_severity"].isin(levels), "none")
        ct = pd.crosstab(comparison["detector_severity"], rep).reindex(index=levels, columns=[*levels, "none"],
                                                                      fill_value=0)
    ct.index.name = "detector_severity"
    ct.columns.name = "report_severity"
    return ct.astype("int64")


def agreement_by_category(labels: pd.DataFrame, report_items: pd.DataFrame | None,
                          tasks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Detectors vs human reports per category, over labeled tasks that have a parsed report.

    - ``both``: the report names the category and the detector labels it fixed;
    - ``report_only``: the report names it, the detector does not call it fixed;
    - ``detector_only``: the detector calls it fixed, the report does not name it;
    - ``recall`` = both / (both + report_only), ``precision`` = both / (both + detector_only).
    """
    cols = ["title", "default_severity", "both", "report_only", "detector_only", "recall", "precision"]
    items = _report_categories(report_items)
    if items is None or not len(labels):
        return pd.DataFrame(columns=cols, index=pd.Index([], name="category"))
    with_report = set(items["task_id"])
    labelled = set(labelled_tasks(tasks)["task_id"]) if tasks is not None else set(labels["task_id"])
    scope = with_report & labelled
    reported = set(zip(items["task_id"], items["category"], strict=True))
    fixed = labels[(labels["status"] == "fixed") & labels["task_id"].isin(scope)]
    detected = set(zip(fixed["task_id"], fixed["category"], strict=True))
    reported = {k for k in reported if k[0] in scope}
    known = set(labels["category"])
    cats = sorted({c for _, c in reported | detected} & known)
    rows = []
    for c in cats:
        rep = {t for t, k in reported if k == c}
        det = {t for t, k in detected if k == c}
        both, r_only, d_only = len(rep & det), len(rep - det), len(det - rep)
        rows.append({"category": c, "both": both, "report_only": r_only, "detector_only": d_only,
                     "recall": both / (both + r_only) if both + r_only else np.nan,
                     "precision": both / (both + d_only) if both + d_only else np.nan})
    out = pd.DataFrame(rows, columns=["category", *cols[2:]]).set_index("category")
    out = _category_meta(out.index).join(out)
    out.index.name = "category"
    return out[cols]


def parse_health(tasks: pd.DataFrame) -> pd.DataFrame:
    """Per platform: tasks, labeled, errors, code blocks found/parsed per side, truncated MODEL answers."""
    if not len(tasks):
        return pd.DataFrame(index=pd.Index([], name="platform"))
    t = tasks.copy()
    if "platform" not in t.columns:
        t["platform"] = MISSING
    t["platform"] = t["platform"].astype("string").fillna(MISSING)
    g = t.groupby("platform", sort=True)
    out = pd.DataFrame({"tasks": g.size()})
    if "status" in t.columns:
        out["labelled"] = g["status"].apply(lambda s: int((s == "ok").sum()))
        out["errors"] = g["status"].apply(lambda s: int((s == "error").sum()))
    for side in ("model", "ideal"):
        total, parsed = f"{side}_hcl_blocks", f"{side}_hcl_blocks_parsed"
        if {total, parsed} <= set(t.columns):
            out[total] = g[total].sum().astype("int64")
            out[parsed] = g[parsed].sum().astype("int64")
            out[f"{side}_parsed_share"] = out[parsed] / out[total].where(out[total] > 0)
    if "truncated_model" in t.columns:
        out["truncated_model"] = g["truncated_model"].apply(lambda s: int(s.fillna(False).astype(bool).sum()))
    out.index.name = "platform"
    return out


def error_reasons(tasks: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Most common reasons tasks could not be labeled (numbers and names stripped so reasons group)."""
    if "error" not in tasks.columns:
        return pd.DataFrame(columns=["tasks"], index=pd.Index([], name="reason"))
    errs = tasks["error"].dropna().astype(str)
    reasons = errs.str.replace(r"\(.*\)$", "", regex=True).str.strip()
    out = reasons.value_counts().head(top).rename("tasks").to_frame()
    out.index.name = "reason"
    return out


def unknown_reasons(labels: pd.DataFrame) -> pd.DataFrame:
    """Why labels are ``unknown``: one row per machine-readable reason (``ideal_omits``, ``ideal_dropped``,
    ``ideal_no_terraform``, ``model_cannot_tell``, ...), with the number of labels and of tasks it hit."""
    cols = ["labels", "tasks", "share_of_unknown"]
    if "reason" not in labels.columns or "status" not in labels.columns:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="reason"))
    u = labels[labels["status"].astype("string") == "unknown"]
    reason = u["reason"].astype("string").fillna("unspecified")
    out = pd.DataFrame({"labels": reason.value_counts(),
                        "tasks": u.assign(reason=reason).groupby("reason")["task_id"].nunique()})
    out["share_of_unknown"] = out["labels"] / max(len(u), 1)
    out = out.sort_values(["labels", "tasks"], ascending=False, kind="stable")
    out.index.name = "reason"
    return out.astype({"labels": "int64", "tasks": "int64"})


def pair_states(tasks: pd.DataFrame) -> pd.DataFrame:
    """How the two answers of the labeled tasks compare: paired, ideal_excerpt, ideal_unusable, model_unusable."""
    if "pair_state" not in tasks.columns:
        return pd.DataFrame(columns=["tasks"], index=pd.Index([], name="pair_state"))
    out = labelled_tasks(tasks)["pair_state"].astype("string").fillna("(none)").value_counts().rename("tasks")
    out.index.name = "pair_state"
    return out.to_frame()
