"""Measure the code-structure detectors on the shared corpus (both sides of every tf-hcl task).

Per category: tasks labelled fixed (MODEL has a finding the IDEAL lacks, matched as the labeler does), the
share of IDEAL and MODEL answers it fires on, and recall against the tasks whose human report names the
category (report items mapped by drdata.reports: parse_report + .category). Also the severity counts of those
report items (the evidence for each category's default severity).

    .venv/bin/python benchmarks/detector_recall_code.py            # the table
    .venv/bin/python benchmarks/detector_recall_code.py --misses   # plus named-but-missed task ids
    .venv/bin/python benchmarks/detector_recall_code.py --severity # plus severity counts (markdown)
"""

from __future__ import annotations

import sys

from _corpus import shared_corpus
from _recall import print_report

from drdata.corpus import load_corpus
from drdata.taxonomy import all_categories

# The code theme's categories and their strict title rules (``title_rule``), declared with each category in
# drdata/catalog/<id>.py. The report mapping is broad on purpose (every item gets a category), so "naming
# conventions" or "missing requirements" land somewhere although no code rule can see them; the title rules name
# the failure itself: they give the severity evidence and a second recall column.
_CATS = [c for c in all_categories() if c.theme == "code" and not c.opt_in]
CODE_IDS = tuple(c.id for c in _CATS)
OWN_RULES = {c.id: c.title_rule for c in _CATS if c.title_rule}


def main() -> None:
    print_report(load_corpus(shared_corpus() / "archive" / "tf-hcl"), CODE_IDS, OWN_RULES, sys.argv[1:])


if __name__ == "__main__":
    main()
