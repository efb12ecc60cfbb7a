"""The human failure-report parser: one hand-written report per shape, severity precedence, skipped sections,
category mapping of tricky titles, robustness, and figures on the shared corpus."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from drdata.corpus.report import ITEM_COLUMNS, _parse, _to_text, is_placeholder
from drdata.corpus.report_mapping import CATEGORY_IDS, OTHER, map_category
from drdata.reports import parse_report, report_items_frame, report_shape

# ---------------------------------------------------------------------------------------------------------------
# One small report per shape (all written for these tests).

HEADINGS_NO_SEVERITY = """\
# Review of the generated stack

## Hard-coded AMI in the launch template
The launch template pins one AMI id that only exists in a single region.

## Outputs for the queue URL are absent
Nothing exports the SQS queue URL that the consumer service needs.

## Summary
Two problems, both easy to fix.
"""

SECTION_SEVERITY = """\
# What the QA pass changed

## Critical Issues Fixed

### 1. Buckets collide across deployments
Names did not include `environment_suffix`, so a second stack failed with BucketAlreadyExists.

### 2. Archive provider not declared
`archive_file` is used but `hashicorp/archive` is missing from `required_providers`.

## High Priority Failures

### 3. Ingress open to the world on port 22
The bastion security group allows 0.0.0.0/0 on SSH.

## Minor Issues

### 4. Tags missing on the log group
The CloudWatch log group carries no tags.

## Lessons Learned

### 5. Always read the prompt twice
Not a code failure.
"""

REFERENCE_TEMPLATE = """\
# Model Response Failures Analysis

Intro text about the task.

## Critical Failures

### 1. Lambda Zip Not Shipped (Deployment Blocker)

**Impact Level**: Critical

**MODEL_RESPONSE Issue**:
The function points at an archive nobody builds.

```hcl
resource "aws_lambda_function" "worker" {
  filename = "build/worker.zip"
}
```

**IDEAL_RESPONSE Fix**:
Build it from source in the answer.

```hcl
data "archive_file" "worker" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/worker.zip"
}
```

**Root Cause**: The model assumed the artefact exists.

**Impact**: plan fails.

## Medium Severity Failures

### 2. Old Redis Engine

**Impact Level**: Medium

**MODEL_RESPONSE Issue**:
```hcl
engine_version = "6.0"
```

**IDEAL_RESPONSE Fix**:
```hcl
engine_version = "7.1"
```

## Summary

- **Total failures**: 1 Critical, 1 Medium
- **Training value**: high
"""

NUMBERED_NOTES = """\
1. Provider block duplicated;
Both main.tf and provider.tf declare provider "aws" without an alias.
Error: Duplicate provider configuration

2. Variable db_password has no sensitive flag
It is printed in plan output.
"""

TITLE_TAGS = """\
# Findings

## Issues

### [HIGH] Bucket policy allows any principal
The policy uses Principal "*".

### CRITICAL: Root volume unencrypted
`encrypted = false` on the EBS root block device.

### Flow logs not enabled (Minor)
The VPC has no aws_flow_log.

### 🔴 **Deletion protection left on**
RDS keeps `deletion_protection = true`.

### 🟢 Key alias absent
The KMS key has no alias.
"""

SEVERITY_LINES = """\
# Failures

## Security group rules too broad
**Severity**: High
Egress to 0.0.0.0/0 on all ports.

## Missing depends_on for the replication configuration
Priority: Moderate
Replication is created before versioning.

## Multi-AZ disabled on the database
- **Severity:** Blocker - production outage risk
The RDS instance sets multi_az = false.
"""

BULLETS = """\
# Model failures (prompt vs response)

- Deployability
  - Output stops mid-resource, so the file cannot be validated.
  - Uses templatefile() on a script that is not part of the answer.
- Security
  - The RDS password is a literal string in the variable default.
"""

PROSE = """\
The model's answer wrapped every resource in a community module pulled from the public registry, which the \
pipeline cannot download.

It also never declared an output for the load balancer DNS name, although the prompt asked for one.
"""

EMPTY_SHAPES = ["", "   \n\n", "Insert here the model's failures", "No failures found.", "TBD"]

FLAW_MARKERS = """\
**Flaw 1 — Local module directory not shipped**
```text
Error: Failed to download module
Could not download module "net" from "./modules/net": no such directory
```
---
*** Flaw 2 ***
```text
│ Error: Unsupported argument
│
│ An argument named "subnet_ids" is not expected here.
```

