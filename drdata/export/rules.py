"""Structural rules every exported config must keep, checked on the written files (no torch, no trainer).

``check_export(DIR)`` reads ``data/<config>/*.parquet`` with pyarrow and returns, per config, the rules that
fail (an empty list when all hold):

- one column family TRL recognises, and its columns of one kind (all strings, or all message lists), so that
  no trainer picks a family by chance (TRL chooses among several with ``set.pop()``);
- no empty text in those columns;
- no prompt (the ``text`` of ``labels``) in two splits;
- no duplicate row (on what a trainer reads, case and whitespace ignored) within or across splits;
- ``repair``: no row whose IDEAL block is the failing MODEL block (a no-op target);
- ``n_chars`` / ``n_tokens_est`` agree with the row.
"""

from __future__ import annotations

from pathlib import Path

from drdata.export.configs import (
    PROMPT_COLUMN,
    TRL_COLUMNS,
    TRL_FAMILIES,
    UNIQUE_COLUMNS,
    estimate_tokens,
    sequence_chars,
)
from drdata.export.names import CONFIG_NAMES, SPLITS
from drdata.export.splits import normalise


def read_config(out_dir: str | Path, config: str) -> dict[str, list[dict]]:
    """Rows of one exported config by split (splits that were not written are absent)."""
    import pyarrow.parquet as pq

    out = {}
    for split in SPLITS:
        path = Path(out_dir) / "data" / config / f"{split}-00000-of-00001.parquet"
        if path.is_file():
            out[split] = pq.read_table(path).to_pylist()
    return out


def _norm(value) -> object:
    if isinstance(value, str):
        return normalise(value)
    if isinstance(value, list):
        return tuple((m.get("role"), normalise(m.get("content") or "")) if isinstance(m, dict) else m
                     for m in value)
    return value


def check_config(config: str, splits: dict[str, list[dict]]) -> list[str]:
    problems: list[str] = []
    rows = [r for rs in splits.values() for r in rs]
    if not rows:
        return problems
    columns = set(rows[0])
    trl = {c for c in columns if c in TRL_COLUMNS}
    if trl != set(TRL_FAMILIES[config]):
        problems.append(f"TRL columns {sorted(trl)}, expected exactly {sorted(TRL_FAMILIES[config])}")
    family = [c for c in TRL_FAMILIES[config] if c != "label"]
    kinds = {("messages" if isinstance(r.get(c), list) else type(r.get(c)).__name__) for r in rows[:50]
             for c in family}
    if len(kinds) > 1:
        problems.append(f"TRL columns of more than one kind: {sorted(kinds)} (TRL would pick one by chance)")
    empty = 0
    for r in rows:
        for c in family:
            v = r.get(c)
            if isinstance(v, list):
                empty += (not v) or any(not (m.get("content") or "").strip() for m in v)
            else:
                empty += not (v or "").strip()
    if empty:
        problems.append(f"{empty} empty text value(s) in {', '.join(family)}")
    where: dict[object, str] = {}
    leaks = 0
    for split, rs in splits.items():
        for r in rs:
            key = _norm(r[PROMPT_COLUMN[config]])
            if where.setdefault(key, split) != split:
                leaks += 1
    if leaks:
        problems.append(f"{leaks} row(s) whose {PROMPT_COLUMN[config]} is also in another split")
    seen: set = set()
    dups = 0
    for r in rows:
        key = tuple(_norm(r[c]) if not isinstance(r[c], list) or c == "messages" else tuple(r[c])
                    for c in UNIQUE_COLUMNS[config])
        dups += key in seen
        seen.add(key)
    if dups:
        problems.append(f"{dups} duplicate row(s)")
    if config == "repair":
        noop = sum(normalise(r["model_block"]) == normalise(r["ideal_blocks"])
                   or normalise(r["completion"]) == normalise(f"```hcl\n{r['model_block']}\n```") for r in rows)
        if noop:
            problems.append(f"{noop} repair row(s) whose IDEAL block is the MODEL block")
    wrong = sum(r.get("n_chars") != sequence_chars(config, r)
                or r.get("n_tokens_est") != estimate_tokens(r.get("n_chars") or 0) for r in rows)
    if wrong:
        problems.append(f"{wrong} row(s) whose n_chars / n_tokens_est do not match the row")
    return problems


def check_export(out_dir: str | Path) -> dict[str, list[str]]:
    """Rules that fail, per exported config (configs not written are skipped)."""
    out = {}
    for config in CONFIG_NAMES:
        splits = read_config(out_dir, config)
        if splits:
            out[config] = check_config(config, splits)
    return out
