"""EC2 instances/launch templates allowing IMDSv1, and public IPs in private tiers."""

from __future__ import annotations

import re

from drdata.detectors.helpers import UNRESOLVED, attr_refs, attr_value, truthy
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Resource, TerraformConfig

CATEGORY = declare(Category(
    id="ec2_instance_hardening",
    number=21,
    theme="services",
    area="compute",
    title="EC2 Instance Hardening Missing",
    severity="High",
    rule_set="aws",
    what="Instances or launch templates allow IMDSv1 (no `metadata_options { http_tokens = \"required\" }`), or instances meant for private subnets get public IP addresses.",
    root_cause="IMDSv2 is opt-in in Terraform; models leave metadata options out and copy `associate_public_ip_address = true` from public examples.",
    impact="SSRF bugs can steal instance role credentials through IMDSv1; private workloads become reachable from the internet.",
    fix="Add `metadata_options { http_tokens = \"required\" }` to instances and launch templates, and keep private-tier instances and subnets without public IPs.",
    report_rules=(
        ReportRule(order=100, strong=(
            r"(root|ebs|block[_ ]device)[_ ]?(volumes?|devices?|disks?)?.{0,25}(unencrypted|encrypt\w*)|unencrypted (root|ebs|block)|imds\w*"
            r"|metadata (service|options)|associate_public_ip|public ip (address )?(on|for) (ec2|instances?)"
        )),
        ReportRule(order=460, topic=True, strong=(
            r"imds\w*|metadata (service|options)|\bec2\b|instance (profile|hardening|metadata)|\bebs\b|launch (template|config\w*)|user[_ ]?data"
            r"|public ips?|associate_public_ip|bastion|auto ?scaling|\basg\b|ssm|session manager|instance types?"
        )),
    ),
    title_rule=r"imds|metadata (service|options)|http_tokens|public ip|associate_public_ip",
))


def _private_subnet(cfg: TerraformConfig, res: Resource, attr: str = "subnet_id") -> str | None:
    for addr in sorted(attr_refs(cfg, res, attr)):
        if addr.startswith("aws_subnet.") and re.search(r"private|isolated", addr.split(".", 1)[1], re.I):
            return addr
    return None


@detector(category="ec2_instance_hardening")
def ec2_instance_hardening(cfg: TerraformConfig):
    """Flags aws_instance / aws_launch_template without metadata_options http_tokens = "required"
    (IMDSv1 allowed), instances in private subnets with public IPs, and private subnets that map public IPs.

    Why: IMDSv1 lets an SSRF bug read the instance role's credentials; public IPs expose private tiers.
    Unencrypted volumes belong to encryption_at_rest_missing.
    Fix: metadata_options { http_tokens = "required" }; associate_public_ip_address = false.
    """
    for res in cfg.resources_of("aws_instance", "aws_launch_template"):
        opts = res.children("metadata_options")
        if not opts:
            yield hit(res, f"{res.address}: no metadata_options (IMDSv1 allowed; set http_tokens = \"required\")")
            continue
        v = attr_value(cfg, opts[0], "http_tokens")
        if v is UNRESOLVED:
            yield cannot_tell(res, "metadata_options.http_tokens comes from an unresolved expression")
        elif v != "required":
            yield hit(res, f"{res.address}: metadata_options.http_tokens = {v or 'absent'} (IMDSv1 allowed)",
                      opts[0].attributes.get("http_tokens"))
    for res in cfg.resources_of("aws_instance"):
        if truthy(attr_value(cfg, res, "associate_public_ip_address")) is True:
            sub = _private_subnet(cfg, res)
            if sub:
                yield hit(res, f"{res.address}: associate_public_ip_address = true in private subnet {sub}",
                          "associate_public_ip_address")
    for sub in cfg.resources_of("aws_subnet"):
        if re.search(r"private|isolated", sub.name, re.I) and truthy(
                attr_value(cfg, sub, "map_public_ip_on_launch")) is True:
            yield hit(sub, f"{sub.address}: private subnet sets map_public_ip_on_launch = true",
                      "map_public_ip_on_launch")
    for lt in cfg.resources_of("aws_launch_template"):
        for ni in lt.children("network_interfaces"):
            if truthy(attr_value(cfg, ni, "associate_public_ip_address")) is True and _private_asg(cfg, lt):
                yield hit(lt, f"{lt.address}: network_interfaces.associate_public_ip_address = true for an Auto "
                              "Scaling group in private subnets", ni.attributes.get("associate_public_ip_address"))


def _private_asg(cfg: TerraformConfig, lt: Resource) -> bool:
    for asg in cfg.resources_of("aws_autoscaling_group"):
        refs = {r.address for r in asg.all_refs()}
        if lt.address in refs and any(a.startswith("aws_subnet.") and re.search(r"private", a, re.I) for a in refs):
            return True
    return False
