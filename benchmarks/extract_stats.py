"""Figures of the Terraform extraction over every MODEL_RESPONSE.md and IDEAL_RESPONSE.md of a corpus.

Usage: python benchmarks/extract_stats.py [CORPUS]   (default: ../shared/corpora/rlhf-synth-fixer)
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from drdata.corpus import load_corpus
from drdata.extract import extract_code_blocks
from drdata.extract.markdown import is_hcl_like

SIDES = (("MODEL", "model_response"), ("IDEAL", "ideal_response"))


def _why_empty(text: str | None) -> str:
    if text is None:
        return "file missing or unreadable"
    if not text.strip():
        return "empty file"
    if len(text) < 200 and text.lstrip().lower().startswith("insert here"):
        return "placeholder text"
    if "```" not in text and "~~~" not in text:
        return "prose only, no code" if not is_hcl_like(text) else "HCL-like text not extracted (bug)"
    return "fences hold no Terraform (other languages or prose)"


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "rlhf-synth-fixer"
    tasks = load_corpus(root)
    started = time.perf_counter()
    answers = blocks = unfenced = glued = heredoc = nested = unterminated = glued_open = named = 0
    empty: list[tuple[str, str, str]] = []
    files: Counter[str] = Counter()
    for task in tasks:
        for side, attr in SIDES:
            text = getattr(task, attr)
            answers += 1
            ex = extract_code_blocks(text or "")
            blocks += len(ex.blocks)
            unfenced += any(not b.fenced for b in ex.blocks)
            unterminated += sum(b.unterminated for b in ex.blocks)
            named += sum(b.file is not None for b in ex.blocks)
            for b in ex.blocks:
                files[b.file or "(none)"] += 1
            glued += sum("closing fence glued" in r for r in ex.repairs)
            glued_open += sum("glued to the opening fence" in r for r in ex.repairs)
            heredoc += sum("inside a heredoc" in r for r in ex.repairs)
            nested += sum("inner fence of a markdown fence" in r for r in ex.repairs)
            if not ex.blocks:
                empty.append((task.id, side, _why_empty(text)))
    elapsed = time.perf_counter() - started
    print(f"tasks: {len(tasks)}")
    print(f"answers: {answers}")
    print(f"Terraform blocks: {blocks} ({named} with a file name, {blocks - named} without)")
    print(f"answers with 0 blocks: {len(empty)}")
    for why, n in Counter(w for _, _, w in empty).most_common():
        print(f"  {n:4d}  {why}")
    for tid, side, why in empty:
        print(f"    {tid} {side}: {why}")
    print(f"unfenced answers (whole text is one block): {unfenced}")
    print(f"closing fences glued to code, repaired: {glued}")
    print(f"code glued to the opening fence, repaired: {glued_open}")
    print(f"fence lines inside heredocs, kept as code: {heredoc}")
    print(f"inner-fence closings inside markdown fences, kept: {nested}")
    print(f"unterminated fences (truncated answers): {unterminated}")
    print(f"most common file names: {', '.join(f'{k}={v}' for k, v in files.most_common(8))}")
    print(f"time: {elapsed:.2f} s ({answers / elapsed:.0f} answers/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
