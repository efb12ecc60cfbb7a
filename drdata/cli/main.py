"""The ``drdata`` command: thin click commands, one verb each.

Each command parses options, calls the verb of the same name (:mod:`drdata.verbs`), prints what it returns and
turns exceptions into one clear message (``--debug`` shows the traceback).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from drdata import verbs
from drdata.export.names import CONFIG_NAMES as EXPORT_CONFIGS
from drdata.export.names import GRANULARITIES

EXIT_OK, EXIT_FAIL_ON, EXIT_USAGE, EXIT_TASK_ERRORS, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UserError(click.ClickException):
    exit_code = EXIT_USAGE


def _fail(exc: BaseException, debug: bool) -> None:
    if debug:
        raise exc
    if isinstance(exc, OSError) and exc.filename is not None:
        # "[Errno 20] Not a directory: 'x'" says neither which file nor what to do.
        raise UserError(f"{exc.filename}: {exc.strerror or exc}; check the path and its permissions") from None
    if type(exc).__module__.startswith("pyarrow"):
        # "Parquet magic bytes not found..." says what is wrong, not what to do.
        raise UserError(f"{exc} (a damaged drdata output: run the command that wrote it again)") from None
    raise UserError(str(exc)) from None


def check_outdir(outdir: Path) -> None:
    """Refuse an output folder that cannot be created or written, before any work (creates nothing)."""
    target = outdir.absolute()
    probe = target
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        probe = probe.parent
    if probe == target and not probe.is_dir():
        raise UserError(f"cannot write the output folder {outdir}: it exists and is not a folder; "
                        "choose another -o folder")
    if not probe.is_dir():
        raise UserError(f"cannot write the output folder {outdir}: {probe} is not a folder; "
                        "choose another -o folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UserError(f"cannot write the output folder {outdir}: {probe} is not writable; "
                        "choose another -o folder")


class _Group(click.Group):
    """Turns an unexpected exception of any command into one line (``--debug`` keeps the traceback)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(
                f"internal error: {type(exc).__name__}: {exc}; this is a drdata bug: rerun with "
                "`drdata --debug ...` for the traceback and report it") from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="drdata")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Label LLM-written Terraform answers with a failure taxonomy."""
    ctx.obj = {"debug": debug}


SEVERITY_CHOICES = click.Choice(["Critical", "High", "Medium", "Low"], case_sensitive=False)


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--out", "outdir", type=click.Path(path_type=Path), required=True,
              help="Folder for the parquet files (and the journal of finished tasks).")
@click.option("--taxonomy", type=click.Choice(["reference", "full"]), default="full", show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--no-cache", is_flag=True, help="Parse everything again; do not read or write the parse cache.")
@click.option("--backend", type=click.Choice(["treesitter", "hcl2"]), default="treesitter", show_default=True)
@click.option("--task-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds one task may take before it becomes an error row.")
@click.option("--resume", is_flag=True, help="Skip tasks already in OUTDIR/journal.jsonl from an interrupted run.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: processes on this machine; dask: a Dask cluster (LocalCluster without --scheduler).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Dask scheduler address (tcp://host:8786); implies --engine dask.")
@click.option("--ship", type=click.Choice(["auto", "paths", "texts"]), default="auto", show_default=True,
              help="dask: send workers task folders to read (paths) or the texts read here (texts); auto: paths "
                   "on a LocalCluster or when every worker sees the corpus at the same path.")
@click.option("--window", type=click.IntRange(min=1), default=None,
              help="Tasks in flight at most (default: 4 per local worker, 8 per Dask worker thread).")
@click.option("--fail-on", type=SEVERITY_CHOICES, default=None,
              help="Exit 1 when any fixed failure reaches this severity (for CI).")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when a terminal).")
@click.option("--terraform-validate", is_flag=True,
              help="Also run `terraform validate` on every answer (terraform on PATH, the aws provider in a local "
                   "mirror; cached, parallel) and label its errors as the terraform_validate category.")
@click.pass_context
def label(ctx, path: Path, outdir: Path, taxonomy: str, jobs: int | None, no_cache: bool, backend: str,
          task_timeout: float, resume: bool, engine: str, scheduler: str | None, ship: str, window: int | None,
          fail_on: str | None, progress: bool | None, terraform_validate: bool) -> None:
    """Label every task under PATH and write OUTDIR/{tasks,labels,findings}.parquet.

    Exit codes: 0 finished, 3 some tasks ended as error rows, 1 --fail-on
    reached, 2 usage error, 130 interrupted (the journal stays valid: --resume).
    """
    from drdata.terraform.tool import TerraformUnavailable

    debug = ctx.obj["debug"]
    check_outdir(outdir)
    try:
        run = verbs.label(path, outdir, taxonomy=taxonomy, jobs=jobs, cache=not no_cache,
                                  backend=backend, timeout=task_timeout, progress=progress, resume=resume,
                                  engine=engine, scheduler=scheduler, ship=ship, window=window,
                                  terraform_validate=terraform_validate)
    except TerraformUnavailable as exc:
        raise UserError(f"--terraform-validate: {exc}") from None
    except KeyboardInterrupt:
        click.echo(f"interrupted: finished tasks are kept in {outdir / 'journal.jsonl'}; "
                   "run again with --resume to continue", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except (ValueError, OSError, RuntimeError) as exc:
        _fail(exc, debug)
    summary = {**run.summary(), "outdir": str(outdir), "files": [p.name for p in run.files]}
    fixed = summary["fixed"]
    click.echo(json.dumps(summary, sort_keys=True))
    if fail_on:
        order = ["Critical", "High", "Medium", "Low"]
        reached = order[: order.index(fail_on.capitalize()) + 1]
        if any(fixed[s] for s in reached):
            click.echo(f"--fail-on {fail_on}: fixed failures of severity {', '.join(s for s in reached if fixed[s])}"
                       " found", err=True)
            sys.exit(EXIT_FAIL_ON)
    if run.errors:
        click.echo(f"{run.errors} task(s) ended as error rows: the reasons are in the error column of "
                   f"{outdir / 'tasks.parquet'}", err=True)
    sys.exit(EXIT_TASK_ERRORS if run.errors else EXIT_OK)


@cli.command()
@click.argument("outdir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for the tables (CSV + parquet), the plots (PNG), summary.json and report.md.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON instead of a few lines.")
@click.pass_context
def stats(ctx, outdir: Path, out_dir: Path, as_json: bool) -> None:
    """Severity statistics, plots and the corpus report of a `drdata label` OUTDIR, written to DIR."""
    from drdata.stats import format_summary

    try:
        summary = verbs.stats(outdir, out_dir)
    except (ValueError, OSError) as exc:
        _fail(exc, ctx.obj["debug"])
    click.echo(json.dumps(summary, sort_keys=True) if as_json else format_summary(summary))
    if not as_json:
        click.echo(f"wrote {len(summary['files'])} files to {out_dir} (report: {out_dir / 'report.md'})")


@cli.command()
@click.argument("task_path", type=click.Path(path_type=Path, exists=True))
@click.option("-o", "--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the Markdown report to this file (default: print it).")
@click.option("--taxonomy", type=click.Choice(["reference", "full"]), default="full", show_default=True)
@click.pass_context
def report(ctx, task_path: Path, out_file: Path | None, taxonomy: str) -> None:
    """Failure report of one task (MODEL vs IDEAL answer), generated from the code, as Markdown."""
    try:
        text = verbs.report(task_path, out_file, taxonomy=taxonomy)
    except (ValueError, OSError) as exc:
        _fail(exc, ctx.obj["debug"])
    if out_file is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {out_file}", err=True)


@cli.command("export")
@click.argument("labels_dir", metavar="OUTDIR", type=click.Path(path_type=Path))
@click.option("-o", "--out", "dataset_dir", type=click.Path(path_type=Path), required=True,
              help="Folder for the Hub-ready dataset (data/<config>/*.parquet and README.md).")
@click.option("--config", "configs", multiple=True, type=click.Choice(EXPORT_CONFIGS),
              help="Dataset config to build (repeat it; default: all).")
@click.option("--corpus", type=click.Path(path_type=Path), default=None,
              help="Corpus folder with the texts (default: the one OUTDIR/run.json names).")
@click.option("--min-training-quality", type=float, default=None, help="Keep tasks scored at least this.")
@click.option("--category", "categories", multiple=True,
              help="Keep tasks where the IDEAL fixed this category (repeat it).")
@click.option("--severity", "severities", multiple=True,
              type=click.Choice(["Critical", "High", "Medium", "Low"], case_sensitive=False),
              help="Keep tasks where the IDEAL fixed a failure of this severity (repeat it).")
@click.option("--max-chars", type=click.IntRange(min=1), default=None,
              help="Drop rows whose longest sequence (prompt + completion, ...) has more characters.")
@click.option("--max-tokens", type=click.IntRange(min=1), default=None,
              help="Drop rows whose longest sequence has more tokens (estimated as characters / 3, or counted "
                   "with --tokenizer).")
@click.option("--tokenizer", default=None,
              help="Count tokens for --max-tokens with this tokenizer (a transformers name or local folder).")
@click.option("--granularity", type=click.Choice(GRANULARITIES), default="answer", show_default=True,
              help="sft/sft_messages/preference rows: one per answer, one per Terraform file of the answer, or "
                   "auto (per answer where it fits --max-chars/--max-tokens, per file where it does not).")
@click.option("--repair-per-task-category", type=click.IntRange(min=0), default=5, show_default=True,
              help="At most this many repair rows of one category per task (0: no cap).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split hash.")
@click.option("--source", "source_description", default=None,
              help="Where the corpus comes from (repository and commit), written into the card.")
@click.option("--license", "license_", default="other", show_default=True, help="License id for the card.")
@click.pass_context
def export(ctx, labels_dir: Path, dataset_dir: Path, configs: tuple[str, ...], corpus: Path | None,
           min_training_quality: float | None, categories: tuple[str, ...], severities: tuple[str, ...],
           max_chars: int | None, max_tokens: int | None, tokenizer: str | None, granularity: str,
           repair_per_task_category: int, seed: int, source_description: str | None, license_: str) -> None:
    """Write the fine-tuning datasets of a labels folder (from `drdata label`) in the Hub layout."""
    debug = ctx.obj["debug"]
    try:
        result = verbs.export(labels_dir, dataset_dir, corpus=corpus, configs=configs or None,
                                 min_training_quality=min_training_quality, categories=categories or None,
                                 severities=severities or None, max_chars=max_chars, max_tokens=max_tokens,
                                 tokenizer=tokenizer, granularity=granularity,
                                 repair_per_task_category=repair_per_task_category or None, seed=seed,
                                 source_description=source_description, license=license_,
                                 log=lambda msg: click.echo(msg, err=True))
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except (ValueError, OSError) as exc:
        _fail(exc, debug)
    for cfg, why in result.errors.items():
        click.echo(f"warning: config {cfg} not exported: {why}", err=True)
    click.echo(json.dumps(result.summary(), sort_keys=True))
    sys.exit(EXIT_TASK_ERRORS if result.errors else EXIT_OK)


@cli.command()
@click.argument("dataset_dir", type=click.Path(path_type=Path))
@click.option("--repo-id", required=True, help="Dataset repo on the Hub, as ORG/NAME.")
@click.option("--private", is_flag=True, help="Create the repo private (an existing repo keeps its visibility).")
@click.option("--yes", is_flag=True, help="Upload for real; without it, only print what would be uploaded.")
@click.pass_context
def publish(ctx, dataset_dir: Path, repo_id: str, private: bool, yes: bool) -> None:
    """Upload DATASET_DIR (from `drdata export`) to the Hugging Face Hub.

    The token comes from HF_TOKEN or the standard login (`hf auth login`); it is never printed.
    """
    debug = ctx.obj["debug"]
    try:
        plan = verbs.publish(dataset_dir, repo_id, private=private, dry_run=not yes)
    except (ValueError, OSError) as exc:
        _fail(exc, debug)
    click.echo(plan.describe())


@cli.group()
def schema() -> None:
    """The AWS provider schema extract the schema detectors read."""


@schema.command("show")
def schema_show() -> None:
    """Print where the extract in use came from (provider and terraform versions, counts)."""
    click.echo(json.dumps(verbs.schema_show(), sort_keys=True))


@schema.command("update")
@click.option("-o", "--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the extract here (default: replace the one shipped in the drdata package).")
@click.option("--provider-version", default=None, help="aws provider version in the mirror (default: newest).")
@click.option("--mirror", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Filesystem mirror with the provider plugin (default: DRDATA_TF_MIRROR or the usual folders).")
@click.option("--terraform", "terraform_bin", default=None, help="terraform binary (default: terraform on PATH).")
@click.pass_context
def schema_update(ctx, out_file: Path | None, provider_version: str | None, mirror: Path | None,
                  terraform_bin: str | None) -> None:
    """Regenerate the extract with `terraform providers schema -json`, offline, from a local mirror."""
    from drdata.terraform.tool import TerraformUnavailable

    try:
        summary = verbs.schema_update(out_file, provider_version=provider_version, terraform=terraform_bin,
                                mirror=mirror)
    except (TerraformUnavailable, ValueError, OSError, RuntimeError) as exc:
        _fail(exc, ctx.obj["debug"])
    click.echo(json.dumps(summary, sort_keys=True))


def main() -> None:
    cli(prog_name="drdata")


if __name__ == "__main__":
    main()
