"""wildcard_iam_permissions: Allow statements on every resource or every action."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from drdata.detectors.helpers import find_line, line_text, load_table, lost_blocks
from drdata.detectors.registry import Category, Hit, ReportRule, cannot_tell, declare, detector, hit, hit_at
from drdata.hcl.model import Attribute, Block, Call, Expr, Resource, TerraformConfig

CATEGORY = declare(Category(
    id="wildcard_iam_permissions",
    number=3,
    theme="reference",
    area="iam",
    title="Wildcard IAM Permissions",
    severity="Critical",
    rule_set="aws",
    what="An IAM Allow statement grants `Resource = \"*\"`, `Action = \"*\"` or a whole service (`s3:*`) where specific ARNs and actions are possible (actions that accept only `*`, and key policies where `*` means the key itself, are exempt).",
    root_cause="Wildcards always work on the first try, so models use them to avoid working out the ARNs each action needs.",
    impact="Violates least privilege: a compromised principal can act on every resource of the account; compliance scans (CIS, PCI-DSS) fail.",
    fix="List the actions needed and scope `Resource` to the ARNs of the resources the answer creates; keep `*` only for actions that accept nothing else.",
    tables=("reference_wildcard_only_actions",),
    report_rules=(
        ReportRule(order=190, strong=(
            r"wildcard|least[- ]privilege|(overly|too) (permissive|broad) (iam|polic\w*|permissions?|roles?)|excessive (iam )?permissions?"
            r"|broad (iam )?permissions?|administratoraccess|admin(istrator)? access|full access|iam (polic\w*|permissions?) (scope|too)"
            r"|\*:\*|\"\*\" (actions?|resources?)|over-?privileged|privilege"
        )),
        ReportRule(order=350, strong=r"(overly|too|excessively) (permissive|broad)|permissive (iam|polic)"),
    ),
))


_INTERP = re.compile(r"\$\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
_RESOURCE_STAR = re.compile(r'(?i)"?\bresources?"?\s*[=:]\s*\[?\s*"\*"')
_ACTION_STAR = re.compile(r'(?i)"?\bactions?"?\s*[=:].*"(\*|[\w-]+:\*)"|^\s*"(\*|[\w-]+:\*)"\s*,?\s*$')
_IDENTITY, _SELF = "identity", "self"


def _table() -> dict:
    return load_table("reference_wildcard_only_actions")


def _wildcard_only(action: str) -> bool:
    a = action.lower()
    return any(fnmatchcase(a, p.lower()) for p in _table()["actions"])


def _as_list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


# -- documents ------------------------------------------------------------------------

def _heredoc_body(text: str) -> str:
    lines = text.strip().split("\n")
    if lines and lines[0].lstrip().startswith("<<"):
        lines = lines[1:-1]
    return "\n".join(lines)


def _json_doc(text: str) -> dict | None:
    """Parse a JSON policy text, tolerating `${...}` interpolations."""
    body = _heredoc_body(text)
    if body.startswith('"') and body.endswith('"'):
        body = body[1:-1].replace('\\"', '"')
    body = _INTERP.sub("__INTERP__", body)
    for candidate in (body, re.sub(r"(?<![\w\"])__INTERP__(?![\w\"])", '"__INTERP__"', body)):
        try:
            doc = json.loads(candidate)
        except ValueError:
            continue
        return doc if isinstance(doc, dict) else None
    return None


def _document(value: Any) -> dict | None:
    if isinstance(value, Call):
        if value.name == "jsonencode" and value.args and isinstance(value.args[0], dict):
            return value.args[0]
        return None
    if isinstance(value, dict):
        return value
    if isinstance(value, str):  # plain str or an interpolated heredoc/quoted Expr
        if "Statement" not in value:
            return None
        return _json_doc(str(value))
    return None


def _json_statements(doc: dict) -> Iterator[dict]:
    for st in _as_list(doc.get("Statement")):
        if isinstance(st, dict):
            yield st


def _public(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in _as_list(principal.get("AWS"))
    return False


def _verdict(effect: Any, actions: list, resources: list, principal: Any, condition: Any, context: str
             ) -> str | None:
    """Message fragment when the statement is a finding, else None."""
    if not (isinstance(effect, str) and effect.lower() == "allow"):
        return None
    if context == _SELF:
        if _public(principal) and not condition:
            return 'Allow to Principal "*" without a condition'
        return None
    if condition and _limits_to_own(condition):
        return None  # narrowed to the answer's own resources
    lits = [a for a in actions if isinstance(a, str) and not isinstance(a, Expr)]
    broad = [a for a in lits if a == "*" or re.fullmatch(r"[\w-]+:\*", a)]
    if broad:
        what = "every action" if "*" in broad else "every action of the service"
        return "Allow " + ", ".join(f'"{a}"' for a in broad) + f" ({what})"
    star = next((r for r in resources if _every_resource(r)), None)
    if star is not None:
        scoped = [a for a in lits if not _wildcard_only(a)]
        if not scoped and len(lits) == len(actions):
            return None  # only actions that accept nothing but "*"
        shown = scoped or [str(a) for a in actions]
        more = f" (+{len(shown) - 4} more)" if len(shown) > 4 else ""
        return "Allow " + ", ".join(shown[:4]) + more + f' on Resource "{_show(star)}"'
    return None


# An ARN whose resource part is a bare wildcard, whatever its region and account, names every resource of
# the service in the account: `arn:aws:logs:*:*:*`, `arn:aws:logs:us-east-1:123456789012:*`,
# `arn:aws:logs:${region}:${account}:log-group:*`, `arn:aws:kms:*:*:key/*`, `arn:aws:s3:::*`.
_ALL_ARN = re.compile(r"^arn:(\*|aws[\w-]*):(?!s3:)[\w-]+:(\*|X|[\w-]*):(\*|X|\d{12}|):(\*|[\w-]+[:/]\*)(:\*)*$")
_ALL_S3 = re.compile(r"^arn:(\*|aws[\w-]*):s3:::\*(/\*)?$")
# Condition keys that limit a statement to the answer's own resources (tags it sets, its VPC, a source ARN).
_OWN_RESOURCES = re.compile(r"(?i)(resourcetag/|:sourcearn$|:sourcevpce?$|^ec2:vpc$|:resourcearn$|"
                            r"^aws:resourceaccount$)")


def _show(r) -> str:
    return str(r).strip().strip('"')


def _every_resource(r) -> bool:
    if not isinstance(r, str):
        return False
    text = _INTERP.sub("X", _show(r)) if isinstance(r, Expr) else r
    return text == "*" or bool(_ALL_ARN.match(text)) or bool(_ALL_S3.match(text))


def _limits_to_own(condition: Any) -> bool:
    """A Condition (JSON map, or document `condition` blocks) keyed on the answer's own resources."""
    keys: list[str] = []
    if isinstance(condition, dict):
        for test in condition.values():
            if isinstance(test, dict):
                keys += [str(k) for k in test]
    elif isinstance(condition, list):
        for block in condition:
            if isinstance(block, Block):
                v = block.get("variable")
                if isinstance(v, str):
                    keys.append(v)
    return any(_OWN_RESOURCES.search(k.strip('"')) for k in keys)


