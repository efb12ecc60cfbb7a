"""API Gateway and load balancer pieces that are created but not connected."""

from __future__ import annotations

from drdata.detectors.helpers import attr_refs, attr_value, block_refs
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="api_gateway_lb_wiring",
    number=24,
    theme="services",
    area="network",
    title="API Gateway / Load Balancer Wiring Broken",
    severity="High",
    rule_set="aws",
    what="Pieces that must be connected are not: REST deployments without a stage or ordering on the methods, HTTP APIs without a stage, Lambda integrations without an invoke permission, target groups with no targets or no health check.",
    root_cause="API Gateway and ELB need several small resources wired together; models write the main ones and miss the glue.",
    impact="The API or load balancer is created but unreachable (403/500/503), or the deployment fails because the API has no methods yet.",
    fix="Add `aws_api_gateway_stage` (or `aws_apigatewayv2_stage`), `depends_on`/`triggers` on deployments, `aws_lambda_permission` for `apigateway.amazonaws.com`, target registrations and explicit `health_check` blocks.",
    report_rules=(
        ReportRule(order=500, topic=True, strong=(
            r"api[_ ]?gateway|apigateway|load[_ ]?balanc\w*|\balb\b|\bnlb\b|\belb\b|target groups?|listeners?|health[_ ]?checks?|\bstage\b"
            r"|cloudfront|\bwaf\b|route ?53|\bdns\b|\bcors\b|endpoints?"
        )),
    ),
    title_rule=(
        r"api gateway.{0,40}(stage|deployment|integration|permission|wiring)"
        r"|deployment.{0,20}stage|target group.{0,30}(attach|target|registr|health)"
        r"|health check|lambda permission|invoke permission"
    ),
))


# Resources that register targets in a target group (by referring to it).
_REGISTRARS = ("aws_lb_target_group_attachment", "aws_alb_target_group_attachment", "aws_autoscaling_group",
               "aws_autoscaling_attachment", "aws_ecs_service", "aws_autoscaling_traffic_source_attachment",
               "aws_codedeploy_deployment_group", "aws_eks_node_group")
_API_PARTS = ("aws_api_gateway_method", "aws_api_gateway_integration", "aws_api_gateway_resource",
              "aws_api_gateway_integration_response", "aws_api_gateway_method_response")


def _lambda_permitted(cfg: TerraformConfig, fn: str, principal: str) -> bool:
    for p in cfg.resources_of("aws_lambda_permission"):
        if fn in attr_refs(cfg, p, "function_name") and principal in str(p.get("principal", "")):
            return True
    return False


@detector(category="api_gateway_lb_wiring")
def api_gateway_lb_wiring(cfg: TerraformConfig):
    """Flags REST deployments without a stage, with both stage_name and an aws_api_gateway_stage of their
    own, or without ordering on the API's methods, HTTP/WebSocket
    APIs without a stage, Lambda proxy integrations without an apigateway invoke permission, target groups
    that nothing registers targets in, and target groups without a health_check block.

    Why: each gap leaves an API or load balancer that deploys but answers 403/500/503, or a deployment that
    fails because the API has no methods yet.
    Fix: aws_api_gateway_stage / aws_apigatewayv2_stage, depends_on or triggers on the deployment,
    aws_lambda_permission for apigateway.amazonaws.com, target registrations, explicit health_check.
    """
    stages = cfg.resources_of("aws_api_gateway_stage")
    for dep in cfg.resources_of("aws_api_gateway_deployment"):
        own_stages = [s for s in stages if dep.address in attr_refs(cfg, s, "deployment_id")]
        if "stage_name" not in dep.attributes and not own_stages:
            yield hit(dep, f"{dep.address}: no aws_api_gateway_stage uses this deployment (API is not invocable)")
        elif "stage_name" in dep.attributes and own_stages:
            yield hit(dep, f"{dep.address}: sets stage_name while {own_stages[0].address} also manages a stage of "
                           "this deployment (the two conflict over the stage)", "stage_name")
        refs = block_refs(cfg, dep) | {r.address for r in dep.all_refs()}
        ordered = "depends_on" in dep.attributes or "triggers" in dep.attributes or any(
            a.split(".")[0] in _API_PARTS for a in refs)
        if not ordered and cfg.resources_of("aws_api_gateway_method"):
            yield hit(dep, f"{dep.address}: no depends_on/triggers on the API's methods and integrations "
                           "(may deploy before they exist, and is not redeployed when they change)")
    v2_stages = cfg.resources_of("aws_apigatewayv2_stage")
    for api in cfg.resources_of("aws_apigatewayv2_api"):
        if "target" in api.attributes:
            continue  # quick create makes a $default stage
        if not any(api.address in attr_refs(cfg, s, "api_id") for s in v2_stages):
            yield hit(api, f"{api.address}: no aws_apigatewayv2_stage (API is not invocable)")
    for integ in cfg.resources_of("aws_api_gateway_integration", "aws_apigatewayv2_integration"):
        uri_attr = "uri" if integ.resource_type == "aws_api_gateway_integration" else "integration_uri"
        for fn in sorted(a for a in attr_refs(cfg, integ, uri_attr) if a.startswith("aws_lambda_function.")):
            if not _lambda_permitted(cfg, fn, "apigateway"):
                yield hit(integ, f"{integ.address}: invokes {fn} but no aws_lambda_permission lets "
                                 "apigateway.amazonaws.com call it", uri_attr)
    registered = {a for r in cfg.resources_of(*_REGISTRARS) for a in block_refs(cfg, r)}
    # registrations through module variables (local modules) cannot be followed
    opaque = [r for r in cfg.resources_of(*_REGISTRARS)
              if any(a.startswith(("var.", "module.")) for n in ("target_group_arns", "target_group_arn",
                                                                   "lb_target_group_arn") for a in attr_refs(cfg, r, n))]
    for tg in cfg.resources_of("aws_lb_target_group", "aws_alb_target_group"):
        ttype = attr_value(cfg, tg, "target_type", "instance")
        used = any(tg.address in block_refs(cfg, lst) for lst in cfg.resources_of(
            "aws_lb_listener", "aws_alb_listener", "aws_lb_listener_rule", "aws_alb_listener_rule"))
        if used and tg.address not in registered and ttype != "alb":
            if opaque:
                yield cannot_tell(tg, f"{opaque[0].address} registers target groups given by a variable")
                continue
            yield hit(tg, f"{tg.address}: receives listener traffic but nothing registers targets in it")
        if not tg.children("health_check") and ttype != "lambda":
            yield hit(tg, f"{tg.address}: no health_check block (defaults probe / on the traffic port)")
