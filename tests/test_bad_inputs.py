"""The catalogue of bad inputs: each one ends as an error row with its reason or as a recorded problem on a
labeled task, through the library and through the command. Never a traceback, never a lost task."""

from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from drdata.cli.main import cli
from drdata.corpus import CorpusError, load_corpus
from drdata.labeling import label_task
from drdata.labeling.batch import label_corpus
from tests.factory import BUCKET_IDEAL, BUCKET_MODEL, make_task, put_file, put_symlink

MODEL = "lib/MODEL_RESPONSE.md"
IDEAL = "lib/IDEAL_RESPONSE.md"
META = "metadata.json"

# -- answers written for these cases ----------------------------------------------------------------------------

UNTERMINATED_FENCE = BUCKET_MODEL.rsplit("```", 1)[0]  # the answer stops before the closing fence

UNTERMINATED_HEREDOC = '''## main.tf

```hcl
resource "aws_s3_bucket" "logs" {
  bucket = "audit-logs"
}

resource "aws_iam_policy" "read_logs" {
  name   = "read-logs"
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": []
}
```
'''

FENCE_IN_HEREDOC = '''Runbook document and its bucket:

```hcl
resource "aws_ssm_document" "runbook" {
  name          = "restart-app"
  document_type = "Command"
  content       = <<DOC
Run on the host:
```bash
systemctl restart app
```
DOC
}

resource "aws_s3_bucket" "notes" {
  bucket = "runbook-notes"
}
```
'''

DUPLICATE_ADDRESSES = '''## main.tf

```hcl
resource "aws_s3_bucket" "data" {
  bucket = "orders-data"
}
```

## backup.tf

```hcl
resource "aws_s3_bucket" "data" {
  bucket = "orders-data-backup"
}
```
'''

OPEN_BRACES = "```hcl\n" + "{" * 5000 + "\n```\n"
# A bucket, then a local nested 5,000 objects deep in a fence of its own.
DEEP_OBJECT = (BUCKET_MODEL.split("resource \"aws_kms_key\"")[0].rstrip() + "\n```\n\n```hcl\nlocals {\n  deep = "
               + "{ a = " * 5000 + "1" + " }" * 5000 + "\n}\n```\n")
BINARY = bytes(range(256)) * 40  # NULs, control bytes and invalid UTF-8
LATIN1_MODEL = BUCKET_MODEL.replace('"orders key"', '"cl\xe9 des commandes"').encode("latin-1")
TEN_MB_PROSE = ("The bucket keeps order exports; the key encrypts them at rest. " * 15 + "\n\n") * 11_500


# -- the catalogue through label_corpus: (how to spoil a fresh task, status, error, problem) ---------------------

def _latin1(folder):
    put_file(folder, MODEL, LATIN1_MODEL)


def _binary_injected(folder):
    head, tail = BUCKET_MODEL.encode().split(b'resource "aws_kms_key"')
    put_file(folder, MODEL, head + b"\x00\xff\xfe\x00\n" + b'resource "aws_kms_key"' + tail)


def _no_lib_files_beside_metadata(folder):
    for name in ("PROMPT.md", "MODEL_RESPONSE.md", "IDEAL_RESPONSE.md"):
        (folder / name).write_bytes((folder / "lib" / name).read_bytes())
    for child in (folder / "lib").iterdir():
        child.unlink()
    (folder / "lib").rmdir()


def _no_lib_at_all(folder):
    for child in (folder / "lib").iterdir():
        child.unlink()
    (folder / "lib").rmdir()


def _symlink_to_a_file(folder):
    target = folder.parent / "shared-answer.md"
    target.write_text(BUCKET_MODEL, encoding="utf-8")
    put_symlink(folder, MODEL, target)


def _symlink_loop(folder):
    put_symlink(folder, MODEL, "MODEL_RESPONSE.md")  # relative: points at itself


def _lib_symlink_loop(folder):
    _no_lib_at_all(folder)
    (folder / "lib").symlink_to("lib")


def _fifo(folder):
    put_file(folder, IDEAL, None)
    os.mkfifo(folder / IDEAL)  # opening it would block forever


