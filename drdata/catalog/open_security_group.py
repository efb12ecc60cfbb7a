"""Security groups that admit the whole internet on sensitive ports."""

from __future__ import annotations

import re

from drdata.detectors.helpers import UNRESOLVED, attr_value, load_table, resolve_plain
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Block, Expr, TerraformConfig

CATEGORY = declare(Category(
    id="open_security_group",
    number=13,
    theme="services",
    area="network",
    title="Security Group Open to the Internet",
    severity="High",
    rule_set="aws",
    what="A security group admits traffic from 0.0.0.0/0 or ::/0 on an administrative or database port (SSH, RDP, MySQL, PostgreSQL, Redis, ...) or on every port.",
    root_cause="Models write the widest CIDR so that connectivity works on the first try, and rarely restrict management ports to a bastion or VPC range.",
    impact="Management and data ports are reachable by the whole internet: brute force, exploitation of the service and data theft become possible; CIS and Security Hub checks fail.",
    fix="Restrict the source to the VPC CIDR, a bastion or load balancer security group, or an admin CIDR variable; use SSM Session Manager instead of open SSH/RDP.",
    tables=("services_sensitive_ports",),
    report_rules=(
        ReportRule(order=200, strong=(
            r"security[_ ]?groups?|\bsg\b|ingress|egress|0\.0\.0\.0/0|open (to (the )?(world|internet)|ports?|ssh|rdp)|\bssh\b|port 22"
            r"|network acls?|\bnacls?\b|firewall|unrestricted (access|ingress|inbound)|inbound|outbound"
        )),
        ReportRule(order=340, strong=(
            r"(security[_ ]?groups?|ingress|egress|\bsg\b).{0,30}(permissive|open|0\.0\.0\.0|unrestricted|wide|all traffic|any)"
            r"|(permissive|open|unrestricted|wide[- ]open).{0,30}(security[_ ]?groups?|ingress|egress|\bsg\b|ports?)"
        )),
    ),
    title_rule=(
        r"security group.{0,40}(open|0\.0\.0\.0|permissive|wide|unrestricted|public|internet"
        r"|world|ssh|rdp)|(open|unrestricted|permissive|public).{0,30}(ssh|rdp|port 22"
        r"|security group|ingress)|0\.0\.0\.0/0"
    ),
))


WORLD = {"0.0.0.0/0", "::/0"}
ALL_PROTOCOLS = {"-1", "all", -1}


def _ports() -> dict[int, str]:
    return {int(p): name for p, name in load_table("services_sensitive_ports")["ports"].items()}


def _as_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return UNRESOLVED


def _from_resource(item) -> bool:
    text = str(item) if isinstance(item, Expr) else ""
    return bool(re.match(r"^(data\.)?aws_[\w-]+\.[\w-]+", text.strip())) and "0.0.0.0" not in text


def _cidrs(cfg: TerraformConfig, block: Block, *names: str):
    """World CIDRs found, and whether some CIDR could not be resolved."""
    world, unknown = [], False
    for n in names:
        if n not in block.attributes:
            continue
        v = attr_value(cfg, block, n)
        values = v if isinstance(v, list) else [v]
        if v is UNRESOLVED:
            # a list literal holding one expression keeps the literal items visible
            raw = block.attributes[n].value
            values = raw if isinstance(raw, list) else [UNRESOLVED]
        for item in values:
            if _from_resource(item):
                continue  # a VPC or subnet CIDR attribute, not the internet
            item = resolve_plain(cfg, item)
            if item is UNRESOLVED:
                unknown = True
            elif isinstance(item, str) and item.strip() in WORLD:
                world.append(item.strip())
    return world, unknown


def _exposure(cfg: TerraformConfig, block: Block, proto_attr: str):
    """What is exposed: a description string, None (nothing sensitive) or UNRESOLVED."""
    proto = attr_value(cfg, block, proto_attr)
    if proto is UNRESOLVED:
        return UNRESOLVED
    if str(proto).lower() in {str(p) for p in ALL_PROTOCOLS}:
        return "all protocols and ports"
    if isinstance(proto, str) and proto.lower() in ("icmp", "icmpv6", "1", "58"):
        return None
    lo, hi = _as_int(attr_value(cfg, block, "from_port")), _as_int(attr_value(cfg, block, "to_port"))
    if lo is UNRESOLVED or hi is UNRESOLVED:
        return UNRESOLVED
    if lo <= 0 and hi >= 65535:
        return "all ports"
    hits = [f"{p} {name}" for p, name in sorted(_ports().items()) if lo <= p <= hi]
    if not hits:
        return None
    if lo == hi:
        return f"port {hits[0].replace(' ', ' (', 1)})"
    return f"ports {lo}-{hi} (" + ", ".join(hits[:4]) + (", ..." if len(hits) > 4 else "") + ")"


