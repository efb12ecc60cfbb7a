"""Rules that need both answers of a pair, declared per category.

Two kinds:

- **pair findings**: failures only a comparison reveals (the MODEL's engine version is older than the IDEAL's
  for the same database). They become MODEL findings of the category.
- **own repairs**: how a category is repaired when the MODEL object carrying the failure has no counterpart
  in the IDEAL at all. By default that is not a repair (the IDEAL omits or dropped the part, and the label is
  ``unknown``), but some categories are repaired precisely by removing or replacing the object: an external
  module replaced by native resources, an undeclared reference whose user was rewritten.
"""

from __future__ import annotations

from collections.abc import Callable

from drdata.detectors.registry import Finding
from drdata.hcl.model import TerraformConfig
from drdata.labeling.diff import COMPLETE, Entry, PairDiff

# category -> rule(finding, model, ideal, diff) -> (IDEAL entry that shows the repair, what changed) or None
OwnRepair = Callable[[Finding, TerraformConfig, TerraformConfig, PairDiff], tuple[Entry, str] | None]
_OWN: dict[str, OwnRepair] = {}


def own_repair_rule(category: str) -> Callable[[OwnRepair], OwnRepair]:
    def wrap(func: OwnRepair) -> OwnRepair:
        _OWN[category] = func
        return func
    return wrap


def own_repair(category: str, finding: Finding, model: TerraformConfig, ideal: TerraformConfig,
               diff: PairDiff) -> tuple[Entry, str] | None:
    rule = _OWN.get(category)
    return rule(finding, model, ideal, diff) if rule is not None else None


@own_repair_rule("external_module_dependency")
def _module_replaced(f: Finding, model: TerraformConfig, ideal: TerraformConfig, diff: PairDiff):
    """A remote module the IDEAL no longer calls, in an IDEAL that declares the resources itself (not an
    excerpt): the module was replaced by native resources."""
    if diff.ideal_state != COMPLETE or not ideal.resources:
        return None
    added = [c.ideal for c in diff.rows if c.match == "added" and c.ideal is not None and "_" in c.kind
             and not c.kind.startswith("data.") and c.kind not in ("module", "variable", "output", "local")]
    added.sort(key=lambda e: not e.kind.startswith("aws_"))  # show an AWS resource, not a helper (null_resource)
    if not added:
        return None
    first = added[0]
    return first, f"{f.address} replaced by native resources ({len(added)} added, first {first.address})"


@own_repair_rule("incomplete_tagging")
def _tag_set_reworked(f: Finding, model: TerraformConfig, ideal: TerraformConfig, diff: PairDiff):
    """A shared tag set (a local, provider default_tags) the IDEAL no longer has, in a complete IDEAL whose
    tagging has no gap: the IDEAL tags its resources another way."""
    if diff.ideal_state != COMPLETE or f.part != "suffix_key":
        return None
    return _answer_entry(ideal), "the IDEAL tags its resources without this shared set, and without the gap"


@own_repair_rule("undefined_reference")
def _reference_rewritten(f: Finding, model: TerraformConfig, ideal: TerraformConfig, diff: PairDiff):
    """The block holding an undeclared reference is gone from a complete IDEAL that declares everything it
    uses: the code was rewritten without the broken reference, which is the repair."""
    if diff.ideal_state != COMPLETE:
        return None
    return _answer_entry(ideal), f"{f.holder or 'its user'} was rewritten; the IDEAL no longer refers to {f.address}"


def _answer_entry(ideal: TerraformConfig) -> Entry:
    first = ideal.code_blocks[0] if ideal.code_blocks else None
    return Entry("config", "config", first.file if first else None, first.line if first else 0, frozenset(), (), "")


# -- pair findings -------------------------------------------------------------------------------------------------

