"""Dataset export: configs, filters, grouped splits, the card, and loading with `datasets`.

Most tests run on a small corpus and labels folder written here by hand, so every
expected row count is known from the inputs. The last tests label the embedded and
the shared corpus for real and load every exported config back.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from drdata.export import CONFIG_NAMES, SPLITS, ExportError, TaskText, assign_splits, export_datasets, features
from drdata.export.splits import jaccard, near_duplicate_pairs, normalise, shingles, split_for
from drdata.labeling.pair import FINDING_COLUMNS, LABEL_COLUMNS

REPO = Path(__file__).resolve().parent.parent


# -- a hand-written corpus and its labels ---------------------------------------------------

BUCKET_MODEL = 'resource "aws_s3_bucket" "logs" {\n  bucket = "app-logs"\n}\n'
BUCKET_IDEAL = ('resource "aws_s3_bucket" "logs" {\n  bucket = "app-logs-${var.env}"\n}\n\n'
                'resource "aws_s3_bucket_public_access_block" "logs" {\n  bucket = aws_s3_bucket.logs.id\n'
                '  block_public_acls = true\n}\n')
POLICY_MODEL = ('resource "aws_iam_policy" "app" {\n  name   = "app"\n  policy = jsonencode({ Statement = '
                '[{ Action = "*", Effect = "Allow", Resource = "*" }] })\n}\n')
POLICY_IDEAL = ('resource "aws_iam_policy" "app_read" {\n  name   = "app-read"\n  policy = jsonencode({ Statement = '
                '[{ Action = "s3:GetObject", Effect = "Allow", Resource = "arn:aws:s3:::b/*" }] })\n}\n\n'
                'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n')
INSTANCE_MODEL = 'resource "aws_instance" "web" {\n  ami           = "ami-123"\n  instance_type = "t3.micro"\n}\n'
LAMBDA_IDEAL = 'resource "aws_lambda_function" "web" {\n  function_name = "web"\n  role = "r"\n}\n'
QUEUE = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'


def hcl(code: str) -> str:
    return f"Here is the configuration.\n\n```hcl\n{code}```\n"


LONG_PROMPT = "Create a static website bucket with logging " + " ".join(f"and requirement {i}" for i in range(120))

# id: (prompt, MODEL code, IDEAL code, failures report, training_quality, labeling status)
TASKS = {
    "A01": ("Create an S3 bucket for application logs.", BUCKET_MODEL, BUCKET_IDEAL, "Bucket lacks a guard.", 9, "ok"),
    "A02": ("Write an IAM policy for the app.", POLICY_MODEL, POLICY_IDEAL, "Shared report text.", 5, "ok"),
    "A03": (LONG_PROMPT, INSTANCE_MODEL, LAMBDA_IDEAL, "Instance untagged.", 7, "ok"),
    "A04": ("Set up a VPC with two subnets.", QUEUE, QUEUE + "\n", "Parse trouble.", 9, "error"),
    "A05": ("Create one SQS queue named jobs.", 'resource "aws_sqs_queue" "jobs" {\n  name = "j"\n}\n',
            'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n', "", None, "ok"),
    "A06": ("  create an S3 BUCKET for application   logs. ", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
            'resource "aws_s3_bucket" "b" {\n  bucket = "b2"\n}\n', "Another report.", 8, "ok"),
    "A07": ("Create a queue with identical answers.", QUEUE.replace('"q"', '"same"'),
            QUEUE.replace('"q"', '"same"'), "Nothing to fix.", 8, "ok"),
    "A08": ("Build a DynamoDB table for sessions.", 'resource "aws_dynamodb_table" "s" {\n  name = "s"\n}\n',
            'resource "aws_dynamodb_table" "s" {\n  name = "sessions"\n}\n', "Shared report text.", 6, "ok"),
}

# (task, category, severity, status, model_findings, ideal_findings)
LABELS = [
    ("A01", "s3_bucket_security_missing", "High", "fixed", 1, 0),
    ("A01", "incomplete_tagging", "Low", "persisting", 1, 1),
    ("A02", "wildcard_iam_permissions", "Critical", "fixed", 1, 0),
    ("A03", "incomplete_tagging", "Low", "fixed", 1, 0),
    ("A05", "incomplete_tagging", "Low", "absent", 0, 0),
    ("A06", "outdated_engine_version", "Medium", "unknown", 0, 0),
    ("A07", "incomplete_tagging", "Low", "absent", 0, 0),
    ("A08", "undefined_reference", "Critical", "introduced", 0, 1),
]

# (task, side, category, severity, address, kind, line, message, fixed)
FINDINGS = [
    ("A01", "model", "s3_bucket_security_missing", "High", "aws_s3_bucket.logs", "aws_s3_bucket", 4,
     "aws_s3_bucket.logs: no public access block", True),
    ("A01", "model", "incomplete_tagging", "Low", "aws_s3_bucket.logs", "aws_s3_bucket", 4,
     "aws_s3_bucket.logs: no tags", False),
    ("A01", "ideal", "incomplete_tagging", "Low", "aws_s3_bucket.logs", "aws_s3_bucket", 4,
     "aws_s3_bucket.logs: no tags", False),
    ("A02", "model", "wildcard_iam_permissions", "Critical", "aws_iam_policy.app", "aws_iam_policy", 4,
     "aws_iam_policy.app: Action * on Resource *", True),
    ("A03", "model", "incomplete_tagging", "Low", "aws_instance.web", "aws_instance", 4,
     "aws_instance.web: no tags", True),
    ("A08", "ideal", "undefined_reference", "Critical", "aws_dynamodb_table.s", "aws_dynamodb_table", 4,
     "aws_dynamodb_table.s: reference to an undeclared variable", False),
]


# The IDEAL object the labeler records as a fixed finding's counterpart, where it is not the same address.
# (A03's instance has none: the IDEAL replaced it by a function, so its repair row is skipped.)
COUNTERPARTS = {("A02", "aws_iam_policy.app"): "aws_iam_policy.app_read", ("A03", "aws_instance.web"): None}


def write_corpus(root: Path, tasks: dict = TASKS) -> Path:
    for tid, (prompt, model, ideal, report, tq, _status) in tasks.items():
        lib = root / "archive" / "tf-hcl" / tid / "lib"
        lib.mkdir(parents=True)
        (lib / "PROMPT.md").write_text(prompt)
        (lib / "MODEL_RESPONSE.md").write_text(hcl(model))
        (lib / "IDEAL_RESPONSE.md").write_text(hcl(ideal))
        (lib / "MODEL_FAILURES.md").write_text(report)
        meta = {"platform": "tf", "language": "hcl", "complexity": "medium", "subtask": "Storage"}
        if tq is not None:
            meta["training_quality"] = tq
        (lib.parent / "metadata.json").write_text(json.dumps(meta))
    return root


def write_labels(outdir: Path, corpus: Path | None, tasks: dict = TASKS, labels=LABELS, findings=FINDINGS) -> Path:
    outdir.mkdir(parents=True)
    trows = [{"task_id": tid, "platform": "tf-hcl", "status": st, "error": None if st == "ok" else "no code",
              "complexity": "medium", "subtask": "Storage", "training_quality": None if tq is None else float(tq)}
             for tid, (_, _, _, _, tq, st) in tasks.items()]
    pd.DataFrame(trows).to_parquet(outdir / "tasks.parquet")
    lrows = pd.DataFrame(labels, columns=["task_id", "category", "severity", "status", "model_findings",
                                          "ideal_findings"])
    lrows.reindex(columns=LABEL_COLUMNS).to_parquet(outdir / "labels.parquet")
    frows = [{"task_id": t, "side": side, "category": c, "detector": c, "severity": sev, "address": a, "kind": k,
              "file": None, "line": line, "message": m, "evidence": "", "fixed": fx,
              "status": "fixed" if fx else ("persisting" if side == "model" else "introduced"),
              "counterpart_address": COUNTERPARTS.get((t, a), a) if fx else None}
             for t, side, c, sev, a, k, line, m, fx in findings]
    pd.DataFrame(frows, columns=FINDING_COLUMNS).to_parquet(outdir / "findings.parquet")
    meta = {"taxonomy": "full", "backend": "treesitter", "drdata_version": "0.1.0"}
    if corpus is not None:
        meta["corpus"] = str(corpus)
    (outdir / "run.json").write_text(json.dumps(meta))
    return outdir


@pytest.fixture
def labeled(tmp_path) -> tuple[Path, Path]:
    corpus = write_corpus(tmp_path / "corpus")
    return write_labels(tmp_path / "labels", corpus), corpus


def load(dataset_dir: Path, config: str, cache: Path, monkeypatch):
    import datasets

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    datasets.disable_progress_bars()
    return datasets.load_dataset(str(dataset_dir), config, cache_dir=str(cache))


def all_rows(result, config) -> int:
    return sum(result.rows.get(config, {}).values())


def files_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- splits and grouping --------------------------------------------------------------------

WORDS40 = " ".join(f"w{i}" for i in range(40))


@pytest.mark.parametrize("a, b, expected", [
    ("Create a VPC", "  create a\tvpc\n", True),
    ("Create a VPC", "Create two VPCs", False),
])
def test_normalised_prompts(a, b, expected):
    assert (normalise(a) == normalise(b)) is expected


@pytest.mark.parametrize("a, b, expected", [
    # 40 words -> 36 shingles; a new last word changes one shingle: 35 shared of 37 in all.
    (WORDS40, WORDS40.rsplit(" ", 1)[0] + " changed", 35 / 37),
    # one word changed in the middle touches five shingles: 31 shared of 41.
    (WORDS40, WORDS40.replace("w20", "x20"), 31 / 41),
    ("short text", "short text", 1.0),
    ("short text", "other words", 0.0),
])
def test_shingle_jaccard(a, b, expected):
    assert jaccard(shingles(a), shingles(b)) == pytest.approx(expected)


def test_near_duplicates_found_above_threshold_only():
    texts = {"p1": WORDS40, "p2": WORDS40.rsplit(" ", 1)[0] + " changed", "p3": WORDS40.replace("w20", "x20"),
             "p4": "something else entirely, nothing in common here"}
    pairs = near_duplicate_pairs(texts, threshold=0.9)
    assert [(a, b) for a, b, _ in pairs] == [("p1", "p2")]
    assert pairs[0][2] == pytest.approx(35 / 37)


@pytest.mark.parametrize("texts, together, apart", [
    # same prompt up to case and whitespace
    ([TaskText("t1", "Make a bucket"), TaskText("t2", "make  a BUCKET ")], [("t1", "t2")], []),
    # nearly the same prompt
    ([TaskText("t1", WORDS40), TaskText("t2", WORDS40.rsplit(" ", 1)[0] + " changed")], [("t1", "t2")], []),
    # byte-identical failure report; blank reports join nothing
    ([TaskText("t1", "a", failures_report="Same report."), TaskText("t2", "b", failures_report="Same report."),
      TaskText("t3", "c", failures_report="  "), TaskText("t4", "d", failures_report="  ")],
     [("t1", "t2")], [("t3", "t4"), ("t1", "t3")]),
    # identical answers (MODEL or IDEAL)
    ([TaskText("t1", "a", model_response="code A"), TaskText("t2", "b", model_response="code  a"),
      TaskText("t3", "c", ideal_response="x"), TaskText("t4", "d", ideal_response="X")],
     [("t1", "t2"), ("t3", "t4")], [("t1", "t3")]),
    # transitive: t1~t2 by prompt, t2~t3 by report
    ([TaskText("t1", "p"), TaskText("t2", "P", failures_report="r"), TaskText("t3", "q", failures_report="r"),
      TaskText("t4", "z")], [("t1", "t3")], [("t1", "t4")]),
])
def test_grouping_keeps_duplicates_together(texts, together, apart):
    g = assign_splits(texts, seed=3)
    for a, b in together:
        assert g.group_of[a] == g.group_of[b]
        assert g.split_of[a] == g.split_of[b]
    for a, b in apart:
        assert g.group_of[a] != g.group_of[b]


def test_group_counts_and_keys():
    texts = [TaskText("t3", "p"), TaskText("t1", "P"), TaskText("t2", "q"), TaskText("t4", "x", failures_report="r"),
             TaskText("t5", "y", failures_report="r"), TaskText("t6", "z")]
    g = assign_splits(texts)
    assert g.groups == 4
    assert g.merged_groups == 2
    assert g.tasks_in_merged_groups == 4
    assert g.group_of["t3"] == "t1"  # the smallest id names the group
    assert g.merges["prompt"] == 1 and g.merges["report"] == 1


def test_splits_are_deterministic_and_follow_the_seed():
    texts = [TaskText(f"t{i:03d}", f"prompt number {i}") for i in range(300)]
    a, b = assign_splits(texts, seed=0), assign_splits(list(reversed(texts)), seed=0)
    assert a.split_of == b.split_of
    c = assign_splits(texts, seed=1)
    assert a.split_of != c.split_of
    counts = {s: list(a.split_of.values()).count(s) for s in SPLITS}
    # 300 groups at 80/10/10: each split is within a loose binomial band.
    assert 210 <= counts["train"] <= 270 and 15 <= counts["validation"] <= 45 and 15 <= counts["test"] <= 45
    # adding tasks never moves the ones already there
    more = assign_splits(texts + [TaskText("u1", "brand new prompt")], seed=0)
    assert all(more.split_of[t] == s for t, s in a.split_of.items())


@pytest.mark.parametrize("fractions, expected", [
    ((1.0, 0.0, 0.0), {"train"}),
    ((0.0, 0.0, 1.0), {"test"}),
    ((0.0, 1.0, 0.0), {"validation"}),
])
def test_split_fractions(fractions, expected):
    assert {split_for(f"g{i}", 0, fractions) for i in range(50)} == expected


@pytest.mark.parametrize("fractions", [(0.5, 0.5), (0.8, 0.3, 0.1), (1.2, -0.1, -0.1)])
def test_bad_fractions_rejected(fractions):
    with pytest.raises(ValueError, match="fractions"):
        assign_splits([TaskText("t", "p")], fractions=fractions)


# -- configs against TRL's documented formats ------------------------------------------------

# TRL dataset formats (docs "Dataset formats and types"): column -> type, for each config we export.
TRL_FORMATS = {
    "sft": {"prompt": "string", "completion": "string", "messages": "messages"},
    "preference": {"prompt": "string", "chosen": "string", "rejected": "string"},
    "kto": {"prompt": "string", "completion": "string", "label": "bool"},
    "repair": {"prompt": "string", "completion": "string"},
    "critique": {"prompt": "string", "completion": "string"},
    "labels": {"text": "string", "labels": "classlabel-list", "severity": "classlabel"},
}


@pytest.mark.parametrize("config", CONFIG_NAMES)
def test_config_columns_follow_trl_formats(config):
    from datasets import ClassLabel, List, Value

    feats = features(config)
    for column, kind in TRL_FORMATS[config].items():
        f = feats[column]
        if kind == "messages":
            assert isinstance(f, List) and set(f.feature) == {"role", "content"}
            assert all(f.feature[k] == Value("string") for k in ("role", "content"))
        elif kind == "classlabel-list":
            assert isinstance(f, List) and isinstance(f.feature, ClassLabel)
        elif kind == "classlabel":
            assert isinstance(f, ClassLabel)
        else:
            assert f == Value(kind), (config, column)
    assert feats["task_id"] == Value("string")


def test_label_space_is_the_full_taxonomy():
    from drdata.taxonomy import category_ids

    feats = features("labels")
    assert feats["labels"].feature.names == category_ids("full")
    assert feats["severity"].names == ["none", "Low", "Medium", "High", "Critical"]


# -- export on the hand-written corpus -------------------------------------------------------

# Selected without filters: every ok task (A04's labeling failed). A07's answers are identical,
# so it has no preference pair and no kto rows.
OK = ["A01", "A02", "A03", "A05", "A06", "A07", "A08"]


def test_export_rows_per_config(labeled, tmp_path):
    labels_dir, _ = labeled
    r = export_datasets(labels_dir, tmp_path / "ds")
    assert r.tasks_total == 8 and r.tasks_selected == 7
    assert r.dropped_tasks == {"labeling status not ok": 1}
    assert all_rows(r, "sft") == 7
    assert all_rows(r, "preference") == 6
    assert all_rows(r, "kto") == 12
    assert all_rows(r, "labels") == 14
    # A01 (same address) and A02 (renamed: same kind); A03's instance has no IDEAL counterpart.
    assert all_rows(r, "repair") == 2
    assert r.dropped_rows["repair"] == {"no IDEAL counterpart block": 1}
    # A01+A06 share a prompt, A02+A08 a failure report.
    assert r.grouping.groups == 6 and r.groups_merged == 2
    assert r.grouping.split_of["A01"] == r.grouping.split_of["A06"]
    assert r.grouping.split_of["A02"] == r.grouping.split_of["A08"]


def read_config(ds_dir: Path, config: str) -> pd.DataFrame:
    frames = [pd.read_parquet(p) for p in sorted((ds_dir / "data" / config).glob("*.parquet"))]
    return pd.concat(frames).sort_values(list(frames[0].columns[:1]) + ["task_id"]).reset_index(drop=True)


def test_row_contents(labeled, tmp_path):
    labels_dir, _ = labeled
    ds = tmp_path / "ds"
    export_datasets(labels_dir, ds)
    sft = read_config(ds, "sft").set_index("task_id")
    assert sft.loc["A01", "prompt"] == TASKS["A01"][0]
    assert sft.loc["A01", "completion"] == hcl(BUCKET_IDEAL).strip()
    assert [dict(m) for m in sft.loc["A01", "messages"]] == [
        {"role": "user", "content": TASKS["A01"][0]}, {"role": "assistant", "content": hcl(BUCKET_IDEAL).strip()}]
    assert sft.loc["A01", "training_quality"] == 9.0 and pd.isna(sft.loc["A05", "training_quality"])

    pref = read_config(ds, "preference").set_index("task_id")
    assert "A07" not in pref.index
    assert pref.loc["A02", "chosen"] == hcl(POLICY_IDEAL).strip()
    assert pref.loc["A02", "rejected"] == hcl(POLICY_MODEL).strip()
    assert list(pref.loc["A02", "fixed_categories"]) == ["wildcard_iam_permissions"]
    assert (pref.loc["A02", "fixed_critical"], pref.loc["A02", "fixed_high"]) == (1, 0)
    assert list(pref.loc["A05", "fixed_categories"]) == []

    kto = read_config(ds, "kto")
    a01 = kto[kto.task_id == "A01"].set_index("label")["completion"]
    assert a01[True] == hcl(BUCKET_IDEAL).strip() and a01[False] == hcl(BUCKET_MODEL).strip()

    repair = read_config(ds, "repair").set_index("task_id")
    assert repair.loc["A01", "match"] == "address"
    assert repair.loc["A01", "model_block"] == BUCKET_MODEL.strip()
    assert repair.loc["A01", "ideal_blocks"] == BUCKET_IDEAL.split("\n\n")[0].strip()
    assert repair.loc["A01", "completion"] == f"```hcl\n{BUCKET_IDEAL.split(chr(10) * 2)[0].strip()}\n```"
    assert "no public access block" in repair.loc["A01", "prompt"] and BUCKET_MODEL.strip() in repair.loc["A01", "prompt"]
    # renamed policy: the counterpart the labeler recorded, not the unrelated queue
    assert repair.loc["A02", "match"] == "counterpart"
    assert list(repair.loc["A02", "ideal_addresses"]) == ["aws_iam_policy.app_read"]
    assert repair.loc["A02", "severity"] == "Critical"


def test_labels_config_classes(labeled, tmp_path, monkeypatch):
    labels_dir, _ = labeled
    ds_dir = tmp_path / "ds"
    export_datasets(labels_dir, ds_dir)
    ds = load(ds_dir, "labels", tmp_path / "cache", monkeypatch)
    names = ds["train"].features["labels"].feature.names
    sev = ds["train"].features["severity"].names
    rows = {(r["task_id"], r["side"]): r for split in ds.values() for r in split}
    assert len(rows) == 14
    a01m, a01i = rows[("A01", "model")], rows[("A01", "ideal")]
    assert sorted(names[i] for i in a01m["labels"]) == ["incomplete_tagging", "s3_bucket_security_missing"]
    assert sev[a01m["severity"]] == "High"
    assert [names[i] for i in a01i["labels"]] == ["incomplete_tagging"] and sev[a01i["severity"]] == "Low"
    # fixed_*: only what the IDEAL fixed, so on the MODEL row alone
    assert [names[i] for i in a01m["fixed_labels"]] == ["s3_bucket_security_missing"]
    assert sev[a01m["fixed_severity"]] == "High"
    assert a01i["fixed_labels"] == [] and sev[a01i["fixed_severity"]] == "none"
    assert rows[("A05", "model")]["labels"] == [] and sev[rows[("A05", "model")]["severity"]] == "none"
    assert sev[rows[("A08", "ideal")]["severity"]] == "Critical"


@pytest.mark.parametrize("kwargs, selected, repair_rows", [
    ({"min_training_quality": 7}, {"A01", "A03", "A06", "A07"}, 1),
    ({"categories": ["wildcard_iam_permissions"]}, {"A02"}, 1),
    ({"categories": ["incomplete_tagging"]}, {"A03"}, 0),  # A01's tagging only persists
    ({"severities": ["critical", "High"]}, {"A01", "A02"}, 2),
    ({"severities": ["Low"], "min_training_quality": 8}, set(), 0),
    ({"categories": ["s3_bucket_security_missing", "wildcard_iam_permissions"], "severities": ["Critical"]},
     {"A02"}, 1),
])
def test_filters_select_tasks(labeled, tmp_path, kwargs, selected, repair_rows):
    labels_dir, _ = labeled
    ds = tmp_path / "ds"
    r = export_datasets(labels_dir, ds, **kwargs)
    assert r.tasks_selected == len(selected)
    got = set(read_config(ds, "sft")["task_id"]) if "sft" in r.rows else set()
    assert got == selected
    assert all_rows(r, "repair") == repair_rows
    if not selected:
        assert set(r.errors) == set(CONFIG_NAMES)  # nothing to write, and no crash


def test_repair_rows_follow_the_category_filter(tmp_path):
    # A02 also gets a fixed Low finding on the same policy: selecting Critical keeps the task but
    # not that repair row.
    labels = LABELS + [("A02", "incomplete_tagging", "Low", "fixed", 1, 0)]
    findings = FINDINGS + [("A02", "model", "incomplete_tagging", "Low", "aws_iam_policy.app", "aws_iam_policy", 4,
                            "aws_iam_policy.app: no tags", True)]
    corpus = write_corpus(tmp_path / "corpus")
    labels_dir = write_labels(tmp_path / "labels", corpus, labels=labels, findings=findings)
    r = export_datasets(labels_dir, tmp_path / "all", configs=["repair"])
    assert all_rows(r, "repair") == 3
    r = export_datasets(labels_dir, tmp_path / "crit", severities=["Critical"], configs=["repair"])
    assert all_rows(r, "repair") == 1
    assert r.dropped_rows["repair"] == {"outside the selected categories or severities": 1}
    r = export_datasets(labels_dir, tmp_path / "tag", categories=["incomplete_tagging"], configs=["repair"])
    repair = read_config(tmp_path / "tag", "repair")
    assert list(zip(repair["task_id"], repair["category"], strict=True)) == [("A02", "incomplete_tagging")]


def test_max_chars_drops_long_rows(labeled, tmp_path):
    labels_dir, _ = labeled
    longest_short = max(len(TASKS[t][0]) + len(hcl(TASKS[t][2]).strip()) for t in OK if t != "A03")
    assert len(LONG_PROMPT) > longest_short  # the limit below separates A03 from the rest
    r = export_datasets(labels_dir, tmp_path / "ds", configs=["sft", "labels"], max_chars=longest_short)
    assert all_rows(r, "sft") == 6
    assert r.dropped_rows["sft"] == {f"longer than {longest_short} characters": 1}
    assert all_rows(r, "labels") == 14  # answers alone are short


@pytest.mark.parametrize("kwargs, message", [
    ({"configs": ["sft", "nope"]}, "unknown config"),
    ({"configs": []}, "unknown config"),
    ({"categories": ["not_a_category"]}, "unknown categories: not_a_category"),
    ({"severities": ["Severe"]}, "unknown severities: Severe"),
    ({"max_chars": 0}, "max_chars"),
    ({"fractions": (0.5, 0.4, 0.3)}, "fractions"),
])
def test_bad_options(labeled, tmp_path, kwargs, message):
    labels_dir, _ = labeled
    with pytest.raises(ExportError, match=message):
        export_datasets(labels_dir, tmp_path / "ds", **kwargs)


def test_missing_inputs(tmp_path):
    with pytest.raises(ExportError, match="not a labels folder"):
        export_datasets(tmp_path, tmp_path / "ds")
    labels_dir = write_labels(tmp_path / "labels", corpus=None)
    with pytest.raises(ExportError, match="does not name the corpus"):
        export_datasets(labels_dir, tmp_path / "ds")
    with pytest.raises(ExportError, match="no such file or folder"):
        export_datasets(labels_dir, tmp_path / "ds", corpus=tmp_path / "nowhere")


def test_corpus_argument_overrides_run_json(tmp_path):
    corpus = write_corpus(tmp_path / "moved")
    labels_dir = write_labels(tmp_path / "labels", corpus=tmp_path / "old-place")
    r = export_datasets(labels_dir, tmp_path / "ds", corpus=corpus, configs=["sft"])
    assert all_rows(r, "sft") == 7


def test_reexport_is_byte_identical(labeled, tmp_path):
    labels_dir, _ = labeled
    export_datasets(labels_dir, tmp_path / "a")
    export_datasets(labels_dir, tmp_path / "b")
    first = files_bytes(tmp_path / "a")
    assert first == files_bytes(tmp_path / "b")
    export_datasets(labels_dir, tmp_path / "a")  # over an earlier export
    assert files_bytes(tmp_path / "a") == first


def test_out_dir_rules(labeled, tmp_path):
    labels_dir, _ = labeled
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty"):
        export_datasets(labels_dir, foreign)
    ds = tmp_path / "ds"
    export_datasets(labels_dir, ds)
    export_datasets(labels_dir, ds, configs=["sft"])
    assert sorted(p.name for p in (ds / "data").iterdir()) == ["sft"]  # no stale config left behind


def test_small_corpus_empty_splits_are_left_out_and_said(labeled, tmp_path, monkeypatch):
    labels_dir, _ = labeled
    ds = tmp_path / "ds"
    r = export_datasets(labels_dir, ds, fractions=(1.0, 0.0, 0.0), configs=["sft", "kto"])
    assert r.rows == {"sft": {"train": 7}, "kto": {"train": 12}}
    assert r.empty_splits == {"sft": ["validation", "test"], "kto": ["validation", "test"]}
    card = (ds / "README.md").read_text()
    assert "Splits with no row are not written" in card and "`sft`: validation, test" in card
    loaded = load(ds, "sft", tmp_path / "cache", monkeypatch)
    assert list(loaded) == ["train"] and loaded["train"].num_rows == 7


def test_critique_rows(labeled, tmp_path):
    labels_dir, _ = labeled
    ds = tmp_path / "ds"
    r = export_datasets(labels_dir, ds, configs=["critique"])
    assert r.errors == {}
    assert all_rows(r, "critique") == 7
    crit = read_config(ds, "critique").set_index("task_id")
    assert crit.loc["A01", "prompt"].endswith(hcl(BUCKET_MODEL).strip())
    assert TASKS["A01"][0] in crit.loc["A01", "prompt"]
    assert "S3 Bucket Security Missing" in crit.loc["A01", "completion"]
    assert list(crit.loc["A01", "fixed_categories"]) == ["s3_bucket_security_missing"]


def test_critique_without_renderer_degrades_to_that_config(labeled, tmp_path, monkeypatch):
    import drdata.export.build as build

    monkeypatch.setattr(build, "_report_renderer", lambda: (None, "generated failure reports are not available"))
    labels_dir, _ = labeled
    ds = tmp_path / "ds"
    r = export_datasets(labels_dir, ds, configs=["sft", "critique"])
    assert r.errors == {"critique": "generated failure reports are not available"}
    assert all_rows(r, "sft") == 7 and "critique" not in r.rows
    assert not (ds / "data" / "critique").exists()
    assert "not exported: generated failure reports are not available" in (ds / "README.md").read_text()


def test_critique_task_that_cannot_be_rendered_is_counted(labeled, tmp_path, monkeypatch):
    import drdata.export.build as build

    def render(labels):
        if labels.task_id == "A02":
            raise RuntimeError("renderer broke")
        return f"report of {labels.task_id}: " + ", ".join(c.category for c in labels.fixed())

    monkeypatch.setattr(build, "_report_renderer", lambda: (render, None))
    labels_dir, _ = labeled
    r = export_datasets(labels_dir, tmp_path / "ds", configs=["critique"])
    assert all_rows(r, "critique") == 6
    assert r.dropped_rows == {"critique": {"report could not be rendered": 1}}
    crit = read_config(tmp_path / "ds", "critique").set_index("task_id")
    # the PairLabels handed to the renderer are rebuilt from the labels folder
    assert crit.loc["A01", "completion"] == "report of A01: s3_bucket_security_missing"
    assert crit.loc["A05", "completion"] == "report of A05:"


# -- the card ---------------------------------------------------------------------------------

def test_card_metadata_matches_the_files(labeled, tmp_path):
    from huggingface_hub import DatasetCard

    labels_dir, _ = labeled
    ds = tmp_path / "ds"
    r = export_datasets(labels_dir, ds, source_description="hand-written test corpus, commit abc123",
                        license="apache-2.0")
    card = DatasetCard.load(ds / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "apache-2.0" and data["pretty_name"].startswith("drdata")
    assert data["task_categories"] == ["text-generation", "text-classification"]
    assert data["size_categories"] == ["n<1K"]
    configs = {c["config_name"]: c for c in data["configs"]}
    assert set(configs) == set(r.rows)
    assert configs["sft"].get("default") is True
    for cfg, splits in r.rows.items():
        assert [d["split"] for d in configs[cfg]["data_files"]] == [s for s in SPLITS if s in splits]
        for d in configs[cfg]["data_files"]:
            assert len(list(ds.glob(d["path"]))) == 1
    infos = {i["config_name"]: i for i in data["dataset_info"]}
    for cfg, splits in r.rows.items():
        assert {s["name"]: s["num_examples"] for s in infos[cfg]["splits"]} == splits
        assert [f["name"] for f in infos[cfg]["features"]] == list(features(cfg))
        assert infos[cfg]["download_size"] == sum(p.stat().st_size for p in (ds / "data" / cfg).glob("*.parquet"))
    body = card.text
    for heading in ("## Source", "## Configs", "## Splits", "## Taxonomy", "## Severity statistics",
                    "## Limitations"):
        assert heading in body
    assert "hand-written test corpus, commit abc123" in body
    for cfg in r.rows:
        assert f'load_dataset("<repo or folder>", "{cfg}")' in body
    # severity table: A02 is the one task whose most severe fixed failure is Critical
    assert "| Critical | 1 | 1 | 1 |" in body
    assert "| `s3_bucket_security_missing` | S3 Bucket Security Missing | High | aws | 1 | 0 | 0 | 0 |" in body


def test_every_config_loads_with_declared_splits_and_features(labeled, tmp_path, monkeypatch):
    labels_dir, _ = labeled
    ds = tmp_path / "ds"
    r = export_datasets(labels_dir, ds)
    assert set(r.rows) == set(CONFIG_NAMES)
    for cfg in CONFIG_NAMES:
        loaded = load(ds, cfg, tmp_path / "cache", monkeypatch)
        assert {s: loaded[s].num_rows for s in loaded} == r.rows[cfg]
        for split in loaded.values():
            assert split.features == features(cfg)


# -- real corpora ---------------------------------------------------------------------------

def check_loads(result, ds_dir: Path, cache: Path, monkeypatch) -> None:
    for cfg, splits in result.rows.items():
        loaded = load(ds_dir, cfg, cache, monkeypatch)
        assert {s: loaded[s].num_rows for s in loaded} == splits, cfg
        for split in loaded.values():
            assert split.features == features(cfg)


def usable_ok_tasks(corpus: Path, tasks: pd.DataFrame) -> set[str]:
    """Labelled ok, with a prompt and both answers: what every task-level config keeps."""
    from drdata.corpus import load_corpus
    from drdata.corpus.reader import is_blank

    ok = set(tasks.loc[tasks["status"] == "ok", "task_id"])
    return {t.id for t in load_corpus(corpus) if t.id in ok
            and not any(is_blank(x) for x in (t.prompt, t.model_response, t.ideal_response))}


def test_embedded_corpus_exports_and_loads(tmp_path, monkeypatch):
    from drdata.labeling.batch import label_corpus, write_outputs

    run = label_corpus(REPO / "corpora", jobs=1, progress=False)
    write_outputs(run, tmp_path / "labels")
    usable = usable_ok_tasks(REPO / "corpora", run.tasks)
    assert usable
    r = export_datasets(tmp_path / "labels", tmp_path / "ds")
    assert r.errors == {}
    assert all_rows(r, "sft") == len(usable) == all_rows(r, "critique")
    assert all_rows(r, "labels") == 2 * len(usable)
    card = (tmp_path / "ds" / "README.md").read_text()
    for cfg, missing in r.empty_splits.items():  # a handful of tasks cannot fill every split
        assert f"`{cfg}`: {', '.join(missing)}" in card
    check_loads(r, tmp_path / "ds", tmp_path / "cache", monkeypatch)


@pytest.mark.corpus
def test_shared_corpus_exports_and_loads(shared_corpus, shared_run, shared_labels_dir, tmp_path, monkeypatch):
    run = shared_run
    ok = usable_ok_tasks(shared_corpus, run.tasks)
    r = export_datasets(shared_labels_dir, tmp_path / "ds")
    assert r.errors == {}
    assert set(r.rows) == set(CONFIG_NAMES)
    assert all_rows(r, "sft") == len(ok) == all_rows(r, "critique")
    assert all_rows(r, "labels") == 2 * len(ok)
    assert all_rows(r, "kto") == 2 * all_rows(r, "preference")
    n_fixed = int(run.findings.loc[run.findings["side"] == "model", "fixed"].sum())
    assert 0 < all_rows(r, "repair") <= n_fixed
    for cfg in CONFIG_NAMES:
        assert set(r.rows[cfg]) == set(SPLITS)  # a corpus this size fills every split
    # Byte-identical failure reports (hashed here, independently) never straddle two splits.
    by_hash: dict[str, list[str]] = {}
    for report in sorted(shared_corpus.glob("archive/*/*/lib/MODEL_FAILURES.md")):
        digest = hashlib.sha256(report.read_bytes()).hexdigest()
        by_hash.setdefault(digest, []).append(report.parent.parent.name)
    duplicated = [ids for ids in by_hash.values() if len(ids) > 1]
    assert duplicated
    for ids in duplicated:
        assert len({r.grouping.split_of[i] for i in ids}) == 1, ids
        assert len({r.grouping.group_of[i] for i in ids}) == 1, ids
    assert r.groups_merged >= len({r.grouping.group_of[ids[0]] for ids in duplicated})
    # every row of a task is in that task's split
    for cfg in ("sft", "repair"):
        for split in SPLITS:
            ids = set(pd.read_parquet(tmp_path / "ds" / "data" / cfg / f"{split}-00000-of-00001.parquet")["task_id"])
            assert {r.grouping.split_of[i] for i in ids} == {split}
    check_loads(r, tmp_path / "ds", tmp_path / "cache", monkeypatch)
