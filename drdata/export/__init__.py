"""Hugging Face datasets from labeled pairs, their dataset card, and publishing to the Hub.

``export_datasets(labels_dir, out_dir)`` writes ``data/<config>/<split>-00000-of-00001.parquet``
and ``README.md``; ``publish(out_dir, "org/name")`` plans (dry run) or performs the upload.
"""

from drdata.export.build import ExportError, ExportResult, export_datasets, load_labeled
from drdata.export.configs import CONFIG_NAMES, features
from drdata.export.publish import PublishError, PublishPlan, publish
from drdata.export.splits import SPLITS, Grouping, TaskText, assign_splits

__all__ = [
    "CONFIG_NAMES",
    "SPLITS",
    "ExportError",
    "ExportResult",
    "Grouping",
    "PublishError",
    "PublishPlan",
    "TaskText",
    "assign_splits",
    "export_datasets",
    "features",
    "load_labeled",
    "publish",
]
