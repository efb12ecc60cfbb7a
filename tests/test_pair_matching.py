"""Pairing MODEL against IDEAL: `fixed` only when the IDEAL shows the repair, matched on subjects, not messages.

Each case is a MODEL answer, an IDEAL answer, a category, and what the label must say: status, the reason when
unknown, and the counts of repaired and remaining MODEL findings.
"""

from __future__ import annotations

import pytest

from drdata.hcl import parse_hcl
from drdata.labeling.diff import diff_configs
from drdata.labeling.pair import label_configs, label_pair

BUCKET = 'resource "aws_s3_bucket" "data" {\n  bucket = "orders-${var.environment_suffix}"\n}\n'
SECURED = """
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" }
  }
}
resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration { status = "Enabled" }
}
resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"""
VARS = 'variable "environment_suffix" {\n  type    = string\n  default = "dev"\n}\n'
QUEUE = 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs-${var.environment_suffix}"\n}\n'
TOPIC = 'resource "aws_sns_topic" "alerts" {\n  name = "alerts-${var.environment_suffix}"\n}\n'
DB = """
resource "aws_db_instance" "main" {
  identifier          = "orders-${var.environment_suffix}"
  engine              = "postgres"
  instance_class      = "db.t3.medium"
  deletion_protection = %s
  skip_final_snapshot = true
}
"""


def policy(name: str, actions: list[str], resource: str = "*") -> str:
    acts = ", ".join(f'"{a}"' for a in actions)
    return (f'resource "aws_iam_policy" "{name}" {{\n  name = "{name}-${{var.environment_suffix}}"\n'
            f'  policy = jsonencode({{\n    Version = "2012-10-17"\n    Statement = [{{ Effect = "Allow", '
            f'Action = [{acts}], Resource = "{resource}" }}]\n  }})\n}}\n')


FLOW = """
resource "aws_s3_bucket" "fl" {
  bucket        = "flow-${var.environment_suffix}"
  force_destroy = true
}
resource "aws_s3_bucket_policy" "fl" {
  bucket = aws_s3_bucket.fl.id
  policy = "{}"
}
resource "aws_flow_log" "v" {
  vpc_id               = "vpc-1"
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.fl.arn
  DEPENDS
}
"""
FUNCTION = """
resource "aws_lambda_function" "f" {
  function_name    = "f-${var.environment_suffix}"
  role             = "arn:aws:iam::123456789012:role/f"
  filename         = PACKAGE
  source_code_hash = HASH
}
"""
ARCHIVE = """
data "archive_file" "f" {
  type        = "zip"
  output_path = "${path.module}/f.zip"
  source {
    content  = "def handler(event, context):\\n    return 1\\n"
    filename = "index.py"
  }
}
"""

INSIGHTS = """
variable "db_class" {
  default = "db.r6g.large"
}
resource "aws_db_instance" "main" {
  identifier                   = "orders-${var.environment_suffix}"
  engine                       = "mysql"
  instance_class               = var.db_class
  skip_final_snapshot          = true
  performance_insights_enabled = FLAG
}
"""

PROVIDER_TAGS = 'provider "aws" {\n  region = "us-east-1"\n  default_tags {\n    tags = { Team = "core" }\n  }\n}\n'

OTHERS = "".join(QUEUE.replace('"jobs"', f'"q{i}"').replace("jobs-", f"q{i}-") for i in range(4))
REWRITE = "".join(
    f'resource "aws_dynamodb_table" "t{i}" {{\n  name         = "t{i}-${{var.environment_suffix}}"\n'
    f'  billing_mode = "PAY_PER_REQUEST"\n  hash_key     = "id"\n  attribute {{\n    name = "id"\n'
    f'    type = "S"\n  }}\n}}\n' for i in range(3))
ARCHIVE_BUCKET = (BUCKET + SECURED).replace('"data"', '"archive"').replace(".data.", ".archive.").replace(
    "orders-", "archive-")

