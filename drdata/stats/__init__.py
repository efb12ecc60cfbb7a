"""Severity statistics (pandas in, pandas out): per task, per category, breakdowns, correlation, agreement.

Pure: a run in, tables out. See :mod:`drdata.stats.tables` for the definitions (severity weights included);
``drdata stats`` (:func:`drdata.verbs.stats`) reads a run and writes these tables, the plots and the report.
"""

from drdata.stats.run import (  # noqa: F401
    CorpusStats,
    compute_stats,
    format_summary,
    stats_of_run,
)
from drdata.stats.tables import (  # noqa: F401
    QUALITY_LABELS,
    SEVERITY_WEIGHTS,
    agreement_by_category,
    breakdown,
    category_by,
    category_prevalence,
    error_reasons,
    parse_health,
    quality_bucket,
    quality_correlation,
    severity_comparison,
    severity_crosstab,
    severity_distribution,
    task_scores,
)


def __getattr__(name: str):
    # The notebooks (owned elsewhere) import labeled_run from here; it labels or reads a run, which is a verb
    # above this layer, so it is looked up when asked for, not imported.
    if name == "labeled_run":
        import importlib

        return importlib.import_module("drdata.verbs").labeled_run
    raise AttributeError(f"module 'drdata.stats' has no attribute {name!r}")
