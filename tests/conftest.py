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


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    """Tests never touch the user's real parse cache.

    Under pytest-xdist the workers of one session share one cache folder, so the
    corpus is parsed and labelled once, not once per worker.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    old = os.environ.get("DRDATA_CACHE_DIR")
    os.environ["DRDATA_CACHE_DIR"] = str(base / "drdata-cache")
    yield
    if old is None:
        os.environ.pop("DRDATA_CACHE_DIR", None)
    else:
        os.environ["DRDATA_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def shared_run(shared_corpus):
    """The whole shared corpus labelled once per session (full taxonomy)."""
    from drdata.labeling.batch import label_corpus

    return label_corpus(shared_corpus, jobs=2, progress=False)


@pytest.fixture(scope="session")
def shared_labels_dir(shared_run, tmp_path_factory):
    """``drdata label`` output folder of the shared corpus."""
    from drdata.labeling.store import write_outputs

    out = tmp_path_factory.mktemp("shared-labels")
    write_outputs(shared_run, out)
    return out


# -- the browser test names its screenshot folder and the notebooks' run times in the summary ------------------

_BROWSER_NOTES: list[tuple[str, str]] = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        for key, value in getattr(report, "user_properties", ()):
            if key in ("screenshots", "notebook_run"):
                _BROWSER_NOTES.append((key, value))


def pytest_terminal_summary(terminalreporter):
    if not _BROWSER_NOTES:
        return
    terminalreporter.section("notebooks in JupyterLab")
    for value in sorted({v for k, v in _BROWSER_NOTES if k == "notebook_run"}):
        terminalreporter.write_line(f"run all cells: {value}")
    for value in sorted({v for k, v in _BROWSER_NOTES if k == "screenshots"}):
        terminalreporter.write_line(f"browser screenshots: {value}")