CASES = {
    # id: (spoil(folder), status, error, problem). "one-sided": one answer is unusable; the task is still
    # labeled (status ok, every label unknown, the other side's findings kept) and pair_note gives the reason.
    "empty-model": (lambda f: put_file(f, MODEL, b""), "one-sided", "MODEL_RESPONSE.md is empty",
                    "MODEL_RESPONSE.md: empty file"),
    "empty-ideal": (lambda f: put_file(f, IDEAL, b""), "one-sided", "IDEAL_RESPONSE.md is empty",
                    "IDEAL_RESPONSE.md: empty file"),
    "empty-prompt": (lambda f: put_file(f, "lib/PROMPT.md", b""), "ok", None, "PROMPT.md: empty file"),
    "empty-metadata": (lambda f: put_file(f, META, b""), "ok", None, "metadata.json: not valid JSON"),
    "whitespace-model": (lambda f: put_file(f, MODEL, " \n\t\n"), "one-sided", "MODEL_RESPONSE.md is empty",
                         "MODEL_RESPONSE.md: empty file"),
    "binary-model": (lambda f: put_file(f, MODEL, BINARY), "one-sided", "no Terraform code found in MODEL_RESPONSE.md",
                     "MODEL_RESPONSE.md: binary content (NUL bytes), read with replacement"),
    "binary-injected": (_binary_injected, "ok", None,
                        "MODEL_RESPONSE.md: binary content (NUL bytes), read with replacement"),
    "binary-metadata": (lambda f: put_file(f, META, BINARY), "ok", None, "metadata.json: not valid JSON"),
    "latin-1-model": (_latin1, "ok", None, "MODEL_RESPONSE.md: not valid UTF-8, read with replacement"),
    "utf-16-ideal": (lambda f: put_file(f, IDEAL, BUCKET_IDEAL.encode("utf-16")), "ok", None,
                     "IDEAL_RESPONSE.md: UTF-16 encoded, decoded as UTF-16"),
    "prose-only-model": (lambda f: put_file(f, MODEL, "I cannot write this configuration.\n"), "one-sided",
                         "no Terraform code found in MODEL_RESPONSE.md", None),
    "open-braces": (lambda f: put_file(f, MODEL, OPEN_BRACES), "one-sided",
                    "no Terraform block of MODEL_RESPONSE.md could be parsed", None),
    "deep-object": (lambda f: put_file(f, MODEL, DEEP_OBJECT), "ok", None, None),
    "unterminated-fence": (lambda f: put_file(f, MODEL, UNTERMINATED_FENCE), "ok", None, None),
    "unterminated-heredoc": (lambda f: put_file(f, MODEL, UNTERMINATED_HEREDOC), "ok", None, None),
    "fence-in-heredoc": (lambda f: put_file(f, MODEL, FENCE_IN_HEREDOC), "ok", None, None),
    "duplicate-addresses": (lambda f: put_file(f, MODEL, DUPLICATE_ADDRESSES), "ok", None, None),
    "no-lib-files-beside": (_no_lib_files_beside_metadata, "ok", None, "lib/ folder missing"),
    "no-lib": (_no_lib_at_all, "error", "MODEL_RESPONSE.md is missing or unreadable", "lib/ folder missing"),
    "lib-is-a-file": (lambda f: (_no_lib_at_all(f), (f / "lib").write_text("x")), "error",
                      "MODEL_RESPONSE.md is missing or unreadable", "lib is not a folder"),
    "metadata-not-json": (lambda f: put_file(f, META, "{complexity: hard"), "ok", None,
                          "metadata.json: not valid JSON"),
    "metadata-a-list": (lambda f: put_file(f, META, "[1, 2]"), "ok", None,
                        "metadata.json: not a JSON object (got list)"),
    "metadata-nested-deep": (lambda f: put_file(f, META, "[" * 100_000 + "]" * 100_000), "ok", None,
                             "metadata.json: not valid JSON"),
    "metadata-odd-types": (
        lambda f: put_file(f, META, json.dumps({"complexity": ["hard"], "subtask": {"a": 1},
                                                "training_quality": True, "platform": 7})),
        "ok", None, "metadata.json: complexity has unexpected type list"),
    "metadata-huge-number": (lambda f: put_file(f, META, '{"training_quality": 1' + "0" * 400 + "}"), "ok", None,
                             "metadata.json: training_quality '100000000000…' is not a finite number"),
    "metadata-missing": (lambda f: put_file(f, META, None), "ok", None, "metadata.json missing"),
    "symlink-to-a-file": (_symlink_to_a_file, "ok", None, None),
    "symlink-to-nowhere": (lambda f: put_symlink(f, MODEL, f / "gone" / "MODEL_RESPONSE.md"), "one-sided",
                           "MODEL_RESPONSE.md is missing or unreadable", "MODEL_RESPONSE.md: broken symlink"),
    "symlink-loop": (_symlink_loop, "one-sided", "MODEL_RESPONSE.md is missing or unreadable",
                     "MODEL_RESPONSE.md: symlink loop"),
    "lib-symlink-loop": (_lib_symlink_loop, "error", "MODEL_RESPONSE.md is missing or unreadable",
                         "lib is not a folder"),
    "directory-in-place-of-file": (lambda f: (put_file(f, MODEL, None), (f / MODEL).mkdir()), "one-sided",
                                   "MODEL_RESPONSE.md is missing or unreadable",
                                   "MODEL_RESPONSE.md: is a directory, not a file"),
    "fifo-in-place-of-file": (_fifo, "one-sided", "IDEAL_RESPONSE.md is missing or unreadable",
                              "IDEAL_RESPONSE.md: not a regular file (a pipe, socket or device), not read"),
}


