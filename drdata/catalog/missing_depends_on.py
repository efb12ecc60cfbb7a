"""missing_depends_on: known AWS ordering constraints that nothing in the answer enforces."""

from __future__ import annotations

import re
from dataclasses import dataclass

from drdata.detectors.helpers import (
    anchor_refs,
    is_unknown,
    load_table,
    module_inputs,
    module_members,
    module_output_refs,
    nested_attr,
    nested_attrs,
    resolve,
)
from drdata.detectors.registry import (
    Category,
    Finding,
    ReportRule,
    cannot_tell,
    declare,
    detector,
    evidence,
    hit,
    pair_rule,
    registry,
)
from drdata.hcl.model import Resource, TerraformConfig

CATEGORY = declare(Category(
    id="missing_depends_on",
    number=9,
    theme="reference",
    area="ordering",
    title="Missing depends_on",
    severity="Medium",
    rule_set="aws",
    what="A resource that AWS processes only after another (replication after versioning, flow log after bucket policy, ...) has neither a reference nor `depends_on` to it.",
    root_cause="The ordering is an AWS API constraint that is not visible in the attribute graph, so Terraform's implicit ordering misses it.",
    impact="The first apply fails intermittently with ordering errors and needs a second run.",
    fix="Add `depends_on = [<the prerequisite>]` to the dependent resource.",
    tables=("reference_ordering_pairs",),
    report_rules=(
        ReportRule(order=250, strong=(
            r"depends[_ ]on|dependenc(y|ies)|race condition|(creation|resource|deployment) order|ordering|order of (creation|operations)"
            r"|circular|cycle"
        )),
    ),
))


def _requirements() -> list[dict]:
    return load_table("reference_ordering_pairs")["requirements"]


@dataclass(frozen=True)
class Gap:
    dependent: Resource
    missing: tuple[str, ...]  # prerequisite addresses nothing orders it after
    what: str
    soft: bool
    prerequisite: str  # its resource type


def _anchors(cfg: TerraformConfig, res: Resource, paths: list[str]) -> tuple[set[str], set[str]]:
    """(resource addresses, source texts) an attribute path leads to."""
    refs: set[str] = set()
    texts: set[str] = set()
    for path in paths:
        first, _, hop = path.partition(">")
        if first == "self":  # the resource itself: a prerequisite named after it (a log group of its logs)
            refs.add(res.address)
            continue
        if "." in first:
            attr = nested_attr(res, first)
            got = {r.address for r in attr.refs if r.kind in ("resource", "data")} if attr else set()
            if attr is not None:
                texts.add(attr.source.strip())
        else:
            got = anchor_refs(cfg, res, first)
            if first in res.attributes:
                texts.add(res.attributes[first].source.strip())
        if hop:
            texts = set()
            hopped: set[str] = set()
            for addr in got:
                other = cfg.resource(addr)
                if other is not None:
                    hopped |= anchor_refs(cfg, other, hop)
            got = hopped
        refs |= got
    return refs, texts


def _value(res: Resource, path: str):
    if "." in path:
        attr = nested_attr(res, path)
        return attr
    return res.attributes.get(path)


def _applies(cfg: TerraformConfig, res: Resource, req: dict) -> bool | None:
    present = req.get("when_any_present")
    if present and not any(_value(res, a) is not None for a in present):
        return False
    for key, want, negate in [(k, v, False) for k, v in req.get("when", {}).items()] + \
                             [(k, v, True) for k, v in req.get("unless", {}).items()]:
        attr = _value(res, key)
        value = None if attr is None else resolve(cfg, attr.value)
        if is_unknown(value):
            return None
        equal = (value.lower() == want.lower()) if isinstance(value, str) and isinstance(want, str) else value == want
        if equal == negate:
            return False
    return True


def _graph(cfg: TerraformConfig) -> dict[str, set[str]]:
    """Resource address -> the resource/data addresses it refers to or depends on (one step; a module's
    variable orders it after what the module's calls pass for it)."""
    inputs = module_inputs(cfg) if cfg.modules else {}
    members = module_members(cfg) if cfg.modules else {}
    # `depends_on = [module.x]` on a module call orders every resource of the called module after module x.
    after: dict[str, set[str]] = {}
    for mod in cfg.modules:
        dep = mod.attributes.get("depends_on")
        if dep is not None:
            for name in _WHOLE_MODULE.findall(dep.source):
                for res in members.get(mod.labels[0], ()):
                    after.setdefault(res, set()).update(members.get(name, ()))
    out: dict[str, set[str]] = {}
    for r in cfg.resources:
        edges = out.setdefault(r.address, set())
        edges |= after.get(r.address, set())
        dep = r.attributes.get("depends_on")
        if dep is not None:
            for name in _WHOLE_MODULE.findall(dep.source):
                edges.update(members.get(name, ()))  # after every resource of that module
        if "module." in r.source:
            edges |= module_output_refs(cfg, r.source)  # after what the module outputs it reads refer to
        for x in r.all_refs():
            if x.kind in ("resource", "data"):
                edges.add(x.address)
            elif x.kind == "var":
                for passed in inputs.get(x.address.split(".", 1)[1], ()):
                    edges.update(y.address for y in passed.refs if y.kind in ("resource", "data"))
                    edges |= module_output_refs(cfg, passed.source)
                    for name in _WHOLE_MODULE.findall(passed.source):
                        edges.update(members.get(name, ()))
    return out


_WHOLE_MODULE = re.compile(r"\bmodule\.([\w-]+)\b(?!\s*[.\[])")


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        a = todo.pop()
        if a not in seen:
            seen.add(a)
            todo.extend(graph.get(a, ()))
    return seen


