"""The dataset configs: typed features and the rows of each, built from one labeled task at a time.

Column names follow TRL's documented dataset formats:

- ``sft``: prompt-completion (``prompt``, ``completion``) and conversational language modeling
  (``messages`` = list of ``{role, content}``) side by side;
- ``preference``: standard preference (``prompt``, ``chosen``, ``rejected``) for DPO-style trainers;
- ``kto``: unpaired preference (``prompt``, ``completion``, ``label`` bool);
- ``repair``, ``critique``: prompt-completion;
- ``labels``: a text classification set (``text``, multi-label ``labels``, ``severity``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from datasets import ClassLabel, Features, List, Value

from drdata.export.names import CONFIG_NAMES  # noqa: F401  (one list for CLI and library)
from drdata.taxonomy import SEVERITIES, SEVERITY_RANK, category, category_ids

SEVERITY_NAMES = ("none", "Low", "Medium", "High", "Critical")  # ascending, so the class id orders severity

META = {
    "platform": Value("string"),
    "complexity": Value("string"),
    "subtask": Value("string"),
    "training_quality": Value("float64"),
}
FIXED_COUNTS = {f"fixed_{s.lower()}": Value("int32") for s in SEVERITIES}
MESSAGE = {"role": Value("string"), "content": Value("string")}


def features(config: str) -> Features:
    """Typed features of one config (the label space is the full taxonomy, whatever was labeled)."""
    if config == "sft":
        cols = {"prompt": Value("string"), "completion": Value("string"), "messages": List(MESSAGE),
                "task_id": Value("string"), **META}
    elif config == "preference":
        cols = {"prompt": Value("string"), "chosen": Value("string"), "rejected": Value("string"),
                "task_id": Value("string"), "fixed_categories": List(Value("string")), **FIXED_COUNTS, **META}
    elif config == "kto":
        cols = {"prompt": Value("string"), "completion": Value("string"), "label": Value("bool"),
                "task_id": Value("string"), **META}
    elif config == "labels":
        cols = {"text": Value("string"), "labels": List(ClassLabel(names=category_ids("full"))),
                "severity": ClassLabel(names=list(SEVERITY_NAMES)), "side": Value("string"),
                "fixed_labels": List(ClassLabel(names=category_ids("full"))),
                "fixed_severity": ClassLabel(names=list(SEVERITY_NAMES)),
                "task_id": Value("string"), **META}
    elif config == "repair":
        cols = {"prompt": Value("string"), "completion": Value("string"), "task_id": Value("string"),
                "category": Value("string"), "severity": Value("string"), "detector": Value("string"),
                "message": Value("string"), "address": Value("string"), "kind": Value("string"),
                "model_block": Value("string"), "ideal_blocks": Value("string"),
                "ideal_addresses": List(Value("string")), "match": Value("string"), **META}
    elif config == "critique":
        cols = {"prompt": Value("string"), "completion": Value("string"), "task_id": Value("string"),
                "fixed_categories": List(Value("string")), **FIXED_COUNTS, **META}
    else:
        raise ValueError(f"unknown config {config!r}: choose from {', '.join(CONFIG_NAMES)}")
    return Features(cols)


# Text columns whose summed length the ``max_chars`` filter limits.
TEXT_COLUMNS = {
    "sft": ("prompt", "completion"),
    "preference": ("prompt", "chosen", "rejected"),
    "kto": ("prompt", "completion"),
    "labels": ("text",),
    "repair": ("prompt", "completion"),
    "critique": ("prompt", "completion"),
}


@dataclass
class TaskRecord:
    """Everything the row builders need about one selected task."""

    task_id: str
    prompt: str
    model: str
    ideal: str
    meta: dict[str, Any]
    labels: list[dict]  # labels.parquet rows of this task
    findings: list[dict]  # findings.parquet rows of this task
    parsed: Any = None  # () -> (model TerraformConfig, ideal TerraformConfig), set by the exporter
    extra: dict = field(default_factory=dict)

    def fixed_categories(self) -> list[str]:
        """Fixed categories, most severe first, then taxonomy order."""
        order = {c: i for i, c in enumerate(category_ids("full"))}
        fixed = [r for r in self.labels if r["status"] == "fixed"]
        fixed.sort(key=lambda r: (SEVERITY_RANK.get(r["severity"], 9), order.get(r["category"], 10**6),
                                  r["category"]))
        return [r["category"] for r in fixed]

    def fixed_counts(self) -> dict[str, int]:
        counts = {f"fixed_{s.lower()}": 0 for s in SEVERITIES}
        for r in self.labels:
            if r["status"] == "fixed" and r["severity"] in SEVERITIES:
                counts[f"fixed_{r['severity'].lower()}"] += 1
        return counts


def sft_rows(t: TaskRecord) -> Iterator[dict]:
    yield {"prompt": t.prompt, "completion": t.ideal,
           "messages": [{"role": "user", "content": t.prompt}, {"role": "assistant", "content": t.ideal}],
           "task_id": t.task_id, **t.meta}


def preference_rows(t: TaskRecord) -> Iterator[dict]:
    if _same(t.model, t.ideal):
        return  # nothing to prefer
    yield {"prompt": t.prompt, "chosen": t.ideal, "rejected": t.model, "task_id": t.task_id,
           "fixed_categories": t.fixed_categories(), **t.fixed_counts(), **t.meta}


def kto_rows(t: TaskRecord) -> Iterator[dict]:
    if _same(t.model, t.ideal):
        return  # one text cannot be both desirable and undesirable
    yield {"prompt": t.prompt, "completion": t.ideal, "label": True, "task_id": t.task_id, **t.meta}
    yield {"prompt": t.prompt, "completion": t.model, "label": False, "task_id": t.task_id, **t.meta}


def labels_rows(t: TaskRecord) -> Iterator[dict]:
    order = {c: i for i, c in enumerate(category_ids("full"))}
    for side, text, col in (("model", t.model, "model_findings"), ("ideal", t.ideal, "ideal_findings")):
        hits = sorted((r for r in t.labels if (r.get(col) or 0) > 0 and r["category"] in order),
                      key=lambda r: order[r["category"]])
        # What the IDEAL fixed: failures of the MODEL answer confirmed by the correction.
        fixed = [r for r in hits if r["status"] == "fixed"] if side == "model" else []
        yield {"text": text, "labels": [r["category"] for r in hits], "severity": _highest(hits), "side": side,
               "fixed_labels": [r["category"] for r in fixed], "fixed_severity": _highest(fixed),
               "task_id": t.task_id, **t.meta}


def _highest(rows: list[dict]) -> str:
    ranks = [SEVERITY_NAMES.index(r["severity"]) for r in rows if r["severity"] in SEVERITY_NAMES]
    return SEVERITY_NAMES[max(ranks, default=0)]


# -- repair ---------------------------------------------------------------------------------

def _blocks_by_address(cfg) -> dict[str, Any]:
    from drdata.detectors.registry import block_address

    out: dict[str, Any] = {}
    for b in cfg.all_blocks():
        out.setdefault(block_address(b), b)
    return out


def repair_prompt(category_id: str, severity: str, message: str, block: str) -> str:
    try:
        title = category(category_id).title
    except KeyError:
        title = category_id
    return (f"This Terraform block has a {severity.lower()}-severity problem: {title}.\n{message}\n\n"
            f"```hcl\n{block}\n```\n\nRewrite it so that the problem is fixed. Answer with the corrected block(s).")


def repair_rows(t: TaskRecord) -> Iterator[dict]:
    """One row per MODEL finding the IDEAL repaired, paired with the IDEAL block that the labeler recorded as
    its counterpart (the same or renamed block, the declaration of an undeclared object, the resource that
    replaced a module). Findings without a counterpart block, or whose IDEAL block is the MODEL block
    unchanged, are skipped (counted by the caller)."""
    from drdata.detectors.registry import block_address

    fixed = [f for f in t.findings if f["side"] == "model" and bool(f.get("fixed"))]
    if not fixed:
        return
    model_cfg, ideal_cfg = t.parsed()
    model_blocks, ideal_blocks = _blocks_by_address(model_cfg), _blocks_by_address(ideal_cfg)
    skipped = t.extra.setdefault("repair_skipped", {})

    def skip(why: str) -> None:
        skipped[why] = skipped.get(why, 0) + 1

    for f in fixed:
        mblock = model_blocks.get(f.get("holder") or f["address"]) or model_blocks.get(f["address"])
        source = mblock.source if mblock is not None else (f.get("evidence") or "")
        if not source.strip():
            skip("no MODEL block")
            continue
        chosen = ideal_blocks.get(f.get("counterpart_address") or "")
        if chosen is None:
            skip("no IDEAL counterpart block")
            continue
        if _same(chosen.source, source):
            skip("IDEAL block identical to the MODEL block")
            continue
        match = "address" if block_address(chosen) == f["address"] else "counterpart"
        yield {"prompt": repair_prompt(f["category"], f["severity"], f["message"], source.strip()),
               "completion": f"```hcl\n{chosen.source.strip()}\n```",
               "task_id": t.task_id, "category": f["category"], "severity": f["severity"],
               "detector": f["detector"], "message": f["message"], "address": f["address"], "kind": f["kind"],
               "model_block": source.strip(), "ideal_blocks": chosen.source.strip(),
               "ideal_addresses": [block_address(chosen)], "match": match, **t.meta}


# -- critique -------------------------------------------------------------------------------

CRITIQUE_INSTRUCTION = ("Review the Terraform answer below, written for the task that follows. Report its "
                        "failures: for each, the category, its severity, where it is and how to fix it.")


def critique_prompt(prompt: str, answer: str) -> str:
    return f"{CRITIQUE_INSTRUCTION}\n\n## Task\n\n{prompt}\n\n## Answer\n\n{answer}"


def critique_rows(t: TaskRecord) -> Iterator[dict]:
    report = t.extra.get("report")
    if report is None:
        return
    yield {"prompt": critique_prompt(t.prompt, t.model), "completion": report.strip(), "task_id": t.task_id,
           "fixed_categories": t.fixed_categories(), **t.fixed_counts(), **t.meta}


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


BUILDERS = {"sft": sft_rows, "preference": preference_rows, "kto": kto_rows, "labels": labels_rows,
            "repair": repair_rows, "critique": critique_rows}

# Row order inside a split: the task, then what tells rows of one task apart.
SORT_KEYS = {
    "sft": ("task_id",),
    "preference": ("task_id",),
    "kto": ("task_id", "label"),
    "labels": ("task_id", "side"),
    "repair": ("task_id", "category", "address", "message", "detector"),
    "critique": ("task_id",),
}