S3 = "s3_bucket_security_missing"
CASES = [
    # id, MODEL, IDEAL, category, status, reason, repaired, remaining
    ("repaired in place", VARS + BUCKET + QUEUE, VARS + BUCKET + SECURED + QUEUE, S3, "fixed", None, 3, 0),
    ("unchanged", VARS + BUCKET + QUEUE, VARS + BUCKET + QUEUE, S3, "persisting", None, 0, 3),
    ("renamed and repaired", VARS + BUCKET + QUEUE,
     VARS + (BUCKET + SECURED).replace('"data"', '"orders"').replace(".data.", ".orders.") + QUEUE,
     S3, "fixed", None, 3, 0),
    ("renamed, still failing", VARS + BUCKET + QUEUE, VARS + BUCKET.replace('"data"', '"orders"') + QUEUE,
     S3, "persisting", None, 0, 3),
    # Two of three controls added: the category persists, the counts show the partial repair.
    ("partial repair", VARS + BUCKET + QUEUE, VARS + BUCKET + SECURED.split("resource")[0] + "resource"
     + SECURED.split("resource", 2)[2] + QUEUE, S3, "persisting", None, 2, 1),
    # The IDEAL shows only its variables: nothing to say about the bucket.
    ("excerpt", VARS + BUCKET + QUEUE + TOPIC, VARS, S3, "unknown", "ideal_omits", 0, 0),
    # A complete IDEAL without the bucket: it dropped the part instead of repairing it.
    ("dropped", VARS + BUCKET + QUEUE + TOPIC, VARS + QUEUE + TOPIC, S3, "unknown", "ideal_dropped", 0, 0),
    ("repaired and another dropped", VARS + BUCKET + BUCKET.replace('"data"', '"logs"') + QUEUE,
     VARS + BUCKET + SECURED + QUEUE, S3, "fixed", None, 3, 0),
    ("deletion protection off", VARS + DB % "true", VARS + DB % "false", "deletion_protection_enabled", "fixed",
     None, 1, 0),
    # Only the number of listed actions changed; the statement is still Allow * on Resource "*".
    ("wildcard message changes, failure stays", VARS + policy("app", [f"s3:Get{i}" for i in "ABCDEF"]),
     VARS + policy("app", [f"s3:Get{i}" for i in "ABCDE"]), "wildcard_iam_permissions", "persisting", None, 0, 1),
    ("wildcard scoped", VARS + policy("app", ["s3:GetObject"]),
     VARS + policy("app", ["s3:GetObject"], "arn:aws:s3:::orders/*"), "wildcard_iam_permissions", "fixed", None,
     1, 0),
    ("module replaced by resources",
     VARS + 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n' + QUEUE,
     VARS + 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n' + QUEUE,
     "external_module_dependency", "fixed", None, 1, 0),
    # Orders AWS copes with itself are the MODEL's gap only where the IDEAL adds them.
    ("soft order added by the IDEAL", VARS + FLOW.replace("DEPENDS", ""),
     VARS + FLOW.replace("DEPENDS", "depends_on = [aws_s3_bucket_policy.fl]"), "missing_depends_on", "fixed", None,
     1, 0),
    ("soft order left out by both", VARS + FLOW.replace("DEPENDS", ""), VARS + FLOW.replace("DEPENDS", ""),
     "missing_depends_on", "absent", None, 0, 0),
    # A package kept by its hash alone, which the IDEAL builds from inline source.
    ("package the IDEAL builds", VARS + FUNCTION.replace("PACKAGE", '"f.zip"').replace("HASH", 'filebase64sha256("f.zip")'),
     VARS + ARCHIVE + FUNCTION.replace("PACKAGE", "data.archive_file.f.output_path")
     .replace("HASH", "data.archive_file.f.output_base64sha256"), "lambda_package_missing", "fixed", None, 1, 0),
    # The IDEAL only adds a hash (and a new zip name): the package is still built by nothing.
    ("hash added, package still unbuilt", VARS + FUNCTION.replace("PACKAGE", '"f.zip"').replace("HASH", '"x"')
     .replace('  source_code_hash = "x"\n', ""),
     VARS + FUNCTION.replace("PACKAGE", '"${path.module}/placeholder.zip"')
     .replace("HASH", 'filebase64sha256("${path.module}/placeholder.zip")'), "lambda_package_missing", "persisting",
     None, 0, 1),
    # Insights on while the class is configurable: a finding only where the IDEAL makes the flag follow it.
    ("insights made configurable", VARS + INSIGHTS.replace("FLAG", "true"),
     VARS + INSIGHTS.replace("FLAG", "var.insights") + 'variable "insights" {\n  default = true\n}\n',
     "performance_insights_unsupported", "fixed", None, 1, 0),
    ("insights on with a supported default", VARS + INSIGHTS.replace("FLAG", "true"),
     VARS + INSIGHTS.replace("FLAG", "true"), "performance_insights_unsupported", "absent", None, 0, 0),
    # The IDEAL deletes the default_tags that lacked the suffix: no shared tag set is left, nothing repaired.
    ("shared tag set dropped", VARS + PROVIDER_TAGS + QUEUE, VARS + 'provider "aws" {\n  region = "us-east-1"\n}\n'
     + QUEUE.replace('name = "jobs-${var.environment_suffix}"', 'name = "jobs-${var.environment_suffix}"\n  tags = { Name = "jobs" }'),
     "incomplete_tagging", "unknown", "ideal_dropped", 0, 0),
    ("shared tag set repaired", VARS + PROVIDER_TAGS + QUEUE,
     VARS + PROVIDER_TAGS.replace('Team = "core"', "Suffix = var.environment_suffix") + QUEUE,
     "incomplete_tagging", "fixed", None, 1, 0),
    # An IDEAL written afresh (keeps none of the MODEL's five resources) repairs a failure where it shows how
    # that kind of object should be, or where the failure is a convention of the whole answer; without any
    # object of the kind it dropped the part.
    ("rewrite with the kind", VARS + BUCKET + OTHERS, VARS + REWRITE + ARCHIVE_BUCKET, S3, "fixed", None, 3, 0),
    ("rewrite without the kind", VARS + BUCKET + OTHERS, VARS + REWRITE, S3, "unknown", "ideal_dropped", 0, 0),
    ("rewrite of a naming convention", VARS + (BUCKET + OTHERS).replace("-${var.environment_suffix}", ""),
     VARS + REWRITE, "missing_environment_suffix", "fixed", None, 5, 0),
    ("undefined reference declared",
     VARS + 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs-${var.environment_suffix}"\n'
     '  kms_master_key_id = aws_kms_key.q.arn\n}\n',
     VARS + 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs-${var.environment_suffix}"\n'
     '  kms_master_key_id = aws_kms_key.q.arn\n}\nresource "aws_kms_key" "q" {\n  description = "q"\n}\n',
     "undefined_reference", "fixed", None, 1, 0),
]


