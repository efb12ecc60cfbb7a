"""Shared measurement of detector recall against the human reports (used by the detector_recall_* scripts).

Per category: tasks labelled fixed (MODEL has a finding the IDEAL lacks, matched as the labeler matches them), the
share of IDEAL and MODEL answers it fires on, and recall against the tasks whose human report names the category,
both by the report parser's mapping ("named") and by the calling script's stricter title rules ("own").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from drdata.corpus.report import parse_report
from drdata.detectors.registry import FIRES, registry, run_detector
from drdata.hcl import parse_answer
from drdata.labeling.pair import FIXED, label_configs

SEVERITIES = ("Critical", "High", "Medium", "Low")


def measure(tasks, ids: tuple[str, ...], own_rules: dict[str, str]):
    """(rows, misses, severities by the parser's mapping, severities by mapping or own title rule)."""
    own_rx = {c: re.compile(rx, re.I) for c, rx in own_rules.items()}
    dets = registry()
    rows: dict[str, Counter] = {c: Counter() for c in ids}
    misses: dict[str, list[str]] = defaultdict(list)
    sev_parser: dict[str, Counter] = {c: Counter() for c in ids}
    sev_union: dict[str, Counter] = {c: Counter() for c in ids}
    for t in tasks:
        model = parse_answer(t.model_response)
        ideal = parse_answer(t.ideal_response)
        # Fixed as the pair labeler says it (the IDEAL shows the repair), for every category at once.
        pair = label_configs(model, ideal, taxonomy="full", task_id=t.id, prompt=t.prompt).categories
        named, own = set(), set()
        for item in parse_report(t.failures_report):
            by_parser = item.category in rows
            by_own = {cid for cid, rx in own_rx.items() if rx.search(item.title)}
            if by_parser:
                named.add(item.category)
                if item.severity:
                    sev_parser[item.category][item.severity] += 1
            own |= by_own
            if item.severity:
                for cid in by_own | ({item.category} if by_parser else set()):
                    sev_union[cid][item.severity] += 1
        for cid in ids:
            r = rows[cid]
            m = run_detector(dets[cid], model)
            i = run_detector(dets[cid], ideal)
            r["tasks"] += 1
            if not ideal.empty:
                r["ideal_n"] += 1
                r["ideal_fires"] += i.status == FIRES
            if not model.empty:
                r["model_n"] += 1
                r["model_fires"] += m.status == FIRES
            fixed = cid in pair and pair[cid].status == FIXED
            r["fixed"] += fixed
            for key, names in (("named", named), ("own", own)):
                if cid in names:
                    r[key] += 1
                    r[key + "_model_fires"] += m.status == FIRES
                    r[key + "_fixed"] += fixed
                    if m.status != FIRES:
                        misses[f"{cid}:{key}"].append(f"{t.id}({m.status})")
    return rows, misses, sev_parser, sev_union


def _pct(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def most_common(c: Counter) -> str:
    return max(SEVERITIES, key=lambda s: (c[s], -SEVERITIES.index(s))) if c else "-"


def print_report(tasks, ids: tuple[str, ...], own_rules: dict[str, str], argv: list[str]) -> None:
    """The table; ``--misses`` adds named-but-missed task ids, ``--severity`` the severity counts."""
    rows, misses, sev_parser, sev_union = measure(tasks, ids, own_rules)
    head = ("category", "fixed", "ideal_fires", "ideal_share", "model_share", "named", "recall", "recall_fixed",
            "named_own", "recall_own", "recall_own_fixed")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for cid in ids:
        r = rows[cid]
        print(f"| {cid} | {r['fixed']} | {r['ideal_fires']}/{r['ideal_n']} | {_pct(r['ideal_fires'], r['ideal_n'])} | "
              f"{_pct(r['model_fires'], r['model_n'])} | {r['named']} | {_pct(r['named_model_fires'], r['named'])} | "
              f"{_pct(r['named_fixed'], r['named'])} | {r['own']} | {_pct(r['own_model_fires'], r['own'])} | "
              f"{_pct(r['own_fixed'], r['own'])} |")
    print(f"\n{len(tasks)} tasks. recall = named tasks whose MODEL answer the detector fires on; recall_fixed = "
          "named tasks labelled fixed. 'named' = report items mapped to the category by drdata.reports; "
          "'named_own' = item titles matching the script's OWN_RULES.")
    if "--misses" in argv:
        for cid in ids:
            print(f"\n{cid} missed (parser): {' '.join(misses[cid + ':named'])}")
            print(f"{cid} missed (own rules): {' '.join(misses[cid + ':own'])}")
    if "--severity" in argv:
        print("\n| category | parser C/H/M/L | parser or own title rule C/H/M/L | most common |")
        print("|---|---|---|---|")
        for cid in ids:
            p, u = sev_parser[cid], sev_union[cid]
            print(f"| {cid} | " + "/".join(str(p[s]) for s in SEVERITIES) + " | "
                  + "/".join(str(u[s]) for s in SEVERITIES) + f" | {most_common(u)} |")
