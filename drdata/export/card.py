"""The dataset card (README.md) of an export, built with huggingface_hub's card API.

The YAML front matter comes from ``DatasetCardData`` filled by datasets' own
``MetadataConfigs`` / ``DatasetInfosDict`` writers (the same code ``push_to_hub``
uses), so the Hub reads configs, features and split sizes as it expects them.
The body is markdown made from the export's numbers; nothing in it depends on
the clock or the machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from drdata.export.configs import CONFIG_NAMES, features
from drdata.export.splits import SPLITS
from drdata.taxonomy import SEVERITIES, categories

if TYPE_CHECKING:
    from drdata.export.build import ExportResult

CONFIG_DOCS = {
    "sft": ("supervised fine-tuning", "TRL prompt-completion (`prompt`, `completion`)",
            "the task prompt and its IDEAL answer (or one file of it)"),
    "sft_messages": ("supervised fine-tuning on chat-formatted data", "TRL conversational (`messages`)",
                     "the same pairs as `sft`, as a user and an assistant message"),
    "preference": ("DPO and other paired preference trainers", "TRL standard preference (`prompt`, `chosen`, "
                   "`rejected`)", "IDEAL answer chosen over the MODEL answer, with the failure categories the IDEAL fixed"),
    "kto": ("KTO and other unpaired preference trainers", "TRL unpaired preference (`prompt`, `completion`, "
            "`label`)", "IDEAL answers labelled `true`, MODEL answers labelled `false`"),
    "labels": ("multi-label classification of an answer", "text classification (`text`, float multi-hot `labels`)",
               "one row per answer (side `model` or `ideal`), labelled with the categories detected in it"),
    "repair": ("focused code repair", "TRL prompt-completion (`prompt`, `completion`)",
               "one row per MODEL failure the IDEAL fixed in that block: the failing block and the IDEAL block"),
    "critique": ("training a reviewer", "TRL prompt-completion (`prompt`, `completion`)",
                 "the task (shortened) and one failing MODEL block in, its failures and their fixes out"),
}

_LOAD = 'from datasets import load_dataset\n\nds = load_dataset("<repo or folder>", "{cfg}")\n'
_FILTER = ('max_tokens = {max_tokens}  # rows longer than this are left out, not cut: a cut completion loses its end\n'
           'train = ds["train"].filter(lambda n: n <= max_tokens, input_columns="n_tokens_est")\n')
_TRL = {
    "sft": ("SFTConfig", "SFTTrainer"), "sft_messages": ("SFTConfig", "SFTTrainer"),
    "repair": ("SFTConfig", "SFTTrainer"), "critique": ("SFTConfig", "SFTTrainer"),
    "preference": ("DPOConfig", "DPOTrainer"), "kto": ("KTOConfig", "KTOTrainer"),
}
_LABELS_SNIPPET = """from datasets import load_dataset
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                          TrainingArguments)

ds = load_dataset("<repo or folder>", "labels")
names = ds["train"].features["categories"].feature.names  # labels[i] (a float 0/1) is category names[i]
tokenizer = AutoTokenizer.from_pretrained("<your model>")
model = AutoModelForSequenceClassification.from_pretrained(
    "<your model>", num_labels=len(names), problem_type="multi_label_classification",
    id2label=dict(enumerate(names)), label2id={{name: i for i, name in enumerate(names)}})
tokenized = ds.map(lambda batch: tokenizer(batch["text"], truncation=True, max_length={max_tokens}), batched=True,
                   remove_columns=[c for c in ds["train"].column_names if c != "labels"])
trainer = Trainer(model=model, args=TrainingArguments(output_dir="out-labels"), train_dataset=tokenized["train"],
                  data_collator=DataCollatorWithPadding(tokenizer))
