"""provider_version_constraints: Terraform and provider versions not pinned, or pinned too loosely."""

from __future__ import annotations

import re

from drdata.detectors.helpers import load_table
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="provider_version_constraints",
    number=31,
    theme="code",
    area="providers",
    title="Missing or Loose Version Constraints",
    severity="Low",
    rule_set="aws",
    what="No `required_version`, `required_providers` entries without a version, constraints that shut out the provider's current major (`~> 5.0` once AWS 6.x is current, `~> 4.0`, exact pins), or only an outdated lower bound (`>= 3.0`, Terraform `>= 0.12`).",
    root_cause="Models copy the constraint that was current in their training data and omit the terraform block.",
    impact="`terraform init` fails when the pipeline's lock file holds the current major; unconstrained or old bounds make runs depend on whatever release is installed.",
    fix="Set `required_version` and a provider constraint that admits the current major (`>= 5.0`, `~> 6.0`).",
    tables=("code_providers",),
    report_rules=(
        ReportRule(order=230, strong=(
            r"(provider|terraform|aws provider|required) versions?|version (constraints?|pinn\w*|lock)|required_version|pinn\w* version"
            r"|versions? (not )?pinned|\.terraform\.lock|lock file"
        )),
    ),
    title_rule=r"version constraint|required_version|provider version|pinn|terraform version",
))


_CLAUSE = re.compile(r"\s*(>=|<=|~>|!=|>|<|=)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?[\w.-]*\s*")


def parse_constraint(text: str) -> list[tuple[str, int, int]] | None:
    """[(op, major, minor)] of a version constraint string, or None when it does not parse."""
    clauses = _clauses(text)
    return None if clauses is None else [(op, v[0], v[1]) for op, v, _ in clauses]


def _clauses(text: str) -> list[tuple[str, tuple[int, int, int], int]] | None:
    out = []
    for part in text.split(","):
        m = _CLAUSE.fullmatch(part)
        if not m:
            return None
        nums = [g for g in m.group(2, 3, 4) if g is not None]
        version = tuple(int(n) for n in nums) + (0,) * (3 - len(nums))
        out.append((m.group(1) or "=", version, len(nums)))
    return out


def _satisfies(v: tuple[int, int, int], op: str, want: tuple[int, int, int], parts: int) -> bool:
    if op == "~>":
        # ~> 5.1 means >= 5.1, < 6.0; ~> 5.1.2 means >= 5.1.2, < 5.2.0; ~> 5 means >= 5.
        if parts <= 1:
            return v >= want
        upper = list(want[:parts - 1])
        upper[-1] += 1
        upper_t = tuple(upper) + (0,) * (3 - len(upper))
        return want <= v < upper_t
    return {"=": v == want, "!=": v != want, ">": v > want, ">=": v >= want, "<": v < want,
            "<=": v <= want}[op]


def admits_major(text: str, major: int) -> bool | None:
    """Whether some release of ``major`` satisfies the constraint (None when it does not parse)."""
    clauses = _clauses(text)
    if clauses is None:
        return None
    candidates = [(major, minor, patch) for minor in (0, 1, 5, 10, 30, 60, 99) for patch in (0, 9)]
    return any(all(_satisfies(v, op, want, n) for op, want, n in clauses) for v in candidates)


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
    """Flags a missing required_version, required_providers entries without a version, constraints that
    exclude the provider's current major (data table, dated: `~> 5.0` once AWS 6.x is out, `~> 4.0`, exact
    pins), and constraints with only an outdated lower bound (Terraform below 1.0, AWS provider below the
    oldest acceptable major). A Terraform lower bound before 1.0 that the prompt asks for is not flagged, nor a
    constraint that admits the provider major the prompt asks for ("AWS provider 5.x").

    Why: without constraints a new major silently changes behaviour; a constraint excluding the current major
    conflicts with the pipeline's lock file and stops `terraform init`; old lower bounds admit releases that
    lack the arguments the code uses.
    Fix: `required_version = ">= 1.5"` and a constraint admitting the current major (`>= 5.0`, `~> 6.0`).
    """
    table = load_table("code_providers")
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
        # A prompt that names a Terraform before 1.0 ("v0.12+") asked for that range.
        asked_pre_1 = any(v.startswith("0.") for v in getattr(cfg.requirements, "terraform_versions", ()))
        if clauses and too_loose(clauses, 1) and not asked_pre_1:
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
                current = table["current_major"].get(name)
                # The major the prompt asks for ("AWS provider 5.x") is the task's choice, not a gap.
                asked = [m for p, m in getattr(cfg.requirements, "provider_majors", ()) if p == name]
                if asked and any(admits_major(version, m) for m in asked):
                    current = None
                if current is not None and admits_major(version, current) is False:
                    yield hit(rp, f"{addr}: version = \"{version}\" excludes {name} {current}.x, the current major "
                                  "(the pipeline installs the latest provider)", name, address=addr)
                    continue
                clauses = parse_constraint(version)
                if clauses and name in oldest and too_loose(clauses, oldest[name]):
                    yield hit(rp, f"{addr}: version = \"{version}\" admits majors before {oldest[name]}.x",
                              name, address=addr)
