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
from drdata.export.rules import check_config, check_export
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
    "sft": {"prompt": "string", "completion": "string"},
    "sft_messages": {"messages": "messages"},
    "preference": {"prompt": "string", "chosen": "string", "rejected": "string"},
    "kto": {"prompt": "string", "completion": "string", "label": "bool"},
    "repair": {"prompt": "string", "completion": "string"},
    "critique": {"prompt": "string", "completion": "string"},
    "labels": {"text": "string", "labels": "float-multi-hot", "categories": "classlabel-list"},
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
        elif kind == "float-multi-hot":
            assert isinstance(f, List) and f.feature == Value("float32") and f.length == len(category_ids_full())
        else:
            assert f == Value(kind), (config, column)
    assert feats["task_id"] == Value("string")
    assert feats["n_chars"] == Value("int64") and feats["n_tokens_est"] == Value("int64")


def category_ids_full() -> list[str]:
    from drdata.taxonomy import category_ids

    return category_ids("full")


def test_label_space_is_the_full_taxonomy():
    feats = features("labels")
    assert feats["categories"].feature.names == category_ids_full()
    assert feats["fixed_categories"].feature.names == category_ids_full()
    assert "severity" not in feats  # Critical on nearly every answer: no use as a target


# -- export on the hand-written corpus -------------------------------------------------------

# Selected without filters: every ok task (A04's labeling failed). A07's answers are identical,
# so it has no preference pair and no kto rows.
OK = ["A01", "A02", "A03", "A05", "A06", "A07", "A08"]


def test_export_rows_per_config(labeled, tmp_path):
    labels_dir, _ = labeled
    r = export_datasets(labels_dir, tmp_path / "ds")
    assert r.tasks_total == 8 and r.tasks_selected == 7
    assert r.dropped_tasks == {"labeling status not ok": 1}
    assert all_rows(r, "sft") == 7 == all_rows(r, "sft_messages")
    assert all_rows(r, "preference") == 6
    assert all_rows(r, "kto") == 12
    # A07's MODEL and IDEAL rows are the same text with the same (no) labels: one is kept.
    assert all_rows(r, "labels") == 13
    assert r.dropped_rows["labels"] == {"duplicate row": 1}
    assert r.dedup["labels"]["duplicates_within_split"] == 1
    # A01 (same address) and A02 (renamed: same kind); A03's instance has no IDEAL counterpart.
    assert all_rows(r, "repair") == 2
    assert r.dropped_rows["repair"] == {"no IDEAL counterpart block": 1}
    # one critique row per MODEL block with a fixed finding: A01's bucket, A02's policy, A03's instance
    assert all_rows(r, "critique") == 3
    # A01+A06 share a prompt, A02+A08 a failure report.
    assert r.grouping.groups == 6 and r.groups_merged == 2
    assert r.grouping.split_of["A01"] == r.grouping.split_of["A06"]
    assert r.grouping.split_of["A02"] == r.grouping.split_of["A08"]


def read_config(ds_dir: Path, config: str) -> pd.DataFrame:
    frames = [pd.read_parquet(p) for p in sorted((ds_dir / "data" / config).glob("*.parquet"))]
    return pd.concat(frames).sort_values("task_id", kind="stable").reset_index(drop=True)