trainer.train()
"""


def trainer_snippet(cfg: str, max_tokens: int) -> str:
    """The exact code the card gives for training on one config (run by the tests with a tiny model)."""
    if cfg == "labels":
        return _LABELS_SNIPPET.format(max_tokens=max_tokens)
    conf, trainer = _TRL[cfg]
    indent = " " * (len(trainer) + 11)
    return (f"import torch\nfrom datasets import load_dataset\nfrom trl import {conf}, {trainer}\n\n"
            f'ds = load_dataset("<repo or folder>", "{cfg}")\n' + _FILTER.format(max_tokens=max_tokens)
            + f'trainer = {trainer}(model="<your model>", train_dataset=train,\n'
            + f'{indent}args={conf}(output_dir="out-{cfg}", max_length=max_tokens,\n'
            + f"{indent}{' ' * (len(conf) + 6)}use_cpu=not torch.cuda.is_available()))\n"
            + "trainer.train()\n")


TAGS = ["terraform", "hcl", "infrastructure-as-code", "aws", "code", "code-review", "sft", "dpo", "kto",
        "synthetic", "drdata"]


def size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def card_data(result: ExportResult, split_infos: dict[str, dict[str, tuple[int, int, int]]], *, license: str,
              pretty_name: str):
    from datasets.info import DatasetInfo, DatasetInfosDict
    from datasets.splits import SplitDict, SplitInfo
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCardData

    total = max((sum(v.values()) for v in result.rows.values()), default=0)
    data = DatasetCardData(
        language=["en"], license=license, pretty_name=pretty_name,
        task_categories=["text-generation", "text-classification"], tags=TAGS,
        size_categories=[size_category(total)],
    )
    metadata_configs = {}
    infos = {}
    for cfg in CONFIG_NAMES:
        if cfg not in result.rows:
            continue
        entry: dict[str, Any] = {"data_files": [{"split": s, "path": f"data/{cfg}/{s}-*"}
                                                for s in SPLITS if s in result.rows[cfg]]}
        if cfg == "sft" or (not metadata_configs and "sft" not in result.rows):
            entry["default"] = True
        metadata_configs[cfg] = entry
        splits = SplitDict()
        for s in SPLITS:
            if s in split_infos[cfg]:
                n, nbytes, _ = split_infos[cfg][s]
                splits.add(SplitInfo(s, num_bytes=nbytes, num_examples=n))
        infos[cfg] = DatasetInfo(features=features(cfg), splits=splits,
                                 download_size=sum(v[2] for v in split_infos[cfg].values()),
                                 dataset_size=sum(v[1] for v in split_infos[cfg].values()))
    MetadataConfigs(metadata_configs).to_dataset_card_data(data)
    DatasetInfosDict(infos).to_dataset_card_data(data)
    return data


def _severity_stats(records) -> list[list[Any]]:
    fixed_pairs = dict.fromkeys(SEVERITIES, 0)
    fixed_findings = dict.fromkeys(SEVERITIES, 0)
    worst = dict.fromkeys(SEVERITIES, 0)
    for rec in records:
        sevs = [r["severity"] for r in rec.labels if r["status"] == "fixed" and r["severity"] in SEVERITIES]
        for s in sevs:
            fixed_pairs[s] += 1
        if sevs:
            worst[min(sevs, key=SEVERITIES.index)] += 1
        for f in rec.findings:
            if f["side"] == "model" and f.get("fixed") and f["severity"] in SEVERITIES:
                fixed_findings[f["severity"]] += 1
    return [[s, worst[s], fixed_pairs[s], fixed_findings[s]] for s in SEVERITIES]


def _taxonomy_rows(records, taxonomy: str) -> list[list[Any]]:
    counts: dict[str, dict[str, int]] = {}
    for rec in records:
        for r in rec.labels:
            c = counts.setdefault(r["category"], {})
            c[r["status"]] = c.get(r["status"], 0) + 1
    rows = []
    for cat in categories(taxonomy):
        c = counts.get(cat.id, {})
        rows.append([f"`{cat.id}`", cat.title, cat.severity, cat.rule_set, c.get("fixed", 0),
                     c.get("persisting", 0), c.get("introduced", 0), c.get("unknown", 0)])
    return rows


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.0f} %" if total else "-"


def _all_splits(lengths: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Length figures of a config over its splits (medians and p95 of the train split when there is one)."""
    base = lengths.get("train") or next(iter(lengths.values()))
    out = dict(base)
    out["rows"] = sum(v["rows"] for v in lengths.values())
    for key in [k for k in base if k.startswith("fit_")]:
        out[key] = sum(v[key] for v in lengths.values())
    out["tokens_est_max"] = max(v["tokens_est_max"] for v in lengths.values())
    return out


CONTEXTS = (512, 2048, 8192, 16384, 32768)


def suggested_context(stats: dict[str, Any], share: float = 0.9) -> int:
    """The smallest usual context that keeps ``share`` of a config's rows whole (estimated tokens)."""
    for mark in CONTEXTS:
        if stats.get(f"fit_{mark}", 0) >= share * stats["rows"]:
            return mark
    return CONTEXTS[-1]


