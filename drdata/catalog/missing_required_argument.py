"""missing_required_argument: required arguments and blocks of AWS provider types left out."""

from __future__ import annotations

from drdata.detectors.registry import Category, ReportRule, declare, detector
from drdata.detectors.schema_walk import REQUIRED, schema_items
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="missing_required_argument",
    number=45,
    theme="code",
    area="schema",
    title="Required Argument Missing",
    severity="Critical",
    rule_set="aws",
    what="An argument the AWS provider schema marks required, or a nested block it requires (min_items), is left out of a resource, data source or nested block; a literal list of objects leaves out fields that syntax requires.",
    root_cause="Models write the arguments they care about and omit the ones the schema demands (`engine` of a replication group, `default_action` of a listener).",
    impact="`terraform validate` fails with 'Missing required argument' or 'Insufficient blocks'.",
    fix="Set the argument or add the block; take values that differ per environment from variables.",
    report_rules=(
        ReportRule(order=20, strong=(
            r"(missing|absent|omitted|lacks?|without) (the |a )?required (arguments?|parameters?|attributes?|fields?|"
            r"blocks?|properties)|required (arguments?|parameters?|attributes?|fields?|blocks?) (is |are )?(missing|"
            r"absent|omitted|not (set|provided|specified))"
        )),
    ),
    title_rule=(
        r"required (argument|parameter|attribute|field|block)s? (is |are )?missing|"
        r"missing (a |the )?required (argument|parameter|attribute|field|block)"
    ),
))


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
