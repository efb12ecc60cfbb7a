"""An ipywidgets browser over a label run: pick a task (most severe first), filter by category and status.

:func:`browse` reads a run (a :class:`~drdata.labeling.batch.LabelRun`, a ``drdata label`` folder, or the run
of the last :func:`~drdata.explore.label_run`) and shows three drop-downs above a :class:`~drdata.explore.TaskView`:
the category and status filters narrow the task list to tasks where that category has that status, and the
view preselects the category. Only the chosen task is labeled again (from the parse cache), so moving through
tasks costs about a second each.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from drdata.explore.view import STATUS_ORDER, TaskView, _find_task, label_with_limit

ANY = "(any)"


def _run_of(run):
    from drdata.explore.runs import current_run

    if run is None:
        run = current_run()
        if run is None:
            raise ValueError("browse(): no label run; pass one (or a labels folder), or call label_run(CORPUS) first")
    if isinstance(run, (str, Path)):
        run = _read(run)
    return run


def _read(folder):
    from drdata.labeling.store import LabelRun

    run = LabelRun.open(folder)
    run.meta = {**run.meta, "labels_dir": str(folder)}
    return run


def task_table(run) -> pd.DataFrame:
    """One row per labeled task, most severe first: severity score, fixed failures per severity, findings."""
    from drdata.stats.tables import task_scores

    scores = task_scores(run.tasks, run.labels)
    findings = run.findings
    n_find = (findings.groupby("task_id").size() if findings is not None and len(findings)
              else pd.Series(dtype="int64"))
    scores["findings"] = n_find.reindex(scores.index, fill_value=0).astype("int64")
    cols = ["severity_score", "fixed_total", "critical", "high", "medium", "low", "findings"]
    cols += [c for c in ("complexity", "subtask", "training_quality") if c in scores.columns]
    return scores[cols].sort_values(["severity_score", "fixed_total"], ascending=False, kind="stable")


class TaskBrowser:
    """Task picker (sorted by severity score), category filter and status filter over one label run."""

    def __init__(self, run=None, corpus: str | Path | None = None, *, taxonomy: str | None = None):
        import ipywidgets as w

        from drdata.explore.runs import current_corpus
        from drdata.taxonomy import category as category_of

        self.run = _run_of(run)
        meta = self.run.meta or {}
        self.corpus = Path(corpus) if corpus else (Path(meta["corpus"]) if meta.get("corpus") else current_corpus())
        self.taxonomy = taxonomy or meta.get("taxonomy") or "full"
        self.table = task_table(self.run)
        labels = self.run.labels
        present = labels[labels["status"] != "absent"] if len(labels) else labels
        cats = sorted(present["category"].unique()) if len(present) else []

        def title(c: str) -> str:
            try:
                return category_of(c).title
            except KeyError:
                return c

        self.category = w.Dropdown(options=[(ANY, None)] + sorted((title(c), c) for c in cats),
                                   description="Category", layout=w.Layout(width="46%"))
        self.status = w.Dropdown(options=[(ANY, None)] + [(s, s) for s in STATUS_ORDER if s != "absent"],
                                 description="Status", layout=w.Layout(width="24%"))
        self.task = w.Dropdown(options=[], description="Task", layout=w.Layout(width="98%"))
        self.count = w.HTML()
        # An HTML widget, not an Output widget: nothing is captured from the kernel's output, so a headless
        # run (nbclient) has no Output widget to mimic (it waits out its cell timeout on one that is filled
        # while its cell runs).
        self.out = w.HTML(layout=w.Layout(width="100%"))
        self.category.observe(self._refilter, names="value")
        self.status.observe(self._refilter, names="value")
        self.task.observe(self._show, names="value")
        self.widget = w.VBox([w.HBox([self.category, self.status, self.count]), self.task, self.out],
                             layout=w.Layout(width="100%"))
        self._refilter()

    # -- filtering -------------------------------------------------------------------------------------------
    def task_ids(self, category: str | None = None, status: str | None = None) -> list[str]:
        """Task ids with ``category`` in ``status`` (either may be None), most severe first."""
        labels = self.run.labels
        keep = pd.Series(True, index=labels.index)
        if category is not None:
            keep &= labels["category"] == category
        if status is not None:
            keep &= labels["status"] == status
        if category is not None and status is None:
            keep &= labels["status"] != "absent"
        if category is None and status is None:
            return list(self.table.index)
        ids = set(labels.loc[keep, "task_id"])
        return [t for t in self.table.index if t in ids]

    def _option(self, tid: str) -> tuple[str, str]:
        r = self.table.loc[tid]
        sev = ", ".join(f"{int(r[s])} {s[0].upper()}" for s in ("critical", "high", "medium", "low") if r[s])
        extra = f" · {r['subtask']}" if "subtask" in r and isinstance(r["subtask"], str) else ""
        return (f"{tid} · score {int(r['severity_score'])} ({sev or 'nothing fixed'}) · {int(r['findings'])} findings"
                f"{extra}", tid)

    def _refilter(self, *_):
        ids = self.task_ids(self.category.value, self.status.value)
        current = self.task.value
        self.task.options = [self._option(t) for t in ids]
        self.count.value = f"<span style='color:#555'>{len(ids)} of {len(self.table)} tasks</span>"
        if ids:
            self.task.value = current if current in ids else ids[0]
            if current in ids:  # same task, other filter: redraw with the new category
                self._show()
        else:
            self.out.value = "<p>No task matches these filters.</p>"

    def view(self, task_id: str | None = None) -> TaskView:
        """The :class:`TaskView` of a task (default: the one picked), with the category filter applied."""
        tid = task_id or self.task.value
        if self.corpus is None:
            raise ValueError("the browser does not know the corpus: pass corpus=PATH")
        labels = label_with_limit(_find_task(tid, self.corpus), self.taxonomy)
        return TaskView(labels, self.category.value, status=self.status.value)

    def _show(self, *_):
        if not self.task.value:
            return
        try:
            html = self.view().html()
        except TimeoutError as exc:
            html = f"<p>{escape(str(exc))}</p>"
        self.out.value = html

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def browse(run=None, corpus: str | Path | None = None, *, taxonomy: str | None = None) -> TaskBrowser:
    """An ipywidgets :class:`TaskBrowser` over ``run`` (a LabelRun, a labels folder, or the last label_run)."""
    return TaskBrowser(run, corpus, taxonomy=taxonomy)
