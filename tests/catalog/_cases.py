"""Run one category's detector on inline HCL or a markdown answer, and check its outcome (shared by the
per-category test modules)."""

from __future__ import annotations

from dataclasses import replace

from drdata.corpus.prompt import extract_requirements
from drdata.detectors import registry, run_detector
from drdata.detectors.registry import Outcome
from drdata.hcl import parse_answer, parse_hcl


def run(category: str, hcl: str, prompt: str | None = None) -> Outcome:
    """The category's detector on inline HCL; ``prompt``: the task's PROMPT text, as the labeler gives it."""
    cfg = parse_hcl(hcl)
    if prompt is not None:
        cfg = replace(cfg, requirements=extract_requirements(prompt))
    return run_detector(registry()[category], cfg)


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
    """The outcome has ``status``, findings on exactly ``addresses`` and ``fragment`` in a message or reason."""
    assert outcome.fault is None, outcome.fault
    assert outcome.status == status, (outcome.status, [f.message for f in outcome.findings], outcome.reasons)
    if addresses is not None:
        assert sorted({f.address for f in outcome.findings}) == sorted(addresses), [f.message for f in outcome.findings]
    if fragment is not None:
        text = " | ".join([f.message for f in outcome.findings] + outcome.reasons)
        assert fragment in text, text


def check_text(det_id: str, hcl: str, status: str, expect: str) -> None:
    """Run one detector on inline HCL; ``expect`` must appear in a finding (fires) or a reason (unknown)."""
    out = run_detector(registry()[det_id], parse_hcl(hcl))
    assert out.fault is None
    assert out.status == status, (out.findings, out.reasons)
    if status == "fires":
        assert any(expect in f"{f.address} {f.message}" for f in out.findings), [f.message for f in out.findings]
    elif status == "unknown":
        assert any(expect in r for r in out.reasons), out.reasons
