"""Export a labeled corpus as Hugging Face datasets in the Hub folder layout.

``export_datasets(labels_dir, out_dir)`` reads what ``drdata label`` wrote
(tasks/labels/findings parquet and run.json, which names the corpus), joins the
corpus texts back in, selects tasks, groups duplicates into one split, and writes
``data/<config>/<split>-00000-of-00001.parquet`` plus a ``README.md`` dataset card.
Everything written is a function of the inputs: rows are sorted, parquet is
written with a fixed writer configuration, the card carries no timestamp.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from drdata.export.configs import BUILDERS, CONFIG_NAMES, SORT_KEYS, TEXT_COLUMNS, TaskRecord, features
from drdata.export.splits import DEFAULT_FRACTIONS, SPLITS, Grouping, TaskText, assign_splits
from drdata.taxonomy import SEVERITIES, category_ids


class ExportError(ValueError):
    """The labels folder, the corpus or an option does not allow an export."""


@dataclass
class ExportResult:
    out_dir: Path
    rows: dict[str, dict[str, int]]  # config -> split -> rows (non-empty splits only)
    files: list[Path]
    card: Path
    grouping: Grouping
    tasks_total: int
    tasks_selected: int
    dropped_tasks: dict[str, int]  # reason -> tasks left out
    dropped_rows: dict[str, dict[str, int]]  # config -> reason -> rows left out
    empty_splits: dict[str, list[str]]  # config -> splits with no row (not written)
    errors: dict[str, str] = field(default_factory=dict)  # config -> why it was not exported

    @property
    def groups_merged(self) -> int:
        return self.grouping.merged_groups

    def summary(self) -> dict[str, Any]:
        """Plain JSON-able summary (what the CLI prints)."""
        return {
            "out_dir": str(self.out_dir),
            "tasks_total": self.tasks_total,
            "tasks_selected": self.tasks_selected,
            "dropped_tasks": self.dropped_tasks,
            "groups": self.grouping.groups,
            "groups_merged": self.grouping.merged_groups,
            "tasks_in_merged_groups": self.grouping.tasks_in_merged_groups,
            "merges": self.grouping.merges,
            "rows": self.rows,
            "dropped_rows": self.dropped_rows,
            "empty_splits": self.empty_splits,
            "errors": self.errors,
            "files": [str(p.relative_to(self.out_dir)) for p in self.files],
        }


# -- inputs ---------------------------------------------------------------------------------

@dataclass
class LabeledCorpus:
    tasks: pd.DataFrame
    labels: pd.DataFrame
    findings: pd.DataFrame
    corpus: dict[str, Any]  # task id -> drdata.corpus.Task
    corpus_path: Path
    meta: dict[str, Any]


def load_labeled(labels_dir: str | Path, corpus: str | Path | Iterable | None = None) -> LabeledCorpus:
    """The three parquet tables of a labels folder and the corpus they were made from."""
    from drdata.corpus import CorpusError, load_corpus

    labels_dir = Path(labels_dir)
    missing = [n for n in ("tasks.parquet", "labels.parquet", "findings.parquet") if not (labels_dir / n).is_file()]
    if missing:
        raise ExportError(f"{labels_dir}: not a labels folder (missing {', '.join(missing)}); "
                          f"write one with `drdata label CORPUS -o {labels_dir}`")
    meta: dict[str, Any] = {}
    run_json = labels_dir / "run.json"
    if run_json.is_file():
        try:
            meta = json.loads(run_json.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ExportError(f"{run_json}: not valid JSON ({exc})") from None
    tasks = pd.read_parquet(labels_dir / "tasks.parquet")
    labels = pd.read_parquet(labels_dir / "labels.parquet")
    findings = pd.read_parquet(labels_dir / "findings.parquet")
    if corpus is None:
        corpus = meta.get("corpus")
        if not corpus:
            raise ExportError(f"{labels_dir}: run.json does not name the corpus; pass the corpus path")
    if isinstance(corpus, (str, Path)):
        corpus_path = Path(corpus)
        try:
            task_list = load_corpus(corpus_path)
        except CorpusError as exc:
            raise ExportError(f"corpus of {labels_dir}: {exc}") from None
    else:
        task_list, corpus_path = list(corpus), Path(".")
    by_id: dict[str, Any] = {}
    for t in task_list:
        if t.id in by_id:
            raise ExportError(f"corpus has two tasks with id {t.id!r} ({by_id[t.id].path} and {t.path})")
        by_id[t.id] = t
    return LabeledCorpus(tasks, labels, findings, by_id, corpus_path, meta)


def _blank(text: str | None) -> bool:
    from drdata.corpus.reader import is_blank

    return is_blank(text)


def _records(frame: pd.DataFrame) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    clean = frame.astype(object).where(frame.notna(), None)  # NA of any dtype -> None
    for row in clean.to_dict("records"):
        out.setdefault(row["task_id"], []).append(row)
    return out


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _meta(row: dict) -> dict[str, Any]:
    def s(v):
        return None if _isna(v) else str(v)

    tq = row.get("training_quality")
    return {"platform": s(row.get("platform")), "complexity": s(row.get("complexity")),
            "subtask": s(row.get("subtask")), "training_quality": None if _isna(tq) else float(tq)}


# -- selection ------------------------------------------------------------------------------

def _check_filters(categories, severities) -> tuple[set[str] | None, set[str] | None]:
    cats = sevs = None
    if categories:
        known = set(category_ids("full"))
        unknown = sorted(set(categories) - known)
        if unknown:
            raise ExportError(f"unknown categories: {', '.join(unknown)}")
        cats = set(categories)
    if severities:
        by_lower = {s.lower(): s for s in SEVERITIES}
        bad = sorted(s for s in severities if s.lower() not in by_lower)
        if bad:
            raise ExportError(f"unknown severities: {', '.join(bad)} (choose from {', '.join(SEVERITIES)})")
        sevs = {by_lower[s.lower()] for s in severities}
    return cats, sevs


def _select(data: LabeledCorpus, labels_by_task: dict[str, list[dict]], *, min_training_quality, cats, sevs
            ) -> tuple[list[str], dict[str, int]]:
    """Task ids kept, and how many were left out for each reason (first failing reason counts)."""
    kept, dropped = [], {}

    def drop(reason):
        dropped[reason] = dropped.get(reason, 0) + 1

    for row in data.tasks.sort_values("task_id").to_dict("records"):
        tid = row["task_id"]
        task = data.corpus.get(tid)
        fixed = [r for r in labels_by_task.get(tid, []) if r["status"] == "fixed"]
        tq = row.get("training_quality")
        if task is None:
            drop("not in the corpus")
        elif row.get("status") != "ok":
            drop("labeling status not ok")
        elif _blank(task.prompt) or _blank(task.model_response) or _blank(task.ideal_response):
            drop("prompt, MODEL or IDEAL answer missing")
        elif min_training_quality is not None and (_isna(tq) or float(tq) < min_training_quality):
            drop(f"training_quality below {min_training_quality:g} or unknown")
        elif cats is not None and not any(r["category"] in cats for r in fixed):
            drop("no fixed finding in the selected categories")
        elif sevs is not None and not any(r["severity"] in sevs for r in fixed):
            drop("no fixed finding of the selected severities")
        else:
            kept.append(tid)
    return kept, dict(sorted(dropped.items()))


# -- critique reports -----------------------------------------------------------------------

def _report_renderer():
    """render_report, or the reason it cannot be used."""
    try:
        from drdata.reports.render import render_report
    except ImportError as exc:
        return None, f"generated failure reports are not available (drdata.reports.render: {exc})"
    return render_report, None


def pair_labels(rec: TaskRecord, task, taxonomy: str):
    """Rebuild the PairLabels of one task from the labels folder (no detector runs again), with each
    finding's pairing record, so reports rendered from a run show the same IDEAL counterparts."""
    from drdata.detectors.registry import Finding
    from drdata.labeling.diff import Entry
    from drdata.labeling.pair import CategoryLabel, FindingRecord, PairLabels
    from drdata.taxonomy import category

    def finding(f: dict) -> Finding:
        line = f.get("line")
        return Finding(f["category"], f["detector"], f["severity"], f["address"], f["kind"], f.get("file"),
                       None if _isna(line) else int(line), f["message"], f.get("evidence") or "",
                       f.get("part") or "", f.get("holder") or None)

    def record(f: dict, fd: Finding) -> FindingRecord:
        cp = None
        if f.get("counterpart_address"):
            line = f.get("counterpart_line")
            cp = Entry(f["counterpart_address"], "", f.get("counterpart_file"), 0 if _isna(line) else int(line),
                       frozenset(), (), "")
        status = f.get("status") or ("fixed" if f.get("fixed") else "persisting")
        return FindingRecord(fd, f["side"], status, f.get("reason") or None, cp, f.get("change") or "")

    cats = {}
    for r in rec.labels:
        fs = [f for f in rec.findings if f["category"] == r["category"]]
        pairs = [(f, finding(f)) for f in fs]
        model = [fd for f, fd in pairs if f["side"] == "model"]
        fixed = [fd for f, fd in pairs if f["side"] == "model" and f.get("fixed")]
        ideal = [fd for f, fd in pairs if f["side"] == "ideal"]
        records = [record(f, fd) for f, fd in pairs]
        try:
            title = category(r["category"]).title
        except KeyError:
            title = r["category"]
        cats[r["category"]] = CategoryLabel(r["category"], title, r["severity"], r["status"], model, ideal, fixed,
                                            reason=r.get("reason"), records=records)
    model_cfg, ideal_cfg = rec.parsed()
    return PairLabels(rec.task_id, taxonomy, cats, model_cfg, ideal_cfg, [], task)


