"""The dataset configs: typed features and the rows of each, built from one labeled task at a time.

Every config carries exactly one column family that TRL recognises, so that no trainer has to guess which
one to use (TRL picks among several with ``set.pop()``, which depends on ``PYTHONHASHSEED``):

- ``sft``: prompt-completion (``prompt``, ``completion``: strings), for ``SFTTrainer``;
- ``sft_messages``: conversational language modeling (``messages`` = list of ``{role, content}``);
- ``preference``: standard preference (``prompt``, ``chosen``, ``rejected``) for ``DPOTrainer``;
- ``kto``: unpaired preference (``prompt``, ``completion``, ``label`` bool) for ``KTOTrainer``;
- ``repair``, ``critique``: prompt-completion;
- ``labels``: multi-label text classification (``text``, ``labels`` = float multi-hot) for the transformers
  ``Trainer``; no TRL column at all.

Every row also says how long it is: ``n_chars`` (characters of the longest sequence a trainer builds from the
row: prompt + completion, prompt + the longer of chosen / rejected, the text) and ``n_tokens_est``, a
tokenizer-free estimate of its tokens (:func:`estimate_tokens`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from datasets import ClassLabel, Features, List, Value

from drdata.export.names import CONFIG_NAMES  # noqa: F401  (one list for CLI and library)
from drdata.taxonomy import SEVERITIES, SEVERITY_RANK, category, category_ids

META = {
    "platform": Value("string"),
    "complexity": Value("string"),
    "subtask": Value("string"),
    "training_quality": Value("float64"),
}
LENGTH = {"n_chars": Value("int64"), "n_tokens_est": Value("int64")}
FIXED_COUNTS = {f"fixed_{s.lower()}": Value("int32") for s in SEVERITIES}
MESSAGE = {"role": Value("string"), "content": Value("string")}

# Characters per token the estimate assumes. Measured on 600 texts of the shared corpus (prompts, answers,
# blocks, reports): cl100k, o200k and Llama 3 count 3.6-4.9 characters per token (p10-p90, median 4.1), so
# chars / 3 is above their count for 99 % of texts, by about a third at the median. Tokenizers with a smaller
# vocabulary (32k) come closer to it.
CHARS_PER_TOKEN = 3.0


def estimate_tokens(n_chars: int) -> int:
    """A tokenizer-free, deliberately generous token count for ``n_chars`` characters of this data."""
    return int(math.ceil(n_chars / CHARS_PER_TOKEN))


def label_names() -> list[str]:
    """The label space of the ``labels`` config, in the order of the multi-hot vector: the full taxonomy."""
    return category_ids("full")


def features(config: str) -> Features:
    """Typed features of one config (the label space is the full taxonomy, whatever was labeled)."""
    names = label_names()
    if config == "sft":
        cols = {"prompt": Value("string"), "completion": Value("string"), "file": Value("string"),
                "task_id": Value("string"), **LENGTH, **META}
    elif config == "sft_messages":
        cols = {"messages": List(MESSAGE), "file": Value("string"), "task_id": Value("string"), **LENGTH, **META}
    elif config == "preference":
        cols = {"prompt": Value("string"), "chosen": Value("string"), "rejected": Value("string"),
                "file": Value("string"), "task_id": Value("string"), "fixed_categories": List(Value("string")),
                **FIXED_COUNTS, **LENGTH, **META}
    elif config == "kto":
        cols = {"prompt": Value("string"), "completion": Value("string"), "label": Value("bool"),
                "task_id": Value("string"), **LENGTH, **META}
    elif config == "labels":
        cols = {"text": Value("string"), "labels": List(Value("float32"), length=len(names)),
                "categories": List(ClassLabel(names=names)), "fixed_categories": List(ClassLabel(names=names)),
                "side": Value("string"), "task_id": Value("string"), **LENGTH, **META}
    elif config == "repair":
        cols = {"prompt": Value("string"), "completion": Value("string"), "task_id": Value("string"),
                "category": Value("string"), "severity": Value("string"), "detector": Value("string"),
                "message": Value("string"), "address": Value("string"), "kind": Value("string"),
                "part": Value("string"), "change": Value("string"), "model_block": Value("string"),
                "ideal_blocks": Value("string"), "ideal_addresses": List(Value("string")), "match": Value("string"),
                **LENGTH, **META}
    elif config == "critique":
        cols = {"prompt": Value("string"), "completion": Value("string"), "task_id": Value("string"),
                "address": Value("string"), "file": Value("string"), "line": Value("int32"),
                "categories": List(Value("string")), "severity": Value("string"), **LENGTH, **META}
    else:
        raise ValueError(f"unknown config {config!r}: choose from {', '.join(CONFIG_NAMES)}")
    return Features(cols)


# The column families TRL recognises (its dataset formats), by the columns that make them. A config must hold
# exactly one of them, and no column TRL reads that is not part of it.
TRL_COLUMNS = ("prompt", "completion", "chosen", "rejected", "messages", "text", "label")
TRL_FAMILIES = {
    "sft": ("prompt", "completion"),
    "sft_messages": ("messages",),
    "preference": ("prompt", "chosen", "rejected"),
    "kto": ("prompt", "completion", "label"),
    "labels": ("text",),  # text classification; `labels` is read by the transformers Trainer
    "repair": ("prompt", "completion"),
    "critique": ("prompt", "completion"),
}

# The column that holds what a model is given: no value of it may appear in two splits.
PROMPT_COLUMN = {"sft": "prompt", "sft_messages": "messages", "preference": "prompt", "kto": "prompt",
                 "labels": "text", "repair": "prompt", "critique": "prompt"}
# Rows equal on these columns are duplicates (one is kept) ...
UNIQUE_COLUMNS = {
    "sft": ("prompt", "completion"),
    "sft_messages": ("messages",),
    "preference": ("prompt", "chosen", "rejected"),
    "kto": ("prompt", "completion", "label"),
    "labels": ("text", "labels"),
    "repair": ("prompt", "completion"),
    "critique": ("prompt", "completion"),
}
# ... and rows equal on these but not on the above contradict each other (the first one is kept).
CONFLICT_COLUMNS = {"kto": ("prompt", "completion"), "labels": ("text",), "repair": ("prompt",),
                    "critique": ("prompt",)}


def sequence_chars(config: str, row: dict) -> int:
    """Characters of the longest sequence a trainer builds from a row."""
    if config == "sft_messages":
        return sum(len(m["content"]) for m in row["messages"])
    if config == "preference":
        return len(row["prompt"]) + max(len(row["chosen"]), len(row["rejected"]))
    if config == "labels":
        return len(row["text"])
    return len(row["prompt"]) + len(row["completion"])


def sequence_texts(config: str, row: dict) -> list[str]:
    """The sequences a trainer tokenizes for a row (for counting tokens with a real tokenizer)."""
    if config == "sft_messages":
        return ["".join(m["content"] for m in row["messages"])]
    if config == "preference":
        return [row["prompt"] + row["chosen"], row["prompt"] + row["rejected"]]
    if config == "labels":
        return [row["text"]]
    return [row["prompt"] + row["completion"]]


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

    def skip(self, why: str) -> None:
        """Count a row a builder left out (reported by the exporter)."""
        skipped = self.extra.setdefault("skipped", {})
        skipped[why] = skipped.get(why, 0) + 1


# -- per-file views of an answer --------------------------------------------------------------

def answer_files(cfg) -> dict[str | None, str]:
    """Terraform code of a parsed answer by the file the answer puts it in (``None``: no file named), in the
    order the answer shows them. Code blocks of one file are joined."""
    out: dict[str | None, list[str]] = {}
    for cb in cfg.code_blocks:
        text = cb.text.strip("\n")
        if text.strip():
            out.setdefault(cb.file, []).append(text)
    return {f: "\n\n".join(parts) for f, parts in out.items()}


def file_prompt(prompt: str, file: str) -> str:
    return f"{prompt}\n\nWrite only the file `{file}` of your answer, as one HCL code block."


def file_completion(code: str) -> str:
    return f"```hcl\n{code}\n```"


def _files_or_skip(t: TaskRecord, cfg) -> dict[str, str] | None:
    files = answer_files(cfg)
    named = {f: c for f, c in files.items() if f}
    if not named:
        t.skip("answer names no file (file granularity)")
        return None
    if None in files:
        t.skip("code block outside any named file (file granularity)")
    return named


# -- task-level configs ---------------------------------------------------------------------

def sft_rows(t: TaskRecord, granularity: str = "answer") -> Iterator[dict]:
    if granularity == "answer":
        yield {"prompt": t.prompt, "completion": t.ideal, "file": None, "task_id": t.task_id, **t.meta}
        return
    files = _files_or_skip(t, t.parsed()[1])
    for name, code in (files or {}).items():
        yield {"prompt": file_prompt(t.prompt, name), "completion": file_completion(code), "file": name,
               "task_id": t.task_id, **t.meta}


def sft_messages_rows(t: TaskRecord, granularity: str = "answer") -> Iterator[dict]:
    for row in sft_rows(t, granularity):
        prompt, completion = row.pop("prompt"), row.pop("completion")
        yield {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": completion}],
               **row}


def preference_rows(t: TaskRecord, granularity: str = "answer") -> Iterator[dict]:
    if _same(t.model, t.ideal):
        t.skip("MODEL and IDEAL answers are the same text")
        return  # nothing to prefer
    extra = {"task_id": t.task_id, "fixed_categories": t.fixed_categories(), **t.fixed_counts(), **t.meta}
    if granularity == "answer":
        yield {"prompt": t.prompt, "chosen": t.ideal, "rejected": t.model, "file": None, **extra}
        return
    model_cfg, ideal_cfg = t.parsed()
    ideal_files = _files_or_skip(t, ideal_cfg) or {}
    # Matched on the base name: one answer writes lib/main.tf where the other writes main.tf.
    model_files = {f.rsplit("/", 1)[-1]: c for f, c in answer_files(model_cfg).items() if f}
    for name, code in ideal_files.items():
        other = model_files.get(name.rsplit("/", 1)[-1])
        if other is None:
            t.skip("file only in the IDEAL answer (file granularity)")
        elif _same(other, code):
            t.skip("file the same in both answers (file granularity)")
        else:
            yield {"prompt": file_prompt(t.prompt, name), "chosen": file_completion(code),
                   "rejected": file_completion(other), "file": name, **extra}


def kto_rows(t: TaskRecord, granularity: str = "answer") -> Iterator[dict]:
    if _same(t.model, t.ideal):
        t.skip("MODEL and IDEAL answers are the same text")
        return  # one text cannot be both desirable and undesirable
    yield {"prompt": t.prompt, "completion": t.ideal, "label": True, "task_id": t.task_id, **t.meta}
    yield {"prompt": t.prompt, "completion": t.model, "label": False, "task_id": t.task_id, **t.meta}


def labels_rows(t: TaskRecord, granularity: str = "answer") -> Iterator[dict]:
    names = label_names()
    order = {c: i for i, c in enumerate(names)}
    for side, text, col in (("model", t.model, "model_findings"), ("ideal", t.ideal, "ideal_findings")):
        hits = sorted((r["category"] for r in t.labels if (r.get(col) or 0) > 0 and r["category"] in order),
                      key=order.__getitem__)
        # What the IDEAL fixed: failures of the MODEL answer confirmed by the correction.
        fixed = [r["category"] for r in t.labels if side == "model" and r["status"] == "fixed"
                 and (r.get(col) or 0) > 0 and r["category"] in order]
        hot = [0.0] * len(names)
        for c in hits:
            hot[order[c]] = 1.0
        yield {"text": text, "labels": hot, "categories": hits, "fixed_categories": sorted(fixed, key=order.__getitem__),
               "side": side, "task_id": t.task_id, **t.meta}


# -- repair ---------------------------------------------------------------------------------

def repair_prompt(category_id: str, severity: str, message: str, block: str) -> str:
    try:
        title = category(category_id).title
    except KeyError:
        title = category_id
    return (f"This Terraform block has a {severity.lower()}-severity problem: {title}.\n{message}\n\n"
            f"```hcl\n{block}\n```\n\nRewrite it so that the problem is fixed. Answer with the corrected block(s).")


def _entries(cfg):
    from drdata.labeling.diff import entries

    return entries(cfg)


def _part_values(entry, part: str) -> tuple[str, ...] | None:
    """Normalised source of every value of ``entry`` at the finding's part (an attribute path, or a nested
    block whose attributes are listed under it); None when the part names no attribute path at all."""
    attr = (part or "").split("#", 1)[0]
    if not attr or entry is None:
        return None
    hits = tuple(src for path, src in entry.values
                 if path == attr or path.endswith("." + attr) or path.startswith(attr + ".")
                 or ("." + attr + ".") in path)
    return hits


def repair_rows(t: TaskRecord, granularity: str = "answer") -> Iterator[dict]:
    """One row per MODEL finding the IDEAL repaired *in the block it points at*, paired with the IDEAL block the
    labeler recorded as its counterpart (same or renamed block, the declaration of an undeclared object, the
    resource that replaced a module, a connected resource the IDEAL added).

    Left out (counted): findings without a counterpart block; counterparts whose text is the MODEL block's;
    and counterparts that differ only elsewhere, not in what the finding is about (its ``part``, an attribute
    the rule reads: the suffix of a ``name`` comes from a local the block does not show, the IDEAL only
    changed the tags)."""
    fixed = [f for f in t.findings if f["side"] == "model" and bool(f.get("fixed"))]
    if not fixed:
        return
    model_cfg, ideal_cfg = t.parsed()
    model_entries, ideal_entries = _entries(model_cfg), _entries(ideal_cfg)
    for f in fixed:
        mentry = model_entries.get(f.get("holder") or f["address"]) or model_entries.get(f["address"])
        source = (mentry.source if mentry is not None else (f.get("evidence") or "")).strip()
        if not source:
            t.skip("no MODEL block")
            continue
        chosen = ideal_entries.get(f.get("counterpart_address") or "")
        if chosen is None:
            t.skip("no IDEAL counterpart block")
            continue
        change = f.get("change") or ""
        blocks = [chosen]
        match = "address" if chosen.address == f["address"] else "counterpart"
        if mentry is not None and chosen.kind != mentry.kind and change.startswith("added "):
            # The repair is a resource the IDEAL added beside the block (versioning for a bucket): show the
            # IDEAL's own version of the block first, then what was added.
            own = ideal_entries.get(mentry.address)
            blocks = ([own] if own is not None else []) + [chosen]
            match = "companion"
        elif _same(chosen.source, source) or change == "unchanged":
            t.skip("IDEAL block identical to the MODEL block")
            continue
        else:
            before = _part_values(mentry, f.get("part") or "")
            after = _part_values(chosen, f.get("part") or "")
            if before is not None and after is not None and (before or after) and before == after:
                t.skip("IDEAL block differs, but not in what the finding is about")
                continue
        ideal_text = "\n\n".join(b.source.strip() for b in blocks)
        yield {"prompt": repair_prompt(f["category"], f["severity"], f["message"], source),
               "completion": f"```hcl\n{ideal_text}\n```",
               "task_id": t.task_id, "category": f["category"], "severity": f["severity"],
               "detector": f["detector"], "message": f["message"], "address": f["address"], "kind": f["kind"],
               "part": f.get("part") or "", "change": change, "model_block": source, "ideal_blocks": ideal_text,
               "ideal_addresses": [b.address for b in blocks], "match": match, **t.meta}


# -- critique -------------------------------------------------------------------------------

CRITIQUE_INSTRUCTION = ("Review this excerpt of a Terraform answer written for the task below. List its "
                        "failures: for each, the category, its severity, the line and how to fix it.")
CRITIQUE_TASK_CHARS = 1500  # the task prompt is cut (at a paragraph or line end) past this
CRITIQUE_BLOCK_LINES = 80  # a longer block is cut to the lines around its findings
_CONTEXT_LINES = 12
_GENERIC_CHANGES = ("", "unchanged", "the IDEAL no longer has the failure here")


def shorten(text: str, limit: int = CRITIQUE_TASK_CHARS) -> str:
    """``text`` cut at a paragraph (else line, else word) end before ``limit`` characters, marked when cut."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    for sep in ("\n\n", "\n", " "):
        cut = head.rfind(sep)
        if cut > limit // 2:
            head = head[:cut]
            break
    return head.rstrip() + "\n\n[... task description shortened]"


