"""Services with no CloudWatch alarm on them, and alarms that notify no one."""

from __future__ import annotations

from drdata.detectors.helpers import block_refs
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Block, Resource, TerraformConfig

CATEGORY = declare(Category(
    id="missing_monitoring_alarms",
    number=25,
    theme="services",
    area="monitoring",
    title="Monitoring Alarms Missing",
    severity="Medium",
    rule_set="aws",
    what="Services (RDS, Lambda, load balancers, Auto Scaling groups, SQS, DynamoDB, API Gateway, ECS) have no CloudWatch metric alarm on them, or alarms have no action.",
    root_cause="Alarms are separate resources needing the service's metric names and dimensions; models add a few or none, and leave out notification targets.",
    impact="Failures, throttling and saturation go unnoticed until users report them; alarms without actions notify no one.",
    fix="Add `aws_cloudwatch_metric_alarm` resources with the service's dimensions for its key metrics and point `alarm_actions` at an SNS topic.",
    report_rules=(
        ReportRule(order=510, topic=True, strong=r"alarms?|monitoring|metrics?|dashboards?|alert\w*|observability|cloudwatch|x-?ray|tracing|guardduty|config rules?|aws config|security hub"),
    ),
    title_rule=r"alarm|monitoring|cloudwatch metric",
))


# resource type -> attributes naming it (what alarm dimensions carry)
_MONITORED = {
    "aws_db_instance": ("identifier",),
    "aws_rds_cluster": ("cluster_identifier",),
    "aws_lambda_function": ("function_name",),
    "aws_lb": ("name",),
    "aws_alb": ("name",),
    "aws_autoscaling_group": ("name",),
    "aws_sqs_queue": ("name",),
    "aws_dynamodb_table": ("name",),
    "aws_api_gateway_rest_api": ("name",),
    "aws_apigatewayv2_api": ("name",),
    "aws_ecs_service": ("name",),
    "aws_elasticache_replication_group": ("replication_group_id",),
    "aws_sfn_state_machine": ("name",),
    "aws_kinesis_stream": ("name",),
}
# EC2 instances, ECS clusters, CDNs etc. are left out on purpose: counting them pushed the share of reference
# answers flagged above one half (many small answers run one instance and no alarm by design).
_ALARMS = ("aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm")


def _dimension_sources(alarm: Block) -> list[str]:
    """Source text of every dimension value of an alarm (dimensions map or metric_query metrics)."""
    out = []
    for b in alarm.walk():
        attr = b.attributes.get("dimensions")
        if attr is not None:
            if isinstance(attr.value, dict):
                out += [str(v) for v in attr.value.values()]
            out.append(attr.source)
    return out


def _covered(cfg: TerraformConfig, res: Resource, alarms: list[Resource]) -> bool:
    names = [res.attributes[n] for n in _MONITORED[res.resource_type] if n in res.attributes]
    for alarm in alarms:
        if res.address in block_refs(cfg, alarm):
            return True
        dims = _dimension_sources(alarm)
        for n in names:
            src = n.source.strip()
            val = n.value
            if any(src and src in d for d in dims) or (isinstance(val, str) and any(val and val in d for d in dims)):
                return True
    return False


# Per-resource coverage is demanded for databases only: answers commonly alarm on a subset of their
# functions/queues/tables, and flagging each uncovered one fired on most reference answers.
_MUST_WATCH = ("aws_db_instance", "aws_rds_cluster")


@detector(category="missing_monitoring_alarms")
def missing_monitoring_alarms(cfg: TerraformConfig):
    """Flags answers that create monitorable services (databases, functions, load balancers, Auto Scaling
    groups, queues, tables, APIs, ECS services, caches, state machines, streams) but no
    aws_cloudwatch_metric_alarm at all; answers whose alarms all lack actions; and RDS instances/clusters
    that no alarm watches (by reference or name in its dimensions). In an answer cut off (or with blocks that
    did not parse and mention alarms) a missing alarm cannot be told: it may be in the lost part.

    Why: nobody learns of errors, throttling or saturation; an alarm without actions notifies no one.
    Fix: alarms on the service's key metrics with its dimensions, alarm_actions to an SNS topic.
    """
    alarms = cfg.resources_of(*_ALARMS)
    services = [r for r in cfg.resources if r.resource_type in _MONITORED]
    if not services:
        return
    if not alarms and (cfg.truncated or "aws_cloudwatch_metric_alarm" in cfg.lost_text):
        # The alarms may be in the part of the answer that was cut off or did not parse.
        yield cannot_tell("alarms", "no alarm in the part of the answer that was read (it is cut off or has "
                                    "blocks that did not parse)")
        return
    if not alarms:
        # Anchored on the first monitorable resource, so that an IDEAL which drops it is not taken for a repair.
        yield hit(services[0], f"no aws_cloudwatch_metric_alarm at all for {len(services)} monitorable resource(s) "
                               f"such as {services[0].address}", part="alarms")
        return
    for res in services:
        if res.resource_type in _MUST_WATCH and not _covered(cfg, res, alarms) and cfg.truncated:
            yield cannot_tell(res, f"{res.address}: no alarm watches it in the part of the answer before the cut")
        elif res.resource_type in _MUST_WATCH and not _covered(cfg, res, alarms):
            yield hit(res, f"{res.address}: no CloudWatch alarm watches it")
    metric = cfg.resources_of("aws_cloudwatch_metric_alarm")
    actions = ("alarm_actions", "ok_actions", "insufficient_data_actions")
    if metric and not any(a in al.attributes and al.get(a) != [] for al in alarms for a in actions):
        for alarm in metric:
            yield hit(alarm, f"{alarm.address}: no alarm in the answer has alarm_actions (notifies no one)")