def _length_rows(result: ExportResult) -> list[list[Any]]:
    rows = []
    for cfg in CONFIG_NAMES:
        if cfg not in result.lengths:
            continue
        st = _all_splits(result.lengths[cfg])
        rows.append([f"`{cfg}`", st["rows"], st["chars_median"], st["chars_p95"], st["tokens_est_median"],
                     st["tokens_est_p95"], st["tokens_est_max"],
                     *[_pct(st[f"fit_{m}"], st["rows"]) for m in CONTEXTS], suggested_context(st)])
    return rows


def _label_positive_rows(result: ExportResult, out_dir: Path) -> tuple[list[list[Any]], list[str]]:
    """Positives per category and split of the `labels` config, and the categories with none in train."""
    import pyarrow.parquet as pq

    from drdata.export.configs import label_names

    names = label_names()
    counts = {s: [0] * len(names) for s in SPLITS}
    for s in result.rows.get("labels", {}):
        table = pq.read_table(out_dir / "data" / "labels" / f"{s}-00000-of-00001.parquet", columns=["labels"])
        for hot in table.column("labels").to_pylist():
            for i, v in enumerate(hot):
                counts[s][i] += int(v > 0)
    rows = [[f"`{n}`", *[counts[s][i] for s in SPLITS]] for i, n in enumerate(names)
            if any(counts[s][i] for s in SPLITS)]
    none_in_train = [n for i, n in enumerate(names) if counts["train"][i] == 0]
    return rows, none_in_train


