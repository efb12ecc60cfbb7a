"""Figures of the severity statistics. Each function takes a table from :mod:`drdata.stats` and returns a Figure.

Figures are built with the object API on the Agg canvas (no pyplot state), so
they work headless and in notebooks alike, and nothing leaks between calls.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from drdata.taxonomy import SEVERITIES

SEVERITY_COLORS = {"Critical": "#b2182b", "High": "#ef8a62", "Medium": "#e6c229", "Low": "#67a9cf", None: "#999999"}
_DPI = 110
MIN_MEDIAN_N = 5


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _empty(ax, what: str) -> None:
    ax.text(0.5, 0.5, f"no data: {what}", ha="center", va="center", transform=ax.transAxes, color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])


def _label(row: pd.Series, cid: str, width: int = 38) -> str:
    title = row.get("title") if isinstance(row.get("title"), str) else cid
    return title if len(title) <= width else title[: width - 1] + "…"


def severity_distribution(dist: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Bars: fixed failures per severity; annotated with the tasks affected (share of labeled tasks)."""
    fig = _figure(7, 4.2)
    ax = fig.add_subplot()
    if title is None:
        n = _tasks_from_shares(dist)
        title = "Fixed failures by severity" + (f" ({n} labeled tasks)" if n else "")
    if not len(dist) or dist["failures"].sum() == 0:
        _empty(ax, "no fixed failures")
        ax.set_title(title)
        return fig
    levels = [s for s in SEVERITIES if s in dist.index]
    vals = dist.loc[levels, "failures"].to_numpy()
    bars = ax.bar(levels, vals, color=[SEVERITY_COLORS[s] for s in levels], edgecolor="#333333", linewidth=0.6)
    for b, s in zip(bars, levels, strict=True):
        share = dist.loc[s, "share_of_tasks"]
        ax.annotate(f"{int(dist.loc[s, 'failures'])}\n{int(dist.loc[s, 'tasks_with'])} tasks ({share:.0%})",
                    (b.get_x() + b.get_width() / 2, b.get_height()), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=8.5)
    ax.set_ylim(0, vals.max() * 1.25 + 1)
    ax.set_ylabel("fixed failures (categories × tasks)")
    ax.set_xlabel("severity (weight: " + ", ".join(f"{s} {int(dist.loc[s, 'weight'])}" for s in levels) + ")")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _tasks_from_shares(dist: pd.DataFrame) -> int | None:
    # tasks_with / share_of_tasks gives back the number of labeled tasks.
    d = dist[(dist["share_of_tasks"] > 0)] if len(dist) else dist
    if not len(d):
        return None
    return int(round(float(d["tasks_with"].iloc[0] / d["share_of_tasks"].iloc[0])))


