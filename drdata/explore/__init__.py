"""Exploring a labeled corpus in Jupyter: one task at a glance, a task browser, one shared label run, and
tables that fit the screen.

- :func:`show_task` — MODEL and IDEAL side by side, aligned by the pair's correspondence, findings at their lines;
- :func:`browse` — an ipywidgets browser over a label run (tasks by severity score, category and status filters);
- :func:`label_run` — the corpus labeled once, in a folder every notebook shares;
- :func:`show_table` — a DataFrame rounded, named and cut to the screen.

This package sits on top of the library (it imports labeling, stats and reports; nothing imports it).
"""

from drdata.explore.browser import TaskBrowser, browse  # noqa: F401
from drdata.explore.runs import default_labels_dir, export_run, label_run, notebook_parameters  # noqa: F401
from drdata.explore.tables import show_table  # noqa: F401
from drdata.explore.view import TaskView, show_task  # noqa: F401

__all__ = ["TaskBrowser", "TaskView", "browse", "default_labels_dir", "export_run", "label_run", "notebook_parameters",
           "show_table", "show_task"]
