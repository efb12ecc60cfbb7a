"""The task explorer (show_task, the widget browser), the shared label run and notebook tables."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from drdata.corpus.reader import read_task
from drdata.explore import TaskView, browse, export_run, label_run, show_table, show_task
from tests.factory import make_corpus, make_task

REPO = Path(__file__).resolve().parent.parent


class _Rows(HTMLParser):
    """The code table of a TaskView as rows: ("code", model line, ideal line, kind) and
    ("note", side, category, status) for a finding shown under the last code row."""

    def __init__(self):
        super().__init__()
        self.rows: list[tuple] = []
        self._tr: dict | None = None
        self._td: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr":
            self._tr = {"class": a.get("class", ""), "cells": []}
        elif tag == "td" and self._tr is not None:
            self._td = {"class": a.get("class", ""), "text": ""}
            self._tr["cells"].append(self._td)

    def handle_data(self, data):
        if self._td is not None:
            self._td["text"] += data

    def handle_endtag(self, tag):
        if tag == "td":
            self._td = None
        elif tag == "tr" and self._tr is not None:
            tr, self._tr = self._tr, None
            cls, cells = tr["class"].split(), tr["cells"]
            if cls and cls[0] in ("eq", "chg", "del", "ins") and len(cells) == 4:
                num = [int(c["text"]) if c["text"].strip() else None for c in (cells[0], cells[2])]
                self.rows.append(("code", num[0], num[1], cls[0], cells[1]["text"], cells[3]["text"]))
            elif cls and cls[0] == "drt-f" and len(cells) == 4:
                cat = next(c[2:] for c in cls if c.startswith("c-"))
                st = next(c[2:] for c in cls if c.startswith("s-"))
                side = "model" if cells[1]["text"].strip() else "ideal"
                self.rows.append(("note", side, cat, st, cells[1]["text"], cells[3]["text"]))


def rows_of(view: TaskView) -> list[tuple]:
    p = _Rows()
    p.feed(view.html())
    return p.rows


def placements(rows) -> set[tuple[str, int, str]]:
    """(side, line, category) of every finding note, at the line of the code row above it."""
    out = set()
    last = (None, None)
    for r in rows:
        if r[0] == "code":
            last = (r[1], r[2])
        elif r[0] == "note":
            side = r[1]
            line = last[0] if side == "model" else last[1]
            if "repair of" not in (r[4] if side == "model" else r[5]):
                out.add((side, line, r[2]))
    return out


# -- show_task --------------------------------------------------------------------------------------------------

@pytest.mark.corpus
def test_reference_task_shows_the_12_reference_findings_at_their_lines(reference_task):
    view = show_task(read_task(reference_task), taxonomy="reference")
    # The 12 MODEL failures of the reference report; the IDEAL's code repairs 11 (its Lambda zip is made outside
    # the answer, so that one persists).
    found = [c for c in view.labels.categories.values() if c.status in ("fixed", "persisting")]
    assert len(found) == 12
    assert {c.category for c in found if c.status == "persisting"} == {"lambda_package_missing"}
    fixed = found
    rows = rows_of(view)
    placed = placements(rows)
    for c in fixed:
        lines = {r.finding.line for r in c.records if r.side == "model" and r.status in ("fixed", "persisting")}
        shown = {line for side, line, cat in placed if side == "model" and cat == c.category}
        assert lines and lines <= shown, (c.category, sorted(lines - shown))
    # Side by side: both answers' line numbers on the same rows, changed lines marked.
    both = [r for r in rows if r[0] == "code" and r[1] is not None and r[2] is not None]
    assert len(both) > 500
    assert any(r[3] == "chg" for r in both)
    html = view.html()
    assert "MODEL_RESPONSE.md" in html and "IDEAL_RESPONSE.md" in html
    assert 'class="c m hl"' in html and '<span class="k' in html  # pygments token classes
    assert set(view.findings()["category"]) >= {c.category for c in fixed}


@pytest.mark.corpus
def test_show_task_finds_a_task_by_id_in_the_corpus(shared_corpus):
    view = show_task("Pr4579", corpus=shared_corpus, taxonomy="reference", category="missing_environment_suffix")
    assert view.labels.task_id == "Pr4579"
    assert re.search(r'value="missing_environment_suffix" checked', view.html())


def _pair(tmp_path, model: str, ideal: str):
    return read_task(make_task(tmp_path, "T1", model=model, ideal=ideal))


def test_objects_are_aligned_by_the_pair_correspondence(tmp_path):
    model = '''Here it is.

```hcl
resource "aws_kms_key" "main" {
  description = "orders key"
}

resource "aws_s3_bucket" "data" {
  bucket = "orders-data"
}
```
'''
    ideal = '''```hcl
variable "environment_suffix" {
  type = string
}

resource "aws_s3_bucket" "data" {
  bucket = "orders-data-${var.environment_suffix}"
}

resource "aws_kms_key" "orders" {
  description = "orders key"
}
```
'''
    view = show_task(_pair(tmp_path, model, ideal), fold=False)
    rows = [r for r in rows_of(view) if r[0] == "code"]
    by_model = {r[4].strip(): r for r in rows if r[1] is not None}
    # Same address: the bucket lines sit beside each other, the changed one marked.
    bucket = by_model['bucket = "orders-data"']
    assert bucket[3] == "chg" and "environment_suffix" in bucket[5]
    # Renamed (aws_kms_key.main -> aws_kms_key.orders): still beside each other, although the IDEAL moved it.
    desc = by_model['description = "orders key"']
    assert desc[3] == "eq" and desc[2] is not None
    # IDEAL-only object: its lines stand alone on the IDEAL side.
    assert any(r[1] is None and "variable" in r[5] for r in rows)
    assert 'renamed' in view.html()


def test_findings_sit_under_their_lines_with_category_severity_and_status(tmp_path):
    from tests.factory import BUCKET_IDEAL, BUCKET_MODEL

    view = show_task(_pair(tmp_path, BUCKET_MODEL, BUCKET_IDEAL))
    recs = [(cid, r) for cid, c in view.labels.categories.items() for r in c.records if r.finding.line]
    assert recs
    placed = placements(rows_of(view))
    for cid, r in recs:
        assert (r.side, r.finding.line, cid) in placed
    html = view.html()
    assert "FIXED" in html.upper() and "High" in html
    # The category filter lists the categories with findings, and works without JavaScript (CSS :has).
    assert ":has(input[name=" in html
    for cid, _ in recs:
        assert f'value="{cid}"' in html


def test_category_argument_checks_the_category(tmp_path):
    from tests.factory import BUCKET_IDEAL, BUCKET_MODEL

    task = _pair(tmp_path, BUCKET_MODEL, BUCKET_IDEAL)
    with pytest.raises(KeyError, match="not_a_category"):
        show_task(task, category="not_a_category")
    view = show_task(task, category="s3_bucket_security_missing", only_category=True)
    assert set(view.findings()["category"]) == {"s3_bucket_security_missing"}


def _big_answer(n: int, suffix: str) -> str:
    blocks = []
    for i in range(n):
        blocks.append(f'''resource "aws_s3_bucket" "b{i}" {{
  bucket        = "orders-{i}{suffix}"
  force_destroy = true
  tags = {{
    Name        = "orders-{i}"
    Environment = var.environment
  }}
}}

resource "aws_s3_bucket_versioning" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}
''')
    return "```hcl\n" + "\n".join(blocks) + "```\n"


def test_stays_fast_on_50_kb_answers(tmp_path):
    model = _big_answer(170, "")
    ideal = _big_answer(165, "-${var.environment_suffix}")
    assert len(model) > 50_000
    view = show_task(_pair(tmp_path, model, ideal))
    start = time.perf_counter()
    html = view.html()
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0, f"rendering took {elapsed:.1f} s"
    assert len(html) < 3_000_000


# -- browser ----------------------------------------------------------------------------------------------------

def test_browser_sorts_tasks_by_severity_and_filters_by_category_and_status(tmp_path, monkeypatch):
    monkeypatch.setenv("DRDATA_LABEL_RUNS", str(tmp_path / "runs"))
    corpus = REPO / "corpora"
    run = label_run(corpus, progress=False)
    b = browse(run, corpus)
    scores = [b.table.loc[t, "severity_score"] for t in b.task_ids()]
    assert scores == sorted(scores, reverse=True) and len(scores) == len(b.table)
    assert b.task.value == b.task_ids()[0]
    b.category.value = "missing_environment_suffix"
    b.status.value = "fixed"
    fixed = set(run.labels.query("category == 'missing_environment_suffix' and status == 'fixed'")["task_id"])
    assert {v for _, v in b.task.options} == fixed
    view = b.view()
    assert view.category == "missing_environment_suffix"
    assert 'value="missing_environment_suffix" checked' in view.html()


# -- label once -------------------------------------------------------------------------------------------------

def test_label_run_labels_a_corpus_once_per_corpus_and_version(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DRDATA_LABEL_RUNS", str(tmp_path / "runs"))
    corpus = make_corpus(tmp_path / "c", n=3)
    first = label_run(corpus, progress=False)
    assert "labeling 3 tasks once" in capsys.readouterr().out
    folder = Path(first.meta["labels_dir"])
    assert folder.parent == tmp_path / "runs" and "drdata0.1.0" in folder.name
    again = label_run(corpus, progress=False)
    assert "read 3 tasks" in capsys.readouterr().out
    assert again.meta["labels_dir"] == str(folder)
    pd.testing.assert_frame_equal(first.labels.reset_index(drop=True), again.labels.reset_index(drop=True))
    # Another corpus content, another run.
    make_task(corpus, "T100")
    third = label_run(corpus, progress=False)
    assert third.meta["labels_dir"] != str(folder) and len(third.tasks) == 4
    # An explicit folder is written when empty and read afterwards.
    own = label_run(corpus, tmp_path / "mine", progress=False)
    assert (tmp_path / "mine" / "run.json").is_file() and len(own.tasks) == 4


def test_export_run_exports_in_a_child_process_and_returns_the_summary(tmp_path, monkeypatch):
    monkeypatch.setenv("DRDATA_LABEL_RUNS", str(tmp_path / "runs"))
    corpus = make_corpus(tmp_path / "c", n=4)
    run = label_run(corpus, progress=False, quiet=True)
    summary = export_run(run.meta["labels_dir"], tmp_path / "ds", corpus=corpus, configs=["sft", "labels"])
    assert set(summary["rows"]) == {"sft", "labels"} and summary["tasks_total"] == 4
    assert list(summary["rows"]["sft"])[0] == "train"  # splits in their own order, not sorted by name
    for f in summary["files"]:
        assert (tmp_path / "ds" / f).is_file()
    with pytest.raises(RuntimeError, match="drdata export exited 2"):
        export_run(tmp_path / "no-such-run", tmp_path / "ds2")


# -- tables -----------------------------------------------------------------------------------------------------

def test_show_table_rounds_names_and_fits():
    df = pd.DataFrame({"title": ["Incomplete Tagging", "Missing depends_on"], "fixed": [3, 1],
                       "share_fixed": [0.123456, 0.5], "mean": [1.234567, 2.0]},
                      index=pd.Index(["incomplete_tagging", "missing_depends_on"], name="category"))
    html = show_table(df).to_html()
    assert "Incomplete Tagging" in html and "incomplete_tagging" not in html
    assert "12%" in html and "50%" in html and "1.23" in html and "0.123456" not in html
    one = pd.DataFrame([dict(zip("abcdefgh", range(8), strict=True))], index=pd.Index(["tf-hcl"], name="platform"))
    assert show_table(one).data.shape == (8, 1)
    big = pd.DataFrame({"x": range(100)})
    st = show_table(big, max_rows=10)
    assert len(st.data) == 10 and "first 10 of 100 rows" in st.to_html()
    # Lists print as text and are cut like strings; HTML is escaped; MathJax is told to keep out;
    # a missing index value is named.
    odd = pd.DataFrame({"messages": [[{"role": "user", "content": "x" * 500}], ["<b>${var.a}-${var.b}</b>"]]},
                       index=pd.Index(["a", None], name="subtask"))
    out = show_table(odd, max_chars=50)
    cells = list(out.data["messages"])
    assert len(cells[0]) == 50 and cells[0].endswith("…")
    html = out.to_html()
    assert "&lt;b&gt;" in html and "<b>$" not in html
    assert 'class="mathjax_ignore tex2jax_ignore"' in html and "(missing)" in html


def test_notebook_parameters_come_from_the_environment(monkeypatch):
    from drdata.explore import notebook_parameters

    monkeypatch.delenv("DRDATA_NOTEBOOK_CORPUS", raising=False)
    monkeypatch.delenv("DRDATA_NOTEBOOK_LABELS", raising=False)
    assert notebook_parameters() == ("../corpora", None)
    monkeypatch.setenv("DRDATA_NOTEBOOK_CORPUS", "/data/corpus")
    monkeypatch.setenv("DRDATA_NOTEBOOK_LABELS", "")  # empty: the shared run
    assert notebook_parameters() == ("/data/corpus", None)
    monkeypatch.setenv("DRDATA_NOTEBOOK_LABELS", "/data/labels")
    assert notebook_parameters() == ("/data/corpus", "/data/labels")
