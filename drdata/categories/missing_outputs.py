"""missing_outputs: no outputs, or the answer's main endpoints are not output."""

from __future__ import annotations

from drdata.detectors.helpers import load_table
from drdata.detectors.registry import detector, hit
from drdata.hcl.model import TerraformConfig


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
    APIs, CloudFront, clusters; see the data table) that no output refers to.

    Why: tests and dependent stacks find deployed endpoints through outputs.
    Fix: output the ids/endpoints of the main resources.
    """
    if not cfg.resources:
        return
    if not cfg.outputs:
        if cfg.complete:
            yield hit(None, f"answer: {len(cfg.resources)} resources but no output", address="outputs")
        return
    endpoints = load_table("code_endpoints")["endpoint_types"]
    reached = _output_refs(cfg)
    for r in cfg.resources:
        if r.resource_type not in endpoints:
            continue
        if r.address not in reached:
            yield hit(r, f"{r.address}: no output exposes its {endpoints[r.resource_type]}")
