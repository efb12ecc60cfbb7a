"""Shared test fixtures.

The shared corpus is found at ``../shared/corpora/rlhf-synth-fixer`` from the
repo root, or wherever ``DRDATA_SHARED_CORPUS`` points. Tests marked ``corpus``
*fail* (not skip) when it is missing: CI must not go green without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEMO_CORPUS = REPO / "corpora"


def shared_corpus_path() -> Path:
    env = os.environ.get("DRDATA_SHARED_CORPUS")
    return Path(env) if env else REPO.parent / "shared" / "corpora" / "rlhf-synth-fixer"


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    path = shared_corpus_path()
    if not (path / "archive").is_dir():
        pytest.fail(f"shared corpus not found at {path} (set DRDATA_SHARED_CORPUS)")
    return path


@pytest.fixture(scope="session")
def reference_task(shared_corpus: Path) -> Path:
    return shared_corpus / "archive" / "tf-hcl" / "Pr4579"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    # Tests never touch the user's real parse cache.
    monkeypatch.setenv("DRDATA_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
