"""SQS/SNS wiring and resilience problems (encryption is encryption_at_rest_missing's)."""

from __future__ import annotations

import re

from drdata.detectors.helpers import UNRESOLVED, attr_refs, attr_value, block_refs, truthy
from drdata.detectors.registry import Category, ReportRule, declare, detector, hit
from drdata.hcl.model import Resource, TerraformConfig

CATEGORY = declare(Category(
    id="messaging_configuration",
    number=23,
    theme="services",
    area="messaging",
    title="Messaging Misconfiguration",
    severity="Medium",
    rule_set="aws",
    what="SQS queues without a dead-letter queue, FIFO queues named without `.fifo`, queues fed by SNS without a queue policy, SQS event sources with a visibility timeout shorter than the function timeout, and SNS subscriptions over plain HTTP.",
    root_cause="Models create queues and subscriptions with minimal arguments and miss the policies and limits that connect them.",
    impact="Poison messages loop forever, deliveries are silently dropped or refused, and creation fails on invalid names or timeouts.",
    fix="Add a DLQ with `redrive_policy`, name FIFO queues `*.fifo`, add an `aws_sqs_queue_policy` allowing `sns.amazonaws.com`, make the visibility timeout at least the function timeout, use HTTPS endpoints.",
    report_rules=(
        ReportRule(order=490, topic=True, strong=r"\bsqs\b|\bsns\b|\bdlq\b|dead[- ]letter|queues?|topics?|kinesis|eventbridge|event ?bus|notifications?|subscriptions?"),
    ),
    title_rule=(
        r"dead[- ]letter|\bdlq\b|redrive|sns subscription|\.fifo|visibility timeout"
        r"|sqs (queue )?polic"
    ),
))


_DLQ_NAME = re.compile(r"dlq|dead|deadletter|dead_letter|failed|failure|error", re.I)


def _dlq_addresses(cfg: TerraformConfig) -> set[str]:
    """Queues that serve as a DLQ or failure destination somewhere."""
    out = set()
    for r in cfg.resources:
        if r.resource_type == "aws_sqs_queue":
            out |= {a for a in attr_refs(cfg, r, "redrive_policy") if a.startswith("aws_sqs_queue.")}
        elif r.resource_type == "aws_sqs_queue_redrive_policy":
            out |= {a for a in attr_refs(cfg, r, "redrive_policy") if a.startswith("aws_sqs_queue.")}
        elif r.resource_type == "aws_sqs_queue_redrive_allow_policy":
            out |= {a for a in attr_refs(cfg, r, "queue_url") if a.startswith("aws_sqs_queue.")}
        else:
            for b in r.walk():
                if b.type in ("dead_letter_config", "on_failure", "dead_letter_target", "destination_config",
                              "dead_letter_queue_config", "redrive_config"):
                    out |= {x.address for x in b.all_refs() if x.address.startswith("aws_sqs_queue.")}
    return out


def _queue_name(res: Resource) -> str:
    return f"{res.name} {res.attributes['name'].source if 'name' in res.attributes else ''}"


def _lambda_timeout(cfg: TerraformConfig, fn: Resource):
    v = attr_value(cfg, fn, "timeout", 3)
    return v if isinstance(v, int) else UNRESOLVED


@detector(category="messaging_configuration")
def messaging_configuration(cfg: TerraformConfig):
    """Flags SQS queues without a dead-letter queue, FIFO queues not named *.fifo, queues subscribed to SNS
    without a queue policy, SQS event sources whose visibility timeout is below the function timeout, and
    SNS subscriptions over plain HTTP.

    Why: poison messages loop forever without a DLQ; SNS cannot deliver to a queue that does not allow it;
    AWS rejects the other cases at creation or leaks messages in clear text.
    Fix: redrive_policy to a DLQ, `.fifo` names, aws_sqs_queue_policy for sns.amazonaws.com, visibility
    timeout >= function timeout (AWS advises 6x), https endpoints.
    """
    queues = cfg.resources_of("aws_sqs_queue")
    dlqs = _dlq_addresses(cfg)
    redriven = {a for r in cfg.resources_of("aws_sqs_queue_redrive_policy") for a in attr_refs(cfg, r, "queue_url")}
    for q in queues:
        if q.address in dlqs or _DLQ_NAME.search(_queue_name(q)):
            continue
        if "redrive_policy" not in q.attributes and q.address not in redriven:
            yield hit(q, f"{q.address}: no redrive_policy (no dead-letter queue)")
    for q in queues:
        fifo = truthy(attr_value(cfg, q, "fifo_queue"))
        name = attr_value(cfg, q, "name")
        if fifo is True and isinstance(name, str) and not name.endswith(".fifo"):
            yield hit(q, f"{q.address}: FIFO queue name {name!r} does not end in .fifo", "name")
        elif fifo is True and "name" in q.attributes and name is UNRESOLVED and \
                not q.attributes["name"].source.rstrip().rstrip('"').endswith(".fifo"):
            yield hit(q, f"{q.address}: FIFO queue name {q.attributes['name'].source.strip()} does not end in .fifo",
                      "name")
    policies = {a for p in cfg.resources_of("aws_sqs_queue_policy") for a in block_refs(cfg, p)}
    for sub in cfg.resources_of("aws_sns_topic_subscription"):
        proto = attr_value(cfg, sub, "protocol")
        if proto == "http":
            yield hit(sub, f"{sub.address}: subscription over plain http", "protocol")
        if proto == "sqs":
            for a in sorted(attr_refs(cfg, sub, "endpoint")):
                if a.startswith("aws_sqs_queue.") and a not in policies:
                    q = cfg.resource(a)
                    if q is not None and "policy" not in q.attributes:
                        yield hit(sub, f"{sub.address}: SNS delivers to {a}, which has no queue policy allowing "
                                       "sns.amazonaws.com", "endpoint")
    for esm in cfg.resources_of("aws_lambda_event_source_mapping"):
        srcs = [a for a in attr_refs(cfg, esm, "event_source_arn") if a.startswith("aws_sqs_queue.")]
        fns = [a for a in attr_refs(cfg, esm, "function_name") if a.startswith("aws_lambda_function.")]
        if len(srcs) != 1 or len(fns) != 1:
            continue
        q, fn = cfg.resource(srcs[0]), cfg.resource(fns[0])
        if q is None or fn is None:
            continue
        vis = attr_value(cfg, q, "visibility_timeout_seconds", 30)
        tmo = _lambda_timeout(cfg, fn)
        if isinstance(vis, int) and isinstance(tmo, int) and vis < tmo:
            yield hit(q, f"{q.address}: visibility_timeout_seconds {vis} is below {fn.address} timeout {tmo} "
                         "(event source mapping is rejected)", q.attributes.get("visibility_timeout_seconds"))