def pair_findings(model: TerraformConfig, ideal: TerraformConfig, diff: PairDiff, wanted: set[str]
                  ) -> tuple[dict[str, list[Finding]], list[str]]:
    """(category -> extra MODEL findings, faults). A rule that raises is a counted fault, like a detector."""
    out: dict[str, list[Finding]] = {}
    faults: list[str] = []
    if "performance_insights_unsupported" in wanted:
        try:
            out["performance_insights_unsupported"] = _insights_made_conditional(model, ideal, diff)
        except Exception as exc:
            faults.append(f"pair:performance_insights_unsupported: {type(exc).__name__}: {exc}")
    if "missing_depends_on" in wanted:
        try:
            out["missing_depends_on"] = _order_added_by_ideal(model, ideal, diff)
        except Exception as exc:
            faults.append(f"pair:missing_depends_on: {type(exc).__name__}: {exc}")
    if "lambda_package_missing" in wanted:
        try:
            out["lambda_package_missing"] = _package_built_by_ideal(model, ideal, diff)
        except Exception as exc:
            faults.append(f"pair:lambda_package_missing: {type(exc).__name__}: {exc}")
    if "outdated_engine_version" in wanted:
        from drdata.categories.outdated_engine_version import older_than_ideal

        try:
            out["outdated_engine_version"] = older_than_ideal(model, ideal, diff)
        except Exception as exc:
            faults.append(f"pair:outdated_engine_version: {type(exc).__name__}: {exc}")
    return out, faults


def _package_built_by_ideal(model: TerraformConfig, ideal: TerraformConfig, diff: PairDiff) -> list[Finding]:
    """A MODEL function whose package nothing builds (kept only by a source_code_hash), where the IDEAL
    builds its counterpart's package from sources it shows: the MODEL lacked the build."""
    from drdata.categories.lambda_package_missing import builds, unbuilt_with_hash
    from drdata.detectors.registry import _evidence, registry

    det = registry()["lambda_package_missing"]
    out = []
    for address, res in sorted(unbuilt_with_hash(model).items()):
        cp = diff.counterpart(address)
        other = ideal.resource(cp.address) if cp is not None else None
        if other is None or not builds(ideal, other):
            continue
        attr = res.attributes["filename"]
        line, evidence = _evidence(res, attr)
        out.append(Finding(det.category, det.id, det.severity, address, res.resource_type, res.file, line,
                           f"{address}: filename {attr.source} is not built by the answer (the IDEAL builds it "
                           "with archive_file)", evidence, "package"))
    return out


def _order_added_by_ideal(model: TerraformConfig, ideal: TerraformConfig, diff: PairDiff) -> list[Finding]:
    """An order AWS copes with itself (a flow log before its bucket policy) that the MODEL lacks and the
    IDEAL adds for the same resource: the IDEAL's authors found it needed, so the MODEL's gap is a finding."""
    from drdata.categories.missing_depends_on import ordering_gaps
    from drdata.detectors.registry import _evidence, registry

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
        line, evidence = _evidence(g.dependent, None)
        out.append(Finding(det.category, det.id, det.severity, g.dependent.address, g.dependent.resource_type,
                           g.dependent.file, line, f"{g.dependent.address}: no depends_on or reference to the {g.what} "
                           f"({', '.join(g.missing[:3])}); the IDEAL adds it", evidence, g.what))
    return out


def _insights_made_conditional(model: TerraformConfig, ideal: TerraformConfig, diff: PairDiff) -> list[Finding]:
    """Performance Insights switched on unconditionally while the instance class is configurable (any class,
    also one without Performance Insights, may be passed), where the IDEAL makes the flag configurable too."""
    from drdata.detectors.registry import _evidence, registry
    from drdata.hcl.model import Expr

    det = registry()["performance_insights_unsupported"]
    out = []
    for res in model.resources_of("aws_db_instance", "aws_rds_cluster_instance", "aws_rds_cluster"):
        flag = res.attributes.get("performance_insights_enabled")
        cls = res.attributes.get("instance_class") or res.attributes.get("db_cluster_instance_class")
        if flag is None or flag.value is not True or cls is None or cls.is_literal:
            continue
        cp = diff.counterpart(res.address)
        other = ideal.resource(cp.address) if cp is not None else None
        new = other.attributes.get("performance_insights_enabled") if other is not None else None
        if new is None or not isinstance(new.value, Expr):
            continue
        line, evidence = _evidence(res, flag)
        out.append(Finding(det.category, det.id, det.severity, res.address, res.resource_type, res.file, line,
                           f"{res.address}: performance_insights_enabled = true while {cls.name} comes from "
                           f"{cls.source} (any class may be passed); the IDEAL makes the flag follow it "
                           f"({new.source})", evidence, "performance_insights_enabled"))
    return out
