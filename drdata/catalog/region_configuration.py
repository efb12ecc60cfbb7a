"""region_configuration: the region is not driven by the answer's region variable, or regions disagree."""

from __future__ import annotations

import re

from drdata.detectors.helpers import (
    code_text,
    is_unknown,
    module_dir,
    resolve_plain,
    strings_in,
    variable_uses,
)
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Block, TerraformConfig

CATEGORY = declare(Category(
    id="region_configuration",
    number=32,
    theme="code",
    area="providers",
    title="Region Configuration",
    severity="High",
    rule_set="aws",
    what="The region is not driven by the pipeline's region variable: the default provider hard-codes a region, a region variable is declared but never used, an answer relying on the pipeline's provider.tf does not declare `aws_region`, or literal AZ names and ARNs name another region than their provider.",
    root_cause="Models declare a region variable by habit and then write the region they have in mind as a literal elsewhere.",
    impact="The stack deploys to an unexpected region or fails: subnets in AZs of another region, ARNs pointing at another region.",
    fix="Use `var.aws_region` (or the pipeline's region variable) in the provider, derive AZs from `data.aws_availability_zones` and build ARNs from `data.aws_region`.",
    report_rules=(
        ReportRule(order=320, strong=r"regions?\b.{0,25}(hard-?cod\w*|assum\w*|static)|(hard-?cod\w*|static) (\w+ )?regions?\b"),
        ReportRule(order=390, topic=True, strong=r"regions?\b|regional|multi-?region|cross-?region"),
    ),
    title_rule=(
        r"hard-?coded region|region (variable|config|mismatch|inconsisten|hard)|aws_region"
        r"|wrong region"
    ),
))


REGION_VARS = ("region", "aws_region")
PIPELINE_REGION_VAR = "aws_region"  # what the pipeline's own provider.tf reads
_REGION = r"(?:[a-z]{2}(?:-gov|-iso[a-z]*)?-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d)"
AZ_RE = re.compile(rf"^({_REGION})[a-z]$")
ARN_RE = re.compile(rf"arn:aws[\w-]*:[\w-]+:({_REGION}):")
# Types whose job is to point across regions (CloudFront certificates live in us-east-1, replication, DR).
_CROSS_REGION_TYPES = ("aws_cloudfront_", "aws_s3_bucket_replication", "aws_route53", "aws_globalaccelerator",
                       "aws_iam_", "aws_wafv2_web_acl_association")
REGION_RE = re.compile(rf"^{_REGION}$")


def region_variables(cfg: TerraformConfig) -> list[Block]:
    return [v for v in cfg.variables if v.labels and (v.labels[0] in REGION_VARS or v.labels[0].endswith("_region"))]


def provider_regions(cfg: TerraformConfig) -> dict[str, str | None]:
    """'aws' / 'aws.alias' -> resolved literal region (None when unknown)."""
    out: dict[str, str | None] = {}
    for p in cfg.providers:
        if p.labels[0] != "aws":
            continue
        alias = p.get("alias")
        key = f"aws.{alias}" if isinstance(alias, str) else "aws"
        attr = p.attributes.get("region")
        if attr is None:
            out[key] = None
            continue
        v = resolve_plain(cfg, attr.value, max_depth=5, whole_literal=False)
        known = not is_unknown(v)
        out[key] = v if known and isinstance(v, str) and REGION_RE.match(v) else None
    return out



def provider_ref(block: Block) -> str | None:
    """``aws.west`` from ``provider = aws.west`` (None when the default provider is used)."""
    attr = block.attributes.get("provider")
    if attr is None:
        return None
    return str(attr.source).strip().strip('"')


@detector(category="region_configuration")
def region_configuration(cfg: TerraformConfig):
    """Flags a region variable that nothing uses, a default (unaliased) AWS provider with a literal region,
    an answer that relies on the pipeline's provider.tf (shows no provider "aws") without declaring the
    `aws_region` variable it reads, and AZ names or ARNs whose region differs from their provider's region.

    A literal provider region is no finding when the task asks for one self-contained file and fixes that
    region (`cfg.requirements`).
    Why: the stack deploys somewhere else than configured, or fails on AZs and ARNs of another region.
    Fix: use the region variable in the provider; derive AZs and ARNs from data sources.
    """
    uses = variable_uses(cfg)
    shows_provider = {module_dir(p.file) for p in cfg.providers if p.labels[0] == "aws"}
    if cfg.resources and "" not in shows_provider and cfg.variable(PIPELINE_REGION_VAR) is None \
            and not re.search(rf'variable\s+"?{PIPELINE_REGION_VAR}"?\s*\{{', code_text(cfg)):
        # The answer relies on the pipeline's provider.tf, which reads var.aws_region: it must declare it.
        yield hit(None, f"var.{PIPELINE_REGION_VAR}: not declared, but the answer shows no provider \"aws\" block, "
                        f"so the pipeline's provider.tf (region = var.{PIPELINE_REGION_VAR}) is used",
                  address=f"var.{PIPELINE_REGION_VAR}")
    for v in region_variables(cfg):
        if v.labels[0] in uses.get(module_dir(v.file), set()):
            continue
        if module_dir(v.file) == "" and "" not in shows_provider:
            # The answer leaves provider.tf to the pipeline, whose provider block uses the region variable.
            yield cannot_tell(v, "region variable unused, but the answer shows no provider \"aws\" block")
            continue
        yield hit(v, f"var.{v.labels[0]}: region variable declared but never used")
    region_var_names = {v.labels[0] for v in cfg.variables if v.labels and v.labels[0] in REGION_VARS}
    for p in cfg.providers:
        if p.labels[0] != "aws" or "alias" in p.attributes:
            continue
        attr = p.attributes.get("region")
        req = cfg.requirements
        if attr is not None and type(attr.value) is str and req is not None and req.single_file \
                and attr.value in req.regions:
            continue  # a self-contained file with the region the task fixes: what was asked
        if attr is not None and type(attr.value) is str:
            # The pipeline deploys to the region it passes in (aws_region); a literal pins one region.
            also = f" although {', '.join(f'var.{n}' for n in sorted(region_var_names))} is declared" \
                if region_var_names else " instead of a region variable"
            yield hit(p, f"provider.aws: region = \"{attr.value}\" hard-coded{also}", "region")
    regions = provider_regions(cfg)
    for r in (*cfg.resources, *cfg.data):
        ref = provider_ref(r) or "aws"
        if not r.resource_type.startswith("aws_") or r.resource_type.startswith(_CROSS_REGION_TYPES):
            continue
        region = regions.get(ref)
        if region is None:
            continue
        for path, attr in r.attribute_paths():
            if path == "provider" or any(w in path for w in ("replica", "destination", "region")):
                continue  # these name another region on purpose
            for s in strings_in(attr.value):
                m = AZ_RE.match(s.strip())
                found = m.group(1) if m else None
                if found is None:
                    am = ARN_RE.search(s)
                    found = am.group(1) if am else None
                if found and found != region:
                    yield hit(r, f"{r.address}: {path} = \"{s.strip()[:80]}\" is in {found} but the provider "
                                 f"({ref}) deploys to {region}", attr)
                    break