def top_categories(prevalence: pd.DataFrame, *, n: int = 20, title: str | None = None) -> Figure:
    """Horizontal bars: share of labeled tasks where the IDEAL fixed each category, coloured by default severity."""
    prev = prevalence[prevalence["fixed"] > 0].sort_values(["fixed", "persisting"], ascending=False, kind="stable")
    prev = prev.head(n)
    fig = _figure(8.5, max(3.0, 0.34 * len(prev) + 1.6))
    ax = fig.add_subplot()
    total = int(prevalence["labelled_tasks"].max()) if len(prevalence) else 0
    ax.set_title(title or f"Top {len(prev)} failure categories fixed by the IDEAL answer (of {total} labeled tasks)")
    if not len(prev):
        _empty(ax, "no fixed failures")
        return fig
    prev = prev.iloc[::-1]  # most prevalent on top
    y = np.arange(len(prev))
    colors = [SEVERITY_COLORS.get(s, SEVERITY_COLORS[None]) for s in prev["default_severity"]]
    ax.barh(y, prev["share_fixed"] * 100, color=colors, edgecolor="#333333", linewidth=0.5)
    for yi, (_, r) in zip(y, prev.iterrows(), strict=True):
        ax.annotate(f"{int(r['fixed'])}", (r["share_fixed"] * 100, yi), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(y, [_label(r, c) for c, r in prev.iterrows()], fontsize=8.5)
    ax.set_xlabel("tasks where the category is fixed (% of labeled tasks; bar label = task count)")
    ax.set_xlim(0, max(5.0, float(prev["share_fixed"].max() * 100) * 1.15))
    present = [s for s in SEVERITIES if s in set(prev["default_severity"])]
    ax.legend(handles=[Patch(color=SEVERITY_COLORS[s], label=s) for s in present], title="default severity",
              loc="lower right", fontsize=8, title_fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def category_complexity_heatmap(matrix: pd.DataFrame, prevalence: pd.DataFrame | None = None, *, n: int = 20,
                                group_sizes: pd.Series | None = None,
                                title: str = "Where categories are fixed, by task complexity") -> Figure:
    """Heatmap: % of tasks of each complexity where a category is fixed (top ``n`` categories overall).

    ``group_sizes`` (tasks per column) labels each column with its n.
    """
    m = matrix
    if prevalence is not None and len(m):
        order = [c for c in prevalence.index if c in m.index][:n]
        m = m.loc[order]
    m = m[(m.sum(axis=1) > 0)] if len(m) else m
    fig = _figure(7.5, max(3.0, 0.33 * len(m) + 1.8))
    ax = fig.add_subplot()
    ax.set_title(title)
    if not len(m) or not len(m.columns):
        _empty(ax, "no fixed failures")
        return fig
    vals = m.to_numpy() * 100
    im = ax.imshow(vals, aspect="auto", cmap="OrRd", vmin=0, vmax=max(1.0, float(np.nanmax(vals))))
    for i in range(vals.shape[0]):
        for j in range(vals.shape[1]):
            v = vals[i, j]
            ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=8,
                    color="white" if v > 0.6 * im.get_clim()[1] else "#222222")
    titles = {}
    if prevalence is not None:
        titles = {c: _label(prevalence.loc[c], c) for c in m.index if c in prevalence.index}
    ax.set_yticks(range(len(m)), [titles.get(c, c) for c in m.index], fontsize=8.5)
    sizes = group_sizes if group_sizes is not None else pd.Series(dtype="int64")
    ax.set_xticks(range(len(m.columns)), [f"{c}\n(n={int(sizes[c])})" if c in sizes.index else str(c)
                                          for c in m.columns])
    ax.set_xlabel(f"{m.columns.name or 'group'}")
    fig.colorbar(im, ax=ax, label="% of tasks in the group where the category is fixed", shrink=0.8)
    return fig


def score_vs_quality(scores: pd.DataFrame, correlation: pd.DataFrame | None = None, *,
                     title: str = "Severity score vs training_quality") -> Figure:
    """Scatter (deterministic jitter) of each task's severity score against its training_quality, with medians."""
    fig = _figure(7.5, 4.5)
    ax = fig.add_subplot()
    ax.set_title(title)
    if "training_quality" not in scores.columns:
        _empty(ax, "tasks have no training_quality")
        return fig
    d = scores[["training_quality", "severity_score"]].astype("float64").dropna()
    if not len(d):
        _empty(ax, "tasks have no training_quality")
        return fig
    rng = np.random.default_rng(0)  # fixed seed: the same picture every run
    x = d["training_quality"].to_numpy() + rng.uniform(-0.12, 0.12, len(d))
    y = d["severity_score"].to_numpy() + rng.uniform(-0.3, 0.3, len(d))
    few = len(d) < 50  # small corpora: bigger, opaque dots
    ax.scatter(x, y, s=36 if few else 14, alpha=0.8 if few else 0.45, color="#3b6ea8", edgecolor="none",
               label="task (jittered)")
    med = d.groupby("training_quality")["severity_score"].agg(["median", "size"])
    med = med[med["size"] >= MIN_MEDIAN_N]  # a median of 1-4 tasks says little and drags the line around
    if len(med):
        ax.plot(med.index, med["median"], color="#b2182b", marker="D", markersize=5, linewidth=1.5,
                label=f"median per training_quality value (values with ≥{MIN_MEDIAN_N} tasks)")
    ax.set_xlabel("training_quality (0–10, from task metadata)")
    ax.set_ylabel("severity score (Critical 8, High 4, Medium 2, Low 1)")
    if correlation is not None and "severity_score" in correlation.index:
        r = correlation.loc["severity_score"]
        rho = "n/a" if pd.isna(r["rho"]) else f"{r['rho']:+.2f}"
        p = "" if pd.isna(r["p_value"]) else f", p = {r['p_value']:.2g}"
        ax.text(0.02, 0.97, f"Spearman ρ = {rho}{p}, n = {int(r['n'])}", transform=ax.transAxes, va="top",
                fontsize=9, bbox={"facecolor": "white", "edgecolor": "#cccccc", "boxstyle": "round"})
    ax.set_ylim(-1, float(d["severity_score"].max()) * 1.25 + 2)  # headroom: the legend never covers a task
    ax.legend(loc="upper right", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def agreement_by_category(agreement: pd.DataFrame, *, n: int = 25,
                          title: str = "Detectors vs human reports, per category") -> Figure:
    """Stacked bars per category: tasks where both, only the report, or only the detector name the failure."""
    a = agreement.copy()
    if len(a):
        a["total"] = a["both"] + a["report_only"] + a["detector_only"]
        a = a[a["total"] > 0].sort_values(["total", "both"], ascending=False, kind="stable").head(n).iloc[::-1]
    fig = _figure(9, max(3.0, 0.34 * len(a) + 1.8))
    ax = fig.add_subplot()
    ax.set_title(title)
    if not len(a):
        _empty(ax, "no human report items with a category")
        return fig
    y = np.arange(len(a))
    left = np.zeros(len(a))
    parts = [("both", "#1a9850", "both (agree)"), ("report_only", "#fdae61", "report only (detector missed)"),
             ("detector_only", "#74add1", "detector only (not in report)")]
    for col, color, label in parts:
        vals = a[col].to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=color, label=label, edgecolor="white", linewidth=0.5)
        left += vals
    for yi, (_, r) in zip(y, a.iterrows(), strict=True):
        rec = "–" if pd.isna(r["recall"]) else f"{r['recall']:.0%}"
        ax.annotate(f"recall {rec}", (r["total"], yi), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=7.5, color="#444444")
    ax.set_yticks(y, [_label(r, c) for c, r in a.iterrows()], fontsize=8.5)
    ax.set_xlim(0, float(a["total"].max()) * 1.22 + 0.5)
    ax.set_xlabel("labeled tasks with a parsed human report that name the category (detector: fixed)")
    ax.legend(loc="lower right", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def make_figures(stats) -> dict[str, Figure]:
    """The five figures of a :class:`~drdata.stats.CorpusStats`, keyed by file stem."""
    return {
        "severity_distribution": severity_distribution(stats.severity_distribution),
        "top_categories": top_categories(stats.category_prevalence),
        "category_complexity_heatmap": category_complexity_heatmap(
            stats.category_by_complexity, stats.category_prevalence,
            group_sizes=stats.by_complexity["tasks"] if "tasks" in stats.by_complexity else None),
        "score_vs_quality": score_vs_quality(stats.task_scores, stats.quality_correlation),
        "agreement_by_category": agreement_by_category(stats.agreement_by_category),
    }


def save_figures(stats, out_dir: str | Path) -> list[Path]:
    """Write each figure as ``<name>.png`` (no timestamp metadata, so reruns give the same bytes)."""
    from drdata.io import atomic_write_bytes

    out = Path(out_dir)
    written = []
    for name, fig in make_figures(stats).items():
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        written.append(atomic_write_bytes(out / f"{name}.png", buf.getvalue()))
    return written
