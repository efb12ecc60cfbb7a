"""open_security_group: world-open admin/database ports, all ports; 80/443 on load balancers stay clear."""

import pytest

from tests.catalog._cases import check_text

CASES = [
    ("ssh_inline", '''
resource "aws_security_group" "bastion" {
  name = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}''', "fires", "aws_security_group.bastion: ingress from 0.0.0.0/0 on port 22 (SSH)"),
    ("postgres_rule_resource", '''
resource "aws_security_group_rule" "db_in" {
  type              = "ingress"
  from_port         = 5432
  to_port           = 5432
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/8", "0.0.0.0/0"]
  security_group_id = "sg-123"
}''', "fires", "port 5432 (PostgreSQL)"),
    ("all_traffic_vpc_rule_ipv6", '''
resource "aws_vpc_security_group_ingress_rule" "everything" {
  security_group_id = "sg-1"
  ip_protocol       = "-1"
  cidr_ipv6         = "::/0"
}''', "fires", "ingress from ::/0 on all protocols and ports"),
    ("range_covering_rdp_via_var_default", '''
variable "open_cidr" {
  default = "0.0.0.0/0"
}
resource "aws_security_group" "wide" {
  ingress {
    from_port   = 3000
    to_port     = 4000
    protocol    = "tcp"
    cidr_blocks = [var.open_cidr]
  }
}''', "fires", "ports 3000-4000 (3306 MySQL/Aurora, 3389 RDP)"),
    ("instance_group_open_while_lb_exists", '''
resource "aws_lb" "web" {
  name            = "web"
  security_groups = [aws_security_group.lb.id]
}
resource "aws_security_group" "lb" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_security_group" "app" {
  ingress {
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_instance" "app" {
  ami                    = "ami-1"
  vpc_security_group_ids = [aws_security_group.app.id]
}''', "fires", "aws_security_group.app: instances behind a load balancer accept port 8080"),
    ("https_on_public_alb", '''
resource "aws_security_group" "alb" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    ipv6_cidr_blocks = ["::/0"]
  }
}''', "clear", ""),
    ("ssh_from_vpc_cidr_attribute", '''
resource "aws_vpc" "main" {
  cidr_block = "10.1.0.0/16"
}
resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
}''', "clear", ""),
    ("db_from_security_group", '''
resource "aws_security_group_rule" "db" {
  type                     = "ingress"
  from_port                = 3306
  to_port                  = 3306
  protocol                 = "tcp"
  source_security_group_id = "sg-app"
  security_group_id        = "sg-db"
}''', "clear", ""),
    ("egress_world_is_not_ingress", '''
resource "aws_security_group_rule" "out" {
  type              = "egress"
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = "sg-1"
}''', "clear", ""),
    ("icmp_from_world", '''
resource "aws_security_group" "ping" {
  ingress {
    from_port   = -1
    to_port     = -1
    protocol    = "icmp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}''', "clear", ""),
    ("ssh_from_variable_without_default", '''
variable "admin_cidr" {
  type = string
}
resource "aws_security_group" "admin" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}''', "unknown", "CIDR given by an unresolved expression"),
    ("world_on_variable_port", '''
variable "port" {
  type = number
}
resource "aws_security_group" "svc" {
  ingress {
    from_port   = var.port
    to_port     = var.port
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}''', "unknown", "ports that come from unresolved expressions"),
]


@pytest.mark.parametrize("hcl,status,expect", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_open_security_group(hcl, status, expect):
    check_text("open_security_group", hcl, status, expect)
