"""Single points of failure: single-AZ databases, one NAT gateway, one-instance ASGs, one-AZ subnets."""

from __future__ import annotations

import re

from drdata.detectors.helpers import UNRESOLVED, attr_value, is_multi, truthy
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Resource, TerraformConfig

CATEGORY = declare(Category(
    id="high_availability_missing",
    number=27,
    theme="services",
    area="availability",
    title="High Availability Missing",
    severity="Critical",
    rule_set="aws",
    what="Single points of failure: single-AZ RDS, one NAT gateway for several private subnets, Auto Scaling groups limited to one instance, all subnets in one Availability Zone, replication groups without automatic failover.",
    root_cause="Models minimise cost and resource count, and ignore the availability requirements stated in the prompt.",
    impact="Loss of one Availability Zone or instance takes the workload, or its internet egress, down.",
    fix="Enable `multi_az`, one NAT gateway per AZ, ASG minimum of two across subnets in several AZs, and `automatic_failover_enabled` with several cache nodes.",
    report_rules=(
        ReportRule(order=470, topic=True, strong=(
            r"high[- ]availability|multi[- ]az|single (az|availability zone|point of failure)|redundan\w*|failover|disaster recovery|\bdr\b"
            r"|nat gateways?|replica\w*|fault[- ]toleran\w*|resilien\w*"
        )),
    ),
    title_rule=(
        r"high availability|multi[- ]az|single (nat|az|point|instance)|failover"
        r"|redundan"
    ),
))


_PRIVATE = re.compile(r"private|app|database|db|data|isolated", re.I)


def _instances(cfg: TerraformConfig, res: Resource) -> int | None:
    """How many instances a block declares (1 without count/for_each; None when unknown)."""
    if "count" in res.attributes:
        v = attr_value(cfg, res, "count")
        return v if isinstance(v, int) else None
    if "for_each" in res.attributes:
        v = attr_value(cfg, res, "for_each")
        return len(v) if isinstance(v, (list, dict)) else None
    return 1


@detector(category="high_availability_missing")
def high_availability_missing(cfg: TerraformConfig):
    """Flags RDS instances without multi_az, Aurora clusters with one instance, a single NAT gateway for
    several private subnets, Auto Scaling groups with max_size 1, all subnets in one literal AZ, and cache
    replication groups with several nodes but automatic failover off. A single NAT gateway the prompt asks
    for is the prompt's cost choice and is not flagged.

    Why: losing one instance or Availability Zone takes the workload (or its egress) down.
    Fix: multi_az = true, two or more cluster instances, one NAT gateway per AZ, ASG min >= 2 across AZs,
    subnets in several AZs, automatic_failover_enabled = true.
    """
    for db in cfg.resources_of("aws_db_instance"):
        if "replicate_source_db" in db.attributes or str(db.get("engine", "")).startswith("aurora"):
            continue
        v = attr_value(cfg, db, "multi_az")
        if v is UNRESOLVED:
            yield cannot_tell(db, "multi_az comes from an unresolved expression")
        elif truthy(v) is not True:
            yield hit(db, f"{db.address}: multi_az {'absent' if v is None else '= false'} (single-AZ database)",
                      "multi_az")
    for cl in cfg.resources_of("aws_rds_cluster"):
        if attr_value(cfg, cl, "engine_mode") == "serverless":
            continue  # serverless v1 fails over by itself
        members = [i for i in cfg.resources_of("aws_rds_cluster_instance")
                   if any(r.address == cl.address for r in i.all_refs())]
        if not members:
            continue
        counts = [_instances(cfg, i) for i in members]
        if None in counts:
            continue
        if sum(counts) == 1:
            yield hit(cl, f"{cl.address}: only one aws_rds_cluster_instance (no failover replica)")
    nats = cfg.resources_of("aws_nat_gateway")
    private = [s for s in cfg.resources_of("aws_subnet") if _PRIVATE.search(s.name)]
    n_private = sum((_instances(cfg, s) or 2) for s in private)
    # A prompt that asks for one NAT gateway chose the cost over the redundancy.
    if len(nats) == 1 and n_private >= 2 and not getattr(cfg.requirements, "single_nat", False):
        gateways = _instances(cfg, nats[0])  # `count = 1` is still one gateway
        if gateways is None:
            yield cannot_tell(nats[0], f"{nats[0].address}: how many gateways its count/for_each makes is not known")
        elif gateways == 1:
            yield hit(nats[0], f"{nats[0].address}: one NAT gateway serves {n_private} private subnets "
                               "(egress lost with its AZ)")
    for asg in cfg.resources_of("aws_autoscaling_group"):
        mx = attr_value(cfg, asg, "max_size")
        if mx == 1:
            yield hit(asg, f"{asg.address}: max_size = 1 (a single instance)", "max_size")
    subnets = cfg.resources_of("aws_subnet")
    azs = [attr_value(cfg, s, "availability_zone") for s in subnets]
    if len(subnets) >= 2 and all(isinstance(a, str) and a for a in azs) and len(set(azs)) == 1 \
            and not any(is_multi(s) for s in subnets):
        yield hit(subnets[0], f"all {len(subnets)} subnets are in {azs[0]}", "availability_zone")
    for rg in cfg.resources_of("aws_elasticache_replication_group"):
        nodes = attr_value(cfg, rg, "num_cache_clusters", attr_value(cfg, rg, "number_cache_clusters"))
        af_raw = attr_value(cfg, rg, "automatic_failover_enabled")
        af = truthy(af_raw)
        if isinstance(nodes, int) and nodes > 1 and af is not True and af_raw is not UNRESOLVED:
            yield hit(rg, f"{rg.address}: {nodes} nodes but automatic_failover_enabled is not true",
                      "automatic_failover_enabled")
        elif isinstance(nodes, int) and nodes == 1:
            yield hit(rg, f"{rg.address}: num_cache_clusters = 1 (no replica)", "num_cache_clusters")
