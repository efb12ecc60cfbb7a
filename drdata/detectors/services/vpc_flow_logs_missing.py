"""VPCs without flow logs."""

from __future__ import annotations

from drdata.detectors.registry import cannot_tell, detector, hit
from drdata.detectors.services._util import block_refs
from drdata.hcl.model import TerraformConfig


@detector(category="vpc_flow_logs_missing")
def vpc_flow_logs_missing(cfg: TerraformConfig):
    """Flags aws_vpc resources that no aws_flow_log refers to (directly, through a local, or through one
    of the VPC's subnets).

    Why: without flow logs there is no record of accepted/rejected traffic (CIS 3.9).
    Fix: aws_flow_log { vpc_id = aws_vpc.x.id, traffic_type = "ALL", ... }.
    """
    vpcs = cfg.resources_of("aws_vpc")
    if not vpcs:
        return
    logs = cfg.resources_of("aws_flow_log")
    covered: set[str] = set()
    opaque = []
    for fl in logs:
        refs = block_refs(cfg, fl)
        hits = {a for a in refs if a.startswith("aws_vpc.")}
        for a in refs:  # subnet- or ENI-level flow logs cover the VPC of the subnet
            if a.startswith("aws_subnet."):
                sub = cfg.resource(a)
                if sub is not None:
                    hits |= {x for x in block_refs(cfg, sub) if x.startswith("aws_vpc.")}
        covered |= hits
        if not hits:
            opaque.append(fl)
    for vpc in vpcs:
        if vpc.address in covered:
            continue
        if opaque:
            yield cannot_tell(vpc, f"{opaque[0].address} targets a VPC given by an expression drdata cannot follow")
        else:
            yield hit(vpc, f"{vpc.address}: no aws_flow_log records its traffic")