@pytest.fixture(scope="module")
def zoo(tmp_path_factory) -> tuple[Path, dict]:
    """One corpus holding every case (plus a good task), labeled once: cases must not disturb each other."""
    root = tmp_path_factory.mktemp("zoo")
    make_task(root, "good")
    for case, (spoil, *_rest) in CASES.items():
        spoil(make_task(root, case))
    run = label_corpus(root, jobs=1, cache=False, progress=False)
    return root, {r["task_id"]: r for r in run.tasks.to_dict("records")}


@pytest.mark.parametrize(("case", "status", "error", "problem"),
                         [(case, *rest) for case, (_spoil, *rest) in CASES.items()], ids=list(CASES))
def test_each_bad_input_is_a_row_with_its_reason(zoo, case, status, error, problem):
    _, rows = zoo
    row = rows[case]
    if status == "one-sided":
        assert row["status"] == "ok" and pd.isna(row["error"])
        assert row["pair_state"] in ("model_unusable", "ideal_unusable")
        assert row["pair_note"].startswith(error)
    else:
        assert row["status"] == status
        assert pd.isna(row["error"]) if error is None else row["error"].startswith(error)
    if problem is not None:
        assert problem in row["problems"]


def test_no_task_is_lost_and_the_good_one_is_untouched(zoo):
    _, rows = zoo
    assert set(rows) == {"good", *CASES}
    assert (rows["good"]["status"], rows["good"]["problems"]) == ("ok", "MODEL_FAILURES.md missing")
    assert rows["good"]["model_resources"] == 2 and rows["good"]["ideal_resources"] == 6


@pytest.mark.parametrize(("case", "column", "expected"), [
    ("binary-injected", "model_resources", 2),  # the junk line between the blocks costs neither
    ("latin-1-model", "model_resources", 2),
    ("utf-16-ideal", "ideal_resources", 6),
    # The closing fence is missing but the Terraform before it is complete: not a truncated answer.
    ("unterminated-fence", "truncated_model", False),
    ("unterminated-fence", "model_resources", 2),
    ("unterminated-heredoc", "model_resources", 1),  # the bucket before the broken policy survives
    ("unterminated-heredoc", "model_hcl_blocks_parsed", 0),
    ("deep-object", "model_hcl_blocks", 2),
    ("deep-object", "model_hcl_blocks_parsed", 1),  # the bucket's fence, not the deep local's
    ("deep-object", "model_resources", 1),
    ("fence-in-heredoc", "model_resources", 2),
    ("duplicate-addresses", "model_resources", 2),  # both kept: a duplicate is a finding, not a lost block
    ("no-lib-files-beside", "model_resources", 2),
    ("symlink-to-a-file", "model_resources", 2),
])
def test_what_could_be_read_is_still_labeled(zoo, case, column, expected):
    _, rows = zoo
    assert rows[case][column] == expected


def test_odd_metadata_types_give_no_value_rather_than_a_wrong_one(zoo):
    _, rows = zoo
    row = rows["metadata-odd-types"]
    assert pd.isna(row["complexity"]) and pd.isna(row["training_quality"])
    for problem in ("metadata.json: subtask has unexpected type dict",
                    "metadata.json: training_quality True is a boolean, not a score",
                    "metadata.json: platform has unexpected type int"):
        assert problem in row["problems"]


# -- the same answers through label_task: what the parsed model keeps ------------------------------------------

