"""The rule framework: categories, detectors over one parsed answer, their outcomes. See :mod:`drdata.detectors.registry`.

The categories themselves, each with its detector, are the modules of :mod:`drdata.catalog`; the helpers
they share are :mod:`drdata.detectors.helpers`.
"""

from drdata.detectors.registry import (  # noqa: F401
    CLEAR,
    FIRES,
    UNKNOWN,
    Finding,
    Outcome,
    cannot_tell,
    detector,
    hit,
    hit_at,
    registry,
    run_detector,
)
