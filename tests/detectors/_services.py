"""Shared check for the AWS service detector tests."""

from drdata.detectors import registry, run_detector
from drdata.hcl import parse_hcl


def check(det_id: str, hcl: str, status: str, expect: str) -> None:
    """Run one detector on inline HCL; ``expect`` must appear in a finding (fires) or a reason (unknown)."""
    out = run_detector(registry()[det_id], parse_hcl(hcl))
    assert out.fault is None
    assert out.status == status, (out.findings, out.reasons)
    if status == "fires":
        assert any(expect in f"{f.address} {f.message}" for f in out.findings), [f.message for f in out.findings]
    elif status == "unknown":
        assert any(expect in r for r in out.reasons), out.reasons
