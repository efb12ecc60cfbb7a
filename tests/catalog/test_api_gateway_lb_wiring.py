"""api_gateway_lb_wiring: stages, deployment ordering, invoke permissions, target registration, health checks."""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("deployment_without_stage", '''
resource "aws_api_gateway_rest_api" "api" {
  name = "api"
}
resource "aws_api_gateway_deployment" "d" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  triggers = {
    redeploy = "1"
  }
}''', "fires", "aws_api_gateway_deployment.d: no aws_api_gateway_stage uses this deployment"),
    ("deployment_without_ordering", '''
resource "aws_api_gateway_method" "get" {
  rest_api_id   = "api"
  resource_id   = "r"
  http_method   = "GET"
  authorization = "NONE"
}
resource "aws_api_gateway_deployment" "d" {
  rest_api_id = "api"
}
resource "aws_api_gateway_stage" "prod" {
  stage_name    = "prod"
  rest_api_id   = "api"
  deployment_id = aws_api_gateway_deployment.d.id
}''', "fires", "no depends_on/triggers on the API's methods"),
    ("lambda_integration_without_permission", '''
resource "aws_lambda_function" "h" {
  function_name = "h"
}
resource "aws_apigatewayv2_integration" "i" {
  api_id           = "a"
  integration_type = "AWS_PROXY"
  integration_uri  = aws_lambda_function.h.invoke_arn
}''', "fires", "invokes aws_lambda_function.h but no aws_lambda_permission"),
    ("http_api_without_stage", '''
resource "aws_apigatewayv2_api" "http" {
  name          = "http"
  protocol_type = "HTTP"
}''', "fires", "aws_apigatewayv2_api.http: no aws_apigatewayv2_stage"),
    ("target_group_without_targets_or_health_check", '''
resource "aws_lb_target_group" "app" {
  port     = 80
  protocol = "HTTP"
}
resource "aws_lb_listener" "l" {
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}''', "fires", "aws_lb_target_group.app: receives listener traffic but nothing registers targets"),
    ("deployment_stage_name_and_stage_resource", '''
resource "aws_api_gateway_deployment" "d" {
  rest_api_id = "api"
  stage_name  = "prod"
  triggers = {
    redeploy = "2"
  }
}
resource "aws_api_gateway_stage" "prod" {
  stage_name    = "prod"
  rest_api_id   = "api"
  deployment_id = aws_api_gateway_deployment.d.id
}''', "fires", "sets stage_name while aws_api_gateway_stage.prod also manages a stage"),
    ("wired_rest_api", '''
resource "aws_lambda_function" "h" {
  function_name = "h"
}
resource "aws_lambda_permission" "apigw" {
  function_name = aws_lambda_function.h.function_name
  principal     = "apigateway.amazonaws.com"
  action        = "lambda:InvokeFunction"
}
resource "aws_api_gateway_integration" "i" {
  rest_api_id = "api"
  type        = "AWS_PROXY"
  uri         = aws_lambda_function.h.invoke_arn
}
resource "aws_api_gateway_deployment" "d" {
  rest_api_id = "api"
  depends_on  = [aws_api_gateway_integration.i]
}
resource "aws_api_gateway_stage" "prod" {
  stage_name    = "prod"
  rest_api_id   = "api"
  deployment_id = aws_api_gateway_deployment.d.id
}''', "clear", ""),
    ("asg_registers_and_health_check", '''
resource "aws_lb_target_group" "app" {
  port = 80
  health_check {
    path = "/health"
  }
}
resource "aws_lb_listener" "l" {
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
resource "aws_autoscaling_group" "asg" {
  min_size          = 2
  max_size          = 4
  target_group_arns = [aws_lb_target_group.app.arn]
}''', "clear", ""),
    ("quick_create_http_api", '''
resource "aws_apigatewayv2_api" "q" {
  name          = "q"
  protocol_type = "HTTP"
  target        = "arn:aws:lambda:us-east-1:111122223333:function:f"
}''', "clear", ""),
    ("registration_through_variable", '''
variable "tg_arns" {
  type = list(string)
}
resource "aws_lb_target_group" "app" {
  port = 80
  health_check {
    path = "/"
  }
}
resource "aws_lb_listener" "l" {
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
resource "aws_autoscaling_group" "asg" {
  target_group_arns = var.tg_arns
}''', "unknown", "registers target groups given by a variable"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_api_gateway_lb_wiring(hcl, status, expect):
    check_text("api_gateway_lb_wiring", hcl, status, expect)
