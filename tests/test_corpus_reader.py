"""Corpus reader: every accepted layout, every bad-file case recorded as a problem, the shared corpus."""

from __future__ import annotations

import builtins
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from drdata.corpus import CorpusError, Task, load_corpus, parse_training_quality, read_task, tasks_frame

GOOD_META = {"platform": "tf", "language": "hcl", "complexity": "medium", "subtask": "Networking",
             "training_quality": 8}
GOOD_FILES = {
    "PROMPT.md": "Write a VPC with two subnets.\n",
    "MODEL_RESPONSE.md": '```hcl\nresource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n```\n',
    "IDEAL_RESPONSE.md": '```hcl\nresource "aws_vpc" "main" {\n  cidr_block = "10.1.0.0/16"\n}\n```\n',
    "MODEL_FAILURES.md": "# Failures\n\n1. CIDR overlaps the peer VPC.\n",
}


def make_task(folder: Path, files: dict[str, str | bytes] | None = None, meta: dict | str | bytes | None = None,
              *, lib: bool = True) -> Path:
    """A task folder; ``files`` go to lib/ (str written as UTF-8, bytes as is), ``meta`` to metadata.json."""
    folder.mkdir(parents=True)
    files = GOOD_FILES if files is None else files
    if lib:
        (folder / "lib").mkdir()
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (folder / "lib" / name).write_bytes(data)
    meta = GOOD_META if meta is None else meta
    if isinstance(meta, dict):
        meta = json.dumps(meta)
    if isinstance(meta, str):
        meta = meta.encode("utf-8")
    (folder / "metadata.json").write_bytes(meta)
    return folder


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    """<root>/archive/{tf-hcl/{Pr2,Pr10}, cdk-ts/{Pr1}} plus a stray file and a hidden folder."""
    root = tmp_path / "upstream"
    make_task(root / "archive" / "tf-hcl" / "Pr2")
    make_task(root / "archive" / "tf-hcl" / "Pr10")
    make_task(root / "archive" / "cdk-ts" / "Pr1", meta={"platform": "cdk", "language": "ts"})
    (root / "archive" / "tf-hcl" / "README.txt").write_text("not a task\n")
    (root / "archive" / "tf-hcl" / ".cache").mkdir()
    return root


ALL_THREE = [("cdk-ts", "Pr1"), ("tf-hcl", "Pr10"), ("tf-hcl", "Pr2")]


@pytest.mark.parametrize(("relative", "expected"), [
    (".", ALL_THREE),  # upstream root
    ("archive", ALL_THREE),
    ("archive/tf-hcl", [("tf-hcl", "Pr10"), ("tf-hcl", "Pr2")]),
    ("archive/tf-hcl/Pr2", [("tf-hcl", "Pr2")]),  # a single task folder inside archive/<platform>
])
def test_every_upstream_layout_is_accepted(upstream: Path, relative: str, expected):
    tasks = load_corpus(upstream / relative)
    assert [(t.platform, t.id) for t in tasks] == expected
    assert all(t.problems == [] for t in tasks)


def test_corpora_folder_layout(tmp_path: Path):
    corpora = tmp_path / "corpora"
    make_task(corpora / "archive" / "tf-hcl" / "Demo1")
    tasks = load_corpus(str(corpora))  # a str path works too
    assert [(t.platform, t.id) for t in tasks] == [("tf-hcl", "Demo1")]
    task = tasks[0]
    assert task.path == corpora / "archive" / "tf-hcl" / "Demo1"
    assert task.prompt == "Write a VPC with two subnets.\n"
    assert task.model_response.startswith("```hcl\nresource \"aws_vpc\"")
    assert task.failures_report.startswith("# Failures")
    assert set(task.sources) == {"prompt", "model_response", "ideal_response", "failures_report", "metadata"}
    assert task.sources["model_response"] == task.path / "lib" / "MODEL_RESPONSE.md"
    assert task.complexity == "medium"
    assert task.subtask == "Networking"
    assert task.training_quality == 8.0


@pytest.mark.parametrize(("meta", "expected"), [
    ({"platform": "tf", "language": "hcl"}, "tf-hcl"),
    ({"platform": "terraform", "language": "hcl"}, "terraform-hcl"),
    ({"platform": "pulumi"}, "pulumi"),
    ({}, "unknown"),
    ("{broken", "unknown"),
])
def test_lone_task_folder_platform_comes_from_metadata(tmp_path: Path, meta, expected):
    folder = make_task(tmp_path / "somewhere" / "Pr77", meta=meta)
    [task] = load_corpus(folder)
    assert task.id == "Pr77"
    assert task.platform == expected


