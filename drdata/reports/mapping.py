"""Map a report item to one taxonomy category with keyword rules kept as data.

The title decides first: the first rule (in ``RULES`` order) whose *strong*
pattern matches the title wins. A title that only matches a *weak* pattern
("Missing Critical Resources" could mean an undefined reference or a truncated
answer) lets the body overrule it when the body clearly points elsewhere. With
no title match the body (code already stripped) decides by counting matches per
category, then the enclosing section heading. Otherwise ``other``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The category ids the rules may produce. The 12 reference ids come first, then the ids other detectors implement.
# Adding a category = one id here plus its rule below.
CATEGORY_IDS: tuple[str, ...] = (
    "external_module_dependency", "undefined_reference", "wildcard_iam_permissions", "deletion_protection_enabled",
    "missing_environment_suffix", "lambda_package_missing", "s3_bucket_security_missing", "outdated_engine_version",
    "missing_depends_on", "performance_insights_unsupported", "incomplete_tagging", "kms_key_alias_missing",
    "open_security_group", "hardcoded_secrets", "encryption_at_rest_missing", "encryption_in_transit_missing",
    "kms_key_rotation_missing", "kms_key_policy_gaps", "logging_audit_missing", "vpc_flow_logs_missing",
    "ec2_instance_hardening", "database_configuration", "messaging_configuration", "api_gateway_lb_wiring",
    "missing_monitoring_alarms", "lambda_configuration", "high_availability_missing", "hcl_syntax_error",
    "truncated_answer", "provider_configuration_error", "provider_version_constraints", "region_configuration",
    "backend_state_configuration", "variable_quality", "missing_outputs", "hardcoded_values", "missing_local_files",
    "deprecated_arguments", "naming_rule_violation", "s3_lifecycle_rule_without_filter", "backup_retention_missing",
    "lifecycle_misuse", "unknown_resource_type", "unsupported_argument", "missing_required_argument",
    "nested_block_limits",
)
OTHER = "other"
TOPICS = "--topics--"  # marker in RULES: rules after it are topic nouns, decided by position in the title
# Topics that name a kind of failure rather than a service: "Security group naming" is about naming.
KIND_TOPICS = frozenset({
    "naming_rule_violation", "incomplete_tagging", "missing_outputs", "backup_retention_missing", "deprecated_arguments",
    "hcl_syntax_error",
})


@dataclass(frozen=True)
class Rule:
    category: str
    strong: str  # regex; a title match decides
    weak: str | None = None  # regex; a title match decides only if the body does not point elsewhere


# Order matters for titles: more specific rules come before the broad ones they overlap with.
RULES: tuple[Rule, ...] = (
    # Not code failures: tests, documentation, process. Title only, and only when the title starts with it
    # ("Deletion Protection Enabled (Testing Blocker)" stays a code failure).
    Rule(OTHER,
         r"^\W*(?:(?:missing|no|inadequate|incomplete|insufficient|wrong|incorrect|failing|comprehensive|lack|of|and|poor"
         r"|limited|weak|broken|placeholder|basic|proper|complete)\W+){0,3}(unit tests?|integration tests?|tests?( suite| coverage"
         r"| files?| cases?)?|testing|jest|readme|documentation|docs|comments|explanations?|turns?|reasoning|code quality)\b"
         r"|^\W*(?:[\w-]+\W+){0,4}(documentation|docs|comments|readme)\W*$"),  # separators required: linear time
    # The schema categories: names terraform rejects. Before the service rules ("VPC Flow Logs: Unsupported
    # Argument" is about the argument), hcl_syntax_error's "unsupported block" and undefined_reference's
    # "non-existent data", which they refine.
    Rule("unknown_resource_type",
         r"(invalid|non-?existent|unsupported|unknown|hallucinated|fake|made-up|fictional|wrong|incorrect) (aws )?"
         r"(resource|data source) types?|(invalid|non-?existent|unsupported|unknown|hallucinated|fake|fictional) "
         r"data sources?\b|(resource|data source) types? (that )?(does not|doesn't|do not|don't) exist"
         r"|does not support (resource|data source)|invalid data source usage"),
    Rule("missing_required_argument",
         r"(missing|absent|omitted|lacks?|without) (the |a )?required (arguments?|parameters?|attributes?|fields?|"
         r"blocks?|properties)|required (arguments?|parameters?|attributes?|fields?|blocks?) (is |are )?(missing|"
         r"absent|omitted|not (set|provided|specified))"),
    Rule("nested_block_limits",
         r"too many \w+ blocks|max_?items|only one \w+ block|(duplicate|multiple|repeated|two) \w+ blocks? "
         r"(where|when) (only )?one"),
    Rule("unsupported_argument",
         r"(invalid|unsupported|unknown|unexpected|non-?existent|hallucinated|made-up) (\w+ ){0,2}(arguments?|"
         r"parameters?|block types?)(?! group| store)( names?)?\b|not expected here|arguments? (that )?(does not|"
         r"doesn't) exist|can'?t configure a value"),
    Rule("missing_environment_suffix",
         r"environment[_ ]?suffix|env[_ ]?suffix|\bsuffix(es)?\b|unique (resource )?nam|nam\w* (conflicts?|collisions?|clash)"
         r"|(resource|deployment) (conflicts?|collisions?|isolation)|parallel deploy|already exists|multi-?deployment"),
    Rule("s3_lifecycle_rule_without_filter",
         r"lifecycle.{0,40}\b(filter|prefix)\b|\b(filter|prefix)\b.{0,40}lifecycle"),
    Rule("external_module_dependency",
         r"external (terraform )?modules?|community modules?|registry modules?|remote modules?|terraform-aws-modules"
         r"|public modules?|third[- ]party modules?|module (source|dependenc\w*)"),
    Rule("missing_local_files",
         r"templatefile|\bfile\(|(missing|non-?existent|external|local|absent) (local )?(files?|scripts?|modules?|templates?)"
         r"|local modules?|user[_ ]?data (script|file)|\.(sh|tpl|py|json|yaml|yml)\b (file|script)|modules? (do(es)? not|don'?t) exist"),
    Rule("hardcoded_secrets",
         r"(hard-?coded|plain-?text|clear-?text|exposed|literal|default|static|insecure) (\w+ )?(passwords?|secrets?|credentials?|keys?|tokens?)"
         r"|passwords?|secrets? manager|credentials?|api[_ ]keys?|access[_ ]keys?|sensitive (data|values?|variables?|outputs?)|\bsensitive\b"),
    Rule("ec2_instance_hardening",
         r"(root|ebs|block[_ ]device)[_ ]?(volumes?|devices?|disks?)?.{0,25}(unencrypted|encrypt\w*)|unencrypted (root|ebs|block)|imds\w*"
         r"|metadata (service|options)|associate_public_ip|public ip (address )?(on|for) (ec2|instances?)"),
    Rule("performance_insights_unsupported", r"performance[_ ]insights?"),
    Rule("kms_key_alias_missing", r"kms (key )?alias|\baliases? for (kms|keys?)|key alias"),
    Rule("kms_key_rotation_missing", r"(key|kms)[_ ]rotation|rotation"),
    Rule("kms_key_policy_gaps", r"(kms|key) polic(y|ies)|kms.{0,30}(principal|permission|grant|access)|key (permissions?|access)"),
    Rule("vpc_flow_logs_missing", r"flow[_ ]?logs?"),
    Rule("s3_lifecycle_rule_without_filter", r"lifecycle[_ ]?(rule|configuration)\w*.{0,30}(missing|without|no)\b"),
    Rule("lifecycle_misuse", r"ignore[_ ]changes|create[_ ]before[_ ]destroy|lifecycle (block|meta|rules? misuse|misuse|management)"),
    Rule("deletion_protection_enabled",
         r"deletion[_ ]protection|prevent[_ ]destroy|final[_ ]snapshot|force[_ ]destroy|\b(teardown|tear down|destroyable)\b"
         r"|(cleanup|clean-?up|destroy|deletion)( issues?| blocked| problems?| fail\w*)|(cannot|can'?t|unable to) (be )?(destroy|delete|clean)"
         r"|retain(ed)? on delete|removal polic"),
    Rule("wildcard_iam_permissions",
         r"wildcard|least[- ]privilege|(overly|too) (permissive|broad) (iam|polic\w*|permissions?|roles?)|excessive (iam )?permissions?"
         r"|broad (iam )?permissions?|administratoraccess|admin(istrator)? access|full access|iam (polic\w*|permissions?) (scope|too)"
         r"|\*:\*|\"\*\" (actions?|resources?)|over-?privileged|privilege"),
    Rule("open_security_group",
         r"security[_ ]?groups?|\bsg\b|ingress|egress|0\.0\.0\.0/0|open (to (the )?(world|internet)|ports?|ssh|rdp)|\bssh\b|port 22"
         r"|network acls?|\bnacls?\b|firewall|unrestricted (access|ingress|inbound)|inbound|outbound"),
    Rule("backend_state_configuration",
         r"backend|(terraform )?state (file|lock\w*|bucket|management|storage|configuration)|tfstate|remote state|state locking"),
    Rule("s3_bucket_security_missing",
         r"s3.{0,40}(security|public|versioning|encryption|encrypt|block|hardening|polic\w*|acl|ssl|https|tls|access|protection)"
         r"|public[_ ]access[_ ]block|bucket (security|polic\w*|versioning|encryption|acl|hardening|configuration)|versioning"
         r"|(security|encryption|versioning|public access).{0,30}(s3|buckets?)"),
    Rule("provider_version_constraints",
         r"(provider|terraform|aws provider|required) versions?|version (constraints?|pinn\w*|lock)|required_version|pinn\w* version"
         r"|versions? (not )?pinned|\.terraform\.lock|lock file"),
    Rule("outdated_engine_version",
         r"engine[_ ]versions?|(outdated|old|older|obsolete|legacy|deprecated) (\w+ ){0,2}engines?\b|(outdated|old|older|obsolete|legacy|unsupported|invalid|deprecated|wrong|incorrect) (\w+ ){0,2}versions?"
         r"|(postgres\w*|mysql|aurora|redis|elasticache|rds|opensearch|elasticsearch|kafka|msk|documentdb|mariadb|memcached|eks|kubernetes|runtime)\b.{0,20}versions?"
         r"|versions?.{0,20}(postgres\w*|mysql|aurora|redis)"),
    Rule("missing_depends_on",
         r"depends[_ ]on|dependenc(y|ies)|race condition|(creation|resource|deployment) order|ordering|order of (creation|operations)"
         r"|circular|cycle"),
    Rule("hcl_syntax_error",
         r"syntax|pars(e|ing) errors?|unterminated|unbalanced|missing (closing )?(braces?|brackets?|quotes?)|invalid hcl|duplicate\w* (\w+ )?(blocks?|resources?|variables?|outputs?|providers?|locals?|definitions?|declarations?|terraform)"
         r"|duplicat\w*|unclosed|malformed|formatting|terraform fmt|\bfmt\b|heredoc|interpolation|invalid (block|expression|function)"
         r"|(unsupported|unknown|invalid) (block|function)|type (mismatch|errors?)"),
    Rule("provider_configuration_error",
         r"providers?\b.{0,30}(not declared|undeclared|missing|undefined|not defined|required)|(missing|undeclared|undefined|duplicate\w*) (\w+ )?providers?\b"),
    Rule("undefined_reference",
         r"undefined|undeclared|not declared|not defined|non-?existent (resources?|variables?|references?|locals?|data)|missing (\w+ )?(declarations?|definitions?)"
         r"|(broken|invalid|incorrect|wrong|dangling|missing) (\w+ )?references?|referenc\w* (to )?(missing|undefined|non-?existent|undeclared)"
         r"|referenced but|unresolved|missing (variable|local|data source)s?\b|missing (`?aws_region`?|region) variable|variables? (is |are )?missing"),
    Rule("truncated_answer",
         r"truncat\w*|\bmid-(resource|block|file|line|configuration|statement)\b|incomplete (\w+ )?(response|answer|output|code|configuration|implementation|file|deliverable|solution|infrastructure|stack|hcl)"
         r"|cut off|cuts off|ends? mid|unfinished|partial (\w+ )?(response|implementation|configuration|code)|missing implementation"
         r"|(missing|absent|omitted|lacks?|no) (\w+ ){0,2}(requirements?|infrastructure|services?|functionality|features?|layers?|architecture|tiers?)"
         r"|(unable|not able|failed|fails) to (generate|provide|give|complete|finish) (the |a )?(full|complete|entire|whole)"
         r"|(multiple|\d+|several) turns|single (turn|go)\b"
         r"|completeness|missing (entire|whole)|(requirements?|scope) (not met|gaps?|missed|coverage)"
         r"|not self-contained",
         r"missing (\w+ ){0,2}(resources?|components?)|incomplete|missing (core|required|critical|key|essential|major)|not implemented"),
    Rule("lambda_package_missing",
         r"lambda (\w+ )?(deployment )?(package|zip|archive|code|source|artifact|handler file|function code)|source_code_hash|archive_file"
         r"|\.zip\b|deployment package|lambda (filename|files?)"),
    Rule("deprecated_arguments", r"deprecat\w*"),
    Rule("region_configuration", r"regions?\b.{0,25}(hard-?cod\w*|assum\w*|static)|(hard-?cod\w*|static) (\w+ )?regions?\b"),
    Rule("hardcoded_values", r"hard-?cod\w*|\bstatic (ami|account|az|values?|ids?|arns?)|magic (numbers?|values?)|placeholder values?"),
    Rule("open_security_group",
         r"(security[_ ]?groups?|ingress|egress|\bsg\b).{0,30}(permissive|open|0\.0\.0\.0|unrestricted|wide|all traffic|any)"
         r"|(permissive|open|unrestricted|wide[- ]open).{0,30}(security[_ ]?groups?|ingress|egress|\bsg\b|ports?)"),
    Rule("wildcard_iam_permissions", r"(overly|too|excessively) (permissive|broad)|permissive (iam|polic)"),
    Rule(TOPICS, ""),
    Rule("hcl_syntax_error", r"conditional|count and for_each|for_each|\bcount\b|interpolation"),
    Rule("provider_configuration_error",
         r"providers?\b|required_providers|provider alias|\balias(es)?\b|random provider|archive provider|aws provider"),
    Rule("region_configuration", r"regions?\b|regional|multi-?region|cross-?region"),
    Rule("missing_outputs", r"outputs?\b"),
    Rule("hardcoded_values",
         r"ami (ids?|mismatch|lookup|selection|availability|region)|\bamis?\b"
         r"|account (ids?|numbers?)|availability zones?|\bazs?\b|\barns?\b|magic (numbers?|values?)|literal values?|placeholder values?"),
    Rule("vpc_flow_logs_missing", r"vpc (traffic )?logging"),
    Rule("logging_audit_missing",
         r"cloudtrail|audit|access[_ ]logs?|logging|log (retention|groups?|buckets?|delivery)|retention[_ ]in[_ ]days|cloudwatch logs?"
         r"|\blogs?\b|trail"),
    Rule("encryption_in_transit_missing",
         r"in[- ]transit|\btls\b|\bssl\b|https|certificates?|\bacm\b|secure[_ ]?transport|\bhttp\b"),
    Rule("encryption_at_rest_missing", r"encrypt\w*|\bkms\b|\bcmk\b|at[- ]rest|\bsse\b|customer[- ]managed keys?"),
    Rule("ec2_instance_hardening",
         r"imds\w*|metadata (service|options)|\bec2\b|instance (profile|hardening|metadata)|\bebs\b|launch (template|config\w*)|user[_ ]?data"
         r"|public ips?|associate_public_ip|bastion|auto ?scaling|\basg\b|ssm|session manager|instance types?"),
    Rule("high_availability_missing",
         r"high[- ]availability|multi[- ]az|single (az|availability zone|point of failure)|redundan\w*|failover|disaster recovery|\bdr\b"
         r"|nat gateways?|replica\w*|fault[- ]toleran\w*|resilien\w*"),
    Rule("database_configuration",
         r"\brds\b|databases?|\bdb\b|aurora|postgres\w*|mysql|dynamodb|subnet groups?|parameter groups?|elasticache|redis|documentdb"
         r"|db_subnet|master (user|username)|reserved (word|username)"),
    Rule("messaging_configuration",
         r"\bsqs\b|\bsns\b|\bdlq\b|dead[- ]letter|queues?|topics?|kinesis|eventbridge|event ?bus|notifications?|subscriptions?"),
    Rule("api_gateway_lb_wiring",
         r"api[_ ]?gateway|apigateway|load[_ ]?balanc\w*|\balb\b|\bnlb\b|\belb\b|target groups?|listeners?|health[_ ]?checks?|\bstage\b"
         r"|cloudfront|\bwaf\b|route ?53|\bdns\b|\bcors\b|endpoints?"),
    Rule("missing_monitoring_alarms",
         r"alarms?|monitoring|metrics?|dashboards?|alert\w*|observability|cloudwatch|x-?ray|tracing|guardduty|config rules?|aws config|security hub"),
    Rule("lambda_configuration", r"lambda|runtime|timeout|concurrency|step functions?"),
    Rule("deprecated_arguments",
         r"deprecat\w*|(invalid|unsupported|unknown|unexpected|wrong|incorrect|non-?existent|removed|obsolete) (\w+ ){0,2}(arguments?|attributes?|resources?( types?)?|fields?|parameters?|properties|blocks?|settings?|options?|values?)"
         r"|not (supported|expected|valid)|no longer|schema|api (error|mismatch)|incorrect (\w+ ){0,2}(configuration|usage|syntax)"),
    Rule("naming_rule_violation",
         r"naming|names?\b|(too long|length|character) (limit|constraint)|uppercase|lowercase|(invalid|illegal) characters?|63 char"),
    Rule("backup_retention_missing",
         r"backups?|\bpitr\b|point[- ]in[- ]time|snapshots?|retention|recovery"),
    Rule("incomplete_tagging", r"\btag(s|ging)?\b|default_tags|cost allocation"),
    Rule("variable_quality",
         r"variables?|validation|inputs?|defaults?|descriptions?|locals?|parameteri[sz]\w*|configurable|tfvars"),
    Rule("naming_rule_violation", r"convention"),
)

_SPLIT = next(i for i, r in enumerate(RULES) if r.category == TOPICS)


def _compile(rules: tuple[Rule, ...]) -> tuple:
    # Rules are written in lower case and matched against lower-cased text: the same matches as re.I,
    # 2.5x faster (the body vote runs ~50 patterns over every item body).
    return tuple((r.category, re.compile(r.strong), re.compile(r.weak) if r.weak else None) for r in rules)


# Specific rules: the first (in order) that matches the title wins. Topic rules: the match nearest the start of
# the title wins ("Multi-AZ only partially implemented in 2 AZs" is about availability, not hard-coded AZs).
_SPECIFIC = _compile(RULES[:_SPLIT])
_TOPIC = _compile(RULES[_SPLIT + 1:])
_COMPILED = _SPECIFIC + _TOPIC


def known_category_ids() -> list[str]:
    """``CATEGORY_IDS`` plus whatever ``drdata.taxonomy`` declares, reference ones first."""
    ids = list(CATEGORY_IDS)
    try:
        from drdata.taxonomy import category_ids

        ids += [c for c in category_ids("full") if c not in ids]
    except Exception:  # noqa: BLE001 - the taxonomy package is being written by others; the local list suffices
        pass
    return ids


def _strip_code(text: str) -> str:
    text = re.sub(r"```.*?(```|$)", " ", text, flags=re.S)
    return text


def map_title(title: str) -> tuple[str | None, str | None]:
    """(strong category, weak category) for a title; either may be None. ``other`` is a decision, too."""
    title = title.lower()
    weak = None
    for cid, strong_rx, weak_rx in _SPECIFIC:
        if cid == OTHER:
            if strong_rx.search(title):
                return OTHER, None
            continue
        if strong_rx.search(title):
            return cid, None
        if weak is None and weak_rx is not None and weak_rx.search(title):
            weak = cid
    best = None
    for i, (cid, strong_rx, _weak) in enumerate(_TOPIC):
        m = strong_rx.search(title)
        if m:
            key = (cid not in KIND_TOPICS, m.start(), i)
            if best is None or key < best[0]:
                best = (key, cid)
    return (best[1] if best else None), weak


def _body_vote(body: str) -> tuple[str | None, int]:
    body = body.lower()
    scores: dict[str, int] = {}
    order: dict[str, int] = {}
    for i, (cid, strong_rx, _weak) in enumerate(_COMPILED):
        if cid == OTHER:
            continue
        # Specific rules name a failure; topic rules only name a service, so they count half.
        n = len(strong_rx.findall(body)) * (2 if i < len(_SPECIFIC) else 1)
        if n:
            scores[cid] = scores.get(cid, 0) + n
            order.setdefault(cid, i)
    if not scores:
        return None, 0
    best = max(scores, key=lambda c: (scores[c], -order[c]))
    return best, scores[best]


MAX_TITLE_CHARS = 400
MAX_BODY_CHARS = 20_000


def map_category(title: str, body: str = "", section: str | None = None) -> str:
    """One category id for a report item, or ``"other"``."""
    # Some rules backtrack on very long runs of word characters; no real title or body needs more than this.
    title = (title or "")[:MAX_TITLE_CHARS]
    body = (body or "")[:MAX_BODY_CHARS]
    section = section[:MAX_TITLE_CHARS] if section else section
    strong, weak = map_title(title)
    if strong:
        return strong
    body_best, count = _body_vote(_strip_code(body or ""))
    if weak:
        return body_best if body_best and body_best != weak and count >= 4 else weak
    if body_best:
        return body_best
    if section:
        s_strong, s_weak = map_title(section)
        if s_strong or s_weak:
            return s_strong or s_weak
    return OTHER
