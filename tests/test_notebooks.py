"""The five notebooks run headless on the embedded and the shared corpus, and are committed without outputs.

(tests/test_browser.py runs them through JupyterLab in a real browser.)"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
NAMES = ["01_corpus_overview", "02_reproduce_reference_report", "03_severity_statistics", "04_export_datasets",
         "05_explore_tasks"]
LABEL_RUN_NOTEBOOKS = ["01_corpus_overview", "03_severity_statistics", "04_export_datasets", "05_explore_tasks"]
CELL_TIMEOUT = 600  # seconds per cell: labeling the shared corpus on 2 busy cores is the slow one


def _shared() -> Path:
    env = os.environ.get("DRDATA_SHARED_CORPUS")
    return Path(env) if env else REPO.parent / "shared" / "corpora" / "rlhf-synth-fixer"


def test_the_five_notebooks_are_there():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_no_outputs_and_a_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for c in code:
        assert c.outputs == [], f"{name}: a cell has outputs"
        assert c.execution_count is None, f"{name}: a cell has an execution count"
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    # The shared parameters are one library call (DRDATA_NOTEBOOK_CORPUS / _LABELS); notebook-specific ones follow.
    assert "CORPUS, LABELS = notebook_parameters()" in params[0].source
    assert "DRDATA_NOTEBOOK_CORPUS" not in params[0].source
    # No detector logic and no copied helpers: the notebooks call the library.
    source = "\n".join(c.source for c in code)
    assert "def " not in source and "import re" not in source
    if name in LABEL_RUN_NOTEBOOKS:
        assert "Labels are computed once" in nb.cells[0].source  # the first cell says so
        assert "label_run(CORPUS, LABELS)" in source


def _run(name: str, env: dict[str, str], monkeypatch) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    for k, v in env.items():
        monkeypatch.setenv(k, v)  # the kernel inherits the environment
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    return nb


def _text(nb) -> str:
    out = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            if o.output_type == "stream":
                out.append(o.text)
            elif "data" in o:
                out.append(o.data.get("text/plain", ""))
    return "\n".join(out)


def _images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def _check(name: str, nb, corpus: Path) -> None:
    text = _text(nb)
    assert "Traceback" not in text
    if name == "01_corpus_overview":
        from drdata.corpus import load_corpus

        assert f"{len(load_corpus(corpus))} tasks" in text
    elif name == "02_reproduce_reference_report":
        assert re.search(r"matched: \d+/12 human items by category", text), text[-2000:]
        assert re.search(r"\d+ items beyond the human report", text)
        markdown = [o["data"]["text/markdown"] for c in nb.cells for o in c.get("outputs", [])
                    if "text/markdown" in o.get("data", {})]
        assert len(markdown) == 2
        # The last section shows only the items beyond the human report, not the 12 again.
        assert "External Module Dependency" in markdown[0] and "External Module Dependency" not in markdown[1]
    elif name == "03_severity_statistics":
        assert _images(nb) == 5
        assert "Spearman(severity score, training_quality)" in text
    elif name == "04_export_datasets":
        assert re.search(r"== sft: \{'train': \d+", text)
        assert "datasets go to " in text
    elif name == "05_explore_tasks":
        html = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", [])
                if "text/html" in o.get("data", {})]
        assert sum('class="drdata-task mathjax_ignore' in h for h in html) == 2
        widgets = [o for c in nb.cells for o in c.get("outputs", [])
                   if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert widgets  # the browser
    if name in LABEL_RUN_NOTEBOOKS:
        assert "labels: " in text


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_on_the_embedded_corpus(name, tmp_path, monkeypatch):
    corpus = REPO / "corpora"
    nb = _run(name, {"DRDATA_NOTEBOOK_CORPUS": str(corpus), "DRDATA_NOTEBOOK_LABELS": "",
                     "DRDATA_LABEL_RUNS": str(tmp_path / "runs"),
                     "DRDATA_NOTEBOOK_EXPORT": str(tmp_path / "export"), "DRDATA_NOTEBOOK_EXPORT_CONFIGS": ""},
              monkeypatch)
    _check(name, nb, corpus)
    if name == "02_reproduce_reference_report":
        # Demo001 commits exactly the 12 reference failures.
        assert "matched: 12/12 human items by category; same severity: 12/12" in _text(nb)


@pytest.fixture(scope="module")
def shared_labels(shared_labels_dir) -> Path:
    """The shared corpus labeled once per session, so notebooks 1, 3, 4 and 5 read the labels."""
    return shared_labels_dir


@pytest.mark.corpus
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_on_the_shared_corpus(name, shared_labels, tmp_path, monkeypatch):
    corpus = _shared()
    # The repair / critique configs take minutes over ~500 tasks; the embedded run builds every config.
    nb = _run(name, {"DRDATA_NOTEBOOK_CORPUS": str(corpus), "DRDATA_NOTEBOOK_LABELS": str(shared_labels),
                     "DRDATA_NOTEBOOK_EXPORT": str(tmp_path / "export"),
                     "DRDATA_NOTEBOOK_EXPORT_CONFIGS": "sft,preference,labels"}, monkeypatch)
    _check(name, nb, corpus)
