import pytest

from tests.catalog._cases import check, run

SUFFIX_VAR = 'variable "environment_suffix" {\n  type = string\n}\n'

THROUGH_LOCALS = SUFFIX_VAR + '''
resource "random_id" "r" {
  byte_length = 4
}
locals {
  unique_suffix = "${var.environment_suffix}-${random_id.r.hex}"
  name_prefix   = "shop-${local.unique_suffix}"
}
resource "aws_s3_bucket" "data" {
  bucket = "${local.name_prefix}-data"
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags = merge(local.common, {
    Name = "${local.name_prefix}-vpc"
  })
}
locals {
  common = { Team = "core" }
}
'''

CASES = [
    ("no-suffix-variable",
     'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\nresource "aws_lambda_function" "f" {\n'
     '  function_name = "worker-${var.env}"\n}\nvariable "env" {\n  default = "dev"\n}\n',
     "fires", ["aws_sqs_queue.jobs", "aws_lambda_function.f"], "the answer declares no suffix variable"),
    ("declared-but-unused", SUFFIX_VAR + 'resource "aws_dynamodb_table" "t" {\n  name = "orders"\n}\n',
     "fires", ["aws_dynamodb_table.t"], 'name = "orders" does not include var.environment_suffix'),
    ("tags-name-only", 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n  tags = {\n    Name = "core-vpc"\n  }\n}\n',
     "fires", ["aws_vpc.v"], 'tags.Name = "core-vpc"'),
    # A random value differs per deployment: two deployments do not collide.
    ("random-suffix-keeps-deployments-apart",
     'resource "random_string" "s" {\n  length = 6\n}\nresource "aws_s3_bucket" "b" {\n'
     '  bucket = "logs-${random_string.s.result}"\n}\n', "clear", [], None),
    ("pr-number-is-a-deployment-id", 'variable "pr_number" {}\nresource "aws_sqs_queue" "q" {\n'
     '  name = "jobs-pr${var.pr_number}"\n}\n', "clear", [], None),
    # An environment name is shared by every deployment of that environment.
    ("environment-name-is-not-a-suffix", 'variable "environment" {\n  default = "dev"\n}\n'
     'resource "aws_sqs_queue" "q" {\n  name = "jobs-${var.environment}"\n}\n', "fires", ["aws_sqs_queue.q"], None),
    ("workspace-is-not-a-suffix", 'resource "aws_sqs_queue" "q" {\n  name = "jobs-${terraform.workspace}"\n}\n',
     "fires", ["aws_sqs_queue.q"], None),
    ("suffix-through-locals", THROUGH_LOCALS, "clear", [], None),
    ("camel-case-suffix", 'variable "environmentSuffix" {}\nresource "aws_sns_topic" "t" {\n'
     '  name = "alerts-${var.environmentSuffix}"\n}\n', "clear", [], None),
    ("name-from-suffixed-resource", SUFFIX_VAR + '''
resource "aws_lambda_function" "f" {
  function_name = "worker-${var.environment_suffix}"
}
resource "aws_cloudwatch_log_group" "lg" {
  name = "/aws/lambda/${aws_lambda_function.f.function_name}"
}
''', "clear", [], None),
    ("unnamed-and-parent-scoped", '''
resource "aws_s3_bucket_versioning" "v" {
  bucket = aws_s3_bucket.b.id
}
resource "aws_iam_role_policy" "p" {
  name = "inline"
  role = "r"
}
resource "aws_sqs_queue" "generated" {
  fifo_queue = false
}
''', "clear", [], None),
    # Names inside a cluster the stack creates: two deployments' clusters never share them.
    ("names-scoped-to-a-parent-cluster", '''
variable "environment_suffix" {
  type = string
}
resource "aws_emr_instance_group" "task" {
  name       = "Task Instance Group"
  cluster_id = "j-1"
}
resource "aws_eks_node_group" "workers" {
  cluster_name    = "c-${var.environment_suffix}"
  node_group_name = "workers"
}
''', "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_missing_environment_suffix(hcl, status, addresses, fragment):
    check(run("missing_environment_suffix", hcl), status, addresses, fragment)


def test_tags_name_evidence_is_the_name_line():
    hcl = 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n  tags = {\n    Team = "x"\n    Name = "core"\n  }\n}\n'
    (f,) = run("missing_environment_suffix", hcl).findings
    assert (f.line, f.evidence.strip()) == (5, 'Name = "core"')


def test_a_name_the_prompt_prescribes_is_not_flagged():
    hcl = (SUFFIX_VAR + 'resource "aws_dynamodb_table" "locks" {\n  name = "terraform-state-lock"\n}\n'
           'resource "aws_sqs_queue" "q" {\n  name = "jobs"\n}\n')
    prompt = "Create a DynamoDB table named `terraform-state-lock` for state locking, and a queue for jobs."
    check(run("missing_environment_suffix", hcl, prompt), "fires", ["aws_sqs_queue.q"], None)


def test_a_module_variable_carries_what_the_module_calls_pass():
    hcl = (SUFFIX_VAR + 'module "db" {\n  source = "./modules/db"\n  name = "orders-${var.environment_suffix}"\n}\n'
           'variable "name" {}\nresource "aws_db_instance" "d" {\n  identifier = var.name\n}\n')
    check(run("missing_environment_suffix", hcl), "clear", [], None)


def test_a_prompt_convention_prescribes_no_exact_name():
    # A convention with placeholders is not "exact names without a suffix": the names still need one.
    hcl = ('variable "env" {}\nresource "aws_sqs_queue" "q" {\n  name = "${var.env}-us-east-1-queue-jobs"\n}\n')
    prompt = "We have a strict naming standard: `{environment}-{region}-{service}-{purpose}`."
    check(run("missing_environment_suffix", hcl, prompt), "fires", ["aws_sqs_queue.q"], None)


def test_a_prompt_convention_with_an_id_placeholder_names_the_suffix():
    hcl = ('variable "resource_id" {}\nresource "aws_sqs_queue" "q" {\n  name = "prod-queue-${var.resource_id}"\n}\n'
           'resource "aws_sns_topic" "t" {\n  name = "prod-topic"\n}\n')
    prompt = "- Use **`prod-<resource>-<id>`** as the naming convention."
    check(run("missing_environment_suffix", hcl, prompt), "fires", ["aws_sns_topic.t"], None)


def test_name_prefix_gets_a_unique_suffix_from_aws():
    hcl = 'resource "aws_lb_target_group" "tg" {\n  name_prefix = "tg-"\n  port = 80\n}\n'
    check(run("missing_environment_suffix", hcl), "clear", [], None)