def _task(tmp_path, model):
    make_task(tmp_path, "T1", model=model)
    [task] = load_corpus(tmp_path)
    return task


def test_a_fence_inside_a_heredoc_stays_in_the_heredoc(tmp_path):
    labels = label_task(_task(tmp_path, FENCE_IN_HEREDOC), cache=False)
    doc = labels.model.resource("aws_ssm_document.runbook")
    assert doc.get("content") == "Run on the host:\n```bash\nsystemctl restart app\n```\n"
    assert labels.model.resource("aws_s3_bucket.notes").get("bucket") == "runbook-notes"
    assert labels.model.errors == []


def test_duplicate_addresses_across_files_keep_both_blocks_with_their_files(tmp_path):
    labels = label_task(_task(tmp_path, DUPLICATE_ADDRESSES), cache=False)
    buckets = [(r.file, r.get("bucket")) for r in labels.model.resources]
    assert buckets == [("main.tf", "orders-data"), ("backup.tf", "orders-data-backup")]


def test_nesting_too_deep_is_a_parse_error_of_its_own_block(tmp_path):
    labels = label_task(_task(tmp_path, DEEP_OBJECT), cache=False)
    assert [e.reason for e in labels.model.errors] == ["nesting too deep to parse"]
    assert [r.address for r in labels.model.resources] == ["aws_s3_bucket.data"]
    assert not labels.model.complete  # so no detector may call the answer clear


def test_an_unreadable_answer_leaves_every_category_unknown(tmp_path, monkeypatch):
    # Tests run as root, where chmod 000 does not stop reads: make open() refuse instead.
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if str(file).endswith("MODEL_RESPONSE.md"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    make_task(tmp_path, "T1")
    monkeypatch.setattr(builtins, "open", guarded_open)
    [task] = load_corpus(tmp_path)
    monkeypatch.undo()
    assert task.model_response is None
    assert task.problems == ["MODEL_RESPONSE.md: unreadable (permission denied)", "MODEL_FAILURES.md missing"]
    labels = label_task(task, cache=False)
    assert {c.status for c in labels.categories.values()} == {"unknown"}
    assert {c.reason for c in labels.categories.values()} == {"model_no_terraform"}
    run = label_corpus([task], jobs=1, cache=False)
    row = run.tasks.iloc[0]
    assert (row["status"], row["pair_state"], row["pair_note"]) == (
        "ok", "model_unusable", "MODEL_RESPONSE.md is missing or unreadable")
    # The IDEAL side is still analysed: its findings are reported, every label says why it is unknown.
    assert set(run.labels["status"]) == {"unknown"} and set(run.labels["reason"]) == {"model_no_terraform"}
    assert set(run.findings["side"]) == {"ideal"}


def test_an_answer_of_10_mb_is_labeled(tmp_path):
    model = TEN_MB_PROSE + BUCKET_MODEL
    assert len(model.encode()) > 10 * 1024 * 1024
    labels = label_task(_task(tmp_path, model), cache=False)
    assert [r.address for r in labels.model.resources] == ["aws_s3_bucket.data", "aws_kms_key.main"]
    assert labels.status("s3_bucket_security_missing") == "fixed"


def test_an_answer_over_the_time_limit_is_an_error_row_and_the_run_goes_on(tmp_path):
    slow = "```hcl\n" + "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b-{i}"\n}}\n'
                                for i in range(3000)) + "```\n"
    make_task(tmp_path, "A_slow", model=slow)
    make_task(tmp_path, "B_fine")
    # Parsing 3,000 resources alone takes longer than 0.05 s on any machine.
    rows = label_corpus(tmp_path, jobs=1, cache=False, timeout=0.05).tasks.set_index("task_id")
    assert (rows.loc["A_slow", "status"], rows.loc["A_slow", "error"]) == ("error", "timed out after 0.05 s")
    assert rows.loc["B_fine", "status"] == "ok"


def test_the_time_limit_also_stops_the_parser_in_native_code(tmp_path):
    import time

    # Five million open braces keep tree-sitter's C code busy for 20 s to a minute in one call.
    make_task(tmp_path, "A_braces", model="```hcl\n" + "{" * 5_000_000 + "\n```\n")
    start = time.perf_counter()
    rows = label_corpus(tmp_path, jobs=1, cache=False, timeout=1.0).tasks
    assert (rows.loc[0, "status"], rows.loc[0, "error"]) == ("error", "timed out after 1 s")
    assert time.perf_counter() - start < 8