def card_body(result: ExportResult, *, data, records, taxonomy: str, filters: dict, source_description: str | None,
              pretty_name: str) -> str:
    from drdata import __version__

    corpus_name = Path(str(data.meta.get("corpus") or data.corpus_path)).name or "corpus"
    g = result.grouping
    out = [f"# {pretty_name}", ""]
    out += ["Fine-tuning data about Terraform (HCL) answers written by a language model. Each task of the source "
            "corpus pairs a prompt with a MODEL answer (what a model wrote) and an IDEAL answer (the corrected "
            "one). drdata parsed both answers, ran one detector per failure "
            "category of its taxonomy on each, and labelled every (task, category) as `fixed` (the MODEL has the "
            "failure and the IDEAL no longer has it), `persisting`, `introduced`, `absent` or `unknown`. "
            f"This dataset turns those labels into {len(CONFIG_NAMES)} configs for supervised, preference, "
            "classification, repair and critique training. Each config holds one column family that TRL "
            "recognises, so a trainer never has to choose between two.", ""]
    out += ["## Source", ""]
    src = [f"- Corpus: `{corpus_name}`, {result.tasks_total} labelled tasks, {result.tasks_selected} selected."]
    if source_description:
        src.append(f"- Origin: {source_description}")
    src.append(f"- Labelled with drdata {data.meta.get('drdata_version') or __version__}, taxonomy `{taxonomy}` "
               f"({len(categories(taxonomy))} categories); exported with drdata {__version__}.")
    out += src + [""]
    out += ["## Configs", ""]
    cfg_rows = []
    for cfg in CONFIG_NAMES:
        if cfg in result.rows:
            counts = [str(result.rows[cfg].get(s, 0)) for s in SPLITS]
            cfg_rows.append([f"`{cfg}`", CONFIG_DOCS[cfg][2], CONFIG_DOCS[cfg][1], *counts])
        elif cfg in result.errors:
            cfg_rows.append([f"`{cfg}`", f"not exported: {result.errors[cfg]}", CONFIG_DOCS[cfg][1], "-", "-", "-"])
    out += [_table(["config", "a row holds", "format", *SPLITS], cfg_rows), ""]
    empties = [f"`{cfg}`: {', '.join(s)}" for cfg, s in sorted(result.empty_splits.items()) if cfg in result.rows]
    if empties:
        out += ["Splits with no row are not written (the corpus is too small for every split to receive a "
                "task group): " + "; ".join(empties) + ".", ""]
    out += ["Every row carries `n_chars`, the characters of the longest sequence a trainer builds from it "
            "(prompt + completion; prompt + the longer of chosen and rejected; the text), and `n_tokens_est`, "
            "that length divided by 3 and rounded up: a tokenizer-free estimate chosen to be generous (common "
            "tokenizers count about 4 characters per token on this data). Filter on it rather than let a trainer "
            "truncate: a truncated completion loses its end and its EOS token, and the model does not learn to "
            "stop.", ""]
    for cfg in CONFIG_NAMES:
        if cfg not in result.rows:
            continue
        st = _all_splits(result.lengths[cfg])
        ctx = suggested_context(st)
        cols = ", ".join(f"`{name}`" for name in features(cfg))
        trainer = "transformers `Trainer`" if cfg == "labels" else f"TRL `{_TRL[cfg][1]}`"
        out += [f"### `{cfg}`", "", f"For {CONFIG_DOCS[cfg][0]}: {CONFIG_DOCS[cfg][2]}. Columns: {cols}.", ""]
        out += [f"Train with the {trainer}. Length: median {st['tokens_est_median']} estimated tokens, p95 "
                f"{st['tokens_est_p95']}, longest {st['tokens_est_max']}; a context of {ctx} tokens keeps "
                f"{_pct(st[f'fit_{ctx}'], st['rows'])} of the rows whole"
                + (" (truncation to `max_length` hides the rest of the answer, and with it some labels)"
                   if cfg == "labels" else "") + ".", ""]
        out += ["```python", trainer_snippet(cfg, ctx).rstrip("\n"), "```", ""]
        if cfg == "labels":
            out += ["`labels` is a float32 multi-hot vector over every category of drdata's full taxonomy, ready "
                    "for `BCEWithLogitsLoss` (`problem_type=\"multi_label_classification\"`); `categories` lists "
                    "the same categories by name and its feature holds the names "
                    "(`ds[\"train\"].features[\"categories\"].feature.names`, in the order of the vector). "
                    "`fixed_categories`, on MODEL rows, keeps only the failures the IDEAL fixed. No severity "
                    "column: nearly every answer's worst finding is Critical, so it tells answers apart poorly.",
                    ""]
        if cfg == "sft_messages":
            out += ["The tokenizer needs a chat template whose assistant turn ends with the EOS token.", ""]
    out += ["## Lengths", "",
            "Estimated tokens (`n_tokens_est`) over all splits; the medians and p95 are those of `train`. "
            "\"fits\" is the share of rows whose estimate is at most that context. The last column is the smallest "
            "of these contexts that keeps 90 % of the rows.", "",
            _table(["config", "rows", "chars median", "chars p95", "tokens median", "tokens p95", "tokens max",
                    *[f"fits {m // 1024}k" if m >= 1024 else f"fits {m}" for m in CONTEXTS], "context"],
                   _length_rows(result)), ""]
    if filters.get("granularity") != "answer":
        out += [f"Granularity `{filters['granularity']}`: `sft`, `sft_messages` and `preference` rows hold one "
                "Terraform file of the answer (the prompt names it, the `file` column too)"
                + (", where the whole answer would not fit the length limit" if filters["granularity"] == "auto"
                   else "") + ".", ""]
    out += ["## Duplicates", "",
            "Rows equal on what a trainer reads (case and whitespace ignored) are kept once; rows with the same "
            "input but another target (`kto`: a text labelled both ways; `labels`: a text with other labels; "
            "`repair`, `critique`: a prompt with another completion) keep the first; a prompt never appears in "
            "two splits.", "",
            _table(["config", "duplicates within a split", "duplicates across splits", "conflicting rows dropped",
                    "prompts in two splits"],
                   [[f"`{cfg}`", d["duplicates_within_split"], d["duplicates_across_splits"], d["conflicts"],
                     d["prompts_in_two_splits"]] for cfg, d in result.dedup.items() if cfg in result.rows]), ""]
    out += ["## Splits", "",
            f"`train` / `validation` / `test` take about {', '.join(f'{f:.0%}' for f in filters['fractions'])} of "
            f"the task groups, by a hash of the group (seed {filters['seed']}), so a split never changes when other "
            "tasks are filtered out. All rows of one task are in one split. Tasks with the same prompt "
            "(case and whitespace ignored), nearly the same prompt (word 5-gram Jaccard >= 0.9), a byte-identical "
            "failure report, the same answer, or a `repair` prompt, failing block or `critique` prompt in common "
            f"form one group: {g.merged_groups} groups hold "
            f"{g.tasks_in_merged_groups} such duplicated tasks ({g.groups} groups in all). Unions by relation: "
            + ", ".join(f"{k} {v}" for k, v in sorted(g.merges.items())) + ".", ""]
    out += ["## Selection", ""]
    sel = ["- Only tasks whose labelling status is `ok` and whose prompt, MODEL and IDEAL answers are present."]
    if filters["min_training_quality"] is not None:
        sel.append(f"- `training_quality` at least {filters['min_training_quality']:g}.")
    if filters["categories"]:
        sel.append("- Tasks where the IDEAL fixed one of: " + ", ".join(f"`{c}`" for c in filters["categories"])
                   + "; `repair` rows of those categories only.")
    if filters["severities"]:
        sel.append("- Tasks where the IDEAL fixed a failure of severity " + ", ".join(filters["severities"])
                   + "; `repair` rows of those severities only.")
    if filters["max_chars"] is not None:
        sel.append(f"- Rows whose longest sequence is at most {filters['max_chars']} characters.")
    if filters.get("max_tokens") is not None:
        how = f"counted with `{filters['tokenizer']}`" if filters.get("tokenizer") else "estimated"
        sel.append(f"- Rows whose longest sequence is at most {filters['max_tokens']} tokens ({how}).")
    if filters.get("repair_per_task_category") is not None:
        sel.append(f"- At most {filters['repair_per_task_category']} `repair` rows of one category per task.")
    out += sel + [""]
    if result.dropped_tasks:
        out += [_table(["tasks left out", "count"], [[k, v] for k, v in result.dropped_tasks.items()]), ""]
    drops = [[f"`{cfg}`", k, v] for cfg, d in sorted(result.dropped_rows.items()) for k, v in sorted(d.items())]
    if drops:
        out += [_table(["config", "rows left out", "count"], drops), ""]
    if result.split_rows:
        out += ["Rows replaced by per-file rows because the whole answer was too long: "
                + ", ".join(f"`{c}` {n}" for c, n in sorted(result.split_rows.items())) + ".", ""]
    if "labels" in result.rows:
        pos, none_in_train = _label_positive_rows(result, result.out_dir)
        out += ["## Label counts", "",
                "Rows of the `labels` config where each category is detected (categories never detected are left "
                "out of the table).", "", _table(["category", *SPLITS], pos), ""]
        if none_in_train:
            out += ["Categories with no positive row in `train` (a classifier cannot learn them from this data): "
                    + ", ".join(f"`{c}`" for c in none_in_train) + ".", ""]
    out += ["## Taxonomy", "",
            "Counts are (task, category) labels over the selected tasks.", "",
            _table(["category", "title", "severity", "rule set", "fixed", "persisting", "introduced", "unknown"],
                   _taxonomy_rows(records, taxonomy)), ""]
    out += ["## Severity statistics", "",
            _table(["severity", "tasks (most severe fixed)", "fixed categories", "fixed findings"],
                   _severity_stats(records)), ""]
    out += ["## Limitations", "",
            "- Labels come from static detectors over parsed HCL, not from deploying the code: a failure that "
            "needs runtime context is not labelled, and `unknown` (unparseable or unresolvable code) is not "
            "`absent`.",
            "- IDEAL answers are corrections, not proofs of correctness; `chosen` is better than `rejected` for the "
            "categories listed, not necessarily perfect.",
            "- `repair` pairs a MODEL block with the IDEAL block the labeler recorded as its counterpart (same "
            "address, a rename, or a resource the IDEAL added beside it); rows whose IDEAL block does not change "
            "what the finding is about are left out, so repairs made elsewhere (in a local, a variable) are not "
            "in this config.",
            "- `critique` completions are generated from the detector findings, so a reviewer trained on them "
            "learns drdata's taxonomy and its blind spots; the task prompt in them is shortened to "
            "about 1,500 characters.",
            "- The corpus is small and synthetic; split sizes follow task groups, so they are uneven.", ""]
    return "\n".join(out)


def build_card(result: ExportResult, split_infos, *, data, records, taxonomy: str, filters: dict,
               source_description: str | None, license: str, pretty_name: str | None) -> str:
    from huggingface_hub import DatasetCard

    corpus_name = Path(str(data.meta.get("corpus") or data.corpus_path)).name or "corpus"
    pretty_name = pretty_name or f"drdata Terraform failures ({corpus_name})"
    card_meta = card_data(result, split_infos, license=license, pretty_name=pretty_name)
    body = card_body(result, data=data, records=records, taxonomy=taxonomy, filters=filters,
                     source_description=source_description, pretty_name=pretty_name)
    card = DatasetCard(f"---\n{card_meta.to_yaml()}\n---\n\n{body}")
    return str(card)
