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

METHOD_INTEGRATION = """
resource "aws_api_gateway_rest_api" "api" {
  name = "api"
}
resource "aws_api_gateway_resource" "users" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "users"
}
resource "aws_api_gateway_method" "get" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.users.id
  http_method   = "GET"
  authorization = "NONE"
}
resource "aws_api_gateway_integration" "get" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  resource_id = aws_api_gateway_resource.users.id
  http_method = HTTP_METHOD
  type        = "MOCK"
}
"""

CERTIFICATE = """
resource "aws_acm_certificate" "site" {
  domain_name       = "example.com"
  validation_method = "DNS"
}
resource "aws_acm_certificate_validation" "site" {
  certificate_arn = aws_acm_certificate.site.arn
}
resource "aws_lb_listener" "https" {
  load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/a/1"
  port              = 443
  protocol          = "HTTPS"
  certificate_arn   = CERT
}
"""

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
    # PutIntegration needs the method: a literal http_method leaves Terraform free to create it first.
    ("integration-before-its-method", METHOD_INTEGRATION.replace("HTTP_METHOD", '"GET"'), "fires",
     ["aws_api_gateway_integration.get"], "no depends_on or reference to the method it integrates"),
    ("integration-names-its-method", METHOD_INTEGRATION.replace("HTTP_METHOD", "aws_api_gateway_method.get.http_method"),
     "clear", [], None),
    # A listener takes only an issued certificate: the DNS-validated one is issued after its validation.
    ("listener-before-certificate-validation", CERTIFICATE.replace("CERT", "aws_acm_certificate.site.arn"), "fires",
     ["aws_lb_listener.https"], "validation of its ACM certificate"),
    ("listener-after-certificate-validation",
     CERTIFICATE.replace("CERT", "aws_acm_certificate_validation.site.certificate_arn"), "clear", [], None),
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


def test_an_order_passed_through_module_inputs_and_outputs():
    # The trail module gets its role from the iam module's output: the trail is linked to that role, and the
    # chain (var -> module.iam.role_arn -> aws_iam_role.r) orders it after the role, not after its policy.
    from drdata.detectors import registry, run_detector
    from drdata.hcl import parse_answer

    files = {
        "main.tf": 'module "iam" {\n  source = "./modules/iam"\n}\nmodule "trail" {\n  source   = "./modules/trail"\n'
                   '  role_arn = module.iam.role_arn\n}\n',
        "modules/iam/main.tf": 'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = "{}"\n}\n'
                               'resource "aws_iam_role_policy" "p" {\n  role   = aws_iam_role.r.id\n  policy = "{}"\n}\n'
                               'output "role_arn" {\n  value = aws_iam_role.r.arn\n}\n',
        "modules/trail/main.tf": 'variable "role_arn" {\n  type = string\n}\nresource "aws_cloudtrail" "t" {\n'
                                 '  name                      = "t"\n  s3_bucket_name            = "b"\n'
                                 '  cloud_watch_logs_role_arn = var.role_arn\n}\n',
    }
    answer = "".join(f"## {name}\n\n```hcl\n{text}```\n\n" for name, text in files.items())
    out = run_detector(registry()["missing_depends_on"], parse_answer(answer, cache=False))
    check(out, "fires", ["aws_cloudtrail.t"], "policy of its CloudWatch Logs role")


@pytest.mark.parametrize("nat_depends,status", [
    ("", "fires"),
    # depends_on a whole module orders the NAT gateway after every resource of it, the IGW included.
    ("  depends_on    = [module.vpc]\n", "clear"),
])
def test_depends_on_a_module_orders_after_all_its_resources(nat_depends, status):
    from drdata.detectors import registry, run_detector
    from drdata.hcl import parse_answer

    files = {
        "main.tf": 'module "vpc" {\n  source = "./modules/vpc"\n}\nresource "aws_eip" "nat" {\n  domain = "vpc"\n}\n'
                   'resource "aws_nat_gateway" "nat" {\n  allocation_id = aws_eip.nat.id\n'
                   f'  subnet_id     = module.vpc.public_subnet_id\n{nat_depends}}}\n',
        "modules/vpc/main.tf": 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n'
                               'resource "aws_internet_gateway" "igw" {\n  vpc_id = aws_vpc.v.id\n}\n'
                               'resource "aws_subnet" "public" {\n  vpc_id     = aws_vpc.v.id\n'
                               '  cidr_block = "10.0.1.0/24"\n}\n'
                               'output "public_subnet_id" {\n  value = aws_subnet.public.id\n}\n',
    }
    answer = "".join(f"## {name}\n\n```hcl\n{text}```\n\n" for name, text in files.items())
    out = run_detector(registry()["missing_depends_on"], parse_answer(answer, cache=False))
    check(out, status, ["aws_nat_gateway.nat"] if status == "fires" else [], None)