# -- paths that hold no corpus -----------------------------------------------------------------------------------

def _not_a_corpus(tmp_path, kind) -> Path:
    target = tmp_path / "target"
    if kind == "empty-folder":
        target.mkdir()
    elif kind == "a-file":
        target.write_text("resource \"aws_s3_bucket\" \"b\" {}\n")
    elif kind == "folders-of-prose":
        (target / "docs" / "notes").mkdir(parents=True)
        (target / "docs" / "notes" / "README.md").write_text("notes\n")
    elif kind == "broken-symlink":
        target.symlink_to(tmp_path / "gone")
    return target


NOT_A_CORPUS = [("missing", "no such file or folder"), ("empty-folder", "no task found"),
                ("a-file", "not a folder"), ("folders-of-prose", "no task found"),
                ("broken-symlink", "no such file or folder")]
EXPECTED = "expected a task folder with lib/MODEL_RESPONSE.md, or a folder holding archive/<platform>/<task>/"


@pytest.mark.parametrize(("kind", "what"), NOT_A_CORPUS)
def test_a_path_that_is_not_a_corpus_raises_corpus_error(tmp_path, kind, what):
    target = _not_a_corpus(tmp_path, kind)
    for call in (load_corpus, lambda p: label_corpus(p, jobs=1, cache=False)):
        with pytest.raises(CorpusError) as err:
            call(target)
        assert str(err.value).startswith(f"{target}: {what}; {EXPECTED}")


