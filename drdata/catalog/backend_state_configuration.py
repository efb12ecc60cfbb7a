"""backend_state_configuration: state backend not in the pipeline's partial-config form."""

from __future__ import annotations

from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="backend_state_configuration",
    number=33,
    theme="code",
    area="state",
    title="Backend and State Configuration",
    severity="Medium",
    rule_set="convention",
    what="The state backend does not follow the pipeline convention of a partial `backend \"s3\" {}` completed at `terraform init`: no backend at all, or bucket/key/region/lock table written as literals (without locking when fully written).",
    root_cause="Models either leave state local or write a complete backend for an imaginary account.",
    impact="State is lost with the CI runner, or init fails on a bucket that does not exist in the pipeline's account; parallel runs overwrite each other's state without a lock.",
    fix="Declare `backend \"s3\" {}` and pass bucket, key, region and locking through `-backend-config` at init.",
    report_rules=(
        ReportRule(order=210, strong=r"backend|(terraform )?state (file|lock\w*|bucket|management|storage|configuration)|tfstate|remote state|state locking"),
    ),
    title_rule=r"backend|state (lock|file|management|storage)|tfstate|remote state",
))


# Settings the pipeline passes with -backend-config at init; writing them as literals pins one account.
_INIT_SUPPLIED = ("bucket", "key", "region", "dynamodb_table", "profile", "role_arn")


@detector(category="backend_state_configuration")
def backend_state_configuration(cfg: TerraformConfig):
    """Flags a terraform block without any backend, an S3 backend with literal bucket/key/region, and a fully
    written S3 backend without locking (dynamodb_table or use_lockfile).

    Why: the pipeline keeps state in its own S3 bucket, supplied at init; local state is lost with the runner
    and literal settings point at a bucket that does not exist in the pipeline's account.
    Fix: `backend "s3" {}` and pass the settings with `-backend-config`.
    """
    if not cfg.terraform:
        if cfg.resources:
            yield cannot_tell("terraform", "no terraform block (the backend may sit in a file the answer omits)")
        return
    backends = [(t, b) for t in cfg.terraform for b in t.children("backend")]
    cloud = [b for t in cfg.terraform for b in t.children("cloud")]
    if not backends and not cloud:
        yield hit(cfg.terraform[0], "terraform: no backend block, so state stays on the runner's disk",
                  address="terraform.backend")
        return
    for _t, b in backends:
        kind = b.labels[0] if b.labels else "?"
        addr = f"terraform.backend.{kind}"
        if kind == "local":
            yield hit(b, f"{addr}: local state backend", address=addr)
            continue
        if kind != "s3":
            continue
        literal = sorted(n for n in _INIT_SUPPLIED if n in b.attributes and type(b.attributes[n].value) is str)
        if literal:
            shown = ", ".join(f"{n} = \"{b.attributes[n].value}\"" for n in literal[:3])
            yield hit(b, f"{addr}: settings written as literals ({shown}) instead of -backend-config",
                      literal[0], address=addr)
            if "bucket" in b.attributes and not (b.has("dynamodb_table") or b.has("use_lockfile")):
                yield hit(b, f"{addr}: bucket \"{b.get('bucket')}\" with no state locking "
                             "(dynamodb_table / use_lockfile)", "bucket", address=addr)
