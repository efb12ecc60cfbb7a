"""Run one reference detector over inline HCL (shared by the reference detector tests)."""

from __future__ import annotations

from dataclasses import replace

from drdata.corpus.prompt import extract_requirements
from drdata.detectors import registry, run_detector
from drdata.detectors.registry import Outcome
from drdata.hcl import parse_hcl


def run(category: str, hcl: str, prompt: str | None = None) -> Outcome:
    """The category's detector on inline HCL; ``prompt``: the task's PROMPT text, as the labeler gives it."""
    cfg = parse_hcl(hcl)
    if prompt is not None:
        cfg = replace(cfg, requirements=extract_requirements(prompt))
    return run_detector(registry()[category], cfg)


def check(outcome: Outcome, status: str, addresses: list[str] | None = None, fragment: str | None = None) -> None:
    assert outcome.fault is None, outcome.fault
    assert outcome.status == status, (outcome.status, [f.message for f in outcome.findings], outcome.reasons)
    if addresses is not None:
        assert sorted({f.address for f in outcome.findings}) == sorted(addresses)
    if fragment is not None:
        text = " | ".join([f.message for f in outcome.findings] + outcome.reasons)
        assert fragment in text, text
