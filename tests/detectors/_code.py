"""Helpers for the code-structure detector tests: run a detector on inline HCL or on a markdown answer."""

from __future__ import annotations

from drdata.detectors import registry, run_detector
from drdata.detectors.registry import Outcome
from drdata.hcl import parse_answer, parse_hcl


def run(category: str, hcl: str) -> Outcome:
    return run_detector(registry()[category], parse_hcl(hcl))


def answer(files: dict[str, str] | list[tuple[str | None, str]], tail: str = "```\n") -> str:
    """A markdown answer with one ```hcl fence per file (``None`` = no file heading). ``tail`` closes the
    last fence; pass "" to leave it open."""
    items = list(files.items()) if isinstance(files, dict) else files
    parts = []
    for i, (name, text) in enumerate(items):
        head = f"## {name}\n\n" if name else "## Notes\n\nSome explanation.\n\n"
        close = "```\n" if i < len(items) - 1 else tail
        parts.append(f"{head}```hcl\n{text.rstrip()}\n{close}\n")
    return "Here is the configuration.\n\n" + "".join(parts)


def run_md(category: str, markdown: str) -> Outcome:
    return run_detector(registry()[category], parse_answer(markdown, cache=False))


def check(outcome: Outcome, status: str, addresses: list[str] | None = None, fragment: str | None = None) -> None:
    assert outcome.fault is None, outcome.fault
    assert outcome.status == status, (outcome.status, [f.message for f in outcome.findings], outcome.reasons)
    if addresses is not None:
        assert sorted({f.address for f in outcome.findings}) == sorted(addresses), [f.message for f in outcome.findings]
    if fragment is not None:
        text = " | ".join([f.message for f in outcome.findings] + outcome.reasons)
        assert fragment in text, text
