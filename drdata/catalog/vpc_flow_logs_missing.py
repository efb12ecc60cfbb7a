"""VPCs without flow logs."""

from __future__ import annotations

from drdata.detectors.helpers import attr_value, block_refs
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="vpc_flow_logs_missing",
    number=20,
    theme="services",
    area="logging",
    title="VPC Flow Logs Missing",
    severity="High",
    rule_set="aws",
    what="A VPC is created without an `aws_flow_log` recording its traffic.",
    root_cause="Flow logs are a separate resource needing a destination and an IAM role; models build the network and stop.",
    impact="No record of accepted or rejected traffic for incident response or troubleshooting; CIS AWS Foundations 3.9 fails.",
    fix="Add an `aws_flow_log` with `vpc_id` of each VPC, sending to a CloudWatch log group (with an IAM role) or an S3 bucket.",
    report_rules=(
        ReportRule(order=150, strong=r"flow[_ ]?logs?"),
        ReportRule(order=420, topic=True, strong=r"vpc (traffic )?logging"),
    ),
    title_rule=r"flow ?logs?",
))


def _invalid(cfg: TerraformConfig, fl):
    """Flow logs the provider or the API rejects: they never record anything."""
    if "log_destination_arn" in fl.attributes:
        yield hit(fl, f"{fl.address}: log_destination_arn is not an aws_flow_log argument (use log_destination)",
                  "log_destination_arn")
    dest = attr_value(cfg, fl, "log_destination_type", "cloud-watch-logs")
    if dest in ("s3", "kinesis-data-firehose") and "iam_role_arn" in fl.attributes:
        yield hit(fl, f"{fl.address}: iam_role_arn with log_destination_type = {dest} (rejected: "
                      "DeliverLogsPermissionArn is not applicable)", "iam_role_arn")
    if dest == "cloud-watch-logs" and "iam_role_arn" not in fl.attributes and (
            "log_destination" in fl.attributes or "log_group_name" in fl.attributes):
        yield hit(fl, f"{fl.address}: CloudWatch Logs destination without iam_role_arn (delivery is refused)")
    interval = attr_value(cfg, fl, "max_aggregation_interval")
    if isinstance(interval, int) and interval not in (60, 600):
        yield hit(fl, f"{fl.address}: max_aggregation_interval = {interval} (only 60 or 600 are accepted)",
                  "max_aggregation_interval")


@detector(category="vpc_flow_logs_missing")
def vpc_flow_logs_missing(cfg: TerraformConfig):
    """Flags aws_vpc resources that no aws_flow_log refers to (directly, through a local, or through one
    of the VPC's subnets), and flow logs that cannot be created as written (invalid argument, IAM role with
    an S3/Firehose destination, no role for CloudWatch Logs, aggregation interval other than 60/600).

    Why: without flow logs there is no record of accepted/rejected traffic (CIS 3.9).
    Fix: aws_flow_log { vpc_id = aws_vpc.x.id, traffic_type = "ALL", ... }.
    """
    logs = cfg.resources_of("aws_flow_log")
    for fl in logs:
        yield from _invalid(cfg, fl)
    vpcs = cfg.resources_of("aws_vpc")
    if not vpcs:
        return
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
