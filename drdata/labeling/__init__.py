"""Pair labeling (MODEL vs IDEAL) and the batch runner over a corpus."""

from drdata.labeling.pair import (  # noqa: F401
    STATUSES,
    CategoryLabel,
    PairLabels,
    label_configs,
    label_pair,
    label_task,
)