_COMPUTE = ("aws_instance", "aws_launch_template", "aws_launch_configuration", "aws_ecs_service")


def _lb_security_groups(cfg: TerraformConfig) -> set[str] | None:
    """Security groups attached to load balancers (None when the answer has no load balancer)."""
    lbs = cfg.resources_of("aws_lb", "aws_alb", "aws_elb")
    if not lbs:
        return None
    return {a for lb in lbs for r in lb.all_refs() if (a := r.address).startswith("aws_security_group.")}


def _sg_of(res) -> str | None:
    if res.resource_type == "aws_security_group":
        return res.address
    for name in ("security_group_id",):
        attr = res.attributes.get(name)
        if attr is not None:
            for r in attr.refs:
                if r.address.startswith("aws_security_group."):
                    return r.address
    return None


def _behind_lb(cfg: TerraformConfig, res, lb_sgs: set[str]) -> bool:
    """The rule's group protects compute only, while the answer routes traffic through a load balancer."""
    sg = _sg_of(res)
    if sg is None or sg in lb_sgs:
        return False
    users = [b for b in cfg.resources if b.resource_type in _COMPUTE
             and any(r.address == sg for r in b.all_refs())]
    return bool(users)


@detector(category="open_security_group")
def open_security_group(cfg: TerraformConfig):
    """Flags ingress from 0.0.0.0/0 or ::/0 on admin/database ports or on all ports.

    Why: open SSH/RDP/database ports are scanned and brute-forced within minutes; 80/443 on a public
    load balancer are expected and not flagged, but instance groups behind a load balancer that accept any
    port from the internet directly are.
    Fix: restrict the source to a security group, the VPC CIDR or an admin CIDR variable.
    """
    candidates = []  # (resource, rule block, protocol attribute, cidr attribute names)
    for sg in cfg.resources_of("aws_security_group"):
        for ing in sg.children("ingress"):
            candidates.append((sg, ing, "protocol", ("cidr_blocks", "ipv6_cidr_blocks")))
    for rule in cfg.resources_of("aws_security_group_rule"):
        if attr_value(cfg, rule, "type") == "ingress":
            candidates.append((rule, rule, "protocol", ("cidr_blocks", "ipv6_cidr_blocks")))
    for rule in cfg.resources_of("aws_vpc_security_group_ingress_rule"):
        candidates.append((rule, rule, "ip_protocol", ("cidr_ipv4", "cidr_ipv6")))
    lb_sgs = _lb_security_groups(cfg)
    for res, blk, proto_attr, cidr_attrs in candidates:
        world, unknown_cidr = _cidrs(cfg, blk, *cidr_attrs)
        if not world and not unknown_cidr:
            continue
        what = _exposure(cfg, blk, proto_attr)
        if what is None:
            if world and lb_sgs is not None and _behind_lb(cfg, res, lb_sgs):
                lo, hi = blk.get("from_port"), blk.get("to_port")
                span = f"port {lo}" if lo == hi else f"ports {lo}-{hi}"
                attr = next((a for a in cidr_attrs if a in blk.attributes), None)
                yield hit(res, f"{res.address}: instances behind a load balancer accept {span} from {world[0]} "
                               "directly", blk.attributes.get(attr))
            continue
        if world and what is not UNRESOLVED:
            attr = next((a for a in cidr_attrs if a in blk.attributes), None)
            yield hit(res, f"{res.address}: ingress from {world[0]} on {what}", blk.attributes.get(attr))
        elif world:
            yield cannot_tell(res, f"ingress from {world[0]} on ports that come from unresolved expressions")
        elif what is not UNRESOLVED:
            yield cannot_tell(res, f"ingress on {what} from a CIDR given by an unresolved expression")
