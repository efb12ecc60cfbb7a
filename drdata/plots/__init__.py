"""Figures of the severity statistics (matplotlib, Agg canvas; each function returns a Figure)."""

from drdata.plots.figures import (  # noqa: F401
    SEVERITY_COLORS,
    agreement_by_category,
    category_complexity_heatmap,
    make_figures,
    save_figures,
    score_vs_quality,
    severity_distribution,
    top_categories,
)
