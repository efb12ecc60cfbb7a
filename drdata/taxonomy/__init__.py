"""The failure taxonomy: named selections of the categories that drdata/catalog declares.

Each category is one module of :mod:`drdata.catalog` (id, title, severity, prose, tags, report-title rules,
data tables and its detector); this package only selects from them. A *taxonomy* is a named selection:
``reference`` is exactly the 12 categories of the reference report (Pr4579), ``full`` (the default) is every
category drdata's detectors label. *Opt-in* categories (``terraform_validate``) are labelled only by an option
that needs an outside tool (``drdata label --terraform-validate``): :func:`category` knows them, the named
taxonomies leave them out unless asked.
"""

from __future__ import annotations

from drdata.detectors.registry import (  # noqa: F401 - re-exported: the taxonomy's vocabulary
    RULE_SETS,
    SEVERITIES,
    SEVERITY_RANK,
    THEMES,
    Category,
    all_categories,
    declared_category,
)

TAXONOMIES = ("reference", "full")


def categories(taxonomy: str = "full", *, opt_in: bool = False) -> list[Category]:
    """Categories of a named taxonomy, the reference ones first (in the report's order) then by id; ``opt_in``
    adds the opt-in ones."""
    if taxonomy not in TAXONOMIES:
        raise ValueError(f"unknown taxonomy {taxonomy!r}: choose one of {', '.join(TAXONOMIES)}")
    cats = [c for c in all_categories() if opt_in or not c.opt_in]
    if taxonomy == "reference":
        cats = [c for c in cats if c.reference]
    return sorted(cats, key=lambda c: (not c.reference, c.number if c.reference else 0, c.id))


def category(cid: str) -> Category:
    return declared_category(cid)


def category_ids(taxonomy: str = "full") -> list[str]:
    return [c.id for c in categories(taxonomy)]
