"""The embedded demo corpus (corpora/) is complete and says what its README promises.

These are textual checks on HCL written for the demo; the detectors are tested elsewhere.
They guard the corpus against edits that would silently remove a failure from Demo001's
MODEL answer or let one slip into an IDEAL answer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import hcl2
import pytest
from lark.exceptions import UnexpectedInput  # what python-hcl2 raises on bad syntax

ARCHIVE = Path(__file__).resolve().parent.parent / "corpora" / "archive" / "tf-hcl"
LIB_FILES = ("PROMPT.md", "MODEL_RESPONSE.md", "IDEAL_RESPONSE.md", "MODEL_FAILURES.md")
FENCE_RE = re.compile(r"^```(hcl|terraform|tf)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def read(task: str, name: str) -> str:
    return (ARCHIVE / task / "lib" / name).read_text(encoding="utf-8")


def hcl_blocks(markdown: str) -> list[str]:
    return [m.group(2) for m in FENCE_RE.finditer(markdown)]


def code(task: str, side: str) -> str:
    return "\n".join(hcl_blocks(read(task, f"{side}_RESPONSE.md")))


def top_blocks(text: str, keyword: str, type_: str | None = None) -> list[tuple[str, str]]:
    """(name, body) of top-level blocks; fmt-formatted text, so the closing brace is in column 0.

    ``type_`` selects resources/data of one type (name = second label); without it the
    block has a single label (module, provider), which is the name.
    """
    head = rf'"{re.escape(type_)}" "([\w-]+)"' if type_ else r'"([\w-]+)"'
    return [(m.group(1), m.group(2))
            for m in re.finditer(rf"^{keyword} {head} \{{\n(.*?)^\}}", text, re.M | re.S)]


# -- layout ------------------------------------------------------------------------------

LAYOUT = [
    # task, files that must be missing, files that must be empty
    ("Demo001", set(), set()),
    ("Demo002", set(), set()),
    ("Demo003", set(), set()),
    ("Demo004", set(), set()),
    ("Demo005", set(), set()),
    ("Demo006", {"MODEL_FAILURES.md"}, {"PROMPT.md"}),
]


def test_corpus_has_exactly_the_demo_tasks():
    assert sorted(p.name for p in ARCHIVE.iterdir() if p.is_dir()) == [t for t, _, _ in LAYOUT]


@pytest.mark.parametrize("task,missing,empty", LAYOUT)
def test_task_files(task, missing, empty):
    lib = ARCHIVE / task / "lib"
    for name in LIB_FILES:
        path = lib / name
        if name in missing:
            assert not path.exists(), f"{task}/{name} must stay missing"
        elif name in empty:
            assert path.is_file() and path.stat().st_size == 0
        else:
            assert path.is_file() and path.read_text(encoding="utf-8").strip(), f"{task}/{name} empty or missing"
    assert sorted(p.name for p in lib.iterdir()) == sorted(set(LIB_FILES) - missing)


@pytest.mark.parametrize("task,complexity,quality", [
    ("Demo001", "expert", 9),
    ("Demo002", "medium", 8),
    ("Demo003", "hard", 6.5),
    ("Demo004", "medium", "high"),
    ("Demo005", "hard", None),
    ("Demo006", "medium", "<absent>"),
])
def test_metadata(task, complexity, quality):
    meta = json.loads((ARCHIVE / task / "metadata.json").read_text(encoding="utf-8"))
    assert (meta["platform"], meta["language"], meta["complexity"]) == ("tf", "hcl", complexity)
    assert meta.get("training_quality", "<absent>") == quality


# -- parsing -----------------------------------------------------------------------------

@pytest.mark.parametrize("task,side,n_blocks", [
    ("Demo001", "IDEAL", 4),
    ("Demo001", "MODEL", 4),
    ("Demo002", "IDEAL", 2),
    ("Demo002", "MODEL", 1),
    ("Demo003", "IDEAL", 1),
    ("Demo003", "MODEL", 1),
    ("Demo004", "IDEAL", 1),
    ("Demo004", "MODEL", 1),
    ("Demo006", "IDEAL", 1),
    ("Demo006", "MODEL", 1),
])
def test_fenced_blocks_parse(task, side, n_blocks):
    blocks = hcl_blocks(read(task, f"{side}_RESPONSE.md"))
    assert len(blocks) == n_blocks
    for block in blocks:
        hcl2.loads(block)  # raises on a syntax error


def test_unfenced_ideal_parses_as_a_whole():
    text = read("Demo005", "IDEAL_RESPONSE.md")
    assert "```" not in text
    parsed = hcl2.loads(text)
    assert len(parsed["resource"]) == 8


def test_truncated_model_ends_inside_an_open_fence():
    text = read("Demo005", "MODEL_RESPONSE.md")
    assert text.count("```") % 2 == 1
    closed = hcl_blocks(text)
    assert len(closed) == 1
    hcl2.loads(closed[0])
    tail = text[text.rindex("```hcl") + len("```hcl"):]
    assert tail.rstrip().endswith('"lifts/!{timestamp:yyyy')
    with pytest.raises(UnexpectedInput):
        hcl2.loads(tail)


# -- Demo001: the 12 reference failures --------------------------------------------------
# Each predicate returns what is wrong in one answer's HCL (empty = clean).

SUFFIX_TOKENS = ("var.environment_suffix", "local.name_suffix", "local.api_zone_name")
NAME_KEYS = ("name", "bucket", "identifier", "cluster_identifier", "global_cluster_identifier", "function_name",
             "alarm_name", "set_identifier")
# Actions IAM accepts only with Resource "*".
WILDCARD_ONLY_ACTIONS = {"cloudwatch:PutMetricData"}


def external_modules(text):
    return re.findall(r'^\s*source\s*=\s*"((?!\./|\.\./)[^"]+)"', "\n".join(b for _, b in top_blocks(text, "module")),
                      re.M)


def undefined_references(text):
    declared = set()
    for kind in ("resource", "data"):
        for m in re.finditer(rf'^{kind} "([\w-]+)" "([\w-]+)"', text, re.M):
            declared.add(("data." if kind == "data" else "") + f"{m.group(1)}.{m.group(2)}")
    declared |= {f"var.{v}" for v in re.findall(r'^variable "([\w-]+)"', text, re.M)}
    declared |= {f"module.{v}" for v in re.findall(r'^module "([\w-]+)"', text, re.M)}
    used = set(re.findall(r"\b((?:data\.)?aws_[a-z0-9_]+\.[a-z0-9_]+|var\.\w+|module\.\w+)", text))
    used = {u for u in used if not re.match(r"aws_[a-z0-9_]+\.amazonaws", u)}
    return sorted(used - declared)


def wildcard_statements(text):
    found = []
    for m in re.finditer(r'Resource\s*=\s*"\*"', text):
        before = text[:m.start()]
        actions = set(re.findall(r'"([a-z0-9-]+:[A-Za-z*]+)"', before[before.rindex("Action"):]))
        if actions - WILDCARD_ONLY_ACTIONS:
            found.append(sorted(actions))
    return found


def protections(text):
    return re.findall(r"^\s*((?:enable_)?deletion_protection(?:_enabled)?\s*=\s*true|skip_final_snapshot\s*=\s*false"
                      r"|prevent_destroy\s*=\s*true)", text, re.M)


def unsuffixed_names(text):
    bad = []
    for (rtype, body) in ((k, v) for k, v in _resources(text)):
        for line in body.splitlines():
            m = re.match(rf"^  ({'|'.join(NAME_KEYS)})\s*=\s*(.+)$", line)
            # `bucket = aws_s3_bucket.x.id` on a sub-resource points at a name, it is not one.
            if m and not re.match(r"(data\.)?aws_", m.group(2)) and not any(t in m.group(2) for t in SUFFIX_TOKENS):
                bad.append(f"{rtype}: {line.strip()}")
    return bad


def _resources(text):
    for m in re.finditer(r'^resource "([\w-]+)" "([\w-]+)" \{\n(.*?)^\}', text, re.M | re.S):
        yield f"{m.group(1)}.{m.group(2)}", m.group(3)


def unbuilt_lambda_packages(text):
    bad = []
    for addr, body in _resources(text):
        if addr.startswith("aws_lambda_function."):
            if "source_code_hash" not in body or not re.search(r"filename\s*=\s*data\.archive_file\.", body):
                bad.append(addr)
    return bad


def insecure_buckets(text):
    bad = []
    controls = ("aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_versioning",
                "aws_s3_bucket_public_access_block")
    for name, _ in top_blocks(text, "resource", "aws_s3_bucket"):
        for control in controls:
            if not any(f"aws_s3_bucket.{name}." in body for _, body in top_blocks(text, "resource", control)):
                bad.append(f"{name}: {control}")
    return bad


def old_engine_versions(text):
    return [v for v in re.findall(r'engine_version\s*=\s*"([\d.]+)"', text) if v != "15.14"]


def replication_without_depends_on(text):
    bad = []
    for name, body in top_blocks(text, "resource", "aws_s3_bucket_replication_configuration"):
        deps = re.search(r"depends_on\s*=\s*\[(.*?)\]", body, re.S)
        if not deps or not all(f"aws_s3_bucket_versioning.{b}" in deps.group(1)
                               for b in ("archive_primary", "archive_recovery")):
            bad.append(name)
    return bad


def forced_performance_insights(text):
    return [n for n, b in top_blocks(text, "resource", "aws_rds_cluster_instance")
            if re.search(r"performance_insights_enabled\s*=\s*true", b)]


def tagging_gaps(text):
    gaps = []
    common = re.search(r"common_tags\s*=\s*\{(.*?)\}", text, re.S)
    if not common or "Suffix" not in common.group(1):
        gaps.append("common_tags without Suffix")
    providers = [(n, b) for n, b in top_blocks(text, "provider") if n == "aws"]
    if not providers or any("default_tags" not in body for _, body in providers):
        gaps.append("provider without default_tags")
    # Taggable resources the MODEL leaves bare (IDEAL tags them explicitly as well).
    for addr in ("aws_sns_topic.dr_events", "aws_lambda_function.failover_orchestrator", "aws_lb.recovery"):
        body = dict(_resources(text)).get(addr, "")
        if not re.search(r"^  tags\s*=", body, re.M):
            gaps.append(f"{addr} untagged")
    return gaps


def keys_without_alias(text):
    aliases = "\n".join(b for _, b in top_blocks(text, "resource", "aws_kms_alias"))
    return [k for k, _ in top_blocks(text, "resource", "aws_kms_key")
            if not re.search(rf"target_key_id\s*=\s*aws_kms_key\.{k}\.key_id\b", aliases)]


REFERENCE_FAILURES = [
    # category, predicate, what the MODEL must show (compared exactly or by containment)
    ("external_module_dependency", external_modules,
     ["terraform-aws-modules/vpc/aws", "terraform-aws-modules/vpc/aws"]),
    ("undefined_reference", undefined_references,
     ["aws_kms_key.dynamo_recovery", "aws_security_group.app_primary", "aws_sqs_queue.failover_dlq"]),
    ("wildcard_iam_permissions", wildcard_statements, None),
    ("deletion_protection_enabled", protections,
     ["deletion_protection       = true", "skip_final_snapshot       = false", "deletion_protection       = true",
      "enable_deletion_protection = true"]),
    ("missing_environment_suffix", unsuffixed_names, None),
    ("lambda_package_missing", unbuilt_lambda_packages, ["aws_lambda_function.failover_orchestrator"]),
    ("s3_bucket_security_missing", insecure_buckets,
     ["archive_primary: aws_s3_bucket_server_side_encryption_configuration",
      "archive_primary: aws_s3_bucket_public_access_block",
      "archive_recovery: aws_s3_bucket_server_side_encryption_configuration",
      "archive_recovery: aws_s3_bucket_public_access_block",
      "failover_reports: aws_s3_bucket_server_side_encryption_configuration",
      "failover_reports: aws_s3_bucket_versioning",
      "failover_reports: aws_s3_bucket_public_access_block"]),
    ("outdated_engine_version", old_engine_versions, ["15.3", "15.3", "15.3"]),
    ("missing_depends_on", replication_without_depends_on, ["archive"]),
    ("performance_insights_unsupported", forced_performance_insights, ["primary", "recovery"]),
    ("incomplete_tagging", tagging_gaps,
     ["common_tags without Suffix", "provider without default_tags", "aws_sns_topic.dr_events untagged",
      "aws_lambda_function.failover_orchestrator untagged", "aws_lb.recovery untagged"]),
    ("kms_key_alias_missing", keys_without_alias,
     ["aurora_primary", "aurora_recovery", "archive_primary", "archive_recovery"]),
]


@pytest.fixture(scope="module")
def demo001():
    return {"MODEL": code("Demo001", "MODEL"), "IDEAL": code("Demo001", "IDEAL")}


@pytest.mark.parametrize("category,predicate,expected", REFERENCE_FAILURES, ids=[c for c, _, _ in REFERENCE_FAILURES])
def test_demo001_model_commits_and_ideal_fixes(demo001, category, predicate, expected):
    model_issues = predicate(demo001["MODEL"])
    assert model_issues, f"MODEL no longer shows {category}"
    if expected is not None:
        assert model_issues == expected
    assert predicate(demo001["IDEAL"]) == [], f"IDEAL still shows {category}"


@pytest.mark.parametrize("rtype,model_count,ideal_count", [
    # The predicates above must see the objects they judge, or "no issue" means nothing.
    ("aws_s3_bucket", 3, 3),
    ("aws_kms_key", 4, 7),
    ("aws_kms_alias", 0, 7),
    ("aws_rds_cluster_instance", 2, 2),
    ("aws_lambda_function", 1, 1),
    ("aws_s3_bucket_replication_configuration", 1, 1),
    ("aws_vpc", 0, 2),
    ("aws_subnet", 0, 4),
])
def test_demo001_resource_counts(demo001, rtype, model_count, ideal_count):
    assert len(top_blocks(demo001["MODEL"], "resource", rtype)) == model_count
    assert len(top_blocks(demo001["IDEAL"], "resource", rtype)) == ideal_count


def test_demo001_model_wildcard_is_in_an_inline_policy(demo001):
    role = dict(_resources(demo001["MODEL"]))["aws_iam_role.failover_orchestrator"]
    policy = role[role.index("inline_policy"):]
    assert re.search(r'Resource\s*=\s*"\*"', policy)
    assert {"rds:FailoverGlobalCluster", "route53:ChangeResourceRecordSets"} <= set(wildcard_statements(policy)[0])


def test_demo001_ideal_keeps_star_only_for_put_metric_data(demo001):
    stars = re.findall(r'Resource\s*=\s*"\*"', demo001["IDEAL"])
    assert len(stars) == 1
    assert wildcard_statements(demo001["IDEAL"]) == []


def test_demo001_model_has_no_suffix_variable_and_ideal_names_everything(demo001):
    assert "environment_suffix" not in demo001["MODEL"]
    assert len(unsuffixed_names(demo001["MODEL"])) >= 30
    assert 'variable "environment_suffix"' in demo001["IDEAL"]
    assert 'name_suffix   = "${var.project}-${var.environment_suffix}"' in demo001["IDEAL"]


def test_demo001_model_lambda_points_at_a_zip_nobody_builds(demo001):
    assert 'filename      = "lambda/failover.zip"' in demo001["MODEL"]
    assert "archive_file" not in demo001["MODEL"]
    assert 'data "archive_file" "failover"' in demo001["IDEAL"]


def test_demo001_performance_insights_flag(demo001):
    for _, body in top_blocks(demo001["MODEL"], "resource", "aws_rds_cluster_instance"):
        assert "instance_class               = var.db_instance_class" in body
    for _, body in top_blocks(demo001["IDEAL"], "resource", "aws_rds_cluster_instance"):
        assert re.search(r"performance_insights_enabled\s*=\s*var\.enable_performance_insights", body)


def test_demo001_report_template():
    report = read("Demo001", "MODEL_FAILURES.md")
    titles = re.findall(r"^### (\d+)\. (.+)$", report, re.M)
    assert [int(n) for n, _ in titles] == list(range(1, 13))
    assert [t for _, t in titles] == [
        "External Module Dependency", "Undefined Reference", "Wildcard IAM Permissions",
        "Deletion Protection Enabled", "Missing Environment Suffix", "Lambda Deployment Package Missing",
        "S3 Bucket Security Missing", "Outdated Engine Version", "Missing depends_on",
        "Performance Insights Unsupported", "Incomplete Tagging", "KMS Key Alias Missing",
    ]
    levels = re.findall(r"^\*\*Impact Level\*\*: (\w+)$", report, re.M)
    assert levels == ["Critical"] * 3 + ["High"] * 4 + ["Medium"] * 3 + ["Low"] * 2
    for label in ("**MODEL_RESPONSE Issue**:", "**IDEAL_RESPONSE Fix**:", "**Root Cause**:", "**Impact**:"):
        assert report.count(label) == 12, label
    assert "- **Total failures categorized**: 3 Critical, 4 High, 3 Medium, 2 Low" in report
