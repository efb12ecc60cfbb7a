"""Where benchmarks find the shared corpus (same rule as the tests)."""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shared_corpus() -> Path:
    env = os.environ.get("DRDATA_SHARED_CORPUS")
    path = Path(env) if env else REPO.parent / "shared" / "corpora" / "rlhf-synth-fixer"
    if not (path / "archive").is_dir():
        sys.exit(f"shared corpus not found at {path}: set DRDATA_SHARED_CORPUS")
    return path
