"""Lambda functions on deprecated runtimes, or without failure handling for asynchronous invocation."""

from __future__ import annotations

import datetime as dt

from drdata.detectors.helpers import UNRESOLVED, attr_refs, attr_value, load_table
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Resource, TerraformConfig

CATEGORY = declare(Category(
    id="lambda_configuration",
    number=26,
    theme="services",
    area="lambda",
    title="Lambda Misconfiguration",
    severity="High",
    rule_set="aws",
    what="Lambda functions on deprecated runtimes, without an explicit timeout, without a dead-letter queue or failure destination when invoked asynchronously, or without a managed log group.",
    root_cause="Models reuse runtimes and minimal examples from their training data and do not follow invocation paths to their failure handling.",
    impact="Deprecated runtimes cannot be created or updated; the 3-second default timeout kills real work; failed async events are lost; log groups are created without retention outside Terraform.",
    fix="Use a supported runtime, set `timeout` (and `memory_size`), add `dead_letter_config` or `aws_lambda_function_event_invoke_config` destinations, and declare `/aws/lambda/<name>` log groups.",
    tables=("services_lambda_runtimes",),
    report_rules=(
        ReportRule(order=520, topic=True, strong=r"lambda|runtime|timeout|concurrency|step functions?"),
    ),
    title_rule=(
        r"lambda.{0,40}(runtime|timeout|dead|dlq|log group|deprecated)|deprecated runtime"
        r"|runtime.{0,20}(deprecated|outdated|end of life|eol)"
    ),
))


# Principals that invoke Lambda asynchronously (their failed events need a DLQ or destination).
_ASYNC_PRINCIPALS = ("sns.amazonaws.com", "s3.amazonaws.com", "events.amazonaws.com", "logs.", "ses.amazonaws.com",
                     "iot.amazonaws.com", "config.amazonaws.com", "cloudwatch.amazonaws.com", "scheduler.amazonaws.com")


def _deprecated() -> dict[str, str]:
    table = load_table("services_lambda_runtimes")
    as_of = dt.date.fromisoformat(table["as_of"])
    return {rt: d for rt, d in table["deprecated"].items() if dt.date.fromisoformat(d) <= as_of}


def _async_invoker(cfg: TerraformConfig, fn: Resource) -> str | None:
    # An SNS subscription delivers to the function asynchronously even where the answer shows no permission.
    for sub in cfg.resources_of("aws_sns_topic_subscription"):
        if attr_value(cfg, sub, "protocol") == "lambda" and fn.address in attr_refs(cfg, sub, "endpoint"):
            return "sns.amazonaws.com"
    for p in cfg.resources_of("aws_lambda_permission"):
        principal = attr_value(cfg, p, "principal")
        if isinstance(principal, str) and fn.address in attr_refs(cfg, p, "function_name") and any(
                principal.startswith(a) for a in _ASYNC_PRINCIPALS):
            return principal
    return None


def _failure_handled(cfg: TerraformConfig, fn: Resource) -> bool:
    for b in fn.children("dead_letter_config"):
        if "target_arn" in b.attributes:
            return True
    for cfgr in cfg.resources_of("aws_lambda_function_event_invoke_config"):
        if fn.address in attr_refs(cfg, cfgr, "function_name"):
            for dc in cfgr.children("destination_config"):
                if dc.children("on_failure"):
                    return True
    return False


def _has_log_group(cfg: TerraformConfig, fn: Resource, names: list[str]) -> bool:
    if any("log_group" in b.attributes for b in fn.children("logging_config")):
        return True
    fname = fn.attributes.get("function_name")
    if fname is None:
        return True  # not a valid function anyway; nothing to match
    wanted = fname.source.strip().strip('"')
    for src in names:
        if f"{fn.address}." in src:
            return True
        if "/aws/lambda/" in src and (wanted in src or "each." in src or "count.index" in src):
            return True
    return False


@detector(category="lambda_configuration")
def lambda_configuration(cfg: TerraformConfig):
    """Flags aws_lambda_function resources on a deprecated runtime (data: services_lambda_runtimes.json),
    functions invoked asynchronously (a permission for SNS, S3, EventBridge, ..., or an SNS
    subscription) with neither a
    dead_letter_config nor an on_failure destination, and (Low) functions without a timeout or without a
    declared /aws/lambda/<name> log group. A deprecated runtime the prompt names is the prompt's choice.

    Why: deprecated runtimes get no security patches and, after AWS blocks them, cannot be created or
    updated; failed asynchronous events are dropped after two retries unless they go somewhere.
    Fix: a supported runtime; dead_letter_config { target_arn } or aws_lambda_function_event_invoke_config
    with destination_config.on_failure.
    """
    deprecated = _deprecated()
    log_names = [lg.attributes["name"].source for lg in cfg.resources_of("aws_cloudwatch_log_group")
                 if "name" in lg.attributes]
    for fn in cfg.resources_of("aws_lambda_function"):
        rt = attr_value(cfg, fn, "runtime")
        if rt is UNRESOLVED:
            yield cannot_tell(fn, "runtime comes from an unresolved expression")
        elif isinstance(rt, str) and rt in deprecated and rt not in getattr(cfg.requirements, "runtimes", ()):
            # A runtime the prompt asks for by name is the prompt's choice, not the answer's mistake.
            yield hit(fn, f"{fn.address}: runtime {rt} is deprecated (since {deprecated[rt]})", "runtime")
        if "timeout" not in fn.attributes:
            yield hit(fn, f"{fn.address}: no timeout (defaults to 3 seconds)", severity="Low")
        if not _has_log_group(cfg, fn, log_names):
            yield hit(fn, f"{fn.address}: no aws_cloudwatch_log_group /aws/lambda/<function_name> (Lambda creates "
                          "one without retention outside Terraform)", severity="Low")
        invoker = _async_invoker(cfg, fn)
        if invoker and not _failure_handled(cfg, fn):
            yield hit(fn, f"{fn.address}: invoked asynchronously by {invoker} without dead_letter_config or "
                          "on_failure destination")
