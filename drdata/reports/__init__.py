"""Human report parser, agreement between reports and detectors."""

from drdata.reports.agreement import agreement_frame, agreement_summary, disagreements
from drdata.reports.human import ReportItem, is_placeholder, parse_report, report_items_frame, report_shape
from drdata.reports.mapping import CATEGORY_IDS, map_category

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