@pytest.mark.parametrize("make", ["missing", "empty_dir", "file", "only_prose_dirs"])
def test_no_task_raises_corpus_error_saying_what_was_expected(tmp_path: Path, make: str):
    target = tmp_path / "target"
    if make == "empty_dir":
        target.mkdir()
    elif make == "file":
        target.write_text("hello\n")
    elif make == "only_prose_dirs":
        (target / "docs" / "notes").mkdir(parents=True)
    with pytest.raises(CorpusError) as err:
        load_corpus(target)
    assert isinstance(err.value, ValueError)
    message = str(err.value)
    assert str(target) in message
    assert "expected a task folder with lib/MODEL_RESPONSE.md" in message
    assert "archive/<platform>/<task>/" in message


# -- bad files: (files in lib/, metadata, field to check, expected value, expected problem) ------------------

LATIN1 = "Caf\xe9 na\xefve resource\n".encode("latin-1")


@pytest.mark.parametrize(("files", "field", "expected", "problem"), [
    pytest.param({**GOOD_FILES, "IDEAL_RESPONSE.md": b"# Ideal\x00\r\nresource\x00 ok\n"},
                 "ideal_response", "# Ideal\r\nresource ok\n",
                 "IDEAL_RESPONSE.md: binary content (NUL bytes), read with replacement", id="nul-bytes"),
    pytest.param({**GOOD_FILES, "MODEL_FAILURES.md": LATIN1},
                 "failures_report", "Caf\ufffd na\ufffdve resource\n",
                 "MODEL_FAILURES.md: not valid UTF-8, read with replacement", id="latin-1"),
    pytest.param({**GOOD_FILES, "MODEL_RESPONSE.md": b""},
                 "model_response", "", "MODEL_RESPONSE.md: empty file", id="empty"),
    pytest.param({**GOOD_FILES, "MODEL_RESPONSE.md": " \n\n\t\n"},
                 "model_response", " \n\n\t\n", "MODEL_RESPONSE.md: empty file", id="whitespace-only"),
    pytest.param({**GOOD_FILES, "IDEAL_RESPONSE.md": "Insert here the ideal response\n"},
                 "ideal_response", "Insert here the ideal response\n",
                 "IDEAL_RESPONSE.md: empty, only placeholder text ('Insert here the ideal response')",
                 id="placeholder"),
    pytest.param({k: v for k, v in GOOD_FILES.items() if k != "MODEL_FAILURES.md"},
                 "failures_report", None, "MODEL_FAILURES.md missing", id="missing-file"),
    pytest.param({**GOOD_FILES, "PROMPT.md": "\ufeffBuild it.\n".encode()},
                 "prompt", "Build it.\n", None, id="utf8-bom-is-fine"),
    pytest.param({**GOOD_FILES, "PROMPT.md": "Build it \u2713\n".encode("utf-16")},
                 "prompt", "Build it \u2713\n", "PROMPT.md: UTF-16 encoded, decoded as UTF-16", id="utf-16"),
])
def test_bad_files_become_problems_not_exceptions(tmp_path: Path, files, field, expected, problem):
    folder = make_task(tmp_path / "archive" / "tf-hcl" / "Pr5", files)
    [task] = load_corpus(tmp_path)
    assert getattr(task, field) == expected
    assert task.problems == ([problem] if problem else [])
    # The other files are still read.
    assert task.prompt is not None or field == "prompt"
    assert task.path == folder


def test_missing_lib_folder(tmp_path: Path):
    make_task(tmp_path / "archive" / "tf-hcl" / "Pr6", lib=False)
    [task] = load_corpus(tmp_path)
    assert (task.prompt, task.model_response, task.ideal_response, task.failures_report) == (None,) * 4
    assert task.problems[0] == "lib/ folder missing"
    assert "MODEL_RESPONSE.md missing" in task.problems
    assert task.metadata == GOOD_META  # metadata still read
    assert task.training_quality == 8.0


def test_lib_is_a_file(tmp_path: Path):
    folder = make_task(tmp_path / "Pr15", lib=False)
    (folder / "lib").write_text("not a folder\n")
    task = read_task(folder)
    assert task.problems[0] == "lib is not a folder"
    assert task.model_response is None


