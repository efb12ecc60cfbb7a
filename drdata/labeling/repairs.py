"""Rules that need both answers of a pair.

Two kinds:

- **pair findings**: failures only a comparison reveals (the MODEL's engine version is older than the IDEAL's
  for the same database). They become MODEL findings of the category. Each category declares its own with
  ``@pair_rule`` beside its detector (drdata/catalog/<id>.py); :func:`pair_findings` runs them.
- **own repairs**: how a category is repaired when the MODEL object carrying the failure has no counterpart
  in the IDEAL at all. By default that is not a repair (the IDEAL omits or dropped the part, and the label is
  ``unknown``), but some categories are repaired precisely by removing or replacing the object: an external
  module replaced by native resources, an undeclared reference whose user was rewritten. They stay here: they
  build the labeler's diff entries (``Entry``, ``COMPLETE``), and a category module must not import the labeler.
"""

from __future__ import annotations

from collections.abc import Callable

from drdata.detectors.registry import Finding, pair_rules
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


# Parts a finding points at whose removal from the IDEAL's counterpart is a drop, not a repair: the IDEAL
# that deletes the provider's default_tags has no shared tag set left to judge (the gold protocol's "dropped").
_DROPPED_WHEN_REMOVED = {("incomplete_tagging", "suffix_key", "provider"): "default_tags"}


def dropped_part(category: str, finding: Finding, model_entry: Entry | None, ideal_entry: Entry | None) -> bool:
    """The IDEAL's counterpart no longer has the part of the block the finding is about."""
    prefix = _DROPPED_WHEN_REMOVED.get((category, finding.part, finding.kind))
    if prefix is None or model_entry is None or ideal_entry is None:
        return False
    def has(entry: Entry) -> bool:
        return any(path == prefix or path.startswith(prefix + ".") for path, _ in entry.values)
    return has(model_entry) and not has(ideal_entry)


def _answer_entry(ideal: TerraformConfig) -> Entry:
    first = ideal.code_blocks[0] if ideal.code_blocks else None
    return Entry("config", "config", first.file if first else None, first.line if first else 0, frozenset(), (), "")


# -- pair findings -------------------------------------------------------------------------------------------------

def pair_findings(model: TerraformConfig, ideal: TerraformConfig, diff: PairDiff, wanted: set[str]
                  ) -> tuple[dict[str, list[Finding]], list[str]]:
    """(category -> extra MODEL findings, faults) from the pair rules the categories declare
    (``@pair_rule`` in drdata/catalog/<id>.py). A rule that raises is a counted fault, like a detector."""
    out: dict[str, list[Finding]] = {}
    faults: list[str] = []
    for cid, rule in pair_rules().items():
        if cid not in wanted:
            continue
        try:
            out[cid] = rule(model, ideal, diff)
        except Exception as exc:
            faults.append(f"pair:{cid}: {type(exc).__name__}: {exc}")
    return out, faults
