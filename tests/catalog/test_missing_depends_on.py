import pytest

from tests.catalog._cases import check, run

BUCKETS = '''
resource "aws_s3_bucket" "src" {
  bucket = "acme-src"
}
resource "aws_s3_bucket" "dst" {
  bucket = "acme-dst"
}
resource "aws_s3_bucket_versioning" "src" {
  bucket = aws_s3_bucket.src.id
  versioning_configuration {
    status = "Enabled"
  }
}
resource "aws_s3_bucket_versioning" "dst" {
  bucket = aws_s3_bucket.dst.id
  versioning_configuration {
    status = "Enabled"
  }
}
'''


def replication(depends_on: str = "", bucket: str = "aws_s3_bucket.src.id") -> str:
    return BUCKETS + f'''
resource "aws_s3_bucket_replication_configuration" "r" {{
  role   = "arn:aws:iam::111122223333:role/replication"
  bucket = {bucket}
  rule {{
    status = "Enabled"
    destination {{
      bucket = aws_s3_bucket.dst.arn
    }}
  }}
  {depends_on}
}}
'''


NETWORK = '''
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.v.id
}
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}
resource "aws_eip" "nat" {
  domain = "vpc"
  EIP_DEPENDS
}
resource "aws_nat_gateway" "nat" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id
  NAT_DEPENDS
}
'''

API = '''
resource "aws_api_gateway_rest_api" "api" {
  name = "api"
}
resource "aws_api_gateway_method" "get" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_rest_api.api.root_resource_id
  http_method   = "GET"
  authorization = "NONE"
}
resource "aws_api_gateway_integration" "get" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_rest_api.api.root_resource_id
  http_method = aws_api_gateway_method.get.http_method
  type        = "MOCK"
}
resource "aws_api_gateway_deployment" "d" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  DEPLOY_DEPENDS
}
'''

FLOW_LOG = '''
resource "aws_s3_bucket" "fl" {
  bucket = "acme-flow-logs"
}
resource "aws_s3_bucket_policy" "fl" {
  bucket = aws_s3_bucket.fl.id
  policy = "{}"
}
resource "aws_flow_log" "v" {
  vpc_id               = "vpc-123"
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.fl.arn
  FLOW_DEPENDS
}
'''

CONFIG = '''
resource "aws_config_configuration_recorder" "r" {
  name     = "r"
  role_arn = "arn:aws:iam::123456789012:role/config"
}
resource "aws_config_delivery_channel" "c" {
  name           = "c"
  s3_bucket_name = "config-bucket"
  CHANNEL_DEPENDS
}
'''

ALB_LOGS = '''
resource "aws_s3_bucket" "logs" {
  bucket = "alb-logs"
}
resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = "{}"
}
resource "aws_lb" "web" {
  name = "web"
  access_logs {
    bucket  = aws_s3_bucket.logs.id
    enabled = true
  }
  LB_DEPENDS
}
'''

ESM = '''
resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy_attachment" "p" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
}
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = aws_iam_role.fn.arn
  FN_DEPENDS
}
resource "aws_lambda_event_source_mapping" "m" {
  function_name    = aws_lambda_function.fn.arn
  event_source_arn = "arn:aws:sqs:us-east-1:123456789012:q"
  ESM_DEPENDS
}
'''

