"""unsupported_argument: arguments and nested blocks the AWS provider schema does not have for the type."""

from __future__ import annotations

from drdata.detectors.registry import Category, ReportRule, declare, detector
from drdata.detectors.schema_walk import UNSUPPORTED, schema_items
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="unsupported_argument",
    number=44,
    theme="code",
    area="schema",
    title="Argument or Block the Type Does Not Have",
    severity="Critical",
    rule_set="aws",
    what="An argument or nested block the AWS provider schema does not have for that resource, data source, provider or nested block; a computed attribute set in the configuration; a block assigned with `=` or an argument written as a block.",
    root_cause="Models carry arguments over from a sibling resource, an older provider major or CloudFormation, and invent plausible ones.",
    impact="`terraform validate` fails with 'Unsupported argument', 'Unsupported block type' or 'Can't configure a value'.",
    fix="Use the argument the type has (the finding names the nearest), move it to the resource that has it, or drop it.",
    report_rules=(
        ReportRule(order=40, strong=(
            r"(invalid|unsupported|unknown|unexpected|non-?existent|hallucinated|made-up) (\w+ ){0,2}(arguments?|"
            r"parameters?|block types?)(?! group| store)( names?)?\b|not expected here|arguments? (that )?(does not|"
            r"doesn't) exist|can'?t configure a value"
        )),
    ),
    title_rule=(
        r"(unsupported|invalid|unknown|non-?existent|unexpected) (\w+ ){0,2}(argument|block "
        r"type)|not expected here|can'?t configure a value"
    ),
))


@detector(category="unsupported_argument")
def unsupported_argument(cfg: TerraformConfig):
    """Flags, in `aws_*` resources, data sources and `provider "aws"` blocks, arguments and nested blocks that
    the AWS provider schema does not have at that place, with the nearest valid name ("did you mean"); computed
    attributes that cannot be set (`arn`, `id` where the provider decides it); a block type assigned with `=`,
    an argument written as a block; fields a literal list of objects does not have. Terraform's meta-arguments
    (`count`, `for_each`, `provider`, `depends_on`, `lifecycle`, `provisioner`, `connection`) are not the
    provider's and are skipped; `dynamic "x"` is checked as blocks `x` with the content's body; arguments
    written as blocks (`ingress { }` of aws_security_group) are accepted as Terraform accepts them. Values do not
    matter here (a name is wrong whatever a variable holds). Other providers' types are not checked.

    Why: `terraform validate` fails with "Unsupported argument", "Unsupported block type" or "Can't configure
    a value"; models carry arguments over from other resources, older provider majors or other tools.
    Fix: use the argument the type has (the suggestion), move it to the resource that has it, or drop it.
    """
    yield from schema_items(cfg, UNSUPPORTED)