Flaw - 3

│ Error: Terraform encountered problems during initialisation
│ Error: Duplicate required providers configuration
"""

SUMMARY_TABLE = """\
# Model Failures Analysis

## 1. **Output contract broken**
### Issue
- No outputs are defined.

## 2. **Security group too open**
### Issue
- SSH is reachable from anywhere.

## Summary of Severity

| Category | Severity | Count |
|----------|----------|-------|
| Output contract broken | 🟡 High | 1 |
| Security group too open | 🔴 Critical | 1 |
"""


def brief(items):
    return [(it.index, it.title, it.severity, it.severity_raw, it.severity_source, it.category) for it in items]


def test_headings_without_severity():
    items = parse_report(HEADINGS_NO_SEVERITY)
    assert brief(items) == [
        (1, "Hard-coded AMI in the launch template", None, None, None, "hardcoded_values"),
        (2, "Outputs for the queue URL are absent", None, None, None, "missing_outputs"),
    ]
    assert report_shape(HEADINGS_NO_SEVERITY) == "headings_no_severity"
    assert items[0].body == "The launch template pins one AMI id that only exists in a single region."
    assert items[0].section == "Review of the generated stack"


def test_severity_from_section_headings_only():
    items = parse_report(SECTION_SEVERITY)
    assert brief(items) == [
        (1, "Buckets collide across deployments", "Critical", "Critical", "section", "missing_environment_suffix"),
        (2, "Archive provider not declared", "Critical", "Critical", "section", "provider_configuration_error"),
        (3, "Ingress open to the world on port 22", "High", "High", "section", "open_security_group"),
        (4, "Tags missing on the log group", "Low", "Minor", "section", "incomplete_tagging"),
    ]
    assert [it.section for it in items] == ["Critical Issues", "Critical Issues", "High Priority Failures",
                                            "Minor Issues"]
    assert report_shape(SECTION_SEVERITY) == "section"


def test_reference_template_with_snippets():
    items = parse_report(REFERENCE_TEMPLATE)
    assert brief(items) == [
        (1, "Lambda Zip Not Shipped (Deployment Blocker)", "Critical", "Critical", "impact_level",
         "lambda_package_missing"),
        (2, "Old Redis Engine", "Medium", "Medium", "impact_level", "outdated_engine_version"),
    ]
    first = items[0]
    assert first.model_snippet == 'resource "aws_lambda_function" "worker" {\n  filename = "build/worker.zip"\n}'
    assert first.ideal_snippet.startswith('data "archive_file" "worker" {')
    assert "```" not in first.body and "aws_lambda_function" not in first.body
    assert "The function points at an archive nobody builds." in first.body
    assert (items[1].model_snippet, items[1].ideal_snippet) == ('engine_version = "6.0"', 'engine_version = "7.1"')
    assert report_shape(REFERENCE_TEMPLATE) == "reference_template"


def test_numbered_notes_with_loose_bullets_keep_the_bullets_as_body():
    text = "1. Naming rules broken\n\n- bucket names have capitals\n- role names too long\n\n2. Outputs missing\n\n- no vpc id\n"
    items = parse_report(text)
    assert [(it.title, it.category) for it in items] == [
        ("Naming rules broken", "naming_rule_violation"),
        ("Outputs missing", "missing_outputs"),
    ]
    assert "role names too long" in items[0].body


def test_plain_numbered_notes():
    items = parse_report(NUMBERED_NOTES)
    assert brief(items) == [
        (1, "Provider block duplicated", None, None, None, "hcl_syntax_error"),
        (2, "Variable db_password has no sensitive flag", None, None, None, "hardcoded_secrets"),
    ]
    # The unindented lines after the numbered line belong to the note.
    assert "Error: Duplicate provider configuration" in items[0].body
    assert report_shape(NUMBERED_NOTES) == "numbered_notes"


def test_shouted_level_at_the_end_of_a_title():
    items = parse_report("## Bucket policy locks out the account CRITICAL\ntext\n## Lifecycle rules MEDIUM PRIORITY\ntext\n"
                         "## Alarm on LOW disk\ntext\n")
    assert [(it.title, it.severity, it.severity_raw, it.severity_source) for it in items] == [
        ("Bucket policy locks out the account", "Critical", "CRITICAL", "title_tag"),
        ("Lifecycle rules", "Medium", "MEDIUM", "title_tag"),
        ("Alarm on LOW disk", None, None, None),  # a shouted word inside the title is no tag
    ]


def test_severity_tags_and_emoji_in_titles():
    items = parse_report(TITLE_TAGS)
    assert brief(items) == [
        (1, "Bucket policy allows any principal", "High", "HIGH", "title_tag", "s3_bucket_security_missing"),
        (2, "Root volume unencrypted", "Critical", "CRITICAL", "title_tag", "ec2_instance_hardening"),
        (3, "Flow logs not enabled", "Low", "Minor", "title_tag", "vpc_flow_logs_missing"),
        (4, "Deletion protection left on", "Critical", "🔴", "emoji", "deletion_protection_enabled"),
        (5, "Key alias absent", "Low", "🟢", "emoji", "kms_key_alias_missing"),
    ]
    assert report_shape(TITLE_TAGS) == "title_tag"


def test_per_item_severity_lines():
    items = parse_report(SEVERITY_LINES)
    assert brief(items) == [
        (1, "Security group rules too broad", "High", "High", "severity_line", "open_security_group"),
        (2, "Missing depends_on for the replication configuration", "Medium", "Moderate", "severity_line",
         "missing_depends_on"),
        (3, "Multi-AZ disabled on the database", "Critical", "Blocker", "severity_line", "high_availability_missing"),
    ]
    assert report_shape(SEVERITY_LINES) == "severity_line"


def test_nested_bullets_become_items_under_their_group():
    items = parse_report(BULLETS)
    assert brief(items) == [
        (1, "Output stops mid-resource, so the file cannot be validated.", None, None, None, "truncated_answer"),
        (2, "Uses templatefile() on a script that is not part of the answer.", None, None, None,
         "missing_local_files"),
        (3, "The RDS password is a literal string in the variable default.", None, None, None, "hardcoded_secrets"),
    ]
    assert [it.section for it in items] == ["Deployability", "Deployability", "Security"]
    assert report_shape(BULLETS) == "bullets_prose"


def test_prose_paragraphs():
    items = parse_report(PROSE)
    assert [it.category for it in items] == ["external_module_dependency", "missing_outputs"]
    assert items[0].title.startswith("The model's answer wrapped every resource in a community module")
    assert report_shape(PROSE) == "bullets_prose"


@pytest.mark.parametrize("text", EMPTY_SHAPES)
def test_empty_placeholder_and_no_failure_reports(text):
    assert parse_report(text) == []
    assert is_placeholder(text)
    assert report_shape(text) == "empty"


def test_a_real_report_is_not_a_placeholder():
    assert not is_placeholder(NUMBERED_NOTES)


def test_flaw_markers_with_raw_error_logs():
    items = parse_report(FLAW_MARKERS)
    assert brief(items) == [
        (1, "Local module directory not shipped", None, None, None, "missing_local_files"),
        # A bare marker takes its title from the first error it quotes; terraform's "Unsupported argument" is the
        # schema category of that name.
        (2, "Error: Unsupported argument", None, None, None, "unsupported_argument"),
        # Terraform's wrapper line is passed over for the error that names the failure.
        (3, "Error: Duplicate required providers configuration", None, None, None, "hcl_syntax_error"),
    ]
    assert report_shape(FLAW_MARKERS) == "flaw_markers"


def test_severity_only_in_summary_table_with_emoji_legend():
    items = parse_report(SUMMARY_TABLE)
    assert brief(items) == [
        (1, "Output contract broken", "High", "High", "table", "missing_outputs"),
        (2, "Security group too open", "Critical", "Critical", "table", "open_security_group"),
    ]
    assert report_shape(SUMMARY_TABLE) == "table"


def test_raw_error_log_only_report():
    text = "```\n│ Error: Reference to undeclared resource\n│ on main.tf line 3\n│ Error: Invalid function argument\n```\n"
    items = parse_report(text)
    assert [it.title for it in items] == ["Error: Reference to undeclared resource", "Error: Invalid function argument"]
    assert items[0].category == "undefined_reference"


def test_report_wrapped_in_a_markdown_fence():
    text = "```markdown\n# Failures\n1) Region hard-coded in the provider\n2) No outputs at all\n```\n"
    assert [(it.title, it.category) for it in parse_report(text)] == [
        ("Region hard-coded in the provider", "region_configuration"),
        ("No outputs at all", "missing_outputs"),
    ]


# ---------------------------------------------------------------------------------------------------------------
# Severity precedence: an item's own label beats tags, emoji, tables and section headings.

PRECEDENCE = [
    # (report, expected severity, raw, source)
    ("## Critical Failures\n### 1. [LOW] Thing\n**Impact Level**: Medium\n", "Medium", "Medium", "impact_level"),
    ("## Critical Failures\n### 1. Thing\n**Severity**: Low\n**Impact Level**: High\n", "High", "High", "impact_level"),
    ("## Critical Failures\n### 1. [LOW] Thing\n**Severity**: Major\n", "High", "Major", "severity_line"),
    ("## Critical Failures\n### 1. 🟢 Thing (Major)\ntext\n", "High", "Major", "title_tag"),
    ("## Critical Failures\n### 1. 🟢 Thing\ntext\n", "Low", "🟢", "emoji"),
    ("## Critical Failures\n### 1. Thing\ntext\n\n## Summary Table\n| # | Severity |\n|--|--|\n| #1 Thing | Trivial |\n",
     "Low", "Trivial", "table"),
    ("## Critical Failures\n### 1. Thing\ntext\n", "Critical", "Critical", "section"),
    ("## Significant Problems\n### Thing\ntext\n", "High", "Significant", "section"),
    ("## Severe Issues\n### Thing\ntext\n", "Critical", "Severe", "section"),
    ("## High Availability\n### Thing\ntext\n", None, None, None),  # "High" of "High Availability" is no severity
    ("## Minor Differences (Non-Critical)\n### Thing\ntext\n", "Low", "Minor", "section"),
    ("### Thing\n**Impact**: Minor readability concern\n", None, None, None),  # prose after Impact: not a level
    ("### Thing\n**Impact**: High - blocks deploys\n", "High", "High", "impact_level"),
    ("### Thing\nPriority: P1\n", "High", "P1", "severity_line"),
]


@pytest.mark.parametrize(("text", "severity", "raw", "source"), PRECEDENCE)
def test_severity_precedence(text, severity, raw, source):
    (item,) = parse_report(text)
    assert (item.severity, item.severity_raw, item.severity_source) == (severity, raw, source)


def test_nearest_section_heading_wins():
    text = "## Critical Failures\n### Minor Issues\n#### 1. Thing\ntext\n"
    (item,) = parse_report(text)
    assert (item.severity, item.section) == ("Low", "Minor Issues")


# ---------------------------------------------------------------------------------------------------------------
# Sections that are not failures are skipped.

SKIPPED = ["Summary", "Executive Summary", "Overview", "Lessons Learned", "Strengths", "Recommendations",
           "Validation Results", "Training Value", "Conclusion", "Next Steps", "What the Model Did Well",
           "Positive Aspects of MODEL_RESPONSE", "Final Verdict", "Key Takeaways"]


@pytest.mark.parametrize("heading", SKIPPED)
def test_non_failure_sections_are_skipped(heading):
    text = f"# Report\n\n## Failures\n\n### 1. Missing outputs\nNo outputs.\n\n## {heading}\n\n### 2. Something\nMore text.\n"
    assert [it.title for it in parse_report(text)] == ["Missing outputs"]


def test_item_parts_are_not_items():
    text = ("## Missing backend block\n### Issue\nNo backend.\n### Root Cause\nForgot.\n### Impact\nState is local.\n"
            "### Fix Applied\nAdded one.\n")
    (item,) = parse_report(text)
    assert item.title == "Missing backend block"
    assert "State is local." in item.body
    assert item.category == "backend_state_configuration"


def test_code_comments_are_not_headings():
    text = "## Broken tags\n```hcl\n# not a heading\n## neither\nresource \"x\" \"y\" {}\n```\n"
    (item,) = parse_report(text)
    assert item.title == "Broken tags"
    assert item.body == ""


# ---------------------------------------------------------------------------------------------------------------
# Category mapping of tricky titles (title first, then body, then section).

TRICKY_TITLES = [
    ("Missing Environment Suffix Support (Resource Conflict)", "missing_environment_suffix"),
    ("Incomplete Resource Tagging", "incomplete_tagging"),
    ("Missing KMS Key Aliases", "kms_key_alias_missing"),
    ("Potentially Outdated Aurora Version", "outdated_engine_version"),
    ("Incomplete depends_on Relationships", "missing_depends_on"),
    ("Missing S3 Bucket Security Configurations (Compliance Failure)", "s3_bucket_security_missing"),
    ("Lifecycle rule lacks filter block", "s3_lifecycle_rule_without_filter"),
    ("Deletion Protection Enabled (Testing Blocker)", "deletion_protection_enabled"),
    ("Region hard-coded / assumed", "region_configuration"),
    ("Hard-coded database password", "hardcoded_secrets"),
    ("Hardcoded availability zones", "hardcoded_values"),
    ("Multi-AZ only partly done across 2 AZs", "high_availability_missing"),
    ("Overly permissive ingress on the web security group", "open_security_group"),
    ("Overly permissive CloudWatch policy", "wildcard_iam_permissions"),
    ("Warning: argument is deprecated, see the documentation", "deprecated_arguments"),
    ("Provider version not pinned", "provider_version_constraints"),
    ("Terraform backend uses local state", "backend_state_configuration"),
    ("Missing aws_region variable declaration", "undefined_reference"),
    ("Response truncated mid-file", "truncated_answer"),
    ("Model could not finish, was unable to give the full answer in a single turn", "truncated_answer"),
    ("KMS key rotation disabled", "kms_key_rotation_missing"),
    ("Unit tests are placeholders", OTHER),
    ("README lacks deployment steps", OTHER),
    ("Missing Comprehensive Test Suite", OTHER),
    ("No Design Decision Documentation", OTHER),
    ("Comprehensive outputs for integration testing", "missing_outputs"),
]


@pytest.mark.parametrize(("title", "category"), TRICKY_TITLES)
def test_tricky_title_mapping(title, category):
    assert map_category(title) == category


@pytest.mark.parametrize(
    ("title", "body", "category"),
    [
        # A weak title ("missing resources") gives way to a body that clearly names undefined references.
        ("Missing Critical Resources", "Security groups are referenced but never created; roles are undefined.",
         "undefined_reference"),
        ("Missing Critical Resources", "Half of the requested services are not there.", "truncated_answer"),
        # No keyword in the title: the body decides (code stripped first).
        ("Second problem", "The trail writes no CloudTrail logs.\n```hcl\nresource \"aws_lambda_function\" {}\n```",
         "logging_audit_missing"),
        ("Odd one", "Nothing recognisable here.", OTHER),
    ],
)
def test_body_decides_when_title_is_weak_or_silent(title, body, category):
    assert map_category(title, body) == category


def test_rules_are_written_in_lower_case():
    # Rules run on lower-cased text without re.I (2.5x faster): an upper-case letter in a rule would never match.
    from drdata.corpus.report_mapping import RULES

    for rule in RULES:
        for pattern in filter(None, (rule.strong, rule.weak)):
            assert not re.search(r"(?<!\\)[A-Z]", pattern), (rule.category, pattern)


@pytest.mark.parametrize("title", ["KMS KEY ROTATION DISABLED", "kms key rotation disabled", "Kms Key Rotation Disabled"])
def test_mapping_ignores_case(title):
    assert map_category(title) == "kms_key_rotation_missing"
    assert map_category("Second problem", title.replace("KEY", "KEYS").upper() + " " + title) == "kms_key_rotation_missing"


def test_section_is_the_last_resort():
    assert map_category("Odd one", "Nothing recognisable here.", "Tagging and cost hygiene") == "incomplete_tagging"


def test_rules_produce_exactly_the_labelled_categories():
    # The mapping's ids come from the category modules: every category the detectors label can be named by a
    # report, and no rule names a category that has no detector.
    from drdata.corpus.report_mapping import RULES, TOPICS
    from drdata.detectors import registry
    from drdata.taxonomy import category_ids

    assert len(CATEGORY_IDS) == len(set(CATEGORY_IDS))
    assert list(CATEGORY_IDS[:12]) == category_ids("reference")
    assert set(CATEGORY_IDS) == set(category_ids("full")) == set(registry())
    named = {r.category for r in RULES} - {OTHER, TOPICS}
    assert named == set(CATEGORY_IDS)


# ---------------------------------------------------------------------------------------------------------------
# Robustness: never raise.


@pytest.mark.parametrize(
    "text",
    [None, "", b"", b"\x00\x01\xff\xfe binary \x00", "\x00" * 50, "```\nunclosed fence\n# x", "#" * 500,
     "# " + "a" * 100_000, "\n".join(f"{'  ' * i}- level {i}" for i in range(200)), "| a |\n|--|\n| b |", 12345],
)
def test_never_raises(text):
    # parse_report swallows every exception (a report must never break a batch), so a raise would pass
    # unseen through it: the parser it wraps is what must not raise.
    items, _raws = _parse(_to_text(text))
    assert isinstance(items, list)
    assert parse_report(text) == items


def test_random_bytes_never_raise():
    rng = random.Random(5)
    alphabet = list("#*-_`|>[]()0123456789.: \n\tabcXYZ🔴🟡") + ["```", "**", "### 1. ", "Severity: High"]
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        items, _raws = _parse(_to_text(text))  # the inner parser: parse_report would hide a raise
        assert isinstance(items, list)


def test_bytes_input_is_decoded():
    items = parse_report("## Missing outputs für prod\nnone at all\n".encode())
    assert [it.title for it in items] == ["Missing outputs für prod"]


def test_items_frame():
    frame = report_items_frame({"T2": parse_report(SECTION_SEVERITY), "T1": parse_report(TITLE_TAGS), "T3": []})
    assert list(frame.columns) == ITEM_COLUMNS
    assert list(frame["task_id"]) == ["T1"] * 5 + ["T2"] * 4
    assert list(frame["index"]) == [1, 2, 3, 4, 5, 1, 2, 3, 4]
    assert frame.loc[5, "severity"] == "Critical"
    assert report_items_frame({}).columns.tolist() == ITEM_COLUMNS


# ---------------------------------------------------------------------------------------------------------------
# Shared corpus


@pytest.mark.corpus
def test_reference_report_pr4579(reference_task: Path):
    items = parse_report((reference_task / "lib" / "MODEL_FAILURES.md").read_text())
    assert [(it.title, it.severity, it.severity_source, it.category) for it in items] == [
        ("External Module Dependencies (Deployment Blocker)", "Critical", "impact_level", "external_module_dependency"),
        ("Missing Critical Resources (Deployment Blocker)", "Critical", "impact_level", "undefined_reference"),
        ("Wildcard IAM Permissions (Security Violation)", "Critical", "impact_level", "wildcard_iam_permissions"),
        ("Deletion Protection Enabled (Testing Blocker)", "High", "impact_level", "deletion_protection_enabled"),
        ("Missing Environment Suffix Support (Resource Conflict)", "High", "impact_level",
         "missing_environment_suffix"),
        ("Lambda Deployment Package Reference (Deployment Failure)", "High", "impact_level", "lambda_package_missing"),
        ("Missing S3 Bucket Security Configurations (Compliance Failure)", "High", "impact_level",
         "s3_bucket_security_missing"),
        ("Potentially Outdated Aurora Version", "Medium", "impact_level", "outdated_engine_version"),
        ("Incomplete depends_on Relationships", "Medium", "impact_level", "missing_depends_on"),
        ("Performance Insights Configuration Issue", "Medium", "impact_level", "performance_insights_unsupported"),
        ("Incomplete Resource Tagging", "Low", "impact_level", "incomplete_tagging"),
        ("Missing KMS Key Aliases", "Low", "impact_level", "kms_key_alias_missing"),
    ]
    assert [it.index for it in items] == list(range(1, 13))
    assert all(it.model_snippet or it.ideal_snippet for it in items)


# Deliberately looser than the parser: "the text states a severity" is checked independently.
_STATED = __import__("re").compile(
    r"(severity|priority|impact level|criticality)\W{0,8}(critical|blocker|severe|high|major|significant|medium"
    r"|moderate|low|minor|trivial)\b",
    __import__("re").I,
)


@pytest.mark.corpus
def test_corpus_wide_rates(shared_corpus: Path):
    files = sorted(shared_corpus.glob("archive/*/*/lib/MODEL_FAILURES.md"))
    assert len(files) > 400
    nonempty = with_items = items = named = stated = stated_got = 0
    for f in files:
        text = f.read_bytes().decode("utf-8", errors="replace")
        got = parse_report(text)
        if not is_placeholder(text):
            nonempty += 1
            with_items += bool(got)
        for it in got:
            items += 1
            named += it.category != OTHER
            if _STATED.search(it.body):
                stated += 1
                stated_got += it.severity is not None
    assert with_items / nonempty >= 0.95
    assert stated > 500 and stated_got == stated
    assert named / items >= 0.90