@pytest.mark.parametrize(("model", "ideal", "cat", "status", "reason", "repaired", "remaining"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_pair_status(model, ideal, cat, status, reason, repaired, remaining):
    labels = label_configs(parse_hcl(model), parse_hcl(ideal), taxonomy="full")
    label = labels.categories[cat]
    assert (label.status, label.reason) == (status, reason), [r.finding.message for r in label.records]
    assert (label.repaired, label.remaining) == (repaired, remaining)


def test_an_excerpt_ideal_keeps_the_model_handler_it_does_not_repeat():
    """A patch-style IDEAL re-shows the Terraform it changes, not the handler file the MODEL supplied: the
    archive it adds packages that carried-over file (a complete IDEAL would have to show it)."""
    handler = "### lambda/index.py\n\n```python\ndef handler(event, context):\n    return 1\n```\n"
    others = "".join(f'resource "aws_sqs_queue" "q{i}" {{\n  name = "q{i}"\n}}\n' for i in range(6))
    model = ("## main.tf\n\n```hcl\n" + others
             + 'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  filename = "lambda/f.zip"\n}\n```\n\n'
             + handler)
    fix = ('data "archive_file" "f" {\n  type = "zip"\n  source_file = "${path.module}/lambda/index.py"\n'
           '  output_path = "${path.module}/f.zip"\n}\n'
           'resource "aws_lambda_function" "f" {\n  function_name = "f"\n'
           '  filename = data.archive_file.f.output_path\n  role = aws_sqs_queue.q0.arn\n}\n')
    excerpt = "## Fix: main.tf\n\n```hcl\n" + fix + "```\n"
    complete = "## main.tf\n\n```hcl\n" + others + fix + "```\n"
    assert label_pair(model, excerpt, cache=False).status("lambda_package_missing") == "fixed"
    assert label_pair(model, complete, cache=False).status("lambda_package_missing") == "persisting"


def test_a_fixed_finding_records_its_counterpart_and_what_changed():
    labels = label_configs(parse_hcl(VARS + DB % "true"), parse_hcl(VARS + "\n\n" + DB % "false"))
    [rec] = [r for r in labels.categories["deletion_protection_enabled"].records if r.side == "model"]
    assert rec.status == "fixed"
    assert (rec.counterpart.address, rec.counterpart.line) == ("aws_db_instance.main", 8)
    assert rec.change == "deletion_protection: true -> false"


def test_a_connected_resource_added_by_the_ideal_is_the_recorded_repair():
    labels = label_configs(parse_hcl(VARS + BUCKET), parse_hcl(VARS + BUCKET + SECURED))
    recs = {r.finding.part: r for r in labels.categories[S3].records if r.side == "model"}
    assert recs["versioning"].counterpart.address == "aws_s3_bucket_versioning.data"
    assert recs["server_side_encryption_configuration"].counterpart.address == "aws_s3_bucket_server_side_encryption_configuration.data"
    assert recs["versioning"].change.startswith("added aws_s3_bucket_versioning.data")


def test_an_ideal_without_terraform_leaves_every_label_unknown_and_keeps_the_model_findings():
    labels = label_configs(parse_hcl(VARS + BUCKET), parse_hcl(""))
    assert {c.status for c in labels.categories.values()} == {"unknown"}
    assert {c.reason for c in labels.categories.values()} == {"ideal_no_terraform"}
    assert len(labels.categories[S3].model_findings) == 3


def test_the_diff_pairs_renames_by_likeness_and_reports_what_changed():
    d = diff_configs(parse_hcl(VARS + BUCKET + DB % "true"),
                     parse_hcl(VARS + BUCKET.replace('"data"', '"orders"') + DB % "false" + QUEUE))
    rows = {(c.match, c.model_address, c.ideal_address): c for c in d.rows}
    assert ("renamed", "aws_s3_bucket.data", "aws_s3_bucket.orders") in rows
    assert rows[("same", "aws_db_instance.main", "aws_db_instance.main")].changed == ("deletion_protection",)
    assert ("added", None, "aws_sqs_queue.jobs") in rows
    assert d.ideal_state == "complete" and d.ideal_coverage == 1.0
    frame = d.frame("T1")
    assert list(frame["match"].value_counts().sort_index().items()) == [("added", 1), ("renamed", 1), ("same", 2)]


def test_an_engine_version_repaired_through_its_variable_records_the_variable():
    model = VARS + 'variable "v" {\n  default = "8.0.35"\n}\n' + DB.replace(
        '  engine              = "postgres"', '  engine              = "mysql"\n  engine_version      = var.v') % "false"
    ideal = VARS + 'variable "v" {\n  default = "8.0.43"\n}\n'  # an excerpt: only the variables
    label = label_configs(parse_hcl(model), parse_hcl(ideal)).categories["outdated_engine_version"]
    assert label.status == "fixed"
    [rec] = [r for r in label.records if r.side == "model"]
    assert rec.counterpart.address == "var.v" and rec.change == 'var.v default: "8.0.35" -> "8.0.43"'


def test_an_undeclared_object_the_ideal_declares_is_its_own_repair():
    model = VARS + QUEUE.replace("}\n", "  kms_master_key_id = aws_kms_key.q.arn\n}\n")
    ideal = model + 'resource "aws_kms_key" "q" {\n  description = "q"\n}\nresource "aws_kms_alias" "q" {\n' \
        '  name = "alias/q"\n  target_key_id = aws_kms_key.q.key_id\n}\n'
    label = label_configs(parse_hcl(model), parse_hcl(ideal)).categories["undefined_reference"]
    [rec] = [r for r in label.records if r.side == "model"]
    assert rec.counterpart.address == "aws_kms_key.q" and rec.change.startswith("aws_kms_key.q is declared in the IDEAL")


PAB = """
resource "aws_s3_bucket" "site" {
  bucket = "site-${var.environment_suffix}"
}
resource "aws_s3_bucket_public_access_block" "site" {
  bucket              = aws_s3_bucket.site.id
  block_public_policy = true
}
resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = "{}"
  DEPENDS
}
"""


@pytest.mark.parametrize("ideal_depends,status", [
    ("depends_on = [aws_s3_bucket_public_access_block.site]", "fixed"),  # the IDEAL adds the order
    ("", "absent"),  # neither orders it: S3 usually copes, so one answer alone is no finding
])
def test_a_bucket_policy_after_its_public_access_block_is_a_soft_order(ideal_depends, status):
    model = parse_hcl(VARS + PAB.replace("DEPENDS", ""))
    ideal = parse_hcl(VARS + PAB.replace("DEPENDS", ideal_depends))
    label = label_configs(model, ideal, taxonomy="full").categories["missing_depends_on"]
    assert label.status == status, [r.finding.message for r in label.records]


def test_the_pair_diff_is_one_call_from_the_top_level_with_a_readable_repr():
    import drdata
    from drdata.corpus import Task

    task = Task(id="T1", platform="tf-hcl", path=None, prompt="", model_response=f"```hcl\n{VARS + BUCKET}```\n",
                ideal_response=f"```hcl\n{VARS + BUCKET.replace('orders-', 'shop-')}```\n", failures_report=None,
                metadata={}, sources={}, problems=[])
    diff = drdata.diff_pair(task)
    assert diff.counts() == {"same": 2, "renamed": 0, "removed": 0, "added": 0}
    assert "~ aws_s3_bucket.data: bucket" in repr(diff)