def test_unlistable_lib_folder(tmp_path: Path, monkeypatch):
    folder = make_task(tmp_path / "Pr16")
    real_is_dir = Path.is_dir

    def guarded_is_dir(self):
        if self.name == "lib":
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_dir(self)

    monkeypatch.setattr(Path, "is_dir", guarded_is_dir)
    task = read_task(folder)
    assert task.problems[0] == "lib/ unreadable (Permission denied)"
    assert "MODEL_RESPONSE.md missing" in task.problems
    assert task.metadata == GOOD_META


def test_files_beside_metadata_are_used_when_lib_is_missing(tmp_path: Path):
    folder = make_task(tmp_path / "Pr7", lib=False)
    (folder / "MODEL_RESPONSE.md").write_text("an answer\n")
    task = read_task(folder)
    assert task.model_response == "an answer\n"
    assert task.sources["model_response"] == folder / "MODEL_RESPONSE.md"
    assert "lib/ folder missing" in task.problems


def test_broken_symlink_and_directory_in_place_of_a_file(tmp_path: Path):
    folder = make_task(tmp_path / "Pr8", {k: v for k, v in GOOD_FILES.items()
                                          if k not in ("PROMPT.md", "MODEL_FAILURES.md")})
    (folder / "lib" / "PROMPT.md").symlink_to(tmp_path / "nowhere" / "PROMPT.md")
    (folder / "lib" / "MODEL_FAILURES.md").mkdir()
    task = read_task(folder)
    assert task.prompt is None
    assert task.failures_report is None
    assert task.model_response is not None
    assert task.problems == ["PROMPT.md: broken symlink", "MODEL_FAILURES.md: is a directory, not a file"]


