"""The verbs: what each ``drdata`` command does, composed from the layers below.

``label``, ``stats``, ``report``, ``export`` and ``publish`` (and the ``schema`` pair) read their inputs, call the
pure layers (labeler, statistics, rendering, export) and write their outputs. The CLI (:mod:`drdata.cli.main`)
only parses arguments, calls the verb of the same name and prints what it returns; the notebooks use
:func:`labeled_run`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from drdata.export.build import ExportResult
    from drdata.export.hub import PublishPlan
    from drdata.labeling.store import LabelRun


def label(path, outdir: str | Path, **options) -> LabelRun:
    """``drdata label``: label every task under ``path`` and write the run to ``outdir``
    (options: :func:`drdata.labeling.batch.label`). Returns the run, backed by its files (``run.files``)."""
    from drdata.labeling.batch import label as label_corpus_to

    run, _files = label_corpus_to(path, outdir, **options)
    return run


def labeled_run(corpus: str | Path | None = None, labels_dir: str | Path | None = None, *, taxonomy: str = "full",
                jobs: int | None = None) -> LabelRun:
    """The run of a corpus: read from ``labels_dir`` when it holds a ``drdata label`` output, else labelled now
    (and written to ``labels_dir`` when given, so the next call reads it). Notebooks use it so that a corpus is
    labelled once, not once per notebook."""
    from drdata.labeling.batch import label_corpus
    from drdata.labeling.store import LabelRun, write_outputs

    if labels_dir is not None and (Path(labels_dir) / "tasks.parquet").is_file():
        return LabelRun.open(labels_dir).load()
    if corpus is None:
        raise ValueError("give a corpus to label or a labels_dir holding a drdata label output")
    run = label_corpus(corpus, taxonomy=taxonomy, jobs=jobs, progress=False)
    if labels_dir is not None:
        write_outputs(run, labels_dir)
    return run


def _write_table(df: pd.DataFrame, base: Path) -> list[Path]:
    from drdata.io import atomic_write_text, write_parquet

    flat = df.reset_index()
    flat.columns = [str(c) for c in flat.columns]
    csv = atomic_write_text(base.with_suffix(".csv"), df.to_csv(float_format="%.6g", lineterminator="\n"))
    return [csv, write_parquet(flat, base.with_suffix(".parquet"))]


def stats(labels_dir: str | Path, out_dir: str | Path, *, plots: bool = True, report: bool = True) -> dict:
    """``drdata stats``: every statistics table (CSV + parquet) and plot (PNG) of a ``drdata label`` folder,
    ``summary.json`` and ``report.md``, written to ``out_dir``.

    Returns the summary of :meth:`drdata.stats.CorpusStats.summary` plus ``taxonomy`` and ``files`` (the paths
    written, relative to ``out_dir``; ``summary.json`` holds the same summary, without ``report.md``).
    """
    from drdata.io import atomic_write_text
    from drdata.labeling.store import LabelRun
    from drdata.stats import stats_of_run

    run = LabelRun.open(labels_dir)
    st = stats_of_run(run)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, df in st.tables().items():
        written += _write_table(df, out / name)
    if plots:
        from drdata.plots import save_figures

        written += save_figures(st, out)
    summary = st.summary()
    summary["taxonomy"] = run.meta.get("taxonomy")
    summary["files"] = sorted([*(str(p.relative_to(out)) for p in written), "summary.json"])
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=2, sort_keys=True) + "\n")
    if report:
        from drdata.reports.render import render_corpus_report

        atomic_write_text(out / "report.md", render_corpus_report(st, summary, Path(labels_dir).name))
        summary["files"] = sorted([*summary["files"], "report.md"])
    return summary


def report(task_path: str | Path, out_file: str | Path | None = None, taxonomy: str = "full") -> str:
    """``drdata report``: label one task folder and render its failure report (written to ``out_file`` when
    given). Returns the Markdown."""
    from drdata.corpus import read_single_task
    from drdata.labeling import label_task
    from drdata.reports.render import render_report

    text = render_report(label_task(read_single_task(task_path), taxonomy=taxonomy))
    if out_file is not None:
        from drdata.io import atomic_write_text

        atomic_write_text(out_file, text)
    return text


def export(labels_dir: str | Path, dataset_dir: str | Path, **options) -> ExportResult:
    """``drdata export``: the fine-tuning datasets of a label run in the Hub layout
    (options: :func:`drdata.export.export_datasets`)."""
    from drdata.export.build import export_datasets

    return export_datasets(labels_dir, dataset_dir, **options)


def publish(dataset_dir: str | Path, repo_id: str, *, private: bool = False, dry_run: bool = True) -> PublishPlan:
    """``drdata publish``: upload an exported dataset to the Hugging Face Hub (a plan only when ``dry_run``)."""
    from drdata.export.hub import publish as publish_dataset

    return publish_dataset(dataset_dir, repo_id, private=private, dry_run=dry_run)


def schema_show() -> dict:
    """``drdata schema show``: where the AWS provider schema extract in use came from."""
    from drdata.terraform.schema import SCHEMA_FILE, load_schema

    s = load_schema()
    return {"path": str(SCHEMA_FILE), "provider_version": s.provider_version,
            "terraform_version": s.terraform_version, "resources": len(s.resources),
            "data_sources": len(s.data_sources)}


def schema_update(out_file: str | Path | None = None, **options) -> dict:
    """``drdata schema update``: regenerate the extract offline (options: :func:`drdata.terraform.schema.update_schema`)."""
    from drdata.terraform.schema import update_schema

    return update_schema(out_file, **options)