@pytest.mark.parametrize(("kind", "what"), NOT_A_CORPUS)
def test_the_command_says_what_it_expected_and_exits_2(tmp_path, kind, what):
    target = _not_a_corpus(tmp_path, kind)
    res = CliRunner().invoke(cli, ["label", str(target), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert f"{target}: {what}; {EXPECTED}" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()  # nothing written for a run that never started


def test_an_output_folder_that_cannot_be_made_is_a_one_line_error(tmp_path):
    make_task(tmp_path / "c", "T1")
    blocker = tmp_path / "file"
    blocker.write_text("in the way\n")
    res = CliRunner().invoke(cli, ["label", str(tmp_path / "c"), "-o", str(blocker / "out")])
    assert res.exit_code == 2
    assert f"cannot write the output folder {blocker / 'out'}" in res.output
    assert "choose another -o folder" in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize(("option", "message"), [
    ({"backend": "yacc"}, "unknown parser backend 'yacc': choose one of treesitter, hcl2"),
    ({"taxonomy": "mine"}, "unknown taxonomy 'mine': choose one of reference, full"),
    ({"engine": "spark"}, "unknown engine 'spark': choose one of local, dask"),
])
def test_a_bad_library_option_fails_before_any_task_is_labeled(tmp_path, option, message):
    make_task(tmp_path, "T1")
    with pytest.raises(ValueError) as err:
        label_corpus(tmp_path, jobs=1, cache=False, **option)
    assert str(err.value) == message


def test_debug_shows_the_traceback_instead(tmp_path):
    res = CliRunner().invoke(cli, ["--debug", "label", str(tmp_path / "missing"), "-o", str(tmp_path / "out")])
    assert isinstance(res.exception, CorpusError)  # re-raised for the traceback, not turned into a message


def test_the_whole_catalogue_through_the_command(zoo, tmp_path):
    root, rows = zoo
    res = CliRunner().invoke(cli, ["label", str(root), "-o", str(tmp_path / "out"), "-j", "1", "--no-cache"])
    assert res.exit_code == 3, res.output  # some tasks are error rows
    assert "Traceback" not in res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["tasks"] == len(CASES) + 1
    n_errors = sum(1 for *_, status, _e, _p in CASES.values() if status == "error")
    assert summary["errors"] == n_errors
    assert res.stderr.strip().splitlines()[-1] == (f"{n_errors} task(s) ended as error rows: the reasons are in "
                                                   f"the error column of {tmp_path / 'out' / 'tasks.parquet'}")


def test_a_real_process_on_bad_inputs_exits_cleanly(zoo, tmp_path):
    root, _ = zoo
    env = {**os.environ, "DRDATA_CACHE_DIR": str(tmp_path / "cache")}
    run = [sys.executable, "-m", "drdata.cli.main"]
    done = subprocess.run([*run, "label", str(root), "-o", str(tmp_path / "out"), "-j", "2"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["tasks"] == len(CASES) + 1

    missing = subprocess.run([*run, "label", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o2")],
                             capture_output=True, text=True, env=env, timeout=120)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [f"Error: {tmp_path / 'nowhere'}: no such file or folder; "
                                                   f"{EXPECTED} (an upstream root, archive/, archive/<platform>/ "
                                                   "or corpora/)"]

    debug = subprocess.run([*run, "--debug", "label", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o3")],
                           capture_output=True, text=True, env=env, timeout=120)
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1].startswith("drdata.corpus.reader.CorpusError: ")


def test_an_unexpected_exception_is_one_line_naming_the_bug_and_debug(tmp_path, monkeypatch):
    import drdata.labeling.batch as batch

    def broken(*args, **kwargs):
        raise KeyError("no such column")

    make_task(tmp_path / "c", "T1")
    monkeypatch.setattr(batch, "discover", broken)  # the first step of `drdata label` (batch.label)
    args = ["label", str(tmp_path / "c"), "-o", str(tmp_path / "out")]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "Error: internal error: KeyError: 'no such column'; this is a drdata bug: rerun with "
        "`drdata --debug ...` for the traceback and report it"]
    assert isinstance(CliRunner().invoke(cli, ["--debug", *args]).exception, KeyError)


# -- workers that die or are interrupted -----------------------------------------------------------------------

def _dies_on_killer(real):
    def label_one_json(task, **kw):
        if task.id == "KILLER":
            os._exit(9)  # what a segfault in native code or the OOM killer looks like to the pool
        return real(task, **kw)
    return label_one_json


def test_a_worker_that_dies_costs_only_its_own_task(tmp_path, monkeypatch):
    import drdata.labeling.task as unit

    for i in range(4):
        make_task(tmp_path, f"T{i}")
    make_task(tmp_path, "KILLER")
    monkeypatch.setattr(unit, "label_one_json", _dies_on_killer(unit.label_one_json))  # forked workers inherit it
    rows = label_corpus(tmp_path, jobs=2, cache=False).tasks.set_index("task_id")
    assert sorted(rows.index) == ["KILLER", "T0", "T1", "T2", "T3"]
    assert rows.loc["KILLER", "status"] == "error"
    assert rows.loc["KILLER", "error"] == ("the worker process died while labeling this task "
                                           "(a crash in native code or out of memory)")
    assert (rows.drop(index="KILLER")["status"] == "ok").all()


def test_ctrl_c_during_a_parallel_run_is_a_keyboard_interrupt(tmp_path):
    from drdata.labeling.batch import iter_label

    for i in range(6):
        make_task(tmp_path, f"T{i}")
    results = iter_label(load_corpus(tmp_path), jobs=2, cache=False)
    next(results)
    # Ctrl-C lands while the parent waits for workers, inside the generator. Stopping the pool used to fail
    # on the pool's own state (AttributeError), which hid the interrupt: a traceback instead of exit 130.
    with pytest.raises(KeyboardInterrupt):
        results.throw(KeyboardInterrupt)


def test_a_damaged_output_file_is_named_with_what_to_do(tmp_path):
    make_task(tmp_path / "c", "T1")
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["label", str(tmp_path / "c"), "-o", str(out), "-j", "1"]).exit_code == 0
    (out / "labels.parquet").write_bytes(b"half a file")
    res = CliRunner().invoke(cli, ["stats", str(out), "-o", str(tmp_path / "stats")])
    assert res.exit_code == 2
    [line] = res.output.strip().splitlines()
    assert "labels.parquet" in line
    assert line.endswith("(a damaged drdata output: run the command that wrote it again)")


def test_a_failing_pair_rule_is_a_counted_fault_not_an_aborted_pair(monkeypatch):
    from drdata.detectors.registry import _PAIR_RULES, pair_rules
    from drdata.labeling import label_pair

    def broken(model, ideal, diff=None):
        raise RuntimeError("boom")

    pair_rules()  # the category modules register their pair rules on load
    monkeypatch.setitem(_PAIR_RULES, "outdated_engine_version", broken)
    labels = label_pair(BUCKET_MODEL, BUCKET_IDEAL, cache=False)
    assert labels.faults == ["pair:outdated_engine_version: RuntimeError: boom"]
    assert labels.status("s3_bucket_security_missing") == "fixed"  # the other categories are still labeled