CASES = [
    ("replication-without-depends-on", replication(), "fires",
     ["aws_s3_bucket_replication_configuration.r"], "source bucket versioning (aws_s3_bucket_versioning.src)"),
    ("replication-only-source-versioning", replication("depends_on = [aws_s3_bucket_versioning.src]"), "fires",
     ["aws_s3_bucket_replication_configuration.r"], "destination bucket versioning (aws_s3_bucket_versioning.dst)"),
    ("nat-without-igw", NETWORK.replace("EIP_DEPENDS", "").replace("NAT_DEPENDS", ""), "fires",
     ["aws_nat_gateway.nat"], "internet gateway of the VPC (aws_internet_gateway.igw)"),
    ("eip-on-instance-without-igw", NETWORK.replace("EIP_DEPENDS", 'instance = "i-0abc"')
     .replace("NAT_DEPENDS", "depends_on = [aws_internet_gateway.igw]"), "fires", ["aws_eip.nat"], None),
    ("api-deployment-before-integration", API.replace("DEPLOY_DEPENDS", ""), "fires",
     ["aws_api_gateway_deployment.d"], "aws_api_gateway_integration.get"),
    # AWS writes the delivery statements itself when the flow log comes first: the pair rule judges this one.
    ("flow-log-before-bucket-policy", FLOW_LOG.replace("FLOW_DEPENDS", ""), "clear", [], None),
    ("replication-depends-on-both",
     replication("depends_on = [aws_s3_bucket_versioning.src, aws_s3_bucket_versioning.dst]"), "clear", [], None),
    # A reference to the prerequisite itself orders as well as depends_on does.
    ("replication-references-versioning",
     replication("depends_on = [aws_s3_bucket_versioning.dst]", bucket="aws_s3_bucket_versioning.src.bucket"),
     "clear", [], None),
    ("network-with-depends-on",
     NETWORK.replace("EIP_DEPENDS", "depends_on = [aws_internet_gateway.igw]")
     .replace("NAT_DEPENDS", "depends_on = [aws_internet_gateway.igw]"), "clear", [], None),
    ("api-triggers-reference-integration",
     API.replace("DEPLOY_DEPENDS", "triggers = { redeploy = sha1(jsonencode([aws_api_gateway_integration.get.id])) }"),
     "clear", [], None),
    ("flow-log-with-depends-on", FLOW_LOG.replace("FLOW_DEPENDS", "depends_on = [aws_s3_bucket_policy.fl]"),
     "clear", [], None),
    ("prerequisite-absent", 'resource "aws_eip" "e" {\n  domain   = "vpc"\n  instance = "i-0abc"\n}\n',
     "clear", [], None),
    ("flow-log-to-cloudwatch", FLOW_LOG.replace('"s3"', '"cloud-watch-logs"').replace("FLOW_DEPENDS", ""),
     "clear", [], None),
    ("config-channel-before-recorder", CONFIG.replace("CHANNEL_DEPENDS", ""), "fires",
     ["aws_config_delivery_channel.c"], "configuration recorder (aws_config_configuration_recorder.r)"),
    ("config-channel-after-recorder", CONFIG.replace("CHANNEL_DEPENDS",
     "depends_on = [aws_config_configuration_recorder.r]"), "clear", [], None),
    ("alb-logs-before-bucket-policy", ALB_LOGS.replace("LB_DEPENDS", ""), "fires", ["aws_lb.web"],
     "access-log bucket policy (aws_s3_bucket_policy.logs)"),
    ("alb-logs-disabled", ALB_LOGS.replace("LB_DEPENDS", "").replace("enabled = true", "enabled = false"), "clear",
     [], None),
    ("event-source-mapping-before-role-policy", ESM.replace("ESM_DEPENDS", "").replace("FN_DEPENDS", ""), "fires",
     ["aws_lambda_event_source_mapping.m"], "policy attachment of the function's role"),
    # An order through a chain of references: the mapping refers to the function, which depends on the policy.
    ("event-source-mapping-ordered-through-the-function",
     ESM.replace("ESM_DEPENDS", "").replace("FN_DEPENDS", "depends_on = [aws_iam_role_policy_attachment.p]"),
     "clear", [], None),
    ("access-logs-unresolved", ALB_LOGS.replace("LB_DEPENDS", "").replace("enabled = true", "enabled = var.on")
     + 'variable "on" {}\n', "unknown", [], "cannot tell whether it needs the access-log bucket policy"),
]


@pytest.mark.parametrize("hcl,status,addresses,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_missing_depends_on(hcl, status, addresses, fragment):
    check(run("missing_depends_on", hcl), status, addresses, fragment)


def test_nat_gateway_links_to_the_igw_of_its_own_vpc():
    # The only IGW belongs to another VPC: nothing for this NAT gateway to wait for.
    hcl = NETWORK.replace("EIP_DEPENDS", "depends_on = [aws_internet_gateway.igw]").replace("NAT_DEPENDS", "")
    hcl = hcl.replace('resource "aws_subnet" "public" {\n  vpc_id     = aws_vpc.v.id',
                      'resource "aws_vpc" "other" {\n  cidr_block = "10.1.0.0/16"\n}\n'
                      'resource "aws_subnet" "public" {\n  vpc_id     = aws_vpc.other.id')
    check(run("missing_depends_on", hcl), "clear")


TRAIL_CWL = '''
resource "aws_iam_role" "trail" {
  name               = "trail"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "trail" {
  role   = aws_iam_role.trail.id
  policy = "{}"
}
resource "aws_cloudtrail" "t" {
  name                      = "t"
  s3_bucket_name            = "trail-bucket"
  cloud_watch_logs_role_arn = aws_iam_role.trail.arn
  TRAIL_DEPENDS
}
'''


def test_a_trail_checks_its_cloudwatch_role_can_write_at_creation():
    check(run("missing_depends_on", TRAIL_CWL.replace("TRAIL_DEPENDS", "")), "fires", ["aws_cloudtrail.t"],
          "policy of its CloudWatch Logs role")
    check(run("missing_depends_on", TRAIL_CWL.replace("TRAIL_DEPENDS", "depends_on = [aws_iam_role_policy.trail]")),
          "clear")
