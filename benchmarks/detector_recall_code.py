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

import re
import sys
from collections import Counter, defaultdict

from _corpus import shared_corpus

from drdata.corpus import load_corpus
from drdata.detectors.registry import FIRES, registry, run_detector
from drdata.hcl import parse_answer
from drdata.labeling.pair import match_fixed
from drdata.reports.human import parse_report

CODE_IDS = (
    "hcl_syntax_error", "truncated_answer", "provider_configuration_error", "provider_version_constraints",
    "region_configuration", "backend_state_configuration", "variable_quality", "missing_outputs",
    "hardcoded_values", "missing_local_files", "deprecated_arguments", "naming_rule_violation",
    "s3_lifecycle_rule_without_filter", "backup_retention_missing", "lifecycle_misuse",
)
SEVERITIES = ("Critical", "High", "Medium", "Low")

# Stricter rules of our own, over report item *titles* only: the report mapping (drdata.reports.mapping) is
# broad on purpose (every item gets a category), so "naming conventions" or "missing requirements" land in
# naming_rule_violation / truncated_answer although no code rule can see them. These title rules name the
# failure itself; they give the severity evidence and a second recall column.
OWN_RULES = {
    "hcl_syntax_error": r"syntax|does not parse|parse error|invalid hcl|duplicate (variable|resource|output|local"
                        r"|block|declaration|data|definition)|unclosed|malformed|merge conflict",
    "truncated_answer": r"truncat|cut off|incomplete (response|answer|output|code|file)|ends mid|unterminated"
                        r"|placeholder",
    "provider_configuration_error": r"provider (configuration|block|alias)|duplicate provider|required_providers"
                                    r"|undeclared provider|duplicate required providers",
    "provider_version_constraints": r"version constraint|required_version|provider version|pinn|terraform version",
    "region_configuration": r"hard-?coded region|region (variable|config|mismatch|inconsisten|hard)|aws_region"
                            r"|wrong region",
    "backend_state_configuration": r"backend|state (lock|file|management|storage)|tfstate|remote state",
    "variable_quality": r"unused variable|variable (validation|description|type)|missing validation"
                        r"|input validation|variables? (without|lack|missing)",
    "missing_outputs": r"missing outputs?|outputs? (missing|incomplete|coverage)|no outputs|insufficient outputs",
    "hardcoded_values": r"hard-?coded (ami|account|availability|az|arn|value)|ami id|account id|static ami"
                        r"|availability zones? \(?hard",
    "missing_local_files": r"missing (local )?file|user.?data (script|file)|templatefile|file\(|non-?existent file"
                           r"|missing script|missing template",
    "deprecated_arguments": r"deprecat|unsupported argument|removed argument",
    "naming_rule_violation": r"name (length|too long)|naming (rule|violation|length|limit)|character limit"
                             r"|(bucket|role|target group|alb|lb) name|uppercase|invalid name|\bsg-",
    "s3_lifecycle_rule_without_filter": r"lifecycle.*(filter|prefix)|(filter|prefix).*lifecycle",
    "backup_retention_missing": r"backup|point[- ]in[- ]time|pitr|retention period",
    "lifecycle_misuse": r"ignore_changes|create_before_destroy|lifecycle (block|meta|misuse)",
}
_OWN = {c: re.compile(rx, re.I) for c, rx in OWN_RULES.items()}


def measure(tasks) -> tuple[dict, dict, dict]:
    dets = registry()
    rows: dict[str, Counter] = {c: Counter() for c in CODE_IDS}
    misses: dict[str, list[str]] = defaultdict(list)
    sev: dict[str, Counter] = {c: Counter() for c in CODE_IDS}
    for t in tasks:
        model = parse_answer(t.model_response)
        ideal = parse_answer(t.ideal_response)
        named, own = set(), set()
        for item in parse_report(t.failures_report):
            if item.category in rows:
                named.add(item.category)
            for cid, rx in _OWN.items():
                if rx.search(item.title):
                    own.add(cid)
                    if item.severity:
                        sev[cid][item.severity] += 1
        for cid in CODE_IDS:
            r = rows[cid]
            m = run_detector(dets[cid], model)
            i = run_detector(dets[cid], ideal)
            r["tasks"] += 1
            if not ideal.empty:
                r["ideal_n"] += 1
                r["ideal_fires"] += i.status == FIRES
                r["ideal_unknown"] += i.status == "unknown"
            if not model.empty:
                r["model_n"] += 1
                r["model_fires"] += m.status == FIRES
            fixed = m.status == FIRES and bool(match_fixed(m.findings, i.findings if i.status == FIRES else []))
            r["fixed"] += fixed
            if cid in own:
                r["own"] += 1
                r["own_model_fires"] += m.status == FIRES
                if m.status != FIRES:
                    misses[cid + ":own"].append(f"{t.id}({m.status})")
            if cid in named:
                r["named"] += 1
                r["named_model_fires"] += m.status == FIRES
                r["named_fixed"] += fixed
                if m.status != FIRES:
                    misses[cid].append(f"{t.id}({m.status})")
    return rows, misses, sev


def _pct(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def main() -> None:
    tasks = load_corpus(shared_corpus() / "archive" / "tf-hcl")
    rows, misses, sev = measure(tasks)
    head = ("category", "fixed", "ideal_fires", "ideal_share", "model_share", "named", "recall", "recall_fixed",
            "named_own", "recall_own")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for cid in CODE_IDS:
        r = rows[cid]
        print(f"| {cid} | {r['fixed']} | {r['ideal_fires']}/{r['ideal_n']} | {_pct(r['ideal_fires'], r['ideal_n'])} | "
              f"{_pct(r['model_fires'], r['model_n'])} | {r['named']} | {_pct(r['named_model_fires'], r['named'])} | "
              f"{_pct(r['named_fixed'], r['named'])} | {r['own']} | {_pct(r['own_model_fires'], r['own'])} |")
    print(f"\n{len(tasks)} tasks. recall = named tasks whose MODEL answer the detector fires on; recall_fixed = "
          "named tasks labelled fixed. 'named' = report items mapped to the category by drdata.reports; "
          "'named_own' = item titles matching OWN_RULES (this script).")
    if "--misses" in sys.argv:
        for cid in CODE_IDS:
            print(f"\n{cid} missed: {' '.join(misses[cid])}")
            print(f"{cid} missed (own rules): {' '.join(misses[cid + ':own'])}")
    if "--severity" in sys.argv:
        print("\nSeverity of report items whose title matches OWN_RULES:")
        print("\n| category | " + " | ".join(SEVERITIES) + " | most common |")
        print("|---|---|---|---|---|---|")
        for cid in CODE_IDS:
            c = sev[cid]
            top = max(SEVERITIES, key=lambda s: (c[s], -SEVERITIES.index(s))) if c else "-"
            print(f"| {cid} | " + " | ".join(str(c[s]) for s in SEVERITIES) + f" | {top} |")


if __name__ == "__main__":
    main()
