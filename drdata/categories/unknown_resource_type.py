"""unknown_resource_type: resource and data source types the AWS provider does not have."""

from __future__ import annotations

from drdata.detectors.registry import detector
from drdata.detectors.schema_walk import UNKNOWN_TYPE, schema_items
from drdata.hcl.model import TerraformConfig


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
