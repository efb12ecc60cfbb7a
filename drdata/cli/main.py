"""The ``drdata`` command: thin click commands, one library call each.

Each command parses options, calls the library function of the same verb, and
turns exceptions into one clear message (``--debug`` shows the traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_FAIL_ON, EXIT_USAGE, EXIT_TASK_ERRORS, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UserError(click.ClickException):
    exit_code = EXIT_USAGE


def _fail(exc: BaseException, debug: bool) -> None:
    if debug:
        raise exc
    raise UserError(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(package_name="drdata")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Label LLM-written Terraform answers with a failure taxonomy."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--out", "outdir", type=click.Path(path_type=Path), required=True, help="Folder for the parquet files.")
@click.option("--taxonomy", type=click.Choice(["reference", "full"]), default="full", show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--no-cache", is_flag=True, help="Parse everything again; do not read or write the parse cache.")
@click.option("--backend", type=click.Choice(["treesitter", "hcl2"]), default="treesitter", show_default=True)
@click.option("--task-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds one task may take before it becomes an error row.")
@click.pass_context
def label(ctx, path: Path, outdir: Path, taxonomy: str, jobs: int | None, no_cache: bool, backend: str,
          task_timeout: float) -> None:
    """Label every task under PATH and write OUTDIR/{tasks,labels,findings}.parquet."""
    from drdata.labeling.batch import label_corpus, write_outputs

    debug = ctx.obj["debug"]
    try:
        run = label_corpus(path, taxonomy=taxonomy, jobs=jobs, cache=not no_cache, backend=backend,
                           timeout=task_timeout)
        written = write_outputs(run, outdir)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except (ValueError, OSError) as exc:
        _fail(exc, debug)
    tasks = run.tasks
    summary = {
        "tasks": int(len(tasks)),
        "ok": int((tasks["status"] == "ok").sum()),
        "errors": run.errors,
        "fixed": {s: int(tasks[f"fixed_{s.lower()}"].fillna(0).sum()) for s in ("Critical", "High", "Medium", "Low")},
        "outdir": str(outdir),
        "files": [p.name for p in written],
    }
    click.echo(json.dumps(summary, sort_keys=True))
    sys.exit(EXIT_TASK_ERRORS if run.errors else EXIT_OK)


def main() -> None:
    cli(prog_name="drdata")


if __name__ == "__main__":
    main()