def test_row_contents(labeled, tmp_path):
    labels_dir, _ = labeled
    ds = tmp_path / "ds"
    export_datasets(labels_dir, ds)
    sft = read_config(ds, "sft").set_index("task_id")
    assert sft.loc["A01", "prompt"] == TASKS["A01"][0]
    assert sft.loc["A01", "completion"] == hcl(BUCKET_IDEAL).strip()
    assert sft.loc["A01", "n_chars"] == len(TASKS["A01"][0]) + len(hcl(BUCKET_IDEAL).strip())
    assert sft.loc["A01", "n_tokens_est"] == -(-sft.loc["A01", "n_chars"] // 3)
    assert "messages" not in sft.columns
    msgs = read_config(ds, "sft_messages").set_index("task_id")
    assert [dict(m) for m in msgs.loc["A01", "messages"]] == [
        {"role": "user", "content": TASKS["A01"][0]}, {"role": "assistant", "content": hcl(BUCKET_IDEAL).strip()}]
    assert {"prompt", "completion"}.isdisjoint(msgs.columns)
    assert sft.loc["A01", "training_quality"] == 9.0 and pd.isna(sft.loc["A05", "training_quality"])

    pref = read_config(ds, "preference").set_index("task_id")
    assert "A07" not in pref.index
    assert pref.loc["A02", "n_chars"] == len(TASKS["A02"][0]) + max(len(hcl(POLICY_IDEAL).strip()),
                                                                    len(hcl(POLICY_MODEL).strip()))
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
    names = ds["train"].features["categories"].feature.names
    rows = {(r["task_id"], r["side"]): r for split in ds.values() for r in split}
    assert len(rows) == 13
    a01m, a01i = rows[("A01", "model")], rows[("A01", "ideal")]
    assert sorted(names[i] for i in a01m["categories"]) == ["incomplete_tagging", "s3_bucket_security_missing"]
    # the multi-hot vector is ready for BCE: floats, one per category, in the order of the names
    hot = a01m["labels"]
    assert len(hot) == len(names) and all(isinstance(v, float) for v in hot)
    assert [names[i] for i, v in enumerate(hot) if v == 1.0] == [names[i] for i in sorted(a01m["categories"])]
    assert sum(hot) == 2.0
    assert [names[i] for i in a01i["categories"]] == ["incomplete_tagging"]
    # fixed_*: only what the IDEAL fixed, so on the MODEL row alone
    assert [names[i] for i in a01m["fixed_categories"]] == ["s3_bucket_security_missing"]
    assert a01i["fixed_categories"] == []
    assert rows[("A05", "model")]["categories"] == [] and sum(rows[("A05", "model")]["labels"]) == 0
    assert [names[i] for i in rows[("A08", "ideal")]["categories"]] == ["undefined_reference"]
    # the natural torch/numpy view keeps floats (the trap was ClassLabel ints cast back from floats)
    assert ds["train"].with_format("numpy")[:2]["labels"].dtype.name == "float32"


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
    assert all_rows(r, "labels") == 13  # answers alone are short


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
    assert all_rows(r, "critique") == 3
    crit = read_config(ds, "critique").set_index("task_id")
    a01 = crit.loc["A01"]
    # the task and the failing block in, not the whole answer
    assert TASKS["A01"][0] in a01["prompt"] and BUCKET_MODEL.strip() in a01["prompt"]
    assert a01["address"] == "aws_s3_bucket.logs" and list(a01["categories"]) == ["s3_bucket_security_missing"]
    assert a01["completion"].startswith("- **S3 Bucket Security Missing**, High (line 4): aws_s3_bucket.logs: no "
                                        "public access block")
    assert "Fix: " in a01["completion"]
    # a fixed finding only: A01's persisting tagging finding is not a failure the correction confirms
    assert "Incomplete" not in a01["completion"]
    assert crit.loc["A02", "severity"] == "Critical"


def test_critique_prompt_is_shortened_and_blocks_cut_around_findings():
    from drdata.export.configs import CRITIQUE_TASK_CHARS, excerpt, shorten

    long_task = "\n\n".join(f"Paragraph {i}: " + "word " * 60 for i in range(20))
    short = shorten(long_task)
    assert len(short) < CRITIQUE_TASK_CHARS + 60 and short.endswith("[... task description shortened]")
    assert shorten("brief") == "brief"
    block = "\n".join(f"  line_{i} = {i}" for i in range(200))
    code, first, last = excerpt(block, 100, [150])
    assert (first, last) == (100, 299)
    assert "line_50 = 50" in code and "line_0 = 0" in code and "line_199 = 199" in code
    assert "line_120 = 120" not in code and "# ..." in code


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
    """Labelled ok, both answers with Terraform, with a prompt and both answers: what every task-level config
    keeps."""
    from drdata.corpus import load_corpus
    from drdata.corpus.reader import is_blank

    paired = ~tasks["pair_state"].isin(["ideal_unusable", "model_unusable"])
    ok = set(tasks.loc[(tasks["status"] == "ok") & paired, "task_id"])
    return {t.id for t in load_corpus(corpus) if t.id in ok
            and not any(is_blank(x) for x in (t.prompt, t.model_response, t.ideal_response))}


def test_embedded_corpus_exports_and_loads(tmp_path, monkeypatch):
    from drdata.labeling.batch import label_corpus
    from drdata.labeling.store import write_outputs

    run = label_corpus(REPO / "corpora", jobs=1, progress=False)
    write_outputs(run, tmp_path / "labels")
    usable = usable_ok_tasks(REPO / "corpora", run.tasks)
    assert usable
    r = export_datasets(tmp_path / "labels", tmp_path / "ds")
    assert r.errors == {}
    assert all_rows(r, "sft") == len(usable) == all_rows(r, "sft_messages")
    assert len(usable) <= all_rows(r, "labels") <= 2 * len(usable)
    assert all_rows(r, "critique") > 0
    assert check_export(tmp_path / "ds") == {cfg: [] for cfg in r.rows}
    card = (tmp_path / "ds" / "README.md").read_text()
    for cfg, missing in r.empty_splits.items():  # a handful of tasks cannot fill every split
        assert f"`{cfg}`: {', '.join(missing)}" in card
    check_loads(r, tmp_path / "ds", tmp_path / "cache", monkeypatch)


@pytest.mark.corpus
@pytest.mark.slow  # ~30 s and more on a shared machine; the embedded corpus export runs in the quick loop
def test_shared_corpus_exports_and_loads(shared_corpus, shared_run, shared_labels_dir, tmp_path, monkeypatch):
    run = shared_run
    ok = usable_ok_tasks(shared_corpus, run.tasks)
    r = export_datasets(shared_labels_dir, tmp_path / "ds")
    assert r.errors == {}
    assert set(r.rows) == set(CONFIG_NAMES)
    assert all_rows(r, "sft") == len(ok) == all_rows(r, "sft_messages")
    assert 0.8 * 2 * len(ok) <= all_rows(r, "labels") <= 2 * len(ok)  # duplicated answers are kept once
    assert 0.95 * 2 * all_rows(r, "preference") <= all_rows(r, "kto") <= 2 * all_rows(r, "preference")
    n_fixed = int(run.findings.loc[run.findings["side"] == "model", "fixed"].sum())
    assert 0 < all_rows(r, "repair") <= n_fixed
    assert all_rows(r, "critique") > all_rows(r, "sft")
    # The structural rules: one TRL family, no empty text, no prompt in two splits, no duplicate, no no-op repair.
    assert check_export(tmp_path / "ds") == {cfg: [] for cfg in CONFIG_NAMES}
    assert all(d == {"duplicates_across_splits": 0, "prompts_in_two_splits": 0} | {
        k: d[k] for k in ("duplicates_within_split", "conflicts")} for d in r.dedup.values())
    # critique rows fit a 2k context (the whole-answer critique of old needed ~12k tokens)
    assert sum(v["fit_2048"] for v in r.lengths["critique"].values()) > 0.9 * all_rows(r, "critique")
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


# -- structural rules, lengths, granularity, repair targets, duplicates ------------------------

def test_structural_rules_hold_on_the_hand_written_export(labeled, tmp_path):
    labels_dir, _ = labeled
    r = export_datasets(labels_dir, tmp_path / "ds")
    assert check_export(tmp_path / "ds") == {cfg: [] for cfg in r.rows}


@pytest.mark.parametrize("config, rows, problem", [
    # the old `sft`: two families TRL recognises, chosen by set.pop()
    ("sft", [{"prompt": "p", "completion": "c", "messages": [{"role": "user", "content": "p"}],
              "n_chars": 2, "n_tokens_est": 1}], "TRL columns"),
    ("sft", [{"prompt": "p", "completion": " ", "n_chars": 2, "n_tokens_est": 1}], "empty text"),
    ("sft", [{"prompt": "p", "completion": "c", "n_chars": 2, "n_tokens_est": 1},
             {"prompt": "P ", "completion": "c", "n_chars": 3, "n_tokens_est": 1}], "duplicate row"),
    ("sft", [{"prompt": "p", "completion": "c", "n_chars": 5, "n_tokens_est": 2}], "n_chars"),
    ("repair", [{"prompt": "p", "completion": "```hcl\nx = 1\n```", "model_block": "x = 1", "ideal_blocks": "x = 1",
                 "n_chars": 18, "n_tokens_est": 6}], "IDEAL block is the MODEL block"),
])
def test_rule_checker_catches(config, rows, problem):
    problems = check_config(config, {"train": rows})
    assert any(problem in p for p in problems), problems


def test_rule_checker_catches_a_prompt_in_two_splits():
    row = {"prompt": "p", "completion": "c", "n_chars": 2, "n_tokens_est": 1}
    problems = check_config("sft", {"train": [row], "test": [dict(row, completion="d")]})
    assert problems == ["1 row(s) whose prompt is also in another split"]


def test_max_tokens_estimated_or_counted(labeled, tmp_path):
    labels_dir, _ = labeled
    r = export_datasets(labels_dir, tmp_path / "a", configs=["sft"], max_tokens=60)
    sft = read_config(tmp_path / "a", "sft")
    assert (sft["n_tokens_est"] <= 60).all() and len(sft) == all_rows(r, "sft") < 7
    assert list(r.dropped_rows["sft"]) == ["longer than 60 tokens (estimated)"]

    class WordTokenizer:  # any callable tokenizer with the transformers calling convention
        name_or_path = "words"

        def __call__(self, text, add_special_tokens=False):
            return {"input_ids": text.split()}

    r = export_datasets(labels_dir, tmp_path / "b", configs=["sft"], max_tokens=60, tokenizer=WordTokenizer())
    assert all_rows(r, "sft") == 6  # only A03's long prompt has more than 60 words
    assert r.dropped_rows["sft"] == {"longer than 60 tokens": 1}
    assert "counted with `words`" in (tmp_path / "b" / "README.md").read_text()


@pytest.mark.parametrize("kwargs, message", [
    ({"max_tokens": 0}, "max_tokens"),
    ({"tokenizer": "x"}, "only used with max_tokens"),
    ({"granularity": "page"}, "granularity"),
    ({"granularity": "auto"}, "needs max_chars or max_tokens"),
    ({"repair_per_task_category": 0}, "repair_per_task_category"),
])
def test_bad_length_options(labeled, tmp_path, kwargs, message):
    labels_dir, _ = labeled
    with pytest.raises(ExportError, match=message):
        export_datasets(labels_dir, tmp_path / "ds", **kwargs)


MAIN_M, MAIN_I = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n', 'resource "aws_sqs_queue" "q" {\n  name = "q-${var.env}"\n}\n'
VARS = 'variable "env" {\n  type = string\n}\n'


def files_answer(files: dict[str, str]) -> str:
    return "\n".join(f"## {name}\n\n```hcl\n{code}```\n" for name, code in files.items())


def test_file_granularity(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, {"F01": ("Create a queue.", "x", "y", "r1", 9, "ok")})
    lib = corpus / "archive" / "tf-hcl" / "F01" / "lib"
    (lib / "MODEL_RESPONSE.md").write_text(files_answer({"main.tf": MAIN_M, "variables.tf": VARS}))
    (lib / "IDEAL_RESPONSE.md").write_text(files_answer({"main.tf": MAIN_I, "variables.tf": VARS,
                                                         "outputs.tf": 'output "q" {\n  value = 1\n}\n'}))
    labels_dir = write_labels(tmp_path / "labels", corpus, {"F01": TASKS["A01"][:4] + (9, "ok")}, labels=[],
                              findings=[])
    ds = tmp_path / "ds"
    r = export_datasets(labels_dir, ds, configs=["sft", "preference"], granularity="file", fractions=(1, 0, 0))
    sft = read_config(ds, "sft").set_index("file")
    assert sorted(sft.index) == ["main.tf", "outputs.tf", "variables.tf"]
    assert sft.loc["main.tf", "prompt"].endswith("Write only the file `main.tf` of your answer, as one HCL code block.")
    assert sft.loc["main.tf", "completion"] == f"```hcl\n{MAIN_I.strip()}\n```"
    pref = read_config(ds, "preference")
    assert list(pref["file"]) == ["main.tf"]  # variables.tf is the same in both, outputs.tf only in the IDEAL
    assert r.dropped_rows["preference"] == {"file only in the IDEAL answer (file granularity)": 1,
                                            "file the same in both answers (file granularity)": 1}
    # auto: the whole answer where it fits, its files where it does not
    whole = len("Create a queue.") + len(files_answer({"main.tf": MAIN_I, "variables.tf": VARS,
                                                       "outputs.tf": 'output "q" {\n  value = 1\n}\n'}).strip())
    r = export_datasets(labels_dir, tmp_path / "auto", configs=["sft"], granularity="auto", max_chars=whole,
                        fractions=(1, 0, 0))
    assert list(read_config(tmp_path / "auto", "sft")["file"].isna()) == [True] and r.split_rows == {}
    r = export_datasets(labels_dir, tmp_path / "auto2", configs=["sft"], granularity="auto", max_chars=whole - 1,
                        fractions=(1, 0, 0))
    assert sorted(read_config(tmp_path / "auto2", "sft")["file"]) == ["main.tf", "outputs.tf", "variables.tf"]
    assert r.split_rows == {"sft": 1}


def test_repair_needs_a_change_in_what_the_finding_is_about(tmp_path):
    # A01's bucket finding points at `bucket`, which the IDEAL changed: kept. A second finding points at
    # `acl`, which is the same on both sides (the IDEAL changed only the name): a no-op target, left out.
    model = 'resource "aws_s3_bucket" "logs" {\n  bucket = "app-logs"\n  acl    = "private"\n}\n'
    ideal = 'resource "aws_s3_bucket" "logs" {\n  bucket = "app-logs-${var.env}"\n  acl    = "private"\n}\n'
    tasks = {"A01": ("Create a bucket.", model, ideal, "r", 9, "ok")}
    findings = [("A01", "model", "s3_bucket_security_missing", "High", "aws_s3_bucket.logs", "aws_s3_bucket", 4,
                 "aws_s3_bucket.logs: no public access block", True),
                ("A01", "model", "missing_environment_suffix", "High", "aws_s3_bucket.logs", "aws_s3_bucket", 5,
                 "aws_s3_bucket.logs: acl", True)]
    corpus = write_corpus(tmp_path / "corpus", tasks)
    labels_dir = write_labels(tmp_path / "labels", corpus, tasks, labels=[], findings=findings)
    frame = pd.read_parquet(labels_dir / "findings.parquet")
    frame["part"] = ["bucket", "acl"]
    frame.to_parquet(labels_dir / "findings.parquet")
    r = export_datasets(labels_dir, tmp_path / "ds", configs=["repair"], fractions=(1, 0, 0))
    assert all_rows(r, "repair") == 1
    assert r.dropped_rows["repair"] == {"IDEAL block differs, but not in what the finding is about": 1}
    assert read_config(tmp_path / "ds", "repair")["part"].tolist() == ["bucket"]


def test_repair_rows_capped_per_task_and_category(tmp_path):
    model = "".join(f'resource "aws_sqs_queue" "q{i}" {{\n  name = "q{i}"\n}}\n' for i in range(4))
    ideal = "".join(f'resource "aws_sqs_queue" "q{i}" {{\n  name = "q{i}-${{var.env}}"\n}}\n' for i in range(4))
    tasks = {"A01": ("Create queues.", model, ideal, "r", 9, "ok")}
    findings = [("A01", "model", "missing_environment_suffix", "High", f"aws_sqs_queue.q{i}", "aws_sqs_queue", 2,
                 f"aws_sqs_queue.q{i}: name has no suffix", True) for i in range(4)]
    corpus = write_corpus(tmp_path / "corpus", tasks)
    labels_dir = write_labels(tmp_path / "labels", corpus, tasks, labels=[], findings=findings)
    assert all_rows(export_datasets(labels_dir, tmp_path / "a", configs=["repair"]), "repair") == 4
    r = export_datasets(labels_dir, tmp_path / "b", configs=["repair"], repair_per_task_category=3)
    assert all_rows(r, "repair") == 3
    assert r.dropped_rows["repair"] == {"more than 3 rows of one category in one task": 1}


def test_shared_row_keys_join_task_groups():
    texts = [TaskText("t1", "a"), TaskText("t2", "b"), TaskText("t3", "c")]
    g = assign_splits(texts, shared={"repair_block": {"t1": ["x = 1", "y"], "t3": ["x = 1"], "t2": ["z"]}})
    assert g.group_of["t3"] == "t1" and g.group_of["t2"] == "t2"
    assert g.merges["repair_block"] == 1


def test_dedupe_keeps_the_first_and_counts():
    from drdata.export.build import dedupe

    def row(prompt, completion):
        return {"prompt": prompt, "completion": completion}

    per_split = {"train": [row("p1", "c1"), row("P1 ", "c1"), row("p1", "other")],
                 "validation": [row("p1", "c1"), row("p2", "c2")], "test": [row("p2", "c3")]}
    kept, counts = dedupe("repair", per_split)
    assert kept == {"train": [row("p1", "c1")], "validation": [row("p2", "c2")], "test": []}
    assert counts == {"duplicates_within_split": 1, "duplicates_across_splits": 1, "conflicts": 2,
                      "prompts_in_two_splits": 0}
    kept, counts = dedupe("sft", per_split)  # sft keeps several completions of a prompt, in one split
    assert kept["train"] == [row("p1", "c1"), row("p1", "other")] and kept["test"] == []
    assert counts["prompts_in_two_splits"] == 1


@pytest.mark.parametrize("state", ["ideal_unusable", "model_unusable"])
def test_a_task_with_one_unusable_answer_gives_no_training_rows(labeled, tmp_path, state):
    labels_dir, _ = labeled
    tasks = pd.read_parquet(labels_dir / "tasks.parquet")
    tasks["pair_state"] = ["paired"] * len(tasks)
    tasks.loc[tasks["task_id"] == "A03", "pair_state"] = state
    tasks.to_parquet(labels_dir / "tasks.parquet")
    r = export_datasets(labels_dir, tmp_path / "ds")
    assert r.tasks_selected == 6
    assert r.dropped_tasks == {"labeling status not ok": 1, f"one answer has no Terraform (pair_state {state})": 1}
    for config in ("sft", "preference", "labels"):
        ids = set(read_config(tmp_path / "ds", config)["task_id"])
        assert ids and "A03" not in ids
