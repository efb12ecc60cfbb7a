import pytest

from tests.catalog._cases import check, run

DEFAULT_TAGS = 'provider "aws" {\n  region = "us-east-1"\n  default_tags {\n    tags = { Team = "core" }\n  }\n}\n'
SUFFIX_VAR = 'variable "environment_suffix" {\n  type = string\n}\n'

SHARED_MAP_DRIFT = '''
locals {
  common_tags = { Project = "shop" }
}
resource "aws_sqs_queue" "a" {
  name = "a"
  tags = merge(local.common_tags, { Name = "a" })
}
resource "aws_sqs_queue" "b" {
  name = "b"
  tags = { Name = "b" }
}
'''

CASES = [
    ("untagged-without-default-tags",
     'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\nresource "aws_sns_topic" "t" {\n  name = "t"\n  tags = { A = "b" }\n}\n',
     "fires", ["aws_sqs_queue.q"], "aws_sqs_queue.q: no tags (and no provider default_tags)"),
    ("tag-map-drifted-from-suffix", SUFFIX_VAR + 'locals {\n  common_tags = {\n    Project = "shop"\n  }\n}\n'
     'resource "aws_sqs_queue" "q" {\n  name = "q-${var.environment_suffix}"\n  tags = local.common_tags\n}\n',
     "fires", ["local.common_tags"], "has no key carrying var.environment_suffix"),
    ("tag-map-without-any-deployment-identity",
     'locals {\n  common_tags = {\n    Project     = "shop"\n    Environment = var.environment\n  }\n}\n'
     'variable "environment" {\n  default = "prod"\n}\n' + DEFAULT_TAGS,
     "fires", ["local.common_tags", "provider.aws"], "no suffix variable in the answer"),
    ("merge-tag-map", SUFFIX_VAR + 'locals {\n  base_tags = merge(var.extra, { Owner = "ops" })\n}\n'
     'variable "extra" {\n  default = {}\n}\n' + DEFAULT_TAGS, "fires", ["local.base_tags", "provider.aws"],
     "provider.aws: default_tags has no key carrying var.environment_suffix"),
    # A resource with its own tags that leaves out the shared map is no gap by itself; the map is.
    ("resource-leaves-out-the-shared-map", SHARED_MAP_DRIFT, "fires", ["local.common_tags"],
     "local.common_tags: shared tag map has no key identifying the deployment"),
    # The shared local every resource merges carries the suffix: default_tags without it are no gap.
    ("suffix-in-the-merged-local", SUFFIX_VAR + DEFAULT_TAGS + 'locals {\n  common_tags = { Suffix = '
     'var.environment_suffix }\n}\nresource "aws_sqs_queue" "q" {\n  name = "q"\n'
     '  tags = merge(local.common_tags, { Name = "q" })\n}\n', "clear", [], None),
    # The provider's default_tags carry the suffix: every resource has it, whatever shared map it merges too.
    ("suffix-in-default-tags-beside-a-map-without-it", SUFFIX_VAR
     + DEFAULT_TAGS.replace('Team = "core"', "Environment = var.environment_suffix")
     + 'variable "common_tags" {\n  type    = map(string)\n  default = { Project = "shop" }\n}\n'
     'resource "aws_sqs_queue" "q" {\n  name = "q-${var.environment_suffix}"\n'
     '  tags = merge(var.common_tags, { Name = "q" })\n}\n', "clear", [], None),
    # No shared local and no default_tags: there is no shared tag set for (b) to judge.
    ("inline-tags-only", 'resource "aws_sqs_queue" "q" {\n  name = "q"\n  tags = { Name = "q", Team = "a" }\n}\n',
     "clear", [], None),
    ("default-tags-with-suffix", SUFFIX_VAR + DEFAULT_TAGS.replace('Team = "core"', "Suffix = var.environment_suffix")
     + 'resource "aws_sqs_queue" "q" {\n  name = "q-${var.environment_suffix}"\n}\n', "clear", [], None),
    # default_tags cover the untagged queue, but they carry no deployment identity.
    ("default-tags-cover-untagged", DEFAULT_TAGS + 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', "fires",
     ["provider.aws"], "provider.aws: default_tags has no key identifying the deployment"),
    ("tag-map-with-suffix-through-local", SUFFIX_VAR + '''
locals {
  deployment  = "shop-${var.environment_suffix}"
  common_tags = { Deployment = local.deployment }
}
resource "aws_sqs_queue" "q" {
  name = "q"
  tags = local.common_tags
}
''', "clear", [], None),
    # Types without a `tags` argument in the provider schema need none; an IAM policy takes tags.
    ("types-without-tags-need-none",
     'resource "aws_iam_role_policy" "p" {\n  name = "p"\n  role = "r"\n  policy = "{}"\n}\n'
     'resource "aws_s3_bucket_versioning" "v" {\n  bucket = "b"\n}\n', "clear", [], None),
    ("iam-policy-takes-tags", 'resource "aws_iam_policy" "p" {\n  name = "p"\n  policy = "{}"\n}\n', "fires",
     ["aws_iam_policy.p"], "no tags"),
    ("asg-tag-blocks", 'resource "aws_autoscaling_group" "g" {\n  max_size = 1\n  min_size = 1\n  tag {\n'
     '    key                 = "Name"\n    value               = "web"\n    propagate_at_launch = true\n  }\n}\n',
     "clear", [], None),
    ("non-map-tag-local", 'locals {\n  tag_prefix = "shop"\n}\n' + SUFFIX_VAR +
     DEFAULT_TAGS.replace('Team = "core"', "Suffix = var.environment_suffix"), "clear", [], None),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_incomplete_tagging(hcl, status, addresses, fragment):
    check(run("incomplete_tagging", hcl), status, addresses, fragment)


PROMPT_TAGS = "Tag every resource with `Environment`, `Owner` and CostCenter=1234."
TAGGED = SUFFIX_VAR + '''
locals {
  common_tags = { Environment = "prod", Owner = "ops", Suffix = var.environment_suffix }
}
resource "aws_sqs_queue" "q" {
  name = "q"
  tags = merge(local.common_tags, { CostCenter = "1234" })
}
resource "aws_sns_topic" "t" {
  name = "t"
  tags = local.common_tags
}
resource "aws_kms_key" "k" {
  description = "k"
  tags        = var.key_tags
}
variable "key_tags" {
  type = map(string)
}
'''

PROMPT_CASES = [
    # The topic lacks CostCenter; the key's tags come from a variable without a default: cannot tell for it.
    ("prompt-key-missing", TAGGED, PROMPT_TAGS, "fires", ["aws_sns_topic.t"],
     "aws_sns_topic.t: no CostCenter tag (the task asks every resource for it)"),
    ("prompt-keys-through-default-tags", SUFFIX_VAR + DEFAULT_TAGS.replace('Team = "core"', 'Environment = "p"\n'
     '      Owner = "o"\n      CostCenter = "1"\n      Suffix = var.environment_suffix') +
     'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', PROMPT_TAGS, "clear", [], None),
    ("prompt-keys-unresolvable", SUFFIX_VAR + 'resource "aws_sqs_queue" "q" {\n  name = "q"\n  tags = var.t\n}\n'
     'variable "t" {\n  type = map(string)\n}\n', PROMPT_TAGS, "unknown", [], "var.t has no default"),
    ("no-keys-asked", TAGGED, "Build a queue.", "clear", [], None),
]


@pytest.mark.parametrize("hcl,prompt,status,addresses,fragment", [c[1:] for c in PROMPT_CASES],
                         ids=[c[0] for c in PROMPT_CASES])
def test_incomplete_tagging_uses_the_keys_the_prompt_asks_for(hcl, prompt, status, addresses, fragment):
    check(run("incomplete_tagging", hcl, prompt), status, addresses, fragment)


def test_a_shared_tag_variable_without_the_suffix_is_the_gap():
    hcl = (SUFFIX_VAR + 'variable "common_tags" {\n  default = { Environment = "dev", Team = "core" }\n}\n'
           'resource "aws_sqs_queue" "q" {\n  name = "q-${var.environment_suffix}"\n  tags = var.common_tags\n}\n')
    check(run("incomplete_tagging", hcl), "fires", ["var.common_tags"], "var.common_tags: shared tag map (its default)")
    merged = hcl.replace("  tags = var.common_tags", "  tags = local.tags") + (
        'locals {\n  tags = merge(var.common_tags, { Suffix = var.environment_suffix })\n}\n')
    check(run("incomplete_tagging", merged), "clear", [], None)
    # An excerpt of variables alone: no resource shows whether that map is the shared set.
    only_vars = SUFFIX_VAR + 'variable "common_tags" {\n  default = { Environment = "dev", Team = "core" }\n}\n'
    check(run("incomplete_tagging", only_vars), "unknown", [], "no resource in the answer shows using")


def test_the_shared_set_needs_the_suffix_key_even_where_the_prompt_prescribes_names():
    hcl = 'locals {\n  common_tags = { Project = "shop" }\n}\nresource "aws_sqs_queue" "q" {\n  name = "q"\n  tags = local.common_tags\n}\n'
    check(run("incomplete_tagging", hcl, "Naming: `{project}-{environment}-{component}`."), "fires",
          ["local.common_tags"], None)


_ASG = '''
variable "common_tags" {
  type    = map(string)
  default = DEFAULT
}
locals {
  tags = merge(var.common_tags, { Suffix = var.environment_suffix })
}
resource "aws_autoscaling_group" "web" {
  name     = "web"
  max_size = 2
  min_size = 1
  dynamic "tag" {
    for_each = local.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}
'''


@pytest.mark.parametrize("default,status", [
    # The map the dynamic tag blocks iterate has the required keys.
    ('{ Owner = "ops", CostCenter = "core" }', "clear"),
    ('{ Owner = "ops" }', "fires"),
    # Empty by default: its keys come with the deployment's tfvars, which the answer need not show.
    ("{}", "unknown"),
])
def test_required_keys_through_dynamic_tag_blocks_and_deployment_maps(default, status):
    hcl = SUFFIX_VAR + _ASG.replace("DEFAULT", default)
    out = run("incomplete_tagging", hcl, prompt="Tag every resource with Owner and CostCenter.")
    check(out, status, ["aws_autoscaling_group.web"] if status == "fires" else [],
          "no CostCenter tag" if status == "fires" else None)

