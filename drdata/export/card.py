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
    "sft": ("supervised fine-tuning", "TRL prompt-completion (`prompt`, `completion`) and conversational "
            "(`messages`)", "the task prompt and its IDEAL answer"),
    "preference": ("DPO and other paired preference trainers", "TRL standard preference (`prompt`, `chosen`, "
                   "`rejected`)", "IDEAL answer chosen over the MODEL answer, with the failure categories the IDEAL fixed"),
    "kto": ("KTO and other unpaired preference trainers", "TRL unpaired preference (`prompt`, `completion`, "
            "`label`)", "IDEAL answers labelled `true`, MODEL answers labelled `false`"),
    "labels": ("multi-label classification of an answer", "text classification (`text`, `labels`, `severity`)",
               "one row per answer (side `model` or `ideal`), labelled with the categories detected in it"),
    "repair": ("focused code repair", "TRL prompt-completion (`prompt`, `completion`)",
               "one row per MODEL failure the IDEAL fixed: the failing MODEL block and the IDEAL block that fixes it"),
    "critique": ("training a reviewer", "TRL prompt-completion (`prompt`, `completion`)",
                 "prompt and MODEL answer in, generated failure report out"),
}

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


def _load_snippet(cfg: str) -> str:
    return (f'```python\nfrom datasets import load_dataset\n\nds = load_dataset("<repo or folder>", "{cfg}")\n```')


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
            "This dataset turns those labels into six configs for supervised, preference, classification, "
            "repair and critique training.", ""]
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
    for cfg in CONFIG_NAMES:
        if cfg not in result.rows:
            continue
        cols = ", ".join(f"`{name}`" for name in features(cfg))
        out += [f"### `{cfg}`", "", f"For {CONFIG_DOCS[cfg][0]}: {CONFIG_DOCS[cfg][2]}. Columns: {cols}.", ""]
        out += [_load_snippet(cfg), ""]
    out += ["The `labels` config encodes `labels` as a list of class ids over every category of drdata's full "
            "taxonomy and `severity` as the highest severity among them (`none` when nothing was detected); "
            "`fixed_labels` and `fixed_severity` keep, on MODEL rows, only the failures the IDEAL fixed. "
            "`ds.features[\"labels\"].feature.names` maps ids back to category ids.", ""]
    out += ["## Splits", "",
            f"`train` / `validation` / `test` take about {', '.join(f'{f:.0%}' for f in filters['fractions'])} of "
            f"the task groups, by a hash of the group (seed {filters['seed']}), so a split never changes when other "
            "tasks are added or filtered out. All rows of one task are in one split. Tasks with the same prompt "
            "(case and whitespace ignored), nearly the same prompt (word 5-gram Jaccard >= 0.9), a byte-identical "
            f"failure report or the same answer form one group: {g.merged_groups} groups hold "
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
        sel.append(f"- Rows whose text columns add up to at most {filters['max_chars']} characters.")
    out += sel + [""]
    if result.dropped_tasks:
        out += [_table(["tasks left out", "count"], [[k, v] for k, v in result.dropped_tasks.items()]), ""]
    drops = [[f"`{cfg}`", k, v] for cfg, d in sorted(result.dropped_rows.items()) for k, v in sorted(d.items())]
    if drops:
        out += [_table(["config", "rows left out", "count"], drops), ""]
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
            "- `repair` pairs a MODEL block with the IDEAL block at the same address or, for a renamed resource, "
            "the most similar IDEAL block of the same kind; that pairing can be wrong when several blocks of a "
            "kind exist.",
            "- `critique` completions are generated from the detector findings, so a reviewer trained on them "
            "learns drdata's taxonomy and its blind spots.",
            "- The `sft` config carries both the prompt-completion and the conversational columns; keep one "
            "family (for example `ds.remove_columns(\"messages\")`) when a trainer would be confused by both.",
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
