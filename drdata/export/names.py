"""Names the CLI needs at import time, kept free of heavy imports (datasets, pandas)."""

CONFIG_NAMES = ("sft", "sft_messages", "preference", "kto", "labels", "repair", "critique")
SPLITS = ("train", "validation", "test")
# sft / sft_messages / preference rows: one per answer, one per file of the answer, or one per answer when it
# fits the length limit and one per file otherwise.
GRANULARITIES = ("answer", "file", "auto")
