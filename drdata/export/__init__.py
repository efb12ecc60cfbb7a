"""Hugging Face datasets from labeled pairs, their dataset card, and publishing to the Hub.

``export_datasets(labels_dir, out_dir)`` writes ``data/<config>/<split>-00000-of-00001.parquet``
and ``README.md``; ``publish(out_dir, "org/name")`` plans (dry run) or performs the upload.
Attributes load lazily so that the CLI can import ``drdata.export.names`` without datasets.
"""

from __future__ import annotations

import importlib

_API = {
    "CONFIG_NAMES": "drdata.export.names",
    "SPLITS": "drdata.export.names",
    "ExportError": "drdata.export.build",
    "ExportResult": "drdata.export.build",
    "export_datasets": "drdata.export.build",
    "load_labeled": "drdata.export.build",
    "features": "drdata.export.configs",
    "PublishError": "drdata.export.hub",
    "PublishPlan": "drdata.export.hub",
    "publish": "drdata.export.hub",
    "Grouping": "drdata.export.splits",
    "TaskText": "drdata.export.splits",
    "assign_splits": "drdata.export.splits",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'drdata.export' has no attribute {name!r}")
