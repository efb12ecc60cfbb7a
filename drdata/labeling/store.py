"""A label run on disk and in memory: the :class:`LabelRun` store (parquet files + ``run.json``).

One type writes and reads a run for the CLI, the notebooks, statistics and export. Its tables are assembled from
per-task results (:class:`~drdata.labeling.result.TaskResult`), sorted by their keys, written a row group at a
time with a fixed schema per file, so the same results give byte-identical files whatever order they came in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd

from drdata.corpus.report import ITEM_COLUMNS
from drdata.labeling.agreement import AGREEMENT_COLUMNS, agreement_frame
from drdata.labeling.diff import DIFF_COLUMNS
from drdata.labeling.pair import FINDING_COLUMNS, LABEL_COLUMNS
from drdata.labeling.result import TASK_COLUMNS, TaskResult

# -- the tables of a run ----------------------------------------------------------------------------------------

# The files of a run, in the order they are written (and published: an interrupted write leaves whole files).
TABLES = ("tasks", "labels", "findings", "report_items", "agreement", "diff")
# Row groups hold the rows of this many consecutive tasks (in task_id order), in every table: what the writer
# holds in memory is bounded by it, not by the corpus. A corpus of up to this many tasks is one row group per
# file, as pq.write_table wrote it before streaming (the shared corpus has 497 tasks).
ROW_GROUP_TASKS = 512

_STR = "str"


def _table_dtypes() -> dict[str, dict[str, str]]:
    """Each table's columns and the pandas dtypes they are written with (a column of ``object`` is written as
    arrow ``string``, the way agreement_frame leaves its nullable text columns)."""
    tasks = {c: "string" for c in TASK_COLUMNS if c != "seconds"}
    tasks.update({c: "Int64" for c in _TASK_INTS}, training_quality="Float64", truncated_model="boolean")
    labels = {c: _STR for c in LABEL_COLUMNS}
    labels.update({c: "int64" for c in ("model_findings", "ideal_findings", "repaired", "remaining")})
    findings = {c: _STR for c in FINDING_COLUMNS}
    findings.update(line="Int64", counterpart_line="Int64", fixed="bool")
    diff = {c: _STR for c in ["task_id", *DIFF_COLUMNS]}
    diff.update(similarity="float64", model_line="Int64", ideal_line="Int64")
    # Items come from JSON with sorted keys, so their columns are in name order.
    items = {c: ("int64" if c == "index" else _STR) for c in sorted(ITEM_COLUMNS)}
    agreement = {c: "object" for c in AGREEMENT_COLUMNS}
    agreement.update(task_id=_STR, category=_STR, reported="bool", report_items="int64", detected="bool")
    return {"tasks": tasks, "labels": labels, "findings": findings, "report_items": items,
            "agreement": agreement, "diff": diff}


_SCHEMAS: dict = {}


def table_schema(name: str):
    """The arrow schema (with pandas metadata) every ``name``.parquet is written with."""
    if name not in _SCHEMAS:
        import pyarrow as pa

        arrow = {"string": pa.large_string(), _STR: pa.large_string(), "object": pa.string(),
                 "Int64": pa.int64(), "int64": pa.int64(), "Float64": pa.float64(), "float64": pa.float64(),
                 "boolean": pa.bool_(), "bool": pa.bool_()}
        dtypes = _table_dtypes()[name]
        empty = pd.DataFrame({c: pd.Series([], dtype=d) for c, d in dtypes.items()})
        plain = pa.schema([pa.field(c, arrow[d]) for c, d in dtypes.items()])
        _SCHEMAS[name] = pa.Table.from_pandas(empty, schema=plain, preserve_index=False).schema
    return _SCHEMAS[name]


def _arrow(name: str, frame: pd.DataFrame):
    import pyarrow as pa

    schema = table_schema(name)
    return pa.Table.from_pandas(frame.reindex(columns=schema.names), schema=schema, preserve_index=False)


def _read_table(folder: Path, name: str) -> pd.DataFrame | None:
    path = Path(folder) / f"{name}.parquet"
    if not path.is_file():
        return None
    frame = pd.read_parquet(path)
    if name == "agreement":  # agreement_frame's nullable text columns are objects holding None
        for col, dtype in _table_dtypes()["agreement"].items():
            if dtype == "object":
                frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


class LabelRun:
    """The tables of a label run.

    Either held in memory (what :func:`label_corpus` returns) or backed by a folder that ``drdata label`` /
    :func:`label` wrote (:meth:`open`): then each table is read from its parquet file when first used, and
    :meth:`summary` reads only the columns it counts, a row group at a time.
    """

    _FRAMES = ("tasks", "labels", "findings", "report_items", "agreement", "diff")

    def __init__(self, tasks=None, labels=None, findings=None, report_items=None, agreement=None, diff=None,
                 meta: dict | None = None, *, folder: str | Path | None = None, files: list[Path] | None = None,
                 summary: dict | None = None):
        self._frames = {"tasks": tasks, "labels": labels, "findings": findings, "report_items": report_items,
                        "agreement": agreement, "diff": diff}
        self._loaded = set() if folder is not None else set(self._FRAMES)
        self.folder = Path(folder) if folder is not None else None
        self.files = files if files is not None else []  # what wrote the folder, when this run did
        self.meta = meta if meta is not None else {}
        self.drdata_version: str | None = None
        self._summary = summary

    @classmethod
    def open(cls, folder: str | Path) -> LabelRun:
        """A run backed by the files ``drdata label`` wrote to ``folder``; nothing is read until used."""
        folder = Path(folder)
        missing = [f"{n}.parquet" for n in ("tasks", "labels") if not (folder / f"{n}.parquet").is_file()]
        if missing:
            raise FileNotFoundError(f"{folder}: not a drdata label output (missing {', '.join(missing)}); "
                                    "run `drdata label` first")
        meta_path = folder / "run.json"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        except ValueError as exc:
            raise ValueError(f"{meta_path}: not valid JSON ({exc})") from None
        run = cls(folder=folder, meta=meta)
        run.drdata_version = meta.pop("drdata_version", None)  # the version that wrote it, apart from the options
        return run

    def _get(self, name: str):
        if name not in self._loaded:
            self._frames[name] = _read_table(self.folder, name)
            self._loaded.add(name)
        return self._frames[name]

    def _set(self, name: str, value) -> None:
        self._frames[name] = value
        self._loaded.add(name)
        self._summary = None

    tasks = property(lambda self: self._get("tasks"), lambda self, v: self._set("tasks", v))
    labels = property(lambda self: self._get("labels"), lambda self, v: self._set("labels", v))
    findings = property(lambda self: self._get("findings"), lambda self, v: self._set("findings", v))
    report_items = property(lambda self: self._get("report_items"), lambda self, v: self._set("report_items", v))
    agreement = property(lambda self: self._get("agreement"), lambda self, v: self._set("agreement", v))
    diff = property(lambda self: self._get("diff"), lambda self, v: self._set("diff", v))

    def load(self) -> LabelRun:
        """Read every table into memory now (for a folder-backed run); returns self."""
        for name in self._FRAMES:
            self._get(name)
        return self

    def detach(self) -> LabelRun:
        """Read every table into memory and forget the folder (which may then go); returns self."""
        self.summary()
        self.load()
        self.folder = None
        return self

    @property
    def errors(self) -> int:
        return self.summary()["errors"]

    def summary(self) -> dict:
        """Counts of the run (what `drdata label` prints): tasks, errors, fixed failures per severity, unknown
        labels per reason, how the pairs compare."""
        if self._summary is None:
            counter = _Summary()
            if self.folder is not None and not {"tasks", "labels"} <= self._loaded:
                for tasks, labels in _summary_batches(self.folder):
                    counter.add(tasks, labels)
            else:
                counter.add(self.tasks, self.labels)
            self._summary = counter.result()
        return self._summary

    def __repr__(self) -> str:
        where = f"folder={str(self.folder)!r}" if self.folder is not None else "in memory"
        return f"LabelRun({where}, {self.meta.get('tasks', '?')} tasks)"


_SEVERITIES = ("Critical", "High", "Medium", "Low")


class _Summary:
    """LabelRun.summary() counted chunk by chunk, so a run of any size is summarised in bounded memory."""

    def __init__(self):
        from collections import Counter

        self.tasks = self.ok = self.errors = 0
        self.fixed = dict.fromkeys(_SEVERITIES, 0)
        self.reasons: Counter = Counter()
        self.states: Counter = Counter()

    def add(self, t: pd.DataFrame | None, lab: pd.DataFrame | None) -> None:
        if t is not None and len(t):
            self.tasks += len(t)
            self.ok += int((t["status"] == "ok").sum())
            self.errors += int((t["status"] == "error").sum())
            for s in _SEVERITIES:
                self.fixed[s] += int(t[f"fixed_{s.lower()}"].fillna(0).sum())
            self.states.update({str(k): int(v) for k, v in t["pair_state"].dropna().value_counts().items()})
        if lab is not None and len(lab):
            unknown = lab[lab["status"] == "unknown"]
            if len(unknown):
                counts = unknown["reason"].fillna("unspecified").value_counts()
                self.reasons.update({str(k): int(v) for k, v in counts.items()})

    def result(self) -> dict:
        return {"tasks": self.tasks, "ok": self.ok, "errors": self.errors, "fixed": dict(self.fixed),
                "unknown_reasons": {k: v for k, v in sorted(self.reasons.items()) if v},
                "pair_states": {k: v for k, v in sorted(self.states.items()) if v}}


def _summary_batches(folder: Path) -> Iterator[tuple[pd.DataFrame | None, pd.DataFrame | None]]:
    import pyarrow.parquet as pq

    cols = ["status", "pair_state", *(f"fixed_{s.lower()}" for s in _SEVERITIES)]
    for batch in pq.ParquetFile(folder / "tasks.parquet").iter_batches(columns=cols, batch_size=65536):
        yield batch.to_pandas(), None
    labels = folder / "labels.parquet"
    if labels.is_file():
        for batch in pq.ParquetFile(labels).iter_batches(columns=["status", "reason"], batch_size=65536):
            yield None, batch.to_pandas()



# -- assembly: per-task results to sorted tables ----------------------------------------------------------------

def _frames(results: list[TaskResult]) -> dict[str, pd.DataFrame | None]:
    """The sorted tables of some tasks' results (all of a task_id's results among them), whatever order they
    came in. Every table sorts by task_id first, so the tables of consecutive task_id ranges, concatenated,
    are the tables of all of them: this is what the streaming writer relies on."""
    results = sorted(results, key=lambda r: r.task_id)
    tasks = pd.DataFrame([r.task for r in results], columns=TASK_COLUMNS)
    labels = pd.DataFrame([x for r in results for x in r.labels], columns=LABEL_COLUMNS)
    findings = pd.DataFrame([x for r in results for x in r.findings], columns=FINDING_COLUMNS)
    items = pd.DataFrame([x for r in results for x in r.items])
    diff = pd.DataFrame([x for r in results for x in r.diff or ()], columns=["task_id", *DIFF_COLUMNS])
    tasks = _typed_tasks(tasks)
    labels = labels.sort_values(["task_id", "category"], kind="stable").reset_index(drop=True)
    labels = labels.astype({"model_findings": "int64", "ideal_findings": "int64", "repaired": "int64",
                            "remaining": "int64"})
    findings = findings.sort_values(["task_id", "side", "category", "line", "address", "part", "message"],
                                    kind="stable", na_position="first").reset_index(drop=True)
    findings["line"] = findings["line"].astype("Int64")
    findings["counterpart_line"] = findings["counterpart_line"].astype("Int64")
    diff = diff.sort_values(["task_id", "model_address", "ideal_address"], kind="stable",
                            na_position="last").reset_index(drop=True)
    for col in ("model_line", "ideal_line"):
        diff[col] = diff[col].astype("Int64")
    diff["similarity"] = diff["similarity"].astype("float64")
    if len(items):
        sort_cols = [c for c in ("task_id", "index") if c in items.columns]
        items = items.sort_values(sort_cols, kind="stable").reset_index(drop=True)
    return {"tasks": tasks, "labels": labels, "findings": findings, "report_items": items if len(items) else None,
            "agreement": _agreement(labels, items if len(items) else None), "diff": diff}


def assemble(results: Iterable[TaskResult]) -> LabelRun:
    """Sorted DataFrames from per-task results, whatever order they came in (all in memory: for a few tasks;
    a run of any size goes through the streaming writer of :func:`label`)."""
    frames = _frames(list(results))
    return LabelRun(frames["tasks"], frames["labels"], frames["findings"], frames["report_items"],
                    frames["agreement"], frames["diff"])


_TASK_INTS = ["model_hcl_blocks", "model_hcl_blocks_parsed", "ideal_hcl_blocks", "ideal_hcl_blocks_parsed",
              "model_resources", "ideal_resources", "fixed_critical", "fixed_high", "fixed_medium", "fixed_low",
              "unknown_labels", "faults"]


def _typed_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    tasks = tasks.astype({c: "Int64" for c in _TASK_INTS})
    tasks["training_quality"] = tasks["training_quality"].astype("Float64")
    tasks["truncated_model"] = tasks["truncated_model"].astype("boolean")
    for c in ("task_id", "platform", "status", "error", "complexity", "subtask", "problems", "pair_state",
              "pair_note"):
        tasks[c] = tasks[c].astype("string")
    # Timing varies run to run; keep it out of the deterministic table.
    tasks = tasks.drop(columns=["seconds"])
    return tasks.sort_values("task_id", kind="stable").reset_index(drop=True)


def _agreement(labels: pd.DataFrame, items: pd.DataFrame | None) -> pd.DataFrame | None:
    """Report/detector agreement of these tasks; None without report items (``items`` None: the run has none)."""
    if items is None:
        return None
    return agreement_frame(labels, items)


class TablesWriter:
    """The parquet files of a run, written a row group at a time from chunks of sorted tasks.

    ``add`` takes the tables of consecutive tasks (in task_id order); ``end_group`` closes the current row group
    of every file. Rows are buffered as arrow tables of one group only, so memory is bounded by
    ROW_GROUP_TASKS, not by the run. The files appear (atomically, in TABLES order) at :meth:`commit`.
    """

    def __init__(self, outdir: Path):
        from drdata.io import ParquetStream

        self.outdir = Path(outdir)
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.streams = {name: ParquetStream(self.outdir / f"{name}.parquet", table_schema(name)) for name in TABLES}
        self.parts: dict[str, list] = {name: [] for name in TABLES}
        self.has_items = False
        self.summary = _Summary()

    def add(self, frames: dict[str, pd.DataFrame | None]) -> None:
        self.summary.add(frames["tasks"], frames["labels"])
        if frames["report_items"] is not None:
            self.has_items = True
        elif frames["agreement"] is None and len(frames["labels"]):
            # No items in these tasks; other tasks may have some, and then these tasks' labels still belong in
            # the agreement table (as agreement_frame gives them for the whole run).
            frames = {**frames, "agreement": _agreement(frames["labels"], pd.DataFrame(columns=ITEM_COLUMNS))}
        for name in TABLES:
            frame = frames[name]
            if frame is not None and len(frame):
                self.parts[name].append(_arrow(name, frame))

    def end_group(self) -> None:
        import pyarrow as pa

        for name in TABLES:
            if self.parts[name]:
                self.streams[name].write_row_group(pa.concat_tables(self.parts[name]))
                self.parts[name] = []
        # Hand the group's buffers back to the system: arrow's allocator otherwise keeps a little more with every
        # group, and the client's memory would grow with the corpus.
        pa.default_memory_pool().release_unused()

    def commit(self, meta: dict) -> list[Path]:
        from drdata import __version__
        from drdata.io import atomic_write_text

        self.end_group()
        written = []
        try:
            for name in TABLES:
                stream = self.streams[name]
                if name in ("report_items", "agreement") and not self.has_items:
                    stream.abort()  # a run without any report item has neither file (as before)
                else:
                    written.append(stream.commit())
        except BaseException:
            self.abort()
            raise
        meta = {**meta, "drdata_version": __version__}
        written.append(atomic_write_text(self.outdir / "run.json", json.dumps(meta, indent=2, sort_keys=True) + "\n"))
        return written

    def abort(self) -> None:
        for stream in self.streams.values():
            stream.abort()


# Tasks parsed from the journal and turned into frames at a time, while writing: bounds the Python objects.
PARSE_CHUNK_TASKS = 32


def write_results(keys: list[tuple[str, str]], read: Callable[[tuple[str, str]], TaskResult], outdir: Path,
                  meta: dict, transform: Callable[[list[TaskResult]], None] | None = None) -> LabelRun:
    """Write the tables of the results ``keys`` (sorted (task_id, platform) keys; ``read`` gets one, from the
    journal) to ``outdir``, a chunk of tasks at a time. ``transform`` may add to each chunk of results (in place)
    before it is written. Returns the run backed by the files, its summary already counted."""
    writer = TablesWriter(outdir)
    try:
        chunk: list[TaskResult] = []
        group_ids = 0
        for n, key in enumerate(keys):
            chunk.append(read(key))
            last_of_id = n + 1 == len(keys) or keys[n + 1][0] != key[0]
            if not last_of_id:
                continue  # results of one task_id stay in one chunk (their rows interleave when sorted)
            group_ids += 1
            if group_ids == ROW_GROUP_TASKS or len(chunk) >= PARSE_CHUNK_TASKS or n + 1 == len(keys):
                if transform is not None:
                    transform(chunk)
                writer.add(_frames(chunk))
                chunk = []
            if group_ids == ROW_GROUP_TASKS:
                writer.end_group()
                group_ids = 0
        files = writer.commit(meta)
    except BaseException:
        writer.abort()
        raise
    return LabelRun(folder=outdir, meta=meta, files=files, summary=writer.summary.result())


def write_outputs(run: LabelRun, outdir: str | Path) -> list[Path]:
    """Write the run's tables as parquet, the same bytes as :func:`label` writes for the same tasks (row groups
    of ROW_GROUP_TASKS tasks; each file atomic: temp file then rename)."""
    outdir = Path(outdir)
    if run.folder is not None and run.folder.resolve() == outdir.resolve():
        return [outdir / f"{n}.parquet" for n in TABLES if (outdir / f"{n}.parquet").is_file()] + [outdir / "run.json"]
    frames = {name: getattr(run, name) for name in TABLES}
    ids = frames["tasks"]["task_id"].drop_duplicates()
    writer = TablesWriter(outdir)
    try:
        writer.has_items = frames["report_items"] is not None and len(frames["report_items"]) > 0
        for start in range(0, max(len(ids), 1), ROW_GROUP_TASKS):
            group = ids.iloc[start:start + ROW_GROUP_TASKS]
            lo, hi = (group.iloc[0], group.iloc[-1]) if len(group) else (None, None)
            for name in TABLES:
                frame = frames[name]
                if frame is None or not len(frame) or lo is None:
                    continue
                col = frame["task_id"]
                a, b = col.searchsorted(lo, side="left"), col.searchsorted(hi, side="right")
                if b > a:
                    writer.parts[name].append(_arrow(name, frame.iloc[a:b]))
            writer.end_group()
        return writer.commit(run.meta)
    except BaseException:
        writer.abort()
        raise