# -- writing --------------------------------------------------------------------------------

def _parquet_bytes(table) -> bytes:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    # Fixed writer settings: same rows -> same bytes (pyarrow writes no timestamp).
    pq.write_table(table, buf, compression="zstd", compression_level=3, row_group_size=1000,
                   write_statistics=True, use_dictionary=True, data_page_version="1.0")
    return buf.getvalue()


def _shard_name(split: str) -> str:
    return f"{split}-00000-of-00001.parquet"


def _prepare_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and any(out_dir.iterdir()):
        card = out_dir / "README.md"
        ours = card.is_file() and "drdata" in card.read_text(encoding="utf-8", errors="replace")
        if not ours:
            raise ExportError(f"{out_dir}: folder is not empty and holds no drdata export; choose another")
        # data/ belongs to the export: a config left out this time must not linger.
        shutil.rmtree(out_dir / "data", ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)


def export_datasets(labels_dir: str | Path, out_dir: str | Path, *, corpus: str | Path | Iterable | None = None,
                    configs: Iterable[str] | None = None, min_training_quality: float | None = None,
                    categories: Iterable[str] | None = None, severities: Iterable[str] | None = None,
                    max_chars: int | None = None, seed: int = 0,
                    fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
                    source_description: str | None = None, license: str = "other",
                    pretty_name: str | None = None, log=None) -> ExportResult:
    """Write the dataset configs of a labels folder to ``out_dir`` in the Hub layout.

    A config that cannot be built (``critique`` without the report renderer) is left out and
    its reason kept in ``ExportResult.errors``; the other configs are still written.
    """
    from datasets import Dataset

    from drdata.export.card import build_card

    configs = list(CONFIG_NAMES) if configs is None else list(dict.fromkeys(configs))
    bad = [c for c in configs if c not in CONFIG_NAMES]
    if bad or not configs:
        raise ExportError(f"unknown config(s) {', '.join(bad) or '(none given)'}: choose from {', '.join(CONFIG_NAMES)}")
    if max_chars is not None and max_chars <= 0:
        raise ExportError("max_chars must be positive")
    cats, sevs = _check_filters(list(categories or []), list(severities or []))
    out_dir = Path(out_dir)
    data = load_labeled(labels_dir, corpus)
    taxonomy = data.meta.get("taxonomy") or "full"
    backend = data.meta.get("backend") or "treesitter"
    labels_by_task, findings_by_task = _records(data.labels), _records(data.findings)

    # Splits are decided over every task of the corpus, before any filter, so a task keeps
    # its split whatever is selected.
    texts = [TaskText(t.id, t.prompt, t.model_response, t.ideal_response, t.failures_report)
             for t in data.corpus.values()]
    try:
        grouping = assign_splits(texts, seed=seed, fractions=fractions)
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    if log:
        log(f"{grouping.groups} task groups; {grouping.merged_groups} merged groups hold "
            f"{grouping.tasks_in_merged_groups} duplicated tasks")

    selected, dropped_tasks = _select(data, labels_by_task, min_training_quality=min_training_quality,
                                      cats=cats, sevs=sevs)
    task_rows = {r["task_id"]: r for r in data.tasks.to_dict("records")}
    parse_cache: dict[str, tuple] = {}

    def parsed_for(tid: str):
        def get():
            if tid not in parse_cache:
                from drdata.hcl import parse_answer

                t = data.corpus[tid]
                parse_cache[tid] = (parse_answer(t.model_response, backend=backend),
                                    parse_answer(t.ideal_response, backend=backend))
            return parse_cache[tid]
        return get

    records = []
    for tid in selected:
        t = data.corpus[tid]
        rec = TaskRecord(tid, t.prompt.strip(), t.model_response.strip(), t.ideal_response.strip(),
                         _meta(task_rows[tid]), labels_by_task.get(tid, []), findings_by_task.get(tid, []))
        rec.parsed = parsed_for(tid)
        records.append(rec)

    errors: dict[str, str] = {}
    dropped_rows: dict[str, dict[str, int]] = {}
    if "critique" in configs:
        render, why = _report_renderer()
        if render is None:
            errors["critique"] = why
        else:
            failed, first = 0, None
            for rec in records:
                try:
                    rec.extra["report"] = render(pair_labels(rec, data.corpus[rec.task_id], taxonomy))
                except Exception as exc:  # one bad task must not sink the config; it is counted
                    failed += 1
                    first = first or f"{rec.task_id}: {type(exc).__name__}: {exc}"[:300]
            if failed:
                dropped_rows["critique"] = {"report could not be rendered": failed}
                if log:
                    log(f"critique: {failed} report(s) could not be rendered, first {first}")
            if failed == len(records) and records:
                errors["critique"] = f"no failure report could be rendered (first: {first})"

    _prepare_out_dir(out_dir)
    rows: dict[str, dict[str, int]] = {}
    empty_splits: dict[str, list[str]] = {}
    split_infos: dict[str, dict[str, tuple[int, int, int]]] = {}  # config -> split -> (rows, nbytes, file size)
    written: list[Path] = []
    from drdata.io import atomic_write_bytes

    for cfg in configs:
        if cfg in errors:
            continue
        feats = features(cfg)
        per_split: dict[str, list[dict]] = {s: [] for s in SPLITS}
        drops = dropped_rows.setdefault(cfg, {})
        for rec in records:
            for row in BUILDERS[cfg](rec):
                if cfg == "repair" and ((cats is not None and row["category"] not in cats)
                                        or (sevs is not None and row["severity"] not in sevs)):
                    drops["outside the selected categories or severities"] = drops.get(
                        "outside the selected categories or severities", 0) + 1
                    continue
                if max_chars is not None and sum(len(row[c]) for c in TEXT_COLUMNS[cfg]) > max_chars:
                    drops[f"longer than {max_chars} characters"] = drops.get(f"longer than {max_chars} characters",
                                                                             0) + 1
                    continue
                per_split[grouping.split_of[rec.task_id]].append(row)
            for reason, n in rec.extra.pop("repair_skipped", {}).items():
                drops[reason] = drops.get(reason, 0) + n
        if not drops:
            dropped_rows.pop(cfg)
        rows[cfg], split_infos[cfg] = {}, {}
        for split in SPLITS:
            items = sorted(per_split[split], key=lambda r: tuple(str(r[k]) for k in SORT_KEYS[cfg]))
            if not items:
                empty_splits.setdefault(cfg, []).append(split)
                continue  # an empty parquet file breaks `load_dataset`: the split is left out
            ds = Dataset.from_list(items, features=feats)
            table = ds.data.table.combine_chunks()
            blob = _parquet_bytes(table)
            path = out_dir / "data" / cfg / _shard_name(split)
            atomic_write_bytes(path, blob)
            written.append(path)
            rows[cfg][split] = len(items)
            split_infos[cfg][split] = (len(items), int(table.nbytes), len(blob))
        if not rows[cfg]:
            rows.pop(cfg)
            split_infos.pop(cfg)
            errors.setdefault(cfg, "no row survived the selection")

    result = ExportResult(out_dir, rows, written, out_dir / "README.md", grouping, len(data.tasks), len(selected),
                          dropped_tasks, dropped_rows, empty_splits, errors)
    card = build_card(result, split_infos, data=data, records=records, taxonomy=taxonomy,
                      filters={"min_training_quality": min_training_quality, "categories": sorted(cats or []),
                               "severities": [s for s in SEVERITIES if s in (sevs or ())], "max_chars": max_chars,
                               "seed": seed, "fractions": list(fractions)},
                      source_description=source_description, license=license, pretty_name=pretty_name)
    from drdata.io import atomic_write_text

    atomic_write_text(result.card, card)
    return result
