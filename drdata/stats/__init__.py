"""Severity statistics (pandas in, pandas out): per task, per category, breakdowns, correlation, agreement.

See :mod:`drdata.stats.tables` for the definitions (severity weights included) and
:func:`write_stats` for what ``drdata stats OUTDIR -o DIR`` writes.
"""

from drdata.stats.run import (  # noqa: F401
    CorpusStats,
    compute_stats,
    format_summary,
    labeled_run,
    read_labels_dir,
    stats_of_run,
    write_stats,
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


def stats(labels_dir, out_dir) -> dict:
    """``drdata stats``: tables, plots, summary and the corpus report of a ``drdata label`` folder."""
    from drdata.reports.render import write_corpus_report

    return write_corpus_report(labels_dir, out_dir)

