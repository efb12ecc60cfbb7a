"""provider_version_constraints: Terraform and provider versions not pinned, or pinned too loosely."""

from __future__ import annotations

import re

from drdata.detectors.code._util import load_table
from drdata.detectors.registry import cannot_tell, detector, hit
from drdata.hcl.model import TerraformConfig

_CLAUSE = re.compile(r"\s*(>=|<=|~>|!=|>|<|=)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?[\w.-]*\s*")


def parse_constraint(text: str) -> list[tuple[str, int, int]] | None:
    """[(op, major, minor)] of a version constraint string, or None when it does not parse."""
    out = []
    for part in text.split(","):
        m = _CLAUSE.fullmatch(part)
        if not m:
            return None
        out.append((m.group(1) or "=", int(m.group(2)), int(m.group(3) or 0)))
    return out


def too_loose(clauses: list[tuple[str, int, int]], oldest_major: int) -> bool:
    """Only lower bounds, and the lowest admitted major is older than ``oldest_major``.

    A bare ``>= 5.0`` on a current major is accepted (common and reproducible enough with a lock file);
    ``>= 3.0`` admits provider majors with removed arguments in both directions.
    """
    if any(op in ("~>", "<", "<=", "=") for op, _, _ in clauses):
        return False
    lows = [major for op, major, _ in clauses if op in (">=", ">")]
    return bool(lows) and max(lows) < oldest_major


@detector(category="provider_version_constraints")
def provider_version_constraints(cfg: TerraformConfig):
    """Flags a missing required_version, required_providers entries without a version, and constraints with
    only an outdated lower bound (Terraform below 1.0, AWS provider below the oldest major in the data table).

    Why: a new Terraform or provider major silently changes behaviour; old lower bounds admit releases that
    lack the arguments the code uses.
    Fix: `required_version = ">= 1.5"` and `version = "~> 5.0"` (or a bounded range) for every provider.
    """
    table = load_table("code_providers.json")
    oldest = table["oldest_acceptable_major"]
    if not cfg.terraform:
        # Many answers leave provider.tf to the pipeline's own file: without any terraform block we cannot
        # tell whether versions are pinned elsewhere.
        if cfg.resources:
            yield cannot_tell("terraform", "no terraform block in the answer (versions may be set in a file it omits)")
        return
    req = [t.attributes["required_version"] for t in cfg.terraform if "required_version" in t.attributes]
    if not req:
        yield hit(cfg.terraform[0], "terraform: no required_version", address="terraform")
    for attr in req:
        if type(attr.value) is not str:
            continue
        clauses = parse_constraint(attr.value)
        if clauses and too_loose(clauses, 1):
            t = next(t for t in cfg.terraform if t.attributes.get("required_version") is attr)
            yield hit(t, f"terraform: required_version = \"{attr.value}\" admits Terraform before 1.0",
                      "required_version", address="terraform")
    for t in cfg.terraform:
        for rp in t.children("required_providers"):
            for name, attr in rp.attributes.items():
                v = attr.value
                version = v.get("version") if isinstance(v, dict) else v if isinstance(v, str) else None
                addr = f"terraform.required_providers.{name}"
                if isinstance(v, dict) and "version" not in v:
                    yield hit(rp, f"{addr}: no version constraint", name, address=addr)
                    continue
                if type(version) is not str:
                    yield cannot_tell(addr, f"version of {name} is an expression")
                    continue
                clauses = parse_constraint(version)
                if clauses and name in oldest and too_loose(clauses, oldest[name]):
                    yield hit(rp, f"{addr}: version = \"{version}\" admits majors before {oldest[name]}.x",
                              name, address=addr)
