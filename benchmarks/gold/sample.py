"""Draw the gold sample: a seeded random sample of tf-hcl task ids of the shared corpus.

Run once to make ``sample.csv``; rerunning with the same corpus and seed gives the same rows. Nothing is
hand-picked: the ids are sorted, ``random.Random(SEED).sample`` draws SIZE of them in draw order, the first
DEV of the draw are the development part (their misses may be read while improving rules), the rest the
holdout (only its figures are read). OVERLAP ids of the draw are drawn again, with their own seed, for the
second, independent judging pass used to measure agreement (Cohen's kappa).

The extension (judged later, with the same protocol and readings) is a second draw of EXTENSION ids, with its
own seed, from the ids the first draw left: drdata was scored on it once, before any rule was changed with its
misses in view (that first figure is recorded in README.md); after that it serves as development material.

The Lambda part is judged for lambda_package_missing only: a seeded draw of LAMBDA ids from the tasks left
after both draws whose answers declare a Lambda function or layer (the reference task excluded), LAMBDA_OVERLAP
of them judged twice. It measures that one category on enough cases; it is not a random sample of the corpus,
so it stays out of the micro figures.

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
LAMBDA = 40
LAMBDA_SEED = SEED + 3
LAMBDA_OVERLAP = 8
REFERENCE_TASK = "Pr4579"  # the rules were written to its report: never gold
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
    # The Lambda draw: n = 7 gold `fixed` labels in a random sample is too few to measure one category, so
    # draw from the tasks whose answers declare a Lambda at all (a plain text test, not drdata's parse).
    rest = sorted(set(left) - set(extension) - {REFERENCE_TASK})
    pool = [t for t in rest if declares_lambda(corpus / "archive" / "tf-hcl" / t)]
    lam = random.Random(LAMBDA_SEED).sample(pool, LAMBDA)
    lam_overlap = set(random.Random(LAMBDA_SEED + 1).sample(lam, LAMBDA_OVERLAP))
    rows += [{"order": SIZE + EXTENSION + i, "task": t, "part": "lambda", "second_pass": int(t in lam_overlap)}
             for i, t in enumerate(lam)]
    return rows


def declares_lambda(task_dir: Path) -> bool:
    """The MODEL or IDEAL answer's text declares an aws_lambda_function or aws_lambda_layer_version."""
    for name in ("MODEL_RESPONSE.md", "IDEAL_RESPONSE.md"):
        path = task_dir / "lib" / name
        data = path.read_bytes() if path.is_file() else b""
        if b'"aws_lambda_function"' in data or b'"aws_lambda_layer_version"' in data:
            return True
    return False


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
