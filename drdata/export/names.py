"""Names the CLI needs at import time, kept free of heavy imports (datasets, pandas)."""

CONFIG_NAMES = ("sft", "preference", "kto", "labels", "repair", "critique")
SPLITS = ("train", "validation", "test")
