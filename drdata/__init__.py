"""drdata: label LLM-written Terraform with a failure taxonomy, from the code.

The public API is imported lazily so that ``import drdata`` (and the CLI) stay fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "load_corpus": "drdata.corpus",
    "tasks_frame": "drdata.corpus",
    "Task": "drdata.corpus",
    "extract_code_blocks": "drdata.extract",
    "parse_answer": "drdata.hcl",
    "parse_hcl": "drdata.hcl",
    "TerraformConfig": "drdata.hcl",
    "categories": "drdata.taxonomy",
    "category": "drdata.taxonomy",
    "registry": "drdata.detectors",
    "label_pair": "drdata.labeling",
    "label_task": "drdata.labeling",
    "diff_pair": "drdata.labeling.pair",
    "label_corpus": "drdata.labeling.batch",
    "LabelRun": "drdata.labeling.store",
    "write_outputs": "drdata.labeling.store",
    "parse_report": "drdata.corpus.report",
    "agreement_summary": "drdata.labeling.agreement",
    "render_report": "drdata.reports.render",
    "verify": "drdata.verify",
    "Verdict": "drdata.verify",
    "show_task": "drdata.explore",
    "browse": "drdata.explore",
    "label_run": "drdata.explore",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'drdata' has no attribute {name!r}")
