"""Generate docs/categories.md from the registry, so the docs cannot drift from the code.

    python -m drdata.taxonomy.docs > docs/categories.md
"""

from __future__ import annotations

from drdata.taxonomy import categories


def categories_markdown() -> str:
    from drdata.detectors.registry import registry

    dets = registry()
    by_cat: dict[str, list[str]] = {}
    for d in dets.values():
        by_cat.setdefault(d.category, []).append(d.id)
    cats = categories("full", opt_in=True)
    lines = [
        "# Failure categories",
        "",
        "Generated from the registry by `python -m drdata.taxonomy.docs`; a test checks it is current.",
        "The id is the detector function, the registry key, the dataset column and this row: one name everywhere.",
        "`reference` marks the 12 categories of the reference report (taxonomy `reference`); `full` holds all of them",
        "but the opt-in ones, labelled only on request by an option that needs an outside tool.",
        "",
        f"{len(cats)} categories, {sum(c.reference for c in cats)} in the reference taxonomy, "
        f"{sum(c.opt_in for c in cats)} opt-in.",
        "",
        "| id | title | severity | rule set | reference | detectors |",
        "|---|---|---|---|---|---|",
    ]
    for c in cats:
        detectors = ", ".join(f"`{d}`" for d in sorted(by_cat.get(c.id, []))) or (
            "opt-in: `drdata label --terraform-validate`" if c.opt_in else "—")
        lines.append(f"| `{c.id}` | {c.title} | {c.severity} | {c.rule_set} | {'yes' if c.reference else ''} "
                     f"| {detectors} |")
    lines.append("")
    for c in cats:
        lines += [f"## `{c.id}` — {c.title}", "",
                  f"**Severity**: {c.severity} · **Rule set**: {c.rule_set}"
                  + (" · **Reference report category**" if c.reference else "")
                  + (" · **Opt-in** (`drdata label --terraform-validate`)" if c.opt_in else ""), "",
                  f"- **What**: {c.what}", f"- **Root cause**: {c.root_cause}", f"- **Impact**: {c.impact}",
                  f"- **Fix**: {c.fix}", ""]
        for d in sorted(by_cat.get(c.id, [])):
            doc = dets[d].doc.strip().replace("\n", "\n  ")
            lines += [f"Detector `{d}`:", "", "  " + doc, ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(categories_markdown(), end="")
