"""Services that can record access/activity but are configured not to."""

from __future__ import annotations

import re

from drdata.detectors.helpers import UNRESOLVED, attr_refs, attr_value, load_table, source_text, truthy
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="logging_audit_missing",
    number=19,
    theme="services",
    area="logging",
    title="Logging and Audit Trail Missing",
    severity="Critical",
    rule_set="aws",
    what="A service that can record access or activity does not: load balancers without access logs, log groups without retention, databases without log exports, API stages without access logs, buckets without access logging.",
    root_cause="Logging is a separate, optional configuration on each service and needs a destination; models skip it unless asked explicitly.",
    impact="Incidents cannot be investigated, audits lack evidence, and logs without retention grow (and cost) forever.",
    fix="Enable `access_logs`, set `retention_in_days`, `enabled_cloudwatch_logs_exports` and `access_log_settings`, and configure bucket access logging to a dedicated log bucket.",
    tables=("services_rds_log_exports",),
    report_rules=(
        ReportRule(order=430, topic=True, strong=(
            r"cloudtrail|audit|access[_ ]logs?|logging|log (retention|groups?|buckets?|delivery)|retention[_ ]in[_ ]days|cloudwatch logs?"
            r"|\blogs?\b|trail"
        )),
    ),
    title_rule=(
        r"access log|log retention|retention_in_days|logging (missing|not)|missing logging"
        r"|no logging|log exports|cloudwatch logs? export"
    ),
))


def _bad_exports(cfg: TerraformConfig, db):
    """Log types the engine does not publish (the API rejects the whole request)."""
    table = load_table("services_rds_log_exports")
    engine = attr_value(cfg, db, "engine")
    exports = attr_value(cfg, db, "enabled_cloudwatch_logs_exports")
    if not isinstance(engine, str) or not isinstance(exports, list):
        return
    fam = engine if engine in table["engines"] else next(
        (f for p, f in table["engine_prefixes"].items() if engine.startswith(p)), None)
    if fam is None:
        return
    bad = [e for e in exports if isinstance(e, str) and e not in table["engines"][fam]]
    if bad:
        yield hit(db, f"{db.address}: enabled_cloudwatch_logs_exports {bad} not published by {engine} "
                      f"(valid: {', '.join(table['engines'][fam])})", "enabled_cloudwatch_logs_exports")


_ELB_DELIVERY = re.compile(r"elasticloadbalancing|aws_elb_service_account|logdelivery\.elb|"
                           r"delivery\.logs\.amazonaws\.com|arn:aws:iam::\d{12}:root", re.I)


def _log_bucket_policy(cfg: TerraformConfig, lb, block):
    """Access logs to a bucket of the answer whose policy does not let ELB deliver."""
    if truthy(attr_value(cfg, block, "enabled")) is not True:
        return
    buckets = [a for a in attr_refs(cfg, block, "bucket") if a.startswith("aws_s3_bucket.")]
    if len(buckets) != 1:
        return
    policies = [p for p in cfg.resources_of("aws_s3_bucket_policy") if buckets[0] in attr_refs(cfg, p, "bucket")]
    if not policies:
        yield hit(lb, f"{lb.address}: access logs go to {buckets[0]}, which has no bucket policy letting "
                      "Elastic Load Balancing write", block.attributes.get("bucket"))
    elif not any(_ELB_DELIVERY.search(source_text(cfg, p)) for p in policies):
        yield hit(lb, f"{lb.address}: the policy of {buckets[0]} does not grant Elastic Load Balancing log "
                      "delivery", block.attributes.get("bucket"))


@detector(category="logging_audit_missing")
def logging_audit_missing(cfg: TerraformConfig):
    """Flags application load balancers without access logs (or logging to a bucket whose policy does not
    admit ELB delivery), log groups without retention, RDS without log exports or with log types the engine
    does not publish, and API Gateway stages without access logs. Bucket access logging is not demanded: it
    fired on nearly half of the reference answers, mostly on buckets that hold logs or artefacts.

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
            yield from _log_bucket_policy(cfg, lb, b)
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
        yield from _bad_exports(cfg, db)
        if "enabled_cloudwatch_logs_exports" not in db.attributes:
            yield hit(db, f"{db.address}: no enabled_cloudwatch_logs_exports")
        elif attr_value(cfg, db, "enabled_cloudwatch_logs_exports") == []:
            yield hit(db, f"{db.address}: enabled_cloudwatch_logs_exports is empty",
                      "enabled_cloudwatch_logs_exports")
    for st in cfg.resources_of("aws_api_gateway_stage", "aws_apigatewayv2_stage"):
        if not st.children("access_log_settings"):
            yield hit(st, f"{st.address}: no access_log_settings")
