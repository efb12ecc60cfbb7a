"""Draw the gold sample: a seeded random sample of tf-hcl task ids of the shared corpus.

Run once to make ``sample.csv``; rerunning with the same corpus and seed gives the same rows. Nothing is
hand-picked: the ids are sorted, ``random.Random(SEED).sample`` draws SIZE of them in draw order, the first
DEV of the draw are the development part (their misses may be read while improving rules), the rest the
holdout (only its figures are read). OVERLAP ids of the draw are drawn again, with their own seed, for the
second, independent judging pass used to measure agreement (Cohen's kappa).

The extension (judged later, with the same protocol and readings) is a second draw of EXTENSION ids, with its
own seed, from the ids the first draw left: drdata was scored on it once, before any rule was changed with its
misses in view (that first figure is recorded in README.md); after that it serves as development material.

    python benchmarks/gold/sample.py            # prints the sample
    python benchmarks/gold/sample.py --write    # writes benchmarks/gold/sample.csv
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _corpus import shared_corpus  # noqa: E402

SEED = 20261204
SIZE = 100
DEV = 60
OVERLAP = 15
OVERLAP_SEED = SEED + 1
EXTENSION = 40
EXTENSION_SEED = SEED + 2
HERE = Path(__file__).resolve().parent


def draw(corpus: Path) -> list[dict]:
    ids = sorted(p.name for p in (corpus / "archive" / "tf-hcl").iterdir() if p.is_dir())
    drawn = random.Random(SEED).sample(ids, SIZE)
    overlap = set(random.Random(OVERLAP_SEED).sample(drawn, OVERLAP))
    rows = [{"order": i, "task": t, "part": "dev" if i < DEV else "holdout", "second_pass": int(t in overlap)}
            for i, t in enumerate(drawn)]
    left = sorted(set(ids) - set(drawn))
    extension = random.Random(EXTENSION_SEED).sample(left, EXTENSION)
    rows += [{"order": SIZE + i, "task": t, "part": "extension", "second_pass": 0} for i, t in enumerate(extension)]
    return rows


def main() -> None:
    rows = draw(shared_corpus())
    if "--write" in sys.argv:
        with open(HERE / "sample.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    for r in rows:
        print(r["order"], r["task"], r["part"], "second_pass" if r["second_pass"] else "")


if __name__ == "__main__":
    main()
