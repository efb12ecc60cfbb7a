"""Generated reports read the same in every Markdown renderer: what comes from the code stays in code.

JupyterLab typesets the text between two ``$`` as maths, and CommonMark turns ``*`` and ``_`` pairs into
emphasis; finding messages are full of ``${var.x}``, ``Resource "*"`` and ``snake_case``. The renderer puts
such fragments in code spans (or escapes them), and these tests read its output with a CommonMark parser.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drdata.reports.render import code_span, md_text
from tests.markdown_check import leaks


@pytest.mark.parametrize("text, expected", [
    ('bucket = "${var.project_name}-logs" has no suffix', '`bucket = "${var.project_name}-logs"` has no suffix'),
    ('aws_iam_role.x: Allow s3:GetObject on Resource "*"',
     '`aws_iam_role.x`: Allow `s3:GetObject` on Resource `"*"`'),
    ("Missing depends_on", "Missing `depends_on`"),
    ("already `code` here, e.g. this", "already `code` here, e.g. this"),
    ("(in aws_lb.primary),", "(in `aws_lb.primary`),"),
    ("filename 'lambda/x.zip' is missing", "filename `'lambda/x.zip'` is missing"),
    ("the MODEL's answer", "the MODEL's answer"),
    ("a `dangling backtick", "a `` `dangling `` backtick"),
])
def test_code_fragments_go_into_code_spans(text, expected):
    assert md_text(text) == expected
    assert not leaks(md_text(text))


def test_code_span_outlasts_the_backticks_it_holds():
    assert code_span("a``b") == "```a``b```"
    assert code_span("`x`") == "`` `x` ``"


_CHARS = st.sampled_from(list("ab_*$`\"'{}[]<>=.:/\\|#~^ ()-,") + ["${var.x}", "aws_s3_bucket.logs", "e.g.", " "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_CHARS, max_size=30).map("".join))
def test_any_message_renders_without_leaks(text):
    assert not leaks(f"- {md_text(text)}")


@pytest.mark.corpus
def test_generated_reports_of_the_shared_corpus_keep_code_in_code(shared_corpus, shared_labels_dir):
    """Every task the batch labeler labeled: its full-taxonomy report, read by a CommonMark parser."""
    from drdata.corpus import load_corpus
    from drdata.explore.view import label_with_limit
    from drdata.reports.render import render_report

    ok = set(pd.read_parquet(shared_labels_dir / "tasks.parquet").query("status == 'ok'")["task_id"])
    tasks = [t for t in load_corpus(shared_corpus) if t.id in ok]
    assert len(tasks) > 400
    problems: dict[str, list[str]] = {}
    with_dollars = timeouts = 0
    for task in tasks:
        try:
            labels = label_with_limit(task, "full", timeout=20)
        except TimeoutError:
            timeouts += 1
            continue
        report = render_report(labels)
        with_dollars += "${" in report
        found = leaks(report, {x for x in (task.subtask, task.complexity) if x})
        if found:
            problems[task.id] = found[:3]
    assert not problems, f"{len(problems)} reports leak code out of code spans: {list(problems.items())[:5]}"
    assert timeouts <= 3
    assert with_dollars > 50  # the corpus does exercise the case (16 % of the reports quote `${...}`)