def excerpt(source: str, first_line: int, lines: list[int], limit: int = CRITIQUE_BLOCK_LINES
            ) -> tuple[str, int, int]:
    """(code, first line, last line) of a block, cut to windows around ``lines`` when longer than ``limit``."""
    rows = source.rstrip("\n").split("\n")
    last = first_line + len(rows) - 1
    if len(rows) <= limit:
        return "\n".join(rows), first_line, last
    keep: set[int] = {0, len(rows) - 1}
    for ln in lines or [first_line]:
        i = min(max(ln - first_line, 0), len(rows) - 1)
        keep.update(range(max(0, i - _CONTEXT_LINES), min(len(rows), i + _CONTEXT_LINES + 1)))
    out, prev = [], -1
    for i in sorted(keep):
        if i != prev + 1:
            out.append("  # ...")
        out.append(rows[i])
        prev = i
    return "\n".join(out), first_line, last


def critique_prompt(prompt: str, code: str, file: str | None, first: int, last: int) -> str:
    where = f"`{file}`, " if file else ""
    return (f"{CRITIQUE_INSTRUCTION}\n\n## Task\n\n{shorten(prompt)}\n\n## Excerpt ({where}lines {first}-{last} of "
            f"the answer)\n\n```hcl\n{code}\n```")


