"""A tiny tokenizer and tiny models built on this machine: no hub, no download.

Used by ``benchmarks/train_smoke.py`` and by the tests that run the dataset card's training snippets. Needs the
``train`` extra (torch, transformers, tokenizers).

- :func:`build_tokenizer`: a byte-level BPE trained on the given texts, with ``<pad>``, ``<eos>``, ``<bos>``,
  ``<unk>`` and a chat template whose assistant turn ends with the EOS token (nothing after it).
- :func:`build_causal_lm` / :func:`save_tiny`: a one-layer Llama of a few thousand parameters per token of
  vocabulary, saved with the tokenizer to a folder that ``from_pretrained`` and TRL's ``model="<folder>"`` take.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SPECIAL = {"pad_token": "<pad>", "eos_token": "<eos>", "bos_token": "<bos>", "unk_token": "<unk>"}
CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{%- if message['role'] == 'assistant' %}<|assistant|>\n{{ message['content'] }}{{ eos_token }}"
    "{%- else %}<|{{ message['role'] }}|>\n{{ message['content'] }}\n{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}<|assistant|>\n{%- endif %}"
)


def build_tokenizer(texts: Iterable[str], vocab_size: int = 2000):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=SPECIAL["unk_token"]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL.values()),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, **SPECIAL)
    fast.chat_template = CHAT_TEMPLATE
    fast.model_max_length = 1 << 16
    return fast


def build_causal_lm(tokenizer, hidden: int = 32, seed: int = 0):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden,
                         num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=1,
                         max_position_embeddings=1 << 16, pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id,
                         tie_word_embeddings=True)
    return LlamaForCausalLM(config)


def save_tiny(texts: Iterable[str], folder: str | Path, vocab_size: int = 2000, seed: int = 0) -> Path:
    """Train the tokenizer on ``texts``, build the model, save both to ``folder``; returns the folder."""
    folder = Path(folder)
    tokenizer = build_tokenizer(texts, vocab_size)
    model = build_causal_lm(tokenizer, seed=seed)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def have_train_extra() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers", "trl", "tokenizers"))
