"""RDS instances/clusters that are public, outside the answer's network, or use reserved user names."""

from __future__ import annotations

from drdata.detectors.helpers import UNRESOLVED, attr_value, is_multi, load_table, truthy
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Resource, TerraformConfig

CATEGORY = declare(Category(
    id="database_configuration",
    number=22,
    theme="services",
    area="database",
    title="Database Misconfiguration",
    severity="High",
    rule_set="aws",
    what="An RDS instance or cluster is publicly accessible, has no DB subnet group (lands in the default VPC), or uses a master user name the engine reserves.",
    root_cause="Models set the arguments that make a connection easy and are not aware of per-engine reserved user names.",
    impact="The database is exposed to the internet or placed outside the answer's network; reserved names make creation fail.",
    fix="Set `publicly_accessible = false`, create an `aws_db_subnet_group` over private subnets, and choose a master user name the engine accepts.",
    tables=("services_reserved_db_usernames",),
    report_rules=(
        ReportRule(order=480, topic=True, strong=(
            r"\brds\b|databases?|\bdb\b|aurora|postgres\w*|mysql|dynamodb|subnet groups?|parameter groups?|elasticache|redis|documentdb"
            r"|db_subnet|master (user|username)|reserved (word|username)"
        )),
    ),
    title_rule=(
        r"(rds|database|\bdb\b|aurora).{0,40}(public|subnet group|username|reserved)"
        r"|publicly_accessible|reserved (word|username)|master username|db_subnet_group"
    ),
))


def _engine_family(engine: str) -> str | None:
    table = load_table("services_reserved_db_usernames")
    if engine in table["engines"]:
        return engine
    for prefix, fam in table["engine_prefixes"].items():
        if engine.startswith(prefix):
            return fam
    return None


def _is_member(res: Resource) -> bool:
    """Instances that take network and credentials from elsewhere (replicas, Aurora members, restores)."""
    if res.resource_type == "aws_db_instance":
        return ("replicate_source_db" in res.attributes or str(res.get("engine", "")).startswith("aurora")
                or "snapshot_identifier" in res.attributes)
    return any(a in res.attributes for a in ("replication_source_identifier", "snapshot_identifier",
                                              "global_cluster_identifier", "source_region"))


@detector(category="database_configuration")
def database_configuration(cfg: TerraformConfig):
    """Flags RDS instances/clusters with publicly_accessible = true, without db_subnet_group_name, or whose
    master user name the engine reserves (data: services_reserved_db_usernames.json), and database subnet
    groups with a single subnet or with subnets of different VPCs.

    Why: public databases are reachable from the internet; without a subnet group the database lands in
    the default VPC; reserved names make CreateDBInstance fail.
    Fix: publicly_accessible = false, an aws_db_subnet_group over private subnets, a non-reserved username.
    """
    for grp in cfg.resources_of("aws_db_subnet_group", "aws_elasticache_subnet_group", "aws_docdb_subnet_group",
                                "aws_neptune_subnet_group"):
        attr = grp.attributes.get("subnet_ids")
        if attr is None:
            continue
        subnets = [cfg.resource(r.address) for r in attr.refs if r.address.startswith("aws_subnet.")]
        subnets = [s for s in subnets if s is not None]
        # Resource references only: `each.value.env` picks an instance of the same VPC resource, not another VPC.
        vpcs = {r.address for s in subnets for r in s.attributes["vpc_id"].refs if r.kind in ("resource", "data")} if all(
            "vpc_id" in s.attributes for s in subnets) else set()
        if len(vpcs) > 1:
            yield hit(grp, f"{grp.address}: subnets from different VPCs ({', '.join(sorted(vpcs))})", attr)
        elif isinstance(attr.value, list) and len(attr.value) == 1 and len(subnets) == 1 \
                and not is_multi(subnets[0]) and "[*]" not in attr.source and ".*." not in attr.source:
            yield hit(grp, f"{grp.address}: a single subnet ({subnets[0].address}); the group needs two AZs", attr)
    for db in cfg.resources_of("aws_db_instance", "aws_rds_cluster_instance"):
        if truthy(attr_value(cfg, db, "publicly_accessible")) is True:
            yield hit(db, f"{db.address}: publicly_accessible = true", "publicly_accessible")
    for db in cfg.resources_of("aws_db_instance", "aws_rds_cluster"):
        if _is_member(db):
            continue
        if "db_subnet_group_name" not in db.attributes:
            yield hit(db, f"{db.address}: no db_subnet_group_name (placed in the default VPC)")
        user_attr = "username" if db.resource_type == "aws_db_instance" else "master_username"
        user = attr_value(cfg, db, user_attr)
        engine = attr_value(cfg, db, "engine")
        if user is None:
            continue
        if user is UNRESOLVED or engine is UNRESOLVED:
            continue  # an unresolved name is the deployer's choice, not a code fault
        fam = _engine_family(str(engine or ("mysql" if db.resource_type == "aws_db_instance" else "aurora")))
        if fam is None:
            yield cannot_tell(db, f"engine {engine!r} not in the reserved-username table")
            continue
        if str(user).lower() in load_table("services_reserved_db_usernames")["engines"][fam]:
            yield hit(db, f"{db.address}: {user_attr} {user!r} is reserved by {engine}", user_attr)
