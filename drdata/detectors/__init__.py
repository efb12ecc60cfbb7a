"""Detectors over one parsed answer. See :mod:`drdata.detectors.registry`.

Sub-packages group them by theme: ``reference`` (the 12 categories of the
reference report), ``services`` (AWS service configuration and security),
``code`` (code structure, providers, variables, naming).
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
