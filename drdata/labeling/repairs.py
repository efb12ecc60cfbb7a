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
    if not added:
        return None
    first = added[0]
    return first, f"{f.address} replaced by native resources ({len(added)} added, first {first.address})"


# -- pair findings -------------------------------------------------------------------------------------------------

def pair_findings(model: TerraformConfig, ideal: TerraformConfig, diff: PairDiff, wanted: set[str]
                  ) -> tuple[dict[str, list[Finding]], list[str]]:
    """(category -> extra MODEL findings, faults). A rule that raises is a counted fault, like a detector."""
    out: dict[str, list[Finding]] = {}
    faults: list[str] = []
    if "outdated_engine_version" in wanted:
        from drdata.detectors.reference.outdated_engine_version import older_than_ideal

        try:
            out["outdated_engine_version"] = older_than_ideal(model, ideal, diff)
        except Exception as exc:
            faults.append(f"pair:outdated_engine_version: {type(exc).__name__}: {exc}")
    return out, faults