# -- sources --------------------------------------------------------------------------

def _evidence_line(block: Block, attr: Attribute, verdict: str) -> tuple[int, str] | None:
    pattern = _RESOURCE_STAR if "Resource" in verdict else _ACTION_STAR
    if "Principal" in verdict:
        pattern = re.compile(r'(?i)principals?"?\s*[=:]|"AWS"\s*:\s*"\*"')
    return find_line(block, pattern, attr.line, attr.end_line)


def statement_part(label: str, sid: Any, index: int) -> str:
    """A statement's identity within its policy: its Sid, else its position (a statement whose actions
    change stays the same statement)."""
    if isinstance(sid, str) and sid and not isinstance(sid, Expr):
        return f"{label}#{sid}"
    return f"{label}#{index}"


def _inline(block: Block, attr: Attribute, label: str, doc: dict, context: str) -> Iterator[Hit]:
    for index, st in enumerate(_json_statements(doc)):
        actions = _as_list(st.get("Action"))
        verdict = _verdict(st.get("Effect"), actions, _as_list(st.get("Resource")),
                           st.get("Principal"), st.get("Condition"), context)
        if verdict is None:
            continue
        addr = block.address if isinstance(block, Resource) else label
        part = statement_part(label, st.get("Sid"), index)
        found = _evidence_line(block, attr, verdict)
        if found and isinstance(block, Resource):
            yield hit_at(addr, block.resource_type, block.file, found[0], f"{addr}: {label} {verdict}", found[1],
                         part=part)
        else:
            yield hit(block, f"{addr}: {label} {verdict}", attr, part=part)


