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
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from drdata.export.configs import (
    BUILDERS,
    CONFIG_NAMES,
    CONFLICT_COLUMNS,
    GRANULAR,
    PROMPT_COLUMN,
    SORT_KEYS,
    UNIQUE_COLUMNS,
    TaskRecord,
    estimate_tokens,
    features,
    sequence_chars,
    sequence_texts,
)
from drdata.export.names import GRANULARITIES
from drdata.export.splits import DEFAULT_FRACTIONS, SPLITS, Grouping, TaskText, assign_splits, normalise
from drdata.labeling.store import LabelRun
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
    # config -> split -> length figures of the written rows (see ``length_stats``)
    lengths: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # config -> {"duplicates_within_split", "duplicates_across_splits", "conflicts", "prompts_in_two_splits"}
    dedup: dict[str, dict[str, int]] = field(default_factory=dict)
    split_rows: dict[str, int] = field(default_factory=dict)  # config -> rows replaced by per-file rows (auto)
    options: dict[str, Any] = field(default_factory=dict)

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
            "dedup": self.dedup,
            "split_into_files": self.split_rows,
            "lengths": self.lengths,
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
    try:
        run = LabelRun.open(labels_dir)
    except ValueError as exc:  # a run.json that is not JSON
        raise ExportError(str(exc)) from None
    meta: dict[str, Any] = dict(run.meta)
    if run.drdata_version is not None:
        meta["drdata_version"] = run.drdata_version
    tasks, labels, findings = run.tasks, run.labels, run.findings
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
        elif row.get("pair_state") in ("ideal_unusable", "model_unusable"):
            # One answer has no Terraform: no pair to learn from, and every label of the task is unknown.
            drop("one answer has no Terraform (pair_state " + row["pair_state"] + ")")
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


# -- lengths --------------------------------------------------------------------------------

LENGTH_MARKS = (512, 2048, 8192, 16384, 32768)  # token budgets the card reports (estimated tokens)


def length_stats(rows: list[dict]) -> dict[str, Any]:
    """Length figures of one split: characters and estimated tokens (median, p95, max) and the share of
    rows that fit each budget of ``LENGTH_MARKS`` estimated tokens."""
    import numpy as np

    if not rows:
        return {}
    chars = np.array([r["n_chars"] for r in rows])
    toks = np.array([r["n_tokens_est"] for r in rows])
    out: dict[str, Any] = {
        "rows": len(rows),
        "chars_median": int(np.median(chars)), "chars_p95": int(np.percentile(chars, 95)),
        "tokens_est_median": int(np.median(toks)), "tokens_est_p95": int(np.percentile(toks, 95)),
        "tokens_est_max": int(toks.max()),
    }
    for mark in LENGTH_MARKS:
        out[f"fit_{mark}"] = int((toks <= mark).sum())
    return out


def _token_counter(tokenizer):
    """A function text -> token count, from a tokenizer object or name (transformers' AutoTokenizer)."""
    if tokenizer is None:
        return None
    if isinstance(tokenizer, str):
        try:
            from transformers import AutoTokenizer
        except ImportError:
            raise ExportError("--tokenizer needs the transformers package (pip install transformers)") from None
        try:
            tokenizer = AutoTokenizer.from_pretrained(tokenizer)
        except Exception as exc:  # a missing or unreachable tokenizer: one clear message
            raise ExportError(f"tokenizer {tokenizer!r} could not be loaded: {exc}") from None
    return lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"])


def _key(row: dict, columns: tuple[str, ...]) -> tuple:
    out = []
    for c in columns:
        v = row[c]
        if c == "messages":
            v = tuple((m["role"], normalise(m["content"])) for m in v)
        elif isinstance(v, str):
            v = normalise(v)
        elif isinstance(v, list):
            v = tuple(v)
        out.append(v)
    return tuple(out)


