"""missing_depends_on: known AWS ordering constraints with neither depends_on nor a reference."""

from __future__ import annotations

from drdata.detectors.reference._util import anchor_refs, direct_refs, is_unknown, load_data, nested_attr, resolve
from drdata.detectors.registry import cannot_tell, detector, hit
from drdata.hcl.model import Resource, TerraformConfig


def _requirements() -> list[dict]:
    return load_data("reference_ordering_pairs")["requirements"]


def _anchors(cfg: TerraformConfig, res: Resource, paths: list[str]) -> tuple[set[str], set[str]]:
    """(resource addresses, source texts) an attribute path leads to."""
    refs: set[str] = set()
    texts: set[str] = set()
    for path in paths:
        first, _, hop = path.partition(">")
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


def _applies(cfg: TerraformConfig, res: Resource, req: dict) -> bool | None:
    present = req.get("when_any_present")
    if present and not any(a in res.attributes for a in present):
        return False
    for key, want, negate in [(k, v, False) for k, v in req.get("when", {}).items()] + \
                             [(k, v, True) for k, v in req.get("unless", {}).items()]:
        attr = res.attributes.get(key)
        value = None if attr is None else resolve(cfg, attr.value)
        if is_unknown(value):
            return None
        equal = (value.lower() == want.lower()) if isinstance(value, str) and isinstance(want, str) else value == want
        if equal == negate:
            return False
    return True


@detector(category="missing_depends_on")
def missing_depends_on(cfg: TerraformConfig):
    """Flags resources that AWS processes only after another one, when they neither `depends_on`
    nor refer to that prerequisite.

    The pairs are data (data/reference_ordering_pairs.json): S3 replication configuration
    after the versioning of both its buckets; a flow log to S3 and a CloudTrail trail after
    their bucket's policy; NAT gateways and EIPs associated with an instance or ENI after the internet gateway; an API
    Gateway deployment after every integration of its REST API; the Config recorder status
    after the delivery channel. Only prerequisites present in the answer and linked to the
    dependent (same bucket, same VPC, same REST API) count, and only a direct reference
    satisfies the order (depends_on or an attribute referring to the prerequisite itself;
    a chain through a third resource does not).
    Why: Terraform's graph does not know these API constraints; the first apply fails
    intermittently and needs a rerun.
    Fix: add `depends_on = [<prerequisite>]` to the dependent resource.
    """
    for req in _requirements():
        prereqs = cfg.resources_of(req["prerequisite"])
        if not prereqs:
            continue
        match = req.get("match") or {}
        for res in cfg.resources_of(req["dependent"]):
            applies = _applies(cfg, res, req)
            if applies is None:
                yield cannot_tell(res, f"cannot tell whether it needs the {req['what']}")
                continue
            if not applies:
                continue
            if match:
                refs, texts = _anchors(cfg, res, match["dependent"])
                linked = []
                for p in prereqs:
                    prefs, ptexts = _anchors(cfg, p, match["prerequisite"])
                    if refs & prefs or (not refs and texts & ptexts):
                        linked.append(p)
            else:
                linked = list(prereqs)
            if not linked:
                continue
            used = direct_refs(res)
            missing = [p.address for p in linked if p.address not in used]
            if not missing or (not req.get("each") and len(missing) < len(linked)):
                continue
            shown = ", ".join(missing[:3]) + (f" (+{len(missing) - 3} more)" if len(missing) > 3 else "")
            yield hit(res, f"{res.address}: no depends_on or reference to the {req['what']} ({shown})",
                      "depends_on")
