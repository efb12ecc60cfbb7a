"""All statistics of one labeled run: a run (or its frames) in, :class:`CorpusStats` tables out."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import pandas as pd

from drdata.stats import tables as T

if TYPE_CHECKING:
    from drdata.labeling.store import LabelRun


@dataclass
class CorpusStats:
    """Every statistics table of a run (each a DataFrame with a named index)."""

    task_scores: pd.DataFrame
    severity_distribution: pd.DataFrame
    category_prevalence: pd.DataFrame
    by_complexity: pd.DataFrame
    by_subtask: pd.DataFrame
    by_quality: pd.DataFrame
    quality_correlation: pd.DataFrame
    category_by_complexity: pd.DataFrame
    severity_comparison: pd.DataFrame
    severity_crosstab: pd.DataFrame
    agreement_by_category: pd.DataFrame
    parse_health: pd.DataFrame
    error_reasons: pd.DataFrame
    unknown_reasons: pd.DataFrame
    pair_states: pd.DataFrame
    tasks_total: int = 0
    has_reports: bool = False

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), pd.DataFrame)}

    def summary(self) -> dict:
        """A short, JSON-ready summary (what the CLI prints)."""
        dist = self.severity_distribution
        corr = self.quality_correlation
        prev = self.category_prevalence
        score = self.task_scores["severity_score"] if len(self.task_scores) else pd.Series(dtype="float64")
        top = prev[prev["fixed"] > 0].head(5)
        agree = self.agreement_by_category
        both = int(agree["both"].sum()) if len(agree) else 0
        r_only = int(agree["report_only"].sum()) if len(agree) else 0
        d_only = int(agree["detector_only"].sum()) if len(agree) else 0
        return {
            "tasks": self.tasks_total,
            "labelled": len(self.task_scores),
            "errors": int(self.parse_health["errors"].sum()) if "errors" in self.parse_health else 0,
            "fixed_failures": {s: int(dist.loc[s, "failures"]) for s in dist.index},
            "mean_severity_score": _num(score.mean()) if len(score) else None,
            "severity_weights": dict(T.SEVERITY_WEIGHTS),
            "spearman_score_vs_training_quality": {
                "rho": _num(corr.loc["severity_score", "rho"]), "p_value": _num(corr.loc["severity_score", "p_value"]),
                "n": int(corr.loc["severity_score", "n"])},
            "top_categories": [{"category": c, "tasks_fixed": int(r["fixed"]), "share": _num(r["share_fixed"])}
                               for c, r in top.iterrows()],
            "unknown_reasons": {r: int(n) for r, n in self.unknown_reasons["labels"].items()},
            "pair_states": {s: int(n) for s, n in self.pair_states["tasks"].items()},
            "report_agreement": ({"both": both, "report_only": r_only, "detector_only": d_only,
                                  "recall": _num(both / (both + r_only)) if both + r_only else None,
                                  "precision": _num(both / (both + d_only)) if both + d_only else None}
                                 if self.has_reports else None),
        }


def _num(x) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return None
    return round(float(x), 4)


def compute_stats(tasks: pd.DataFrame, labels: pd.DataFrame, report_items: pd.DataFrame | None = None) -> CorpusStats:
    """All tables from a run's ``tasks`` / ``labels`` (and optional ``report_items``) frames."""
    scores = T.task_scores(tasks, labels)
    comparison = T.severity_comparison(labels, report_items)
    return CorpusStats(
        task_scores=scores,
        severity_distribution=T.severity_distribution(scores),
        category_prevalence=T.category_prevalence(labels, tasks, report_items),
        by_complexity=T.breakdown(scores, "complexity"),
        by_subtask=T.breakdown(scores, "subtask"),
        by_quality=T.breakdown(scores, "quality_bucket"),
        quality_correlation=T.quality_correlation(scores),
        category_by_complexity=T.category_by(labels, scores, "complexity"),
        severity_comparison=comparison,
        severity_crosstab=T.severity_crosstab(comparison),
        agreement_by_category=T.agreement_by_category(labels, report_items, tasks),
        parse_health=T.parse_health(tasks),
        error_reasons=T.error_reasons(tasks),
        unknown_reasons=T.unknown_reasons(labels),
        pair_states=T.pair_states(tasks),
        tasks_total=len(tasks),
        has_reports=T._report_categories(report_items) is not None,
    )


def stats_of_run(run: LabelRun) -> CorpusStats:
    """Statistics of a :class:`~drdata.labeling.store.LabelRun` (in memory, or read from its folder)."""
    return compute_stats(run.tasks, run.labels, run.report_items)


def format_summary(summary: dict) -> str:
    """A few lines for the terminal."""
    fx = summary["fixed_failures"]
    sp = summary["spearman_score_vs_training_quality"]
    lines = [
        f"tasks: {summary['tasks']} ({summary['labelled']} labeled, {summary['errors']} errors)",
        "fixed failures: " + ", ".join(f"{n} {s}" for s, n in fx.items()),
        f"mean severity score: {summary['mean_severity_score']} "
        f"(weights {', '.join(f'{s} {w}' for s, w in summary['severity_weights'].items())})",
        f"Spearman(severity score, training_quality): rho={sp['rho']} p={sp['p_value']} n={sp['n']}",
    ]
    if summary["top_categories"]:
        lines.append("top categories: " + ", ".join(f"{c['category']} ({c['tasks_fixed']})"
                                                    for c in summary["top_categories"]))
    if summary.get("unknown_reasons"):
        lines.append("unknown labels by reason: " + ", ".join(f"{r} {n}" for r, n in summary["unknown_reasons"].items()))
    if summary.get("pair_states"):
        lines.append("pairs: " + ", ".join(f"{s} {n}" for s, n in summary["pair_states"].items()))
    ag = summary.get("report_agreement")
    if ag:
        lines.append(f"vs human reports: {ag['both']} both, {ag['report_only']} report only, "
                     f"{ag['detector_only']} detector only (recall {ag['recall']}, precision {ag['precision']})")
    return "\n".join(lines)