def dedupe(cfg: str, per_split: dict[str, list[dict]]) -> tuple[dict[str, list[dict]], dict[str, int]]:
    """Drop duplicate and contradicting rows within and across splits, and any prompt already given in another
    split. Rows are visited split by split (train first) in their sorted order: the first one stays."""
    seen_unique: dict[tuple, str] = {}
    seen_input: dict[tuple, str] = {}
    prompt_split: dict[tuple, str] = {}
    counts = {"duplicates_within_split": 0, "duplicates_across_splits": 0, "conflicts": 0,
              "prompts_in_two_splits": 0}
    out: dict[str, list[dict]] = {}
    for split in SPLITS:
        kept = []
        for row in per_split.get(split, []):
            u = _key(row, UNIQUE_COLUMNS[cfg])
            if u in seen_unique:
                counts["duplicates_within_split" if seen_unique[u] == split else "duplicates_across_splits"] += 1
                continue
            if cfg in CONFLICT_COLUMNS:
                i = _key(row, CONFLICT_COLUMNS[cfg])
                if i in seen_input:
                    counts["conflicts"] += 1
                    continue
            p = _key(row, (PROMPT_COLUMN[cfg],))
            if prompt_split.get(p, split) != split:
                counts["prompts_in_two_splits"] += 1
                continue
            seen_unique[u] = split
            if cfg in CONFLICT_COLUMNS:
                seen_input[i] = split
            prompt_split[p] = split
            kept.append(row)
        out[split] = kept
    return out, counts


# -- the export -----------------------------------------------------------------------------

REPAIR_PER_TASK_CATEGORY = 5


