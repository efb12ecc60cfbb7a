"""terraform_validate: errors of `terraform validate` on an answer (opt-in: `drdata label --terraform-validate`).

No detector function: drdata.labeling.terraform turns the validator's diagnostics into findings.
"""

from drdata.detectors.registry import Category, declare

CATEGORY = declare(Category(
    id="terraform_validate",
    number=47,
    theme="code",
    area="schema",
    title="Rejected by terraform validate",
    severity="Critical",
    rule_set="aws",
    what="`terraform validate` (run by `drdata label --terraform-validate` with the aws provider from a local mirror) reports errors for the answer's files: each error diagnostic is a finding on the block it points at.",
    root_cause="Whatever terraform rejects: the failures the schema and reference detectors name, and the provider's own value checks (conflicting arguments, invalid values, functions on missing files).",
    impact="Nothing of the answer can be planned until the errors are fixed.",
    fix="Fix what each diagnostic says; the other categories' findings on the same block usually name the cause.",
    opt_in=True,
))
