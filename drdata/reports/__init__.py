"""Reports generated from the labels (:mod:`drdata.reports.render`).

The hand-written report parser is an input (:mod:`drdata.corpus.report`) and the report/detector agreement is part
of a label run (:mod:`drdata.labeling.agreement`); both are re-exported here, where they used to live.
"""

from drdata.corpus.report import ReportItem, is_placeholder, parse_report, report_items_frame, report_shape
from drdata.corpus.report_mapping import CATEGORY_IDS, map_category
from drdata.labeling.agreement import agreement_frame, agreement_summary, disagreements

__all__ = [
    "CATEGORY_IDS",
    "ReportItem",
    "agreement_frame",
    "agreement_summary",
    "disagreements",
    "is_placeholder",
    "map_category",
    "parse_report",
    "report_items_frame",
    "report_shape",
]