def _doc_statements(doc: Resource, context: str) -> Iterator[Hit]:
    for index, st in enumerate(doc.children("statement")):
        principal = None
        for p in st.children("principals"):
            ids = _as_list(p.get("identifiers"))
            if p.get("type") == "*" or (p.get("type") == "AWS" and "*" in ids):
                principal = "*"
        condition = st.children("condition")
        verdict = _verdict(st.get("effect", "Allow"), _as_list(st.get("actions")), _as_list(st.get("resources")),
                           principal, condition, context)
        if verdict is None:
            continue
        attr_name = "resources" if "Resource" in verdict else "actions"
        attr = st.attributes.get(attr_name) or next(iter(st.attributes.values()), None)
        sid = st.get("sid")
        where = f"statement {sid!r}" if isinstance(sid, str) and sid else "statement"
        yield hit(doc, f"{doc.address}: {where} {verdict}", attr,
                  part=statement_part("statement", sid, index))


@detector(category="wildcard_iam_permissions", reads=())
def wildcard_iam_permissions(cfg: TerraformConfig):
    """Flags IAM Allow statements granting `Resource "*"`, `Action "*"` or a whole service (`s3:*`).

    An ARN whose resource part is a bare wildcard counts as `Resource "*"`, whatever its region and
    account (`arn:aws:logs:*:*:*`, `arn:aws:logs:${var.region}:${account}:*`,
    `arn:aws:logs:us-east-1:123456789012:log-group:*`, `arn:aws:kms:*:*:key/*`, `arn:aws:s3:::*`).
    Looks at `jsonencode({...})` policies, heredoc / string JSON (interpolations
    tolerated), `inline_policy` blocks, policies held in locals, and
    `data "aws_iam_policy_document"` statements (effect defaults to Allow). Trust
    policies (`assume_role_policy`) have no Resource and are skipped. A statement whose
    actions all accept nothing but `*` (`ec2:Describe*`, `xray:PutTraceSegments`,
    `cloudwatch:PutMetricData`, ... — data/reference_wildcard_only_actions.json) is not a
    finding. Resource policies bound to one resource (KMS key policies, secret, queue,
    topic, repository policies ...) use `Resource "*"` to mean "this resource" — the
    documented KMS idiom — so there only an unconditioned public principal (`"*"` /
    `AWS = "*"`) is a finding. S3 bucket policies are judged like identity policies; VPC
    endpoint policies only filter what IAM allows and are skipped.
    Why: least privilege; a compromised principal can act on every resource of the account.
    Fix: scope Resource to the ARNs the answer creates and list the actions needed.
    """
    for keyword, rtype, text in lost_blocks(cfg):
        # A policy that did not parse may hold the wildcard: read as text.
        if re.search(r'"[\w-]*:?\*"', text) and re.search(r"(?i)\b(actions?|resources?)\b", text):
            yield cannot_tell(rtype or keyword, f"a {rtype or keyword} block that did not parse holds a wildcard")
    table = _table()
    self_types = set(table["self_scoped_policy_types"]["types"])
    policy_attrs = set(table["policy_attributes"])
    doc_contexts: dict[str, set[str]] = {}
    local_done: set[tuple[str, str]] = set()
    skip = set(table["filter_policy_types"]["types"])
    for res in cfg.resources:
        if res.resource_type in skip:
            continue
        context = _SELF if res.resource_type in self_types else _IDENTITY
        for b in res.walk():
            for name, attr in b.attributes.items():
                if name not in policy_attrs:
                    continue
                label = "inline_policy" if b.type == "inline_policy" else name
                doc = _document(attr.value)
                if doc is not None:
                    yield from _inline(res, attr, label, doc, context)
                    continue
                for ref in attr.refs:
                    if ref.kind == "data" and ref.address.startswith("data.aws_iam_policy_document."):
                        doc_contexts.setdefault(ref.address, set()).add(context)
                    elif ref.kind == "local":
                        lname = ref.address.split(".", 1)[1]
                        local = cfg.locals.get(lname)
                        ldoc = _document(local.value) if local is not None else None
                        if ldoc is not None and (lname, context) not in local_done:
                            local_done.add((lname, context))
                            for h in _inline(res, local, label, ldoc, context):
                                # The evidence is the local's own lines.
                                file, text = line_text(cfg, local.line)
                                yield hit_at(h.address, h.kind, file, local.line, h.message, text, part=h.part)
    for doc in cfg.data_of("aws_iam_policy_document"):
        # Unreferenced documents (used by a module or an output) are judged as identity policies.
        contexts = doc_contexts.get(doc.address) or {_IDENTITY}
        yield from _doc_statements(doc, _IDENTITY if _IDENTITY in contexts else _SELF)
