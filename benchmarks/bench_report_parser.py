"""Report-parser figures on the shared corpus.

Usage: .venv/bin/python benchmarks/bench_report_parser.py [CORPUS]  (default: ../shared/corpora/rlhf-synth-fixer)

Prints: reports, non-empty reports, share of non-empty reports yielding >= 1 item (target >= 95 %), items,
items whose text states a severity that got one (target 100 %), share of items mapped to a named category
(target >= 90 %), items per report shape and the most common unmapped titles.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

from drdata.corpus.report import SHAPES, is_placeholder, parse_report, report_shape

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO.parent / "shared" / "corpora" / "rlhf-synth-fixer"

# Deliberately looser than the parser: any "severity/priority/impact level" label near a severity word, or a
# severity word set off in the title, counts as "the text states a severity".
_WORDS = r"(critical|blocker|severe|high|major|significant|medium|moderate|low|minor|trivial)"
_STATED_BODY = re.compile(r"(severity|priority|impact level|criticality)\W{0,8}" + _WORDS + r"\b", re.I)
_STATED_TITLE = re.compile(r"[(\[]\s*" + _WORDS + r"\s*[)\]]|^\W*" + _WORDS + r"\s*[:\-]\s|[🔴🟠🟡🟢]", re.I)


def states_severity(title: str, body: str) -> bool:
    return bool(_STATED_BODY.search(body) or _STATED_TITLE.search(title))


def report_files(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("archive/*/*/lib/MODEL_FAILURES.md"))


def main(argv: list[str]) -> int:
    args = [a for a in argv[1:] if not a.startswith("-")]
    corpus = Path(args[0]) if args else DEFAULT
    files = report_files(corpus)
    t0 = time.perf_counter()
    n_nonempty = n_with_items = n_items = n_stated = n_stated_got = n_named = 0
    shape_reports: Counter = Counter()
    shape_items: Counter = Counter()
    unmapped: Counter = Counter()
    missed_sev: list[str] = []
    no_items: list[str] = []
    for f in files:
        text = f.read_bytes().decode("utf-8", errors="replace")
        items = parse_report(text)
        shape = report_shape(text)
        shape_reports[shape] += 1
        shape_items[shape] += len(items)
        if not is_placeholder(text):
            n_nonempty += 1
            n_with_items += bool(items)
            if not items:
                no_items.append(f.parent.parent.name)
        for it in items:
            n_items += 1
            if states_severity(it.title, it.body):
                n_stated += 1
                if it.severity:
                    n_stated_got += 1
                else:
                    missed_sev.append(f"{f.parent.parent.name}: {it.title}")
            if it.category != "other":
                n_named += 1
            else:
                unmapped[it.title] += 1
    dt = time.perf_counter() - t0

    def pct(a: int, b: int) -> str:
        return f"{100 * a / b:.1f} %" if b else "n/a"

    print(f"reports                         {len(files)}")
    print(f"non-empty reports               {n_nonempty}")
    print(f"non-empty with >= 1 item        {n_with_items}  ({pct(n_with_items, n_nonempty)}; target >= 95 %)")
    print(f"items                           {n_items}")
    print(f"items stating a severity        {n_stated}; got one: {n_stated_got}  ({pct(n_stated_got, n_stated)}; target 100 %)")
    print(f"items on a named category       {n_named}  ({pct(n_named, n_items)}; target >= 90 %)")
    print(f"time                            {dt:.1f} s")
    print("shape                  reports  items")
    for s in SHAPES:
        print(f"  {s:<22} {shape_reports[s]:>5}  {shape_items[s]:>5}")
    if "-v" in argv:
        print("non-empty reports without items:", " ".join(no_items))
        print("stated severity missed:", *missed_sev[:40], sep="\n  ")
        print("most common unmapped titles:", *[f"{n} {t}" for t, n in unmapped.most_common(60)], sep="\n  ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
