"""Run one reference detector over inline HCL (shared by the reference detector tests)."""

from __future__ import annotations

from drdata.detectors import registry, run_detector
from drdata.detectors.registry import Outcome
from drdata.hcl import parse_hcl


def run(category: str, hcl: str) -> Outcome:
    return run_detector(registry()[category], parse_hcl(hcl))


def check(outcome: Outcome, status: str, addresses: list[str] | None = None, fragment: str | None = None) -> None:
    assert outcome.fault is None, outcome.fault
    assert outcome.status == status, (outcome.status, [f.message for f in outcome.findings], outcome.reasons)
    if addresses is not None:
        assert sorted({f.address for f in outcome.findings}) == sorted(addresses)
    if fragment is not None:
        text = " | ".join([f.message for f in outcome.findings] + outcome.reasons)
        assert fragment in text, text
