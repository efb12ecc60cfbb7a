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

CODE_IDS = (
    "hcl_syntax_error", "truncated_answer", "provider_configuration_error", "provider_version_constraints",
    "region_configuration", "backend_state_configuration", "variable_quality", "missing_outputs",
    "hardcoded_values", "missing_local_files", "deprecated_arguments", "naming_rule_violation",
    "s3_lifecycle_rule_without_filter", "backup_retention_missing", "lifecycle_misuse", "unknown_resource_type",
    "unsupported_argument", "missing_required_argument", "nested_block_limits",
)

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
    "deprecated_arguments": r"deprecat|removed argument",
    "naming_rule_violation": r"name (length|too long)|naming (rule|violation|length|limit)|character limit"
                             r"|(bucket|role|target group|alb|lb) name|uppercase|invalid name|\bsg-",
    "s3_lifecycle_rule_without_filter": r"lifecycle.*(filter|prefix)|(filter|prefix).*lifecycle",
    "backup_retention_missing": r"backup|point[- ]in[- ]time|pitr|retention period",
    "lifecycle_misuse": r"ignore_changes|create_before_destroy|lifecycle (block|meta|misuse)",
    "unknown_resource_type": r"(invalid|non-?existent|unsupported|unknown|hallucinated|fake) (aws )?(resource|data"
                             r" source) type|(invalid|non-?existent|hallucinated) data sources?|does not support "
                             r"(resource|data source)",
    "unsupported_argument": r"(unsupported|invalid|unknown|non-?existent|unexpected) (\w+ ){0,2}(argument|block "
                            r"type)|not expected here|can'?t configure a value",
    "missing_required_argument": r"required (argument|parameter|attribute|field|block)s? (is |are )?missing|"
                                 r"missing (a |the )?required (argument|parameter|attribute|field|block)",
    "nested_block_limits": r"too many \w+ blocks|max_?items|only one \w+ block",
}


def main() -> None:
    print_report(load_corpus(shared_corpus() / "archive" / "tf-hcl"), CODE_IDS, OWN_RULES, sys.argv[1:])


if __name__ == "__main__":
    main()
