"""Every Python snippet of an export's dataset card runs as written (the folder and a model filled in).

With the optional ``train`` extra (torch, transformers, TRL) each snippet trains a tiny model built here for
real. Without it (the default test run needs no torch) the snippets run against stand-ins of ``torch``, ``trl``
and ``transformers`` that check what the card's code hands them: a non-empty ``datasets.Dataset`` holding the
config's one TRL column family, a ``max_length``, and for ``labels`` a float multi-hot column as long as the
label names, tokenized.
"""

from __future__ import annotations

import math
import os
import re
import sys
import types
from pathlib import Path

import pytest

from tests.test_export import write_corpus, write_labels

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from tiny_models import have_train_extra  # noqa: E402

# DRDATA_SNIPPET_STAND_INS=1 forces the stand-ins (to check that path where the train extra is installed).
REAL = have_train_extra() and not os.environ.get("DRDATA_SNIPPET_STAND_INS")


def snippets(card: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", card, re.S)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from drdata.export import export_datasets

    base = tmp_path_factory.mktemp("card-snippets")
    corpus = write_corpus(base / "corpus")
    labels = write_labels(base / "labels", corpus)
    export_datasets(labels, base / "ds", fractions=(1.0, 0.0, 0.0))
    return base / "ds"


@pytest.fixture(scope="module")
def tiny_model(exported, tmp_path_factory):
    if not REAL:
        return "tiny-model"
    import pandas as pd
    from tiny_models import save_tiny

    texts = [t for p in sorted((exported / "data").rglob("*.parquet")) for col in ("prompt", "completion", "text")
             for t in pd.read_parquet(p).get(col, [])]
    return str(save_tiny(texts, tmp_path_factory.mktemp("tiny") / "model", vocab_size=600))


# -- stand-ins for torch, trl and transformers (used only when they are not installed) ---------------

FAMILIES = {"SFTTrainer": [("prompt", "completion"), ("messages",)], "DPOTrainer": [("prompt", "chosen", "rejected")],
            "KTOTrainer": [("prompt", "completion", "label")]}
TRL_KEYS = {"prompt", "completion", "chosen", "rejected", "messages", "label", "text"}


class _Config:
    def __init__(self, output_dir, max_length=None, use_cpu=False, **kwargs):
        assert isinstance(max_length, int) and max_length > 0
        self.output_dir, self.max_length = output_dir, max_length


def _trl_trainer(name):
    class Trainer:
        def __init__(self, model, train_dataset, args):
            from datasets import Dataset

            assert isinstance(model, str) and model
            assert isinstance(train_dataset, Dataset) and train_dataset.num_rows > 0
            present = TRL_KEYS & set(train_dataset.column_names)
            assert any(present == set(f) for f in FAMILIES[name]), (name, present)
            assert all(n <= args.max_length for n in train_dataset["n_tokens_est"])
            self.calls = 0

        def train(self):
            self.calls += 1

    Trainer.__name__ = name
    return Trainer


class _Tokenizer:
    def __call__(self, texts, truncation=False, max_length=None):
        ids = [[len(w) for w in t.split()][: max_length if truncation else None] for t in texts]
        return {"input_ids": ids, "attention_mask": [[1] * len(i) for i in ids]}


class _Model:
    def __init__(self, name, num_labels, problem_type, id2label, label2id):
        assert problem_type == "multi_label_classification"
        assert len(id2label) == len(label2id) == num_labels
        self.num_labels = num_labels


class _Trainer:
    def __init__(self, model, args, train_dataset, data_collator):
        from datasets import Value

        assert set(train_dataset.column_names) == {"labels", "input_ids", "attention_mask"}
        feature = train_dataset.features["labels"]
        assert feature.feature == Value("float32") and feature.length == model.num_labels
        assert all(len(r) == model.num_labels for r in train_dataset["labels"])

    def train(self):
        return None


def _stand_ins() -> dict:
    """Builtins whose ``import`` gives the stand-ins for torch, trl and transformers, for the snippet alone (the
    real ``sys.modules`` is left as it is: datasets looks there for torch)."""
    import builtins

    torch = types.ModuleType("torch")
    torch.cuda = types.SimpleNamespace(is_available=lambda: False)
    trl = types.ModuleType("trl")
    for conf, trainer in (("SFTConfig", "SFTTrainer"), ("DPOConfig", "DPOTrainer"), ("KTOConfig", "KTOTrainer")):
        setattr(trl, conf, type(conf, (_Config,), {}))
        setattr(trl, trainer, _trl_trainer(trainer))
    tf = types.ModuleType("transformers")
    tf.AutoTokenizer = types.SimpleNamespace(from_pretrained=lambda name: _Tokenizer())
    tf.AutoModelForSequenceClassification = types.SimpleNamespace(from_pretrained=_Model)
    tf.DataCollatorWithPadding = lambda tokenizer: None
    tf.TrainingArguments = lambda output_dir: types.SimpleNamespace(output_dir=output_dir)
    tf.Trainer = _Trainer
    fakes = {"torch": torch, "trl": trl, "transformers": tf}
    real_import = builtins.__import__

    def fake_import(name, globals=None, locals=None, fromlist=(), level=0):
        if name.split(".")[0] in fakes:
            return fakes[name.split(".")[0]]
        return real_import(name, globals, locals, fromlist, level)

    return {**vars(builtins), "__import__": fake_import}


def test_the_card_has_one_snippet_per_config(exported):
    from drdata.export import CONFIG_NAMES

    found = snippets((exported / "README.md").read_text())
    assert len(found) == len(CONFIG_NAMES)
    for cfg, code in zip(CONFIG_NAMES, found, strict=True):
        assert f'load_dataset("<repo or folder>", "{cfg}")' in code


@pytest.mark.parametrize("index", range(7))
def test_card_snippet_runs(exported, tiny_model, index, tmp_path, monkeypatch):
    import datasets

    code = snippets((exported / "README.md").read_text())[index]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    datasets.disable_progress_bars()
    filled = code.replace('"<repo or folder>"', repr(str(exported))).replace('"<your model>"', repr(tiny_model))
    scope: dict = {} if REAL else {"__builtins__": _stand_ins()}
    exec(compile(filled, f"card snippet {index}", "exec"), scope)
    trainer = scope["trainer"]
    if REAL:
        losses = [e["loss"] for e in trainer.state.log_history if "loss" in e] + [
            e["train_loss"] for e in trainer.state.log_history if "train_loss" in e]
        assert losses and all(math.isfinite(x) for x in losses)
