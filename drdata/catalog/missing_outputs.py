"""missing_outputs: no outputs, or the answer's main endpoints are not output."""

from __future__ import annotations

from drdata.detectors.helpers import load_table
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="missing_outputs",
    number=35,
    theme="code",
    area="outputs",
    title="Missing Outputs",
    severity="Low",
    rule_set="aws",
    what="The answer creates resources but outputs nothing, or leaves its main endpoints (load balancer DNS, database endpoint, API URL, VPC id, ...) without an output.",
    root_cause="Models treat outputs as optional decoration and stop writing once the resources are declared.",
    impact="Integration tests and dependent stacks cannot find the deployed endpoints without querying AWS by name.",
    fix="Output the ids, ARNs and endpoints of the main resources (mark secrets `sensitive`).",
    tables=("code_endpoints",),
    report_rules=(
        ReportRule(order=400, topic=True, kind_topic=True, strong=r"outputs?\b"),
    ),
    title_rule=r"missing outputs?|outputs? (missing|incomplete|coverage)|no outputs|insufficient outputs",
))


def _output_refs(cfg: TerraformConfig) -> set[str]:
    """Addresses the outputs reach, directly or through locals."""
    seen: set[str] = set()
    todo = [r.address for o in cfg.outputs for r in o.all_refs()]
    while todo:
        a = todo.pop()
        if a in seen:
            continue
        seen.add(a)
        if a.startswith("local.") and a[6:] in cfg.locals:
            todo.extend(r.address for r in cfg.locals[a[6:]].refs)
    return seen


@detector(category="missing_outputs")
def missing_outputs(cfg: TerraformConfig):
    """Flags an answer with resources but no outputs, and main-endpoint resources (load balancers, databases,
    APIs, CloudFront, clusters; see the data table) that no output refers to. In an answer cut off (or whose
    unparsed blocks hold outputs) a missing output cannot be told.

    Why: tests and dependent stacks find deployed endpoints through outputs.
    Fix: output the ids/endpoints of the main resources.
    """
    if not cfg.resources:
        return
    # Outputs come last in most answers: after a cut, or in blocks that did not parse, they may exist unseen.
    hidden = cfg.truncated or 'output "' in cfg.lost_text
    if not cfg.outputs:
        if cfg.complete:
            yield hit(None, f"answer: {len(cfg.resources)} resources but no output", address="outputs")
        else:
            yield cannot_tell("outputs", "no output in the part of the answer that was read (it is cut off or has "
                                         "blocks that did not parse)")
        return
    endpoints = load_table("code_endpoints")["endpoint_types"]
    reached = _output_refs(cfg)
    for r in cfg.resources:
        if r.resource_type not in endpoints:
            continue
        if r.address not in reached:
            if hidden:
                yield cannot_tell(r, f"{r.address}: no output exposes it in the part of the answer that was read")
            else:
                yield hit(r, f"{r.address}: no output exposes its {endpoints[r.resource_type]}")
