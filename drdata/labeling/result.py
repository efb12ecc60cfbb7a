"""What labeling one task gives: a :class:`TaskResult` (its tasks.parquet row and its label, finding,
report-item and diff rows), and :class:`Finished`, the result as it travels from a worker and sits in the journal
(its JSON text, serialised once, in the worker)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import NamedTuple

TASK_COLUMNS = [
    "task_id", "platform", "status", "error", "model_hcl_blocks", "model_hcl_blocks_parsed", "ideal_hcl_blocks",
    "ideal_hcl_blocks_parsed", "model_resources", "ideal_resources", "truncated_model", "complexity", "subtask",
    "training_quality", "pair_state", "pair_note", "fixed_critical", "fixed_high", "fixed_medium", "fixed_low",
    "unknown_labels", "faults", "problems", "seconds",
]
# pair_state: how the two answers can be compared. ``paired`` (both have Terraform, the IDEAL shows at least half
# of the MODEL's resources), ``ideal_excerpt`` (it shows fewer), ``ideal_unusable`` / ``model_unusable`` (that
# side has no Terraform: its labels are unknown, the other side's findings are still reported, pair_note says why).
PAIR_STATES = ("paired", "ideal_excerpt", "ideal_unusable", "model_unusable")


def task_row(task, **extra) -> dict:
    """The tasks.parquet row of ``task`` (a :class:`drdata.corpus.Task`), with ``extra`` columns set."""
    row = dict.fromkeys(TASK_COLUMNS)
    row.update(task_id=task.id, platform=task.platform, complexity=task.complexity, subtask=task.subtask,
               training_quality=task.training_quality, problems="; ".join(task.problems) or None,
               faults=0)
    row.update(extra)
    return row


@dataclass
class TaskResult:
    """The rows one task contributes to each table of a run.

    ``diff`` is None for an error row (the answers were not compared): its JSON then has no ``diff`` key.
    """

    task: dict  # its tasks.parquet row (TASK_COLUMNS)
    labels: list[dict] = field(default_factory=list)
    findings: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)  # the human report's items (report_items.parquet)
    diff: list[dict] | None = None

    @classmethod
    def error(cls, task, reason: str, seconds: float | None) -> TaskResult:
        """An error row: the task could not be labelled, for ``reason``."""
        return cls(task_row(task, status="error", error=reason, seconds=seconds))

    @property
    def task_id(self) -> str:
        return self.task["task_id"]

    @property
    def platform(self) -> str | None:
        return self.task["platform"]

    def to_json(self) -> str:
        """Its JSON text (sorted keys): what workers send back, the journal keeps and the result cache stores."""
        d = {"task": self.task, "labels": self.labels, "findings": self.findings, "items": self.items}
        if self.diff is not None:
            d["diff"] = self.diff
        return json.dumps(d, sort_keys=True, default=str)

    @classmethod
    def from_json(cls, text: str | bytes) -> TaskResult:
        d = json.loads(text)
        return cls(d["task"], d["labels"], d["findings"], d["items"], d.get("diff"))


class Finished(NamedTuple):
    """A finished task as an engine yields it: its key and its result's JSON text."""

    task_id: str
    platform: str | None
    text: str

    def result(self) -> TaskResult:
        return TaskResult.from_json(self.text)
