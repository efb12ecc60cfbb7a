"""Services that can record access/activity but are configured not to."""

from __future__ import annotations

from drdata.detectors.registry import cannot_tell, detector, hit
from drdata.detectors.services._util import UNRESOLVED, attr_value, truthy
from drdata.hcl.model import TerraformConfig


@detector(category="logging_audit_missing")
def logging_audit_missing(cfg: TerraformConfig):
    """Flags application load balancers without access logs, log groups without retention, RDS without
    log exports, and API Gateway stages without access logs.

    Why: without these records incidents cannot be investigated and audits lack evidence; log groups
    without retention keep (and bill) data forever.
    Fix: access_logs { enabled = true }, retention_in_days, enabled_cloudwatch_logs_exports,
    access_log_settings { destination_arn, format }.
    """
    for lb in cfg.resources_of("aws_lb", "aws_alb"):
        lbt = attr_value(cfg, lb, "load_balancer_type", "application")
        if lbt != "application":
            continue  # NLB/GWLB access logs cover TLS only: not required here
        blocks = lb.children("access_logs")
        if not blocks:
            yield hit(lb, f"{lb.address}: no access_logs block")
        for b in blocks:
            v = attr_value(cfg, b, "enabled")
            if v is UNRESOLVED:
                yield cannot_tell(lb, "access_logs.enabled comes from an unresolved expression")
            elif truthy(v) is not True:
                yield hit(lb, f"{lb.address}: access_logs.enabled is not true (it defaults to false)",
                          b.attributes.get("enabled"))
    for lg in cfg.resources_of("aws_cloudwatch_log_group"):
        v = attr_value(cfg, lg, "retention_in_days")
        if "retention_in_days" not in lg.attributes:
            yield hit(lg, f"{lg.address}: no retention_in_days (logs kept forever)")
        elif v == 0:
            yield hit(lg, f"{lg.address}: retention_in_days = 0 (logs kept forever)", "retention_in_days")
    for db in cfg.resources_of("aws_db_instance", "aws_rds_cluster"):
        if db.resource_type == "aws_db_instance" and (
                str(db.get("engine", "")).startswith("aurora") or "replicate_source_db" in db.attributes):
            continue  # Aurora exports are set on the cluster; replicas follow the source
        if "enabled_cloudwatch_logs_exports" not in db.attributes:
            yield hit(db, f"{db.address}: no enabled_cloudwatch_logs_exports")
        elif attr_value(cfg, db, "enabled_cloudwatch_logs_exports") == []:
            yield hit(db, f"{db.address}: enabled_cloudwatch_logs_exports is empty",
                      "enabled_cloudwatch_logs_exports")
    for st in cfg.resources_of("aws_api_gateway_stage", "aws_apigatewayv2_stage"):
        if not st.children("access_log_settings"):
            yield hit(st, f"{st.address}: no access_log_settings")
