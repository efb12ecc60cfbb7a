"""Figures: each returns a Figure whose bars / cells / texts carry the table's values."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from drdata import plots as P
from drdata import stats as S
from tests.test_stats import _items, _labels, _tasks


@pytest.fixture(scope="module")
def st():
    return S.compute_stats(_tasks(), _labels(), _items())


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _bar_widths(ax) -> list[float]:
    return [p.get_width() for p in ax.patches]


def test_severity_distribution_bars_are_fixed_failures(st):
    fig = P.severity_distribution(st.severity_distribution)
    ax = fig.axes[0]
    assert [p.get_height() for p in ax.patches] == [2, 2, 0, 2]  # Critical, High, Medium, Low
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Critical", "High", "Medium", "Low"]
    assert ax.get_title() == "Fixed failures by severity (4 labeled tasks)"
    assert "2\n2 tasks (50%)" in _texts(fig)
    assert [p.get_facecolor()[:3] for p in ax.patches][0] == pytest.approx((0xb2 / 255, 0x18 / 255, 0x2b / 255))


def test_top_categories_bars_are_shares_coloured_by_severity(st):
    fig = P.top_categories(st.category_prevalence)
    ax = fig.axes[0]
    # Three categories fixed in 2 of 4 tasks each (50%); kms / other are never fixed, so not drawn.
    assert _bar_widths(ax) == pytest.approx([50.0, 50.0, 50.0])
    labels = {t.get_text() for t in ax.get_yticklabels()}
    assert labels == {"External Module Dependency", "Missing Environment Suffix", "Incomplete Tagging"}
    assert "of 4 labeled tasks" in ax.get_title()
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"Critical", "High", "Low"}


def test_heatmap_cells_are_percentages_with_group_sizes(st):
    fig = P.category_complexity_heatmap(st.category_by_complexity, st.category_prevalence,
                                        group_sizes=st.by_complexity["tasks"])
    ax = fig.axes[0]
    img = ax.images[0].get_array()
    # Rows in prevalence order; A is fixed in both hard tasks -> 100 %, B in the one expert task -> 100 %.
    rows = [t.get_text() for t in ax.get_yticklabels()]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    assert cols == ["medium\n(n=1)", "hard\n(n=2)", "expert\n(n=1)"]
    a = rows.index("External Module Dependency")
    b = rows.index("Missing Environment Suffix")
    assert np.asarray(img[a]).tolist() == [0.0, 100.0, 0.0]
    assert np.asarray(img[b]).tolist() == [0.0, 50.0, 100.0]


def test_score_vs_quality_states_rho_and_n(st):
    fig = P.score_vs_quality(st.task_scores, st.quality_correlation)
    ax = fig.axes[0]
    assert "Spearman ρ = -0.50" in _texts(fig)[0] and "n = 3" in _texts(fig)[0]
    assert len(ax.collections[0].get_offsets()) == 3  # T5 has no training_quality
    assert "severity score" in ax.get_ylabel() and "training_quality" in ax.get_xlabel()


def test_agreement_stacks_both_report_only_detector_only(st):
    fig = P.agreement_by_category(st.agreement_by_category)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    b = ticks.index("Missing Environment Suffix")
    # Three stacked series (both, report_only, detector_only), one bar per category each.
    n = len(ticks)
    widths = _bar_widths(ax)
    assert [widths[b], widths[n + b], widths[2 * n + b]] == [1, 0, 1]


@pytest.mark.parametrize("make", [
    lambda: P.severity_distribution(S.severity_distribution(S.task_scores(_tasks().iloc[0:0], _labels()))),
    lambda: P.top_categories(S.category_prevalence(_labels().iloc[0:0], _tasks())),
    lambda: P.category_complexity_heatmap(pd.DataFrame()),
    lambda: P.score_vs_quality(pd.DataFrame({"severity_score": [1]})),
    lambda: P.agreement_by_category(S.agreement_by_category(_labels(), None)),
])
def test_empty_inputs_give_a_figure_that_says_so(make):
    fig = make()
    assert isinstance(fig, Figure)
    assert any(t.startswith("no data") for t in _texts(fig))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"


def test_make_figures_returns_the_five_figures(st):
    figs = P.make_figures(st)
    assert sorted(figs) == ["agreement_by_category", "category_complexity_heatmap", "score_vs_quality",
                            "severity_distribution", "top_categories"]
    assert all(isinstance(f, Figure) for f in figs.values())