def test_unreadable_file(tmp_path: Path, monkeypatch):
    # Tests run as root, where chmod 000 does not stop reads: make open() refuse instead.
    folder = make_task(tmp_path / "Pr9")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if str(file).endswith("IDEAL_RESPONSE.md"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    task = read_task(folder)
    assert task.ideal_response is None
    assert task.model_response is not None
    assert task.problems == ["IDEAL_RESPONSE.md: unreadable (permission denied)"]


def test_oversized_file_is_truncated_with_a_problem(tmp_path: Path):
    # The other files and metadata.json are all under 200 bytes.
    folder = make_task(tmp_path / "Pr11", {**GOOD_FILES, "MODEL_RESPONSE.md": "x" * 500})
    task = read_task(folder, max_bytes=200)
    assert task.model_response == "x" * 200
    assert task.problems == ["MODEL_RESPONSE.md: larger than 200 bytes, truncated to the first 200"]
    assert read_task(folder, max_bytes=500).problems == []  # exactly at the cap is not truncated


@pytest.mark.parametrize(("meta", "metadata", "problem"), [
    pytest.param("{not json", {}, "metadata.json: not valid JSON", id="not-json"),
    pytest.param("[1, 2]", {}, "metadata.json: not a JSON object (got list)", id="list"),
    pytest.param("null", {}, "metadata.json: not a JSON object (got NoneType)", id="null"),
    pytest.param("[" * 100_000, {}, "metadata.json: not valid JSON", id="absurd-nesting"),
    pytest.param({"complexity": ["hard"], "training_quality": 9}, {"complexity": ["hard"], "training_quality": 9},
                 "metadata.json: complexity has unexpected type list", id="complexity-list"),
    pytest.param({"training_quality": {"score": 9}}, {"training_quality": {"score": 9}},
                 "metadata.json: training_quality has unexpected type dict", id="quality-dict"),
    pytest.param({"training_quality": "superb"}, {"training_quality": "superb"},
                 "metadata.json: training_quality 'superb' is neither a number nor a known word", id="quality-word"),
    pytest.param({"platform": 3, "language": "hcl"}, {"platform": 3, "language": "hcl"},
                 "metadata.json: platform has unexpected type int", id="platform-int"),
])
def test_bad_metadata_is_recorded(tmp_path: Path, meta, metadata, problem):
    task = read_task(make_task(tmp_path / "Pr12", meta=meta))
    assert task.metadata == metadata
    assert len(task.problems) == 1 and task.problems[0].startswith(problem)
    assert task.model_response is not None


def test_binary_metadata(tmp_path: Path):
    task = read_task(make_task(tmp_path / "Pr14", meta=b"\x00\x01{\x9f"))
    assert task.metadata == {}
    assert task.problems[0] == "metadata.json: binary content (NUL bytes), read with replacement"
    assert task.problems[1] == "metadata.json: not valid UTF-8, read with replacement"
    assert task.problems[2].startswith("metadata.json: not valid JSON")
    assert len(task.problems) == 3


def test_missing_metadata(tmp_path: Path):
    folder = make_task(tmp_path / "Pr13")
    (folder / "metadata.json").unlink()
    task = read_task(folder)
    assert task.metadata == {}
    assert task.problems == ["metadata.json missing"]
    assert (task.complexity, task.subtask, task.training_quality) == (None, None, None)


@pytest.mark.parametrize(("value", "expected", "has_problem"), [
    (9, 9.0, False),
    (8.5, 8.5, False),
    (0.95, 0.95, False),
    ("8", 8.0, False),
    (" 9.5 ", 9.5, False),
    ("high", 9.0, False),
    ("Medium", 6.0, False),
    ("low", 3.0, False),
    ("poor", 3.0, False),
    (None, None, False),
    ("", None, False),
    ("excellent!", None, True),
    ("nan", None, True),
    (True, None, True),
    ([9], None, True),
])
def test_training_quality_values(value, expected, has_problem):
    got, problem = parse_training_quality(value)
    assert got == expected
    assert (problem is not None) is has_problem
    task = Task(id="T", platform="tf-hcl", path=Path("T"), metadata={"training_quality": value})
    assert task.training_quality == expected


def test_label_properties_convert_numbers_and_drop_odd_types():
    task = Task(id="T", platform="p", path=Path("T"), metadata={"complexity": 3, "subtask": {"a": 1}})
    assert task.complexity == "3"
    assert task.subtask is None
    assert Task(id="T", platform="p", path=Path("T"), metadata={"complexity": "  hard "}).complexity == "hard"


def test_tasks_frame_and_to_dict(tmp_path: Path):
    make_task(tmp_path / "archive" / "tf-hcl" / "Pr1")
    make_task(tmp_path / "archive" / "tf-hcl" / "Pr2",
              {**GOOD_FILES, "MODEL_RESPONSE.md": "", "MODEL_FAILURES.md": "Insert here the model's failures"},
              meta={"training_quality": "high", "complexity": "hard"})
    tasks = load_corpus(tmp_path)
    frame = tasks_frame(tasks)
    assert list(frame["task_id"]) == ["Pr1", "Pr2"]
    assert list(frame["platform"]) == ["tf-hcl", "tf-hcl"]
    assert list(frame["training_quality"]) == [8.0, 9.0]
    assert frame["training_quality"].dtype == "float64"
    assert list(frame["complexity"]) == ["medium", "hard"]
    assert frame["subtask"].iloc[0] == "Networking" and pd.isna(frame["subtask"].iloc[1])
    assert list(frame["has_model_response"]) == [True, False]
    assert list(frame["has_failures_report"]) == [True, False]  # a placeholder is not a report
    assert list(frame["has_prompt"]) == [True, True]
    assert list(frame["model_response_chars"]) == [len(GOOD_FILES["MODEL_RESPONSE.md"]), 0]
    assert list(frame["n_problems"]) == [0, 2]
    assert frame["problems"].iloc[1] == (
        "MODEL_RESPONSE.md: empty file; "
        "MODEL_FAILURES.md: empty, only placeholder text (\"Insert here the model's failures\")")
    for col in ("has_prompt", "has_model_response", "has_ideal_response", "has_failures_report", "has_metadata"):
        assert col in frame.columns

    empty = tasks_frame([])
    assert list(empty.columns) == list(frame.columns) and len(empty) == 0

    data = tasks[1].to_dict()
    assert json.loads(json.dumps(data)) == data  # JSON-serialisable as is
    assert data["id"] == "Pr2" and data["training_quality"] == 9.0
    assert data["sources"]["model_response"].endswith("Pr2/lib/MODEL_RESPONSE.md")


def test_loading_twice_is_identical(upstream: Path):
    first = [t.to_dict() for t in load_corpus(upstream)]
    second = [t.to_dict() for t in load_corpus(upstream)]
    assert first == second


# -- shared corpus ----------------------------------------------------------------------------------------

@pytest.mark.corpus
def test_shared_corpus_every_task_folder_is_a_task(shared_corpus: Path):
    folders = sorted(p.name for p in (shared_corpus / "archive" / "tf-hcl").iterdir() if p.is_dir())
    tasks = load_corpus(shared_corpus)
    assert [t.id for t in tasks] == folders
    assert {t.platform for t in tasks} == {"tf-hcl"}
    by_id = {t.id: t for t in tasks}

    pr3932 = by_id["Pr3932"]
    assert "IDEAL_RESPONSE.md: binary content (NUL bytes), read with replacement" in pr3932.problems
    assert "MODEL_FAILURES.md: binary content (NUL bytes), read with replacement" in pr3932.problems
    assert "\x00" not in pr3932.ideal_response and "\x00" not in pr3932.failures_report

    pr2774 = by_id["Pr2774"]
    assert any(p.startswith("MODEL_RESPONSE.md: empty") for p in pr2774.problems)

    ref = by_id["Pr4579"]
    assert ref.complexity == "expert"
    assert ref.subtask == "Failure Recovery and High Availability"
    assert ref.training_quality == 9.0
    assert ref.problems == []

    frame = tasks_frame(tasks)
    assert len(frame) == len(folders)
    assert frame.loc[frame["task_id"] == "Pr2774", "has_model_response"].tolist() == [False]
    quality = frame["training_quality"].dropna()
    assert all(math.isfinite(q) for q in quality)


# -- what a PROMPT asks for ---------------------------------------------------------------------------------

from drdata.corpus.prompt import extract_requirements  # noqa: E402


@pytest.mark.parametrize("prompt,field,expected", [
    ("Create a DynamoDB table named `terraform-state-lock`.", "names", frozenset({"terraform-state-lock"})),
    ("Set up a DynamoDB table named 'payment_transactions':", "names", frozenset({"payment_transactions"})),
    ("The hash key called 'transaction_id' is a string.", "names", frozenset()),
    ("Use the file named `main.tf`.", "names", frozenset()),
    ("Tag all resources with 'Environment:Production' , 'ownership:self'.", "tag_keys", ("Environment", "ownership")),
    ("Apply tags: Environment='production' and Project='media-launch'.", "tag_keys", ("Environment", "Project")),
    ("Tag everything with owner, environment, and ManagedBy=terraform for cost tracking", "tag_keys", ("ManagedBy",)),
    ("Use consistent tagging.", "tag_keys", ()),
    ("Use locals:\n  common_tags = {\n    Project = local.project\n    Owner   = \"Ops\"\n  }\nAll resources get these tags.",
     "tag_keys", ("Project", "Owner")),
    ("All resources must be deployed in **`us-east-1`**.", "regions", ("us-east-1",)),
    ("Use postgres version 17.4 for the DB.", "engine_versions", (("postgres", "17.4"),)),
    ("Aurora Serverless v2 with 0.5 ACU minimum.", "engine_versions", ()),
    ("Naming convention: {environment}-{region}-{resource-type}-{index}", "naming_suffix_words", ()),
    ("Follow naming convention: `{resource-type}-${var.environment_suffix}`", "naming_suffix_words",
     ("environment_suffix",)),
    ("The Lambda function is written in Node.js 18.", "runtimes", ("nodejs18.x",)),
    ("Use the python3.9 runtime, or Python 3.11 if available.", "runtimes", ("python3.9", "python3.11")),
    ("Use Python 3 and boto3.", "runtimes", ()),
    ("Use Terraform v0.12+ (nothing older).", "terraform_versions", ("0.12",)),
    ("Single NAT Gateway (cost optimization)", "single_nat", True),
    ("Use Terraform 1.5+ with AWS provider 5.x.", "provider_majors", (("aws", 5),)),
    ("Pin hashicorp/aws `~> 5.0` and the AWS provider version 5.0 or higher.", "provider_majors", (("aws", 5),)),
    ("Configure the AWS provider for us-east-1 region.", "provider_majors", ()),
    ("Use the AWS Provider v4+ only.", "provider_majors", (("aws", 4),)),
    ("One NAT Gateway per public subnet.", "single_nat", False),
    ("NAT gateways in each AZ.", "single_nat", False),
])
def test_the_prompt_requirements_extractor(prompt, field, expected):
    assert getattr(extract_requirements(prompt), field) == expected


def test_a_bucket_name_pattern_is_not_a_convention_for_every_resource():
    req = extract_requirements("Create a bucket with the naming pattern `secure-app-bucket-<unique_id>`.")
    assert req.naming_patterns == () and not req.prescribes_names_without_suffix
    req = extract_requirements("Naming: `${var.name}-${var.env}-<component>`.")
    assert req.prescribes_names_without_suffix
