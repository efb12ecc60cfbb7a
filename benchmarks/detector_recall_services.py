"""Measure the AWS service detectors on the shared corpus (both sides of every tf-hcl task).

Per category: tasks labelled fixed (MODEL has a finding the IDEAL lacks, matched as the labeler does), the
share of IDEAL and MODEL answers it fires on, and recall against the tasks whose human report names the
category: 'named' uses the report parser's mapping (drdata.reports: parse_report + .category); 'named_own'
uses this script's stricter title rules (OWN_RULES). Severity evidence counts the items matched by either.

    .venv/bin/python benchmarks/detector_recall_services.py            # the table
    .venv/bin/python benchmarks/detector_recall_services.py --misses   # plus named-but-missed task ids
    .venv/bin/python benchmarks/detector_recall_services.py --severity # plus severity counts (markdown)
"""

from __future__ import annotations

import sys

from _corpus import shared_corpus
from _recall import print_report

from drdata.corpus import load_corpus

SERVICE_IDS = (
    "open_security_group", "hardcoded_secrets", "encryption_at_rest_missing", "encryption_in_transit_missing",
    "kms_key_rotation_missing", "kms_key_policy_gaps", "logging_audit_missing", "vpc_flow_logs_missing",
    "ec2_instance_hardening", "database_configuration", "messaging_configuration", "api_gateway_lb_wiring",
    "missing_monitoring_alarms", "lambda_configuration", "high_availability_missing",
)

# Title rules naming the failure itself (the report mapping is deliberately broad).
OWN_RULES = {
    "open_security_group": r"security group.{0,40}(open|0\.0\.0\.0|permissive|wide|unrestricted|public|internet"
                           r"|world|ssh|rdp)|(open|unrestricted|permissive|public).{0,30}(ssh|rdp|port 22"
                           r"|security group|ingress)|0\.0\.0\.0/0",
    "hardcoded_secrets": r"hard[- ]?coded.{0,30}(password|secret|credential|key|token)|(password|secret|credential)s?"
                         r".{0,30}(hard[- ]?coded|plain ?text|exposed|literal|in code|default)"
                         r"|plaintext (password|secret)|sensitive output|not marked sensitive",
    "encryption_at_rest_missing": r"encrypt\w* at rest|at[- ]rest|(storage|ebs|rds|volume|sns|efs|elasticache"
                                  r"|kinesis).{0,30}encrypt|encrypt\w*.{0,30}(storage|ebs|rds|volume|sns|efs)"
                                  r"|unencrypted|storage_encrypted",
    "encryption_in_transit_missing": r"in[- ]transit|https|\btls\b|\bssl\b|securetransport|secure transport"
                                     r"|http listener|redirect",
    "kms_key_rotation_missing": r"key rotation|rotation.{0,20}(kms|key)|enable_key_rotation",
    "kms_key_policy_gaps": r"kms.{0,30}polic|key polic|kms.{0,40}(principal|permission)"
                           r"|(logs|cloudwatch|cloudtrail|sns).{0,40}kms.{0,30}(access|permission|polic)",
    "logging_audit_missing": r"access log|log retention|retention_in_days|logging (missing|not)|missing logging"
                             r"|no logging|log exports|cloudwatch logs? export",
    "vpc_flow_logs_missing": r"flow ?logs?",
    "ec2_instance_hardening": r"imds|metadata (service|options)|http_tokens|public ip|associate_public_ip",
    "database_configuration": r"(rds|database|\bdb\b|aurora).{0,40}(public|subnet group|username|reserved)"
                              r"|publicly_accessible|reserved (word|username)|master username|db_subnet_group",
    "messaging_configuration": r"dead[- ]letter|\bdlq\b|redrive|sns subscription|\.fifo|visibility timeout"
                               r"|sqs (queue )?polic",
    "api_gateway_lb_wiring": r"api gateway.{0,40}(stage|deployment|integration|permission|wiring)"
                             r"|deployment.{0,20}stage|target group.{0,30}(attach|target|registr|health)"
                             r"|health check|lambda permission|invoke permission",
    "missing_monitoring_alarms": r"alarm|monitoring|cloudwatch metric",
    "lambda_configuration": r"lambda.{0,40}(runtime|timeout|dead|dlq|log group|deprecated)|deprecated runtime"
                            r"|runtime.{0,20}(deprecated|outdated|end of life|eol)",
    "high_availability_missing": r"high availability|multi[- ]az|single (nat|az|point|instance)|failover"
                                 r"|redundan",
}


def main() -> None:
    print_report(load_corpus(shared_corpus() / "archive" / "tf-hcl"), SERVICE_IDS, OWN_RULES, sys.argv[1:])


if __name__ == "__main__":
    main()