def ordering_gaps(cfg: TerraformConfig, *, soft: bool = True) -> tuple[list[Gap], list[tuple[Resource, str]]]:
    """(gaps, undecidable (dependent, what)) of every ordering requirement; ``soft``: include the orders AWS
    copes with itself (for the pair rule)."""
    gaps: list[Gap] = []
    unsure: list[tuple[Resource, str]] = []
    graph = _graph(cfg)
    for req in _requirements():
        if req.get("soft") and not soft:
            continue
        prereqs = cfg.resources_of(req["prerequisite"])
        if not prereqs:
            continue
        match = req.get("match") or {}
        for res in cfg.resources_of(req["dependent"]):
            applies = _applies(cfg, res, req)
            if applies is None:
                unsure.append((res, req["what"]))
                continue
            if not applies:
                continue
            if match:
                refs, texts = _anchors(cfg, res, match["dependent"])
                contains = match.get("text") == "contains"
                if contains:
                    # Every nested block's value (all bootstrap actions), not only the first.
                    texts = {a.source.strip() for path in match["dependent"] for a in nested_attrs(res, path)}
                linked = []
                for p in prereqs:
                    prefs, ptexts = _anchors(cfg, p, match["prerequisite"])
                    if contains:
                        # A path that embeds the object's literal key (`s3://${bucket}/scripts/x.sh`).
                        keys = {t.strip('"') for t in ptexts if t.startswith('"') and "${" not in t}
                        if any(len(k) >= 4 and k in t for k in keys for t in texts):
                            linked.append(p)
                    elif refs & prefs or (not refs and texts & ptexts):
                        linked.append(p)
            else:
                linked = list(prereqs)
            if not linked:
                continue
            ordered = _reach(graph, res.address)
            missing = tuple(p.address for p in linked if p.address not in ordered)
            if not missing or (not req.get("each") and len(missing) < len(linked)):
                continue
            gaps.append(Gap(res, missing, req["what"], bool(req.get("soft")), req["prerequisite"]))
    return gaps, unsure


def _ordering_types() -> tuple[str, ...]:
    return tuple(sorted({t for r in _requirements() for t in (r["dependent"], r["prerequisite"])}))


@detector(category="missing_depends_on", reads=_ordering_types())
def missing_depends_on(cfg: TerraformConfig):
    """Flags resources that AWS processes only after another one, when nothing orders them after it.

    The orders are data (data/reference_ordering_pairs.json, with their sources): S3 replication after the
    versioning of both buckets; a CloudTrail trail, a Config delivery channel and an ALB's access logs after
    their bucket's policy; the delivery channel after the configuration recorder, and the recorder status
    after the channel; NAT gateways and EIPs associated with an instance or ENI after the internet gateway; an
    API Gateway deployment after every integration of its REST API, and API Gateway logging after the
    account's CloudWatch role; event source mappings, EKS clusters and node groups after their role's policy
    attachments; a log group or trail encrypted with a KMS key after that key's `aws_kms_key_policy`; a route
    through a peering connection after its accepter; a database or EKS cluster that exports logs after the
    log group named after it (the service creates the group itself at creation, and the resource then fails); a
    Lambda function or layer after the S3 object of its package (same key), an EMR cluster after the S3 objects its
    bootstrap actions run (path holding the key); a bucket policy after its bucket's (or the account's) public
    access block (soft). Only prerequisites present in the answer and linked to
    the dependent (same bucket, same VPC, same role, ...) count, and any chain of references or `depends_on`
    from the dependent to the prerequisite orders it (Terraform orders the whole chain). Orders AWS copes
    with itself (a flow log creates its own bucket-policy statements) are left to the pair rule: they are a
    finding of the MODEL only where its IDEAL adds them.
    Why: Terraform's graph does not know these API constraints; the first apply fails
    intermittently and needs a rerun.
    Fix: add `depends_on = [<prerequisite>]` to the dependent resource.
    """
    gaps, unsure = ordering_gaps(cfg, soft=False)
    for res, what in unsure:
        yield cannot_tell(res, f"cannot tell whether it needs the {what}")
    for gap in gaps:
        shown = ", ".join(gap.missing[:3]) + (f" (+{len(gap.missing) - 3} more)" if len(gap.missing) > 3 else "")
        yield hit(gap.dependent, f"{gap.dependent.address}: no depends_on or reference to the {gap.what} ({shown})",
                  "depends_on", part=gap.what)


@pair_rule(category="missing_depends_on")
def order_added_by_ideal(model: TerraformConfig, ideal: TerraformConfig, diff) -> list[Finding]:
    """An order AWS copes with itself (a flow log before its bucket policy) that the MODEL lacks and the
    IDEAL adds for the same resource: the IDEAL's authors found it needed, so the MODEL's gap is a finding."""
    det = registry()["missing_depends_on"]
    model_gaps, _ = ordering_gaps(model)
    soft = [g for g in model_gaps if g.soft]
    if not soft:
        return []
    ideal_gaps, _ = ordering_gaps(ideal)
    still = {(g.dependent.address, g.what) for g in ideal_gaps}
    out = []
    for g in soft:
        cp = diff.counterpart(g.dependent.address)
        if cp is None or (cp.address, g.what) in still:
            continue
        other = ideal.resource(cp.address)
        if other is None or not ideal.resources_of(g.prerequisite) or "depends_on" not in other.attributes:
            continue  # the IDEAL dropped the prerequisite, or orders it only by accident
        line, quoted = evidence(g.dependent, None)
        out.append(Finding(det.category, det.id, det.severity, g.dependent.address, g.dependent.resource_type,
                           g.dependent.file, line, f"{g.dependent.address}: no depends_on or reference to the {g.what} "
                           f"({', '.join(g.missing[:3])}); the IDEAL adds it", quoted, g.what))
    return out
