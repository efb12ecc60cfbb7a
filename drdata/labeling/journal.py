"""The journal of a label run: every finished task's result, appended as it arrives."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from drdata.labeling.result import TaskResult


class Journal:
    """Append-only JSONL of finished tasks: what an interrupted run resumes from, and what the tables are
    written from (read back in task_id order through an index of line offsets, never all at once).

    The first line records the options the results depend on; a resumed run
    with other options is refused. A half-written last line (the run was
    killed mid-write) is ignored, so the journal is always valid to resume from.
    """

    def __init__(self, path: Path, header: dict):
        self.path = Path(path)
        self.header = header
        # (task_id, platform) -> (offset, length) of its latest line
        self.index: dict[tuple[str, str], tuple[int, int]] = {}
        self._fh = None

    def load(self) -> dict[tuple[str, str], tuple[int, int]]:
        """Index the finished tasks of an earlier run (refusing one with other options)."""
        if not self.path.exists():
            return {}
        with self.path.open("rb") as fh:
            first = fh.readline()
            if not first:
                return {}
            try:
                head = json.loads(first).get("header")
            except (json.JSONDecodeError, AttributeError, UnicodeDecodeError):
                head = None
            if head != self.header:
                raise ValueError(f"{self.path} was written by a run with other options ({head}); "
                                 "rerun without --resume to start afresh, or with the same options")
            offset = len(first)
            for line in fh:
                if line.endswith(b"\n"):  # the last line of an interrupted run may be cut short
                    try:
                        task = json.loads(line)["task"]
                        self.index[(task["task_id"], task["platform"] or "")] = (offset, len(line) - 1)
                    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError):
                        pass
                offset += len(line)
        return self.index

    def start(self, resume: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.path.exists() and self.path.stat().st_size:
            self._repair()
            self._fh = self.path.open("ab")
        else:
            self.index.clear()
            self._fh = self.path.open("wb")
            self._fh.write(json.dumps({"header": self.header}, sort_keys=True).encode() + b"\n")
            self._fh.flush()
        self._offset = self._fh.tell()

    def _repair(self) -> None:
        # Drop a trailing partial line so appended records start on a line of their own.
        data_end = self.path.stat().st_size
        with self.path.open("r+b") as fh:
            fh.seek(max(0, data_end - 1))
            if fh.read(1) == b"\n":
                return
            # find the last newline, reading backwards in blocks
            pos, cut = data_end, 0
            while pos > 0:
                step = min(1 << 16, pos)
                pos -= step
                fh.seek(pos)
                block = fh.read(step)
                at = block.rfind(b"\n")
                if at >= 0:
                    cut = pos + at + 1
                    break
            fh.truncate(cut)

    def append(self, task_id: str, platform: str | None, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        self._fh.write(data + b"\n")
        self._fh.flush()
        self.index[(task_id, platform or "")] = (self._offset, len(data))
        self._offset += len(data) + 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    @contextmanager
    def reader(self) -> Iterator[Callable[[tuple[str, str]], TaskResult]]:
        """A function reading the result of a (task_id, platform) key back from the journal."""
        with self.path.open("rb") as fh:
            def read(key: tuple[str, str]) -> TaskResult:
                offset, length = self.index[key]
                fh.seek(offset)
                return TaskResult.from_json(fh.read(length))
            yield read
