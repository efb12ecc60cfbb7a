"""unknown_resource_type: resource and data source types the AWS provider does not have."""

from __future__ import annotations

from drdata.detectors.registry import Category, ReportRule, declare, detector
from drdata.detectors.schema_walk import UNKNOWN_TYPE, schema_items
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="unknown_resource_type",
    number=43,
    theme="code",
    area="schema",
    title="Resource or Data Source Type That Does Not Exist",
    severity="Critical",
    rule_set="aws",
    what="A `resource` or `data` block names an `aws_*` type the AWS provider does not have (checked against the provider schema shipped with drdata), or uses a data source as a resource type or the reverse.",
    root_cause="Models compose type names from the service and the noun (`aws_lambda_functions`, `aws_cloudwatch_alarm`) or assume every resource has a data source twin.",
    impact="`terraform validate` stops with 'The provider hashicorp/aws does not support resource type': nothing of the answer can be planned.",
    fix="Use the type the provider has (the finding names the nearest one), or the other block mode.",
    report_rules=(
        ReportRule(order=10, strong=(
            r"(invalid|non-?existent|unsupported|unknown|hallucinated|fake|made-up|fictional|wrong|incorrect) (aws )?"
            r"(resource|data source) types?|(invalid|non-?existent|unsupported|unknown|hallucinated|fake|fictional) "
            r"data sources?\b|(resource|data source) types? (that )?(does not|doesn't|do not|don't) exist"
            r"|does not support (resource|data source)|invalid data source usage"
        )),
    ),
    title_rule=(
        r"(invalid|non-?existent|unsupported|unknown|hallucinated|fake) (aws )?(resource|data"
        r" source) type|(invalid|non-?existent|hallucinated) data sources?|does not support "
        r"(resource|data source)"
    ),
))


@detector(category="unknown_resource_type")
def unknown_resource_type(cfg: TerraformConfig):
    """Flags `resource` and `data` blocks whose `aws_*` type is not in the AWS provider schema shipped with
    drdata (`drdata schema show` names its version), with the nearest valid type ("did you mean"), and types
    used in the wrong mode (a data source written as a resource, or the reverse). Types of other providers
    (`random_*`, `archive_file`, `awscc_*`) are not checked: only the aws provider's schema is shipped.

    Why: models invent plausible names (`aws_lambda_functions`, `data "aws_iam_role_policy"` where only a
    resource exists); `terraform validate` stops with "The provider hashicorp/aws does not support resource
    type" and nothing can be planned.
    Fix: use the type the provider has (the suggestion, or the provider docs), or the other mode's block.
    """
    yield from schema_items(cfg, UNKNOWN_TYPE)