def export_datasets(labels_dir: str | Path, out_dir: str | Path, *, corpus: str | Path | Iterable | None = None,
                    configs: Iterable[str] | None = None, min_training_quality: float | None = None,
                    categories: Iterable[str] | None = None, severities: Iterable[str] | None = None,
                    max_chars: int | None = None, max_tokens: int | None = None, tokenizer: Any = None,
                    granularity: str = "answer", repair_per_task_category: int | None = REPAIR_PER_TASK_CATEGORY,
                    seed: int = 0, fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
                    source_description: str | None = None, license: str = "other",
                    pretty_name: str | None = None, log=None) -> ExportResult:
    """Write the dataset configs of a labels folder to ``out_dir`` in the Hub layout.

    Length: ``max_chars`` and ``max_tokens`` drop rows whose longest sequence is longer (tokens are estimated,
    or counted with ``tokenizer``: a transformers tokenizer or its name). ``granularity`` (``sft``,
    ``sft_messages``, ``preference``): ``answer`` (one row per answer), ``file`` (one row per Terraform file of
    the answer, the prompt naming the file) or ``auto`` (per answer where it fits the limits, per file where it
    does not). ``repair_per_task_category``: at most this many ``repair`` rows of one category per task (None:
    no cap), so that one task's many copies of a failure do not fill a split.
    """
    from datasets import Dataset

    from drdata.export.card import build_card

    configs = list(CONFIG_NAMES) if configs is None else list(dict.fromkeys(configs))
    bad = [c for c in configs if c not in CONFIG_NAMES]
    if bad or not configs:
        raise ExportError(f"unknown config(s) {', '.join(bad) or '(none given)'}: choose from {', '.join(CONFIG_NAMES)}")
    if max_chars is not None and max_chars <= 0:
        raise ExportError("max_chars must be positive")
    if max_tokens is not None and max_tokens <= 0:
        raise ExportError("max_tokens must be positive")
    if tokenizer is not None and max_tokens is None:
        raise ExportError("a tokenizer is only used with max_tokens")
    if granularity not in GRANULARITIES:
        raise ExportError(f"unknown granularity {granularity!r}: choose from {', '.join(GRANULARITIES)}")
    if granularity == "auto" and max_chars is None and max_tokens is None:
        raise ExportError("granularity 'auto' needs max_chars or max_tokens")
    if repair_per_task_category is not None and repair_per_task_category <= 0:
        raise ExportError("repair_per_task_category must be positive (or None)")
    count_tokens = _token_counter(tokenizer)
    cats, sevs = _check_filters(list(categories or []), list(severities or []))
    out_dir = Path(out_dir)
    data = load_labeled(labels_dir, corpus)
    taxonomy = data.meta.get("taxonomy") or "full"
    backend = data.meta.get("backend") or "treesitter"
    labels_by_task, findings_by_task = _records(data.labels), _records(data.findings)
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

    # Every usable task (labelled ok, texts present), whatever the filters: the splits are decided over them.
    records: dict[str, TaskRecord] = {}
    for tid in sorted(data.corpus):
        t, row = data.corpus[tid], task_rows.get(tid)
        if row is None or row.get("status") != "ok" or any(_blank(x) for x in (t.prompt, t.model_response,
                                                                               t.ideal_response)):
            continue
        rec = TaskRecord(tid, t.prompt.strip(), t.model_response.strip(), t.ideal_response.strip(), _meta(row),
                         labels_by_task.get(tid, []), findings_by_task.get(tid, []))
        rec.parsed = parsed_for(tid)
        records[tid] = rec

    built: dict[tuple[str, str, str], tuple[list[dict], dict[str, int]]] = {}

    def rows_of(cfg: str, rec: TaskRecord, gran: str = "answer") -> tuple[list[dict], dict[str, int]]:
        key = (cfg, rec.task_id, gran)
        if key not in built:
            rec.extra["skipped"] = {}
            rows = list(BUILDERS[cfg](rec, gran))
            built[key] = (rows, rec.extra.pop("skipped"))
        return built[key]

    # Rows whose prompt is not the task's own can repeat across tasks: such tasks share a split.
    shared: dict[str, dict[str, list[str]]] = {"repair_prompt": {}, "repair_block": {}, "critique_prompt": {}}
    for tid, rec in records.items():
        for row in rows_of("repair", rec)[0]:
            shared["repair_prompt"].setdefault(tid, []).append(normalise(row["prompt"]))
            shared["repair_block"].setdefault(tid, []).append(normalise(row["model_block"]))
        for row in rows_of("critique", rec)[0]:
            shared["critique_prompt"].setdefault(tid, []).append(normalise(row["prompt"]))

    texts = [TaskText(t.id, t.prompt, t.model_response, t.ideal_response, t.failures_report)
             for t in data.corpus.values()]
    try:
        grouping = assign_splits(texts, seed=seed, fractions=fractions, shared=shared)
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    if log:
        log(f"{grouping.groups} task groups; {grouping.merged_groups} merged groups hold "
            f"{grouping.tasks_in_merged_groups} duplicated tasks")

    selected, dropped_tasks = _select(data, labels_by_task, min_training_quality=min_training_quality,
                                      cats=cats, sevs=sevs)
    selected_records = [records[tid] for tid in selected]

    def too_long(cfg: str, row: dict) -> str | None:
        if max_chars is not None and row["n_chars"] > max_chars:
            return f"longer than {max_chars} characters"
        if max_tokens is not None:
            n = (max(count_tokens(x) for x in sequence_texts(cfg, row)) if count_tokens is not None
                 else row["n_tokens_est"])
            if n > max_tokens:
                return f"longer than {max_tokens} tokens" + ("" if count_tokens else " (estimated)")
        return None

    def with_length(cfg: str, row: dict) -> dict:
        n = sequence_chars(cfg, row)
        row["n_chars"], row["n_tokens_est"] = n, estimate_tokens(n)
        return row

    errors: dict[str, str] = {}
    dropped_rows: dict[str, dict[str, int]] = {}
    split_rows: dict[str, int] = {}
    _prepare_out_dir(out_dir)
    rows: dict[str, dict[str, int]] = {}
    empty_splits: dict[str, list[str]] = {}
    lengths: dict[str, dict[str, dict[str, Any]]] = {}
    dedup: dict[str, dict[str, int]] = {}
    split_infos: dict[str, dict[str, tuple[int, int, int]]] = {}  # config -> split -> (rows, nbytes, file size)
    written: list[Path] = []
    from drdata.io import atomic_write_bytes

    for cfg in configs:
        feats = features(cfg)
        per_split: dict[str, list[dict]] = {s: [] for s in SPLITS}
        drops = dropped_rows.setdefault(cfg, {})

        def drop(reason: str, n: int = 1) -> None:
            drops[reason] = drops.get(reason, 0) + n  # noqa: B023  (used inside this iteration only)

        for rec in selected_records:
            gran = granularity if cfg in GRANULAR else "answer"
            task_rows_, skipped = rows_of(cfg, rec, "answer" if gran == "auto" else gran)
            task_rows_ = [with_length(cfg, dict(r)) for r in task_rows_]
            if gran == "auto" and any(too_long(cfg, r) for r in task_rows_):
                split_rows[cfg] = split_rows.get(cfg, 0) + len(task_rows_)
                task_rows_, skipped = rows_of(cfg, rec, "file")
                task_rows_ = [with_length(cfg, dict(r)) for r in task_rows_]
            for reason, n in skipped.items():
                drop(reason, n)
            per_cat: dict[str, int] = {}
            for row in sorted(task_rows_, key=lambda r: tuple(str(r[k]) for k in SORT_KEYS[cfg])):
                if cfg == "repair":
                    if (cats is not None and row["category"] not in cats) or (sevs is not None
                                                                              and row["severity"] not in sevs):
                        drop("outside the selected categories or severities")
                        continue
                    per_cat[row["category"]] = per_cat.get(row["category"], 0) + 1
                    if repair_per_task_category is not None and per_cat[row["category"]] > repair_per_task_category:
                        drop(f"more than {repair_per_task_category} rows of one category in one task")
                        continue
                why = too_long(cfg, row)
                if why:
                    drop(why)
                    continue
                per_split[grouping.split_of[rec.task_id]].append(row)
        for split in SPLITS:
            per_split[split].sort(key=lambda r: tuple(str(r[k]) for k in SORT_KEYS[cfg]))
        per_split, dedup[cfg] = dedupe(cfg, per_split)
        for what, reason in (("duplicates_within_split", "duplicate row"),
                             ("duplicates_across_splits", "duplicate of a row in another split"),
                             ("conflicts", "same input as a kept row, another target"),
                             ("prompts_in_two_splits", "prompt already in another split")):
            if dedup[cfg][what]:
                drop(reason, dedup[cfg][what])
        if not drops:
            dropped_rows.pop(cfg)
        rows[cfg], split_infos[cfg], lengths[cfg] = {}, {}, {}
        for split in SPLITS:
            items = per_split[split]
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
            lengths[cfg][split] = length_stats(items)
            split_infos[cfg][split] = (len(items), int(table.nbytes), len(blob))
        if not rows[cfg]:
            rows.pop(cfg)
            split_infos.pop(cfg)
            lengths.pop(cfg)
            errors.setdefault(cfg, "no row survived the selection")

    options = {"min_training_quality": min_training_quality, "categories": sorted(cats or []),
               "severities": [s for s in SEVERITIES if s in (sevs or ())], "max_chars": max_chars,
               "max_tokens": max_tokens, "tokenizer": getattr(tokenizer, "name_or_path", tokenizer),
               "granularity": granularity, "repair_per_task_category": repair_per_task_category,
               "seed": seed, "fractions": list(fractions)}
    result = ExportResult(out_dir, rows, written, out_dir / "README.md", grouping, len(data.tasks), len(selected),
                          dropped_tasks, dropped_rows, empty_splits, errors, lengths, dedup, split_rows, options)
    card = build_card(result, split_infos, data=data, records=selected_records, taxonomy=taxonomy,
                      filters=options, source_description=source_description, license=license,
                      pretty_name=pretty_name)
    from drdata.io import atomic_write_text

    atomic_write_text(result.card, card)
    return result
