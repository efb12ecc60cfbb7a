"""Train every exported config for a few steps, as a user would, under three PYTHONHASHSEED values.

    pip install torch==2.13.0          # a CPU build first (a plain `torch` pulls several GB of CUDA)
    pip install -e '.[train]'
    python benchmarks/train_smoke.py [--labels DIR] [--out DIR] [--steps 2] [--rows 4]

It labels the shared corpus (or reads ``--labels``), exports it with ``drdata export``'s defaults, checks the
structural rules (``drdata.export.rules.check_export``), builds a tiny byte-level BPE tokenizer and a one-layer
Llama on this machine (``tiny_models.py``: no download), then, in one child process per PYTHONHASHSEED (0, 1,
2), loads every config with ``datasets.load_dataset(DIR, CONFIG)`` and hands it unchanged (the shortest
``--rows`` rows of ``train``: a few steps do not need more) to the trainer its card names: TRL SFTTrainer
(sft, sft_messages, repair, critique), DPOTrainer (preference), KTOTrainer (kto), the transformers Trainer
(labels), and a GRPOTrainer whose rewards are ``drdata.rewards.terraform_reward`` and ``format_reward`` (prompts
of the ``sft`` config cut to 400 characters; a tiny random model writes no Terraform, so its rewards are the
floor: the smoke checks that the loop runs and the rewards are finite, not that they rise).

Printed per config: rows, rows kept at 512 / 2k / 8k estimated tokens (``n_tokens_est``) and at the same budgets
counted with the tiny tokenizer, then per seed the path TRL took (conversational or not), the share of
tokenized rows of the whole train split ending with EOS (input_ids for SFT, chosen and rejected for
DPO, completion for KTO), and whether every logged loss (reward for GRPO) was finite.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SEEDS = ("0", "1", "2")
BUDGETS = (512, 2048, 8192)
TRL = {"sft": "SFT", "sft_messages": "SFT", "repair": "SFT", "critique": "SFT", "preference": "DPO", "kto": "KTO"}


def _quiet() -> None:
    warnings.filterwarnings("ignore")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import datasets
    import transformers

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


def _losses(trainer, key: str = "loss") -> list[float]:
    return [float(e[k]) for e in trainer.state.log_history for k in (key, "train_loss") if k in e]


def _ends_with_eos(ds, eos: int, column: str = "input_ids") -> float | None:
    if column not in ds.column_names:
        return None
    ids = ds[column]
    return sum(bool(x) and x[-1] == eos for x in ids) / len(ids) if ids else None


def _shortest_indices(ds, n: int) -> list[int]:
    lengths = ds["n_tokens_est"]
    return sorted(range(ds.num_rows), key=lambda i: (lengths[i], i))[:n]


def _shortest(ds, n: int):
    return ds.select(_shortest_indices(ds, n))


def train_one(cfg: str, ds_dir: str, model_dir: str, steps: int, rows: int, work: str) -> dict:
    from datasets import load_dataset
    from transformers import AutoTokenizer
    from trl.data_utils import is_conversational

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    ds = load_dataset(ds_dir, "sft" if cfg == "grpo" else cfg)
    train = _shortest(ds["train"], rows)
    common = {"output_dir": f"{work}/{cfg}", "max_steps": steps, "per_device_train_batch_size": 2,
              "logging_steps": 1, "save_strategy": "no", "report_to": "none", "use_cpu": True, "bf16": False,
              "seed": 0, "disable_tqdm": True}
    out: dict = {"rows_trained": train.num_rows}
    if cfg in TRL:
        import trl

        kind = TRL[cfg]
        full = ds["train"]
        out["conversational"] = is_conversational(full[0])
        # The whole train split goes through TRL's own preprocessing (no max_length: nothing is cut), so the EOS
        # share is measured on every row; the few training steps then use the shortest rows.
        conf = getattr(trl, f"{kind}Config")(max_length=None, **common)
        trainer = getattr(trl, f"{kind}Trainer")(model=model_dir, args=conf, train_dataset=full,
                                                 processing_class=tokenizer)
        columns = {"SFT": ("input_ids",), "DPO": ("chosen_ids", "rejected_ids"), "KTO": ("completion_ids",)}[kind]
        shares = [_ends_with_eos(trainer.train_dataset, tokenizer.eos_token_id, c) for c in columns]
        out["eos"] = min(shares) if None not in shares else None
        out["eos_rows"] = trainer.train_dataset.num_rows
        trainer.train_dataset = trainer.train_dataset.select(_shortest_indices(full, rows))
        out["rows_trained"] = rows
        trainer.train()
        losses = _losses(trainer)
    elif cfg == "labels":
        from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding, Trainer, TrainingArguments

        names = ds["train"].features["categories"].feature.names
        model = AutoModelForSequenceClassification.from_pretrained(
            model_dir, num_labels=len(names), problem_type="multi_label_classification",
            id2label=dict(enumerate(names)), label2id={n: i for i, n in enumerate(names)})
        tok = train.map(lambda b: tokenizer(b["text"], truncation=True, max_length=512), batched=True,
                        remove_columns=[c for c in train.column_names if c != "labels"])
        trainer = Trainer(model=model, args=TrainingArguments(**common), train_dataset=tok,
                          data_collator=DataCollatorWithPadding(tokenizer))
        trainer.train()
        losses = _losses(trainer)
    elif cfg == "grpo":
        from trl import GRPOConfig, GRPOTrainer

        from drdata.rewards import format_reward, terraform_reward

        prompts = ds["train"].select_columns(["prompt"]).select(range(min(rows, ds["train"].num_rows)))
        prompts = prompts.map(lambda r: {"prompt": r["prompt"][:400]})
        conf = GRPOConfig(max_completion_length=24, num_generations=2, generation_batch_size=2,
                          **{**common, "per_device_train_batch_size": 2})
        trainer = GRPOTrainer(model=model_dir, reward_funcs=[terraform_reward, format_reward], args=conf,
                              train_dataset=prompts, processing_class=tokenizer)
        trainer.train()
        losses = [float(e["reward"]) for e in trainer.state.log_history if "reward" in e]
        out["rewards_logged"] = len(losses)
    else:
        raise ValueError(cfg)
    out["finite"] = bool(losses) and all(math.isfinite(x) for x in losses)
    out["losses"] = [round(x, 4) for x in losses]
    return out


def child(args) -> None:
    _quiet()
    results = {}
    for cfg in args.configs.split(","):
        t0 = time.perf_counter()
        try:
            r = train_one(cfg, args.ds, args.model, args.steps, args.rows, args.work)
        except Exception as exc:  # reported, not raised: the parent prints every config's outcome
            r = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        r["seconds"] = round(time.perf_counter() - t0, 1)
        results[cfg] = r
    print("RESULT " + json.dumps(results), flush=True)


def parent(args) -> int:
    _quiet()
    from datasets import load_dataset
    from tiny_models import save_tiny

    from drdata.export import CONFIG_NAMES, export_datasets
    from drdata.export.configs import sequence_texts
    from drdata.export.rules import check_export

    work = Path(args.out or tempfile.mkdtemp(prefix="drdata-train-smoke-"))
    labels = args.labels
    if labels is None:
        from _corpus import shared_corpus

        from drdata.labeling.batch import label_corpus
        from drdata.labeling.store import write_outputs

        labels = work / "labels"
        write_outputs(label_corpus(shared_corpus(), progress=False), labels)
    ds_dir = work / "dataset"
    t0 = time.perf_counter()
    result = export_datasets(labels, ds_dir)
    print(f"exported {sum(sum(v.values()) for v in result.rows.values())} rows in {time.perf_counter() - t0:.0f}s "
          f"to {ds_dir}")
    rules = check_export(ds_dir)
    print("structural rules:", "all hold" if not any(rules.values()) else json.dumps(rules))
    print("dedup:", json.dumps(result.dedup))
    sample = []
    for cfg in CONFIG_NAMES:
        tr = load_dataset(str(ds_dir), cfg)["train"]
        sample += [t for r in tr.select(range(min(60, tr.num_rows))) for t in sequence_texts(cfg, r)]
    model_dir = save_tiny(sample, work / "tiny-model", vocab_size=4000)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    kept: dict[str, dict] = {}
    for cfg in CONFIG_NAMES:
        dd = load_dataset(str(ds_dir), cfg)
        rows = [r for split in dd.values() for r in split]
        counted = [max(len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in sequence_texts(cfg, r))
                   for r in rows]
        kept[cfg] = {"rows": len(rows), **{f"est_{b}": sum(r["n_tokens_est"] <= b for r in rows) for b in BUDGETS},
                     **{f"tiny_{b}": sum(n <= b for n in counted) for b in BUDGETS}}
    configs = [*CONFIG_NAMES, "grpo"] if not args.no_grpo else list(CONFIG_NAMES)
    per_seed: dict[str, dict] = {}
    for seed in SEEDS:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        cmd = [sys.executable, __file__, "--child", "--ds", str(ds_dir), "--model", str(model_dir), "--steps",
               str(args.steps), "--rows", str(args.rows), "--work", str(work / f"seed{seed}"), "--configs",
               ",".join(configs)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            print(f"seed {seed}: child failed (exit {proc.returncode})\n{proc.stderr[-3000:]}")
            return 1
        per_seed[seed] = json.loads(line[len("RESULT "):])
        print(f"PYTHONHASHSEED={seed}: {time.perf_counter() - t0:.0f}s")
    print()
    head = ["config", "rows", "est<=512", "est<=2k", "est<=8k", "tiny<=512", "tiny<=2k", "tiny<=8k"]
    head += [f"seed {s}: path / EOS / loss" for s in SEEDS]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    ok = not any(rules.values())
    for cfg in configs:
        k = kept.get(cfg, {})
        cells = [cfg, k.get("rows", "-")] + [k.get(f"est_{b}", "-") for b in BUDGETS] + [k.get(f"tiny_{b}", "-")
                                                                                          for b in BUDGETS]
        for seed in SEEDS:
            r = per_seed[seed].get(cfg, {})
            if "error" in r:
                cells.append("ERROR " + r["error"][:120])
                ok = False
                continue
            path = ("chat" if r.get("conversational") else "plain") if "conversational" in r else "-"
            eos = f"EOS {100 * r['eos']:.0f}% of {r['eos_rows']}" if r.get("eos") is not None else "-"
            loss = ("finite" if r["finite"] else "NOT FINITE") + f" ({r['rows_trained']} rows, " \
                f"{'reward' if cfg == 'grpo' else 'loss'} {r['losses'][-1] if r['losses'] else '-'})"
            ok = ok and r["finite"] and r.get("eos") in (None, 1.0)
            cells.append(f"{path} / {eos} / {loss}")
        print("| " + " | ".join(str(c) for c in cells) + " |")
    paths = {cfg: {per_seed[s].get(cfg, {}).get("conversational") for s in SEEDS} for cfg in configs}
    same = all(len(p) == 1 for p in paths.values())
    print(f"\nsame TRL path under every seed: {same}; every config trained with finite loss"
          f"{' and EOS on 100% of SFT rows' if ok else ''}: {ok}")
    return 0 if ok and same else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labels", type=Path, default=None, help="a `drdata label` folder (default: label the shared "
                                                             "corpus)")
    ap.add_argument("--out", type=Path, default=None, help="work folder (default: a new temporary folder)")
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--rows", type=int, default=4)
    ap.add_argument("--no-grpo", action="store_true")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--ds", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--configs", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return 0
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
