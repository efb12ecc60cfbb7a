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

import re
import sys
from collections import Counter, defaultdict

from _corpus import shared_corpus

from drdata.corpus import load_corpus
from drdata.detectors.registry import FIRES, registry, run_detector
from drdata.hcl import parse_answer
from drdata.labeling.pair import match_fixed
from drdata.reports.human import parse_report

SERVICE_IDS = (
    "open_security_group", "hardcoded_secrets", "encryption_at_rest_missing", "encryption_in_transit_missing",
    "kms_key_rotation_missing", "kms_key_policy_gaps", "logging_audit_missing", "vpc_flow_logs_missing",
    "ec2_instance_hardening", "database_configuration", "messaging_configuration", "api_gateway_lb_wiring",
    "missing_monitoring_alarms", "lambda_configuration", "high_availability_missing",
)
SEVERITIES = ("Critical", "High", "Medium", "Low")

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
_OWN = {c: re.compile(rx, re.I) for c, rx in OWN_RULES.items()}


def measure(tasks) -> tuple[dict, dict, dict, dict]:
    dets = registry()
    rows: dict[str, Counter] = {c: Counter() for c in SERVICE_IDS}
    misses: dict[str, list[str]] = defaultdict(list)
    sev_parser: dict[str, Counter] = {c: Counter() for c in SERVICE_IDS}
    sev_union: dict[str, Counter] = {c: Counter() for c in SERVICE_IDS}
    for t in tasks:
        model = parse_answer(t.model_response)
        ideal = parse_answer(t.ideal_response)
        named, own = set(), set()
        for item in parse_report(t.failures_report):
            by_parser = item.category in rows
            by_own = {cid for cid, rx in _OWN.items() if rx.search(item.title)}
            if by_parser:
                named.add(item.category)
                if item.severity:
                    sev_parser[item.category][item.severity] += 1
            own |= by_own
            if item.severity:
                for cid in by_own | ({item.category} if by_parser else set()):
                    sev_union[cid][item.severity] += 1
        for cid in SERVICE_IDS:
            r = rows[cid]
            m = run_detector(dets[cid], model)
            i = run_detector(dets[cid], ideal)
            r["tasks"] += 1
            if not ideal.empty:
                r["ideal_n"] += 1
                r["ideal_fires"] += i.status == FIRES
            if not model.empty:
                r["model_n"] += 1
                r["model_fires"] += m.status == FIRES
            fixed = (m.status == FIRES and i.status != "unknown"
                     and bool(match_fixed(m.findings, i.findings if i.status == FIRES else [])))
            r["fixed"] += fixed
            for key, names in (("named", named), ("own", own)):
                if cid in names:
                    r[key] += 1
                    r[key + "_model_fires"] += m.status == FIRES
                    r[key + "_fixed"] += fixed
                    if m.status != FIRES:
                        misses[f"{cid}:{key}"].append(f"{t.id}({m.status})")
    return rows, misses, sev_parser, sev_union


def _pct(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def most_common(c: Counter) -> str:
    return max(SEVERITIES, key=lambda s: (c[s], -SEVERITIES.index(s))) if c else "-"


def main() -> None:
    tasks = load_corpus(shared_corpus() / "archive" / "tf-hcl")
    rows, misses, sev_parser, sev_union = measure(tasks)
    head = ("category", "fixed", "ideal_fires", "ideal_share", "model_share", "named", "recall", "recall_fixed",
            "named_own", "recall_own", "recall_own_fixed")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for cid in SERVICE_IDS:
        r = rows[cid]
        print(f"| {cid} | {r['fixed']} | {r['ideal_fires']}/{r['ideal_n']} | {_pct(r['ideal_fires'], r['ideal_n'])} | "
              f"{_pct(r['model_fires'], r['model_n'])} | {r['named']} | {_pct(r['named_model_fires'], r['named'])} | "
              f"{_pct(r['named_fixed'], r['named'])} | {r['own']} | {_pct(r['own_model_fires'], r['own'])} | "
              f"{_pct(r['own_fixed'], r['own'])} |")
    print(f"\n{len(tasks)} tasks. recall = named tasks whose MODEL answer the detector fires on; recall_fixed = "
          "named tasks labelled fixed. 'named' = report items mapped to the category by drdata.reports; "
          "'named_own' = item titles matching OWN_RULES (this script).")
    if "--misses" in sys.argv:
        for cid in SERVICE_IDS:
            print(f"\n{cid} missed (parser): {' '.join(misses[cid + ':named'])}")
            print(f"{cid} missed (own rules): {' '.join(misses[cid + ':own'])}")
    if "--severity" in sys.argv:
        print("\n| category | parser C/H/M/L | parser or own title rule C/H/M/L | most common |")
        print("|---|---|---|---|")
        for cid in SERVICE_IDS:
            p, u = sev_parser[cid], sev_union[cid]
            print(f"| {cid} | " + "/".join(str(p[s]) for s in SEVERITIES) + " | "
                  + "/".join(str(u[s]) for s in SEVERITIES) + f" | {most_common(u)} |")


if __name__ == "__main__":
    main()