_DB_LOGS = '''
resource "aws_db_instance" "db" {
  identifier                      = "orders-db"
  engine                          = "postgres"
  enabled_cloudwatch_logs_exports = ["postgresql"]
DB_DEPENDS}
resource "aws_cloudwatch_log_group" "db" {
  name = LOG_NAME
}
'''


@pytest.mark.parametrize("log_name,db_depends,status", [
    # The group is named after the instance, so Terraform creates it after the instance, which has already
    # created it: ResourceAlreadyExistsException.
    ('"/aws/rds/instance/${aws_db_instance.db.identifier}/postgresql"', "", "fires"),
    # Named without referring to the instance, and the instance waits for it.
    ('"/aws/rds/instance/orders-db/postgresql"', "  depends_on = [aws_cloudwatch_log_group.db]\n", "clear"),
])
def test_a_database_exporting_logs_after_the_group_named_after_it(log_name, db_depends, status):
    hcl = _DB_LOGS.replace("LOG_NAME", log_name).replace("DB_DEPENDS", db_depends)
    check(run("missing_depends_on", hcl), status, ["aws_db_instance.db"] if status == "fires" else [],
          "log group of the logs it exports" if status == "fires" else None)


@pytest.mark.parametrize("filename,status", [
    ('"fn.zip"', "fires"),  # the same path, no reference: Terraform may upload before the file is written
    ("local_file.pkg.filename", "clear"),
])
def test_a_function_after_the_local_file_that_writes_its_package(filename, status):
    hcl = ('resource "local_file" "pkg" {\n  filename = "fn.zip"\n  content  = "x"\n}\n'
           f'resource "aws_lambda_function" "f" {{\n  function_name = "f"\n  filename      = {filename}\n}}\n')
    check(run("missing_depends_on", hcl), status, ["aws_lambda_function.f"] if status == "fires" else [],
          "local_file that writes its package" if status == "fires" else None)


_OBJECT = ('resource "aws_s3_bucket" "art" {\n  bucket = "artifacts"\n}\n'
           'resource "aws_s3_object" "obj" {\n  bucket = aws_s3_bucket.art.id\n  key    = "KEY"\n'
           '  source = "x"\n}\n')


@pytest.mark.parametrize("s3_key,status", [
    ('"pkg/fn.zip"', "fires"),  # the same key as a literal: nothing orders the upload first
    ("aws_s3_object.obj.key", "clear"),  # the reference orders it
    ('"other/fn.zip"', "clear"),  # another object (built elsewhere)
])
def test_a_function_after_the_s3_object_of_its_package(s3_key, status):
    hcl = _OBJECT.replace("KEY", "pkg/fn.zip") + (
        f'resource "aws_lambda_function" "f" {{\n  function_name = "f"\n  s3_bucket     = aws_s3_bucket.art.id\n'
        f'  s3_key        = {s3_key}\n}}\n')
    check(run("missing_depends_on", hcl), status, ["aws_lambda_function.f"] if status == "fires" else [],
          "S3 object holding its package" if status == "fires" else None)


@pytest.mark.parametrize("depends,key,status", [
    ("", "scripts/bootstrap.sh", "fires"),  # the path embeds the key; no order
    ("  depends_on = [aws_s3_object.obj]\n", "scripts/bootstrap.sh", "clear"),
    ("", "scripts/other.sh", "clear"),  # a script the answer does not upload
])
def test_an_emr_cluster_after_the_objects_its_bootstrap_actions_run(depends, key, status):
    hcl = _OBJECT.replace("KEY", key) + (
        'resource "aws_emr_cluster" "c" {\n  name = "c"\n  bootstrap_action {\n    name = "tools"\n'
        '    path = "s3://${aws_s3_bucket.art.id}/scripts/bootstrap.sh"\n  }\n' + depends + "}\n")
    check(run("missing_depends_on", hcl), status, ["aws_emr_cluster.c"] if status == "fires" else [],
          "S3 object of its bootstrap script" if status == "fires" else None)
