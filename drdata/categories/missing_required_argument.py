"""missing_required_argument: required arguments and blocks of AWS provider types left out."""

from __future__ import annotations

from drdata.detectors.registry import detector
from drdata.detectors.schema_walk import REQUIRED, schema_items
from drdata.hcl.model import TerraformConfig


@detector(category="missing_required_argument")
def missing_required_argument(cfg: TerraformConfig):
    """Flags `aws_*` resources, data sources and their nested blocks that leave out an argument the AWS
    provider schema marks required, or a nested block it requires (min_items), and literal lists of objects
    (`ingress = [{...}]`) that do not give every field, as Terraform requires of that syntax. A block of the
    required type made by `dynamic` counts; when its `for_each` is not a literal, how many it makes cannot be
    told. When part of the block did not parse, the argument may sit there: cannot tell. Other providers' types
    are not checked.

    Why: `terraform validate` fails with "Missing required argument" or "Insufficient blocks".
    Fix: set the argument (from a variable where it differs per environment) or add the block.
    """
    yield from schema_items(cfg, REQUIRED)