def critique_item(f: dict) -> str:
    try:
        cat = category(f["category"])
        title, fix = cat.title, cat.fix
    except KeyError:
        title, fix = f["category"], ""
    line = f" (line {int(f['line'])})" if f.get("line") is not None else ""
    out = f"- **{title}**, {f['severity']}{line}: {f['message']}"
    if fix:
        out += f"\n  Fix: {fix}"
    change = f.get("change") or ""
    if change not in _GENERIC_CHANGES:
        out += f"\n  The corrected answer: {change}."
    return out


def critique_rows(t: TaskRecord, granularity: str = "answer") -> Iterator[dict]:
    """One row per MODEL block holding failures the IDEAL fixed: the task (shortened) and that block in, the
    list of its failures (category, severity, line, message, fix) out. Rows stay short whatever the answer's
    length."""
    fixed = [f for f in t.findings if f["side"] == "model" and bool(f.get("fixed"))]
    if not fixed:
        return
    model_cfg, _ = t.parsed()
    model_entries = _entries(model_cfg)
    by_block: dict[str, list[dict]] = {}
    for f in fixed:
        by_block.setdefault(f.get("holder") or f["address"], []).append(f)
    for address, fs in sorted(by_block.items()):
        entry = model_entries.get(address) or model_entries.get(fs[0]["address"])
        lines = [int(f["line"]) for f in fs if f.get("line") is not None]
        if entry is not None and entry.source.strip():
            code, first, last = excerpt(entry.source, entry.line, lines)
            file = entry.file
        else:
            evidence = next((f["evidence"] for f in fs if (f.get("evidence") or "").strip()), "")
            if not evidence.strip():
                t.skip("no MODEL code to show")
                continue
            first = min(lines) if lines else 0
            code, first, last = excerpt(evidence, first, lines)
            file = fs[0].get("file")
        fs.sort(key=lambda f: (f.get("line") or 0, SEVERITY_RANK.get(f["severity"], 9), f["category"], f["message"]))
        items = list(dict.fromkeys(critique_item(f) for f in fs))
        cats = list(dict.fromkeys(f["category"] for f in fs))
        worst = min((f["severity"] for f in fs), key=lambda s: SEVERITY_RANK.get(s, 9))
        yield {"prompt": critique_prompt(t.prompt, code, file, first, last), "completion": "\n".join(items),
               "task_id": t.task_id, "address": address, "file": file, "line": first, "categories": cats,
               "severity": worst, **t.meta}


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


BUILDERS = {"sft": sft_rows, "sft_messages": sft_messages_rows, "preference": preference_rows, "kto": kto_rows,
            "labels": labels_rows, "repair": repair_rows, "critique": critique_rows}
# Configs whose rows follow the granularity option.
GRANULAR = ("sft", "sft_messages", "preference")

# Row order inside a split: the task, then what tells rows of one task apart.
SORT_KEYS = {
    "sft": ("task_id", "file"),
    "sft_messages": ("task_id", "file"),
    "preference": ("task_id", "file"),
    "kto": ("task_id", "label"),
    "labels": ("task_id", "side"),
    "repair": ("task_id", "category", "address", "message", "detector"),
    "critique": ("task_id", "address"),
}
