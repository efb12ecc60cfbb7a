"""The failure taxonomy, as data.

Each category has an id (the one name used by its detector function, the
registry, dataset columns and docs), a default severity and prose for reports.
Categories are declared in the theme modules of this package; a *taxonomy* is a
named selection of them: ``reference`` is exactly the 12 categories of the
reference report (Pr4579), ``full`` (the default) is every category drdata's
detectors label. *Opt-in* categories (``terraform_validate``) are labelled only
by an option that needs an outside tool (``drdata label --terraform-validate``):
:func:`category` knows them, the named taxonomies leave them out unless asked.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("Critical", "High", "Medium", "Low")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}  # 0 = most severe
RULE_SETS = ("aws", "convention")


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    severity: str
    rule_set: str  # "aws" (AWS correctness/security) or "convention" (this pipeline's own rules)
    what: str  # what the failure is
    root_cause: str  # why models make it
    impact: str  # what goes wrong when deployed
    fix: str  # how to fix it
    reference: bool = False  # one of the 12 categories of the reference report
    opt_in: bool = False  # labelled only on request (needs an outside tool); not in the named taxonomies

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"category {self.id}: severity {self.severity!r} is not one of {SEVERITIES}")
        if self.rule_set not in RULE_SETS:
            raise ValueError(f"category {self.id}: rule_set {self.rule_set!r} is not one of {RULE_SETS}")


_CATEGORIES: dict[str, Category] = {}


def declare(*categories: Category) -> None:
    """Add categories to the known set (called by the theme modules at import)."""
    for c in categories:
        if c.id in _CATEGORIES and _CATEGORIES[c.id] != c:
            raise ValueError(f"category {c.id} declared twice")
        _CATEGORIES[c.id] = c


def _load() -> None:
    # Import for the side effect of declaring; order fixes the reference 12 first.
    from drdata.taxonomy import reference  # noqa: F401
    for name in ("services", "code"):
        try:
            __import__(f"drdata.taxonomy.{name}")
        except ModuleNotFoundError as exc:  # theme module not written yet
            if exc.name != f"drdata.taxonomy.{name}":
                raise


TAXONOMIES = ("reference", "full")


def categories(taxonomy: str = "full", *, opt_in: bool = False) -> list[Category]:
    """Categories of a named taxonomy, reference ones first then by id; ``opt_in`` adds the opt-in ones."""
    _load()
    if taxonomy not in TAXONOMIES:
        raise ValueError(f"unknown taxonomy {taxonomy!r}: choose one of {', '.join(TAXONOMIES)}")
    cats = [c for c in _CATEGORIES.values() if opt_in or not c.opt_in]
    if taxonomy == "reference":
        cats = [c for c in cats if c.reference]
    return sorted(cats, key=lambda c: (not c.reference, c.id if not c.reference else ""))  # stable: reference in declared order


def category(cid: str) -> Category:
    _load()
    try:
        return _CATEGORIES[cid]
    except KeyError:
        raise KeyError(f"unknown category {cid!r}") from None


def category_ids(taxonomy: str = "full") -> list[str]:
    return [c.id for c in categories(taxonomy)]
