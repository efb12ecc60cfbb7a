"""Which blocks of an answer are not part of its files, as drdata reads an answer (see hcl_syntax_error).

Answers often show a file again after a correction ("here is the fixed rds.tf"), and quote blocks of their files
in unnamed code blocks while explaining them. A block shown again later in a code block naming the same file is a
*revision* that replaces it; a block of an unnamed code block that a named file also declares is an *excerpt*.
Neither is loaded with the files: the schema detectors do not judge them and the terraform oracle does not write
them (both keep every other block, also when a code block mixes superseded and new blocks).
"""

from __future__ import annotations

from bisect import bisect_right

from drdata.hcl.model import Block, Resource, TerraformConfig, block_address


def _key(b: Block) -> str:
    if isinstance(b, Resource):
        return b.address
    return block_address(b)


def superseded(cfg: TerraformConfig) -> dict[int, list[tuple[int, int]]]:
    """Code block index -> line spans of its blocks that a revision or a named file replaces."""
    cbs = cfg.code_blocks
    if len(cbs) < 2:
        return {}
    starts = [cb.line for cb in cbs]
    names = [cb.file.lstrip("./") if cb.file else None for cb in cbs]  # a path: modules/a/x.tf is not modules/b/x.tf
    by_key: dict[str, list[tuple[int, tuple[int, int]]]] = {}
    for b in cfg.all_blocks():
        by_key.setdefault(_key(b), []).append((bisect_right(starts, b.line) - 1, (b.line, b.end_line)))
    for lb in cfg.locals_blocks:
        by_key.setdefault("locals:" + ",".join(sorted(lb.attributes)), []).append(
            (bisect_right(starts, lb.line) - 1, (lb.line, lb.end_line)))
    out: dict[int, list[tuple[int, int]]] = {}
    for places in by_key.values():
        if len(places) < 2:
            continue
        named = [k for k, _ in places if k >= 0 and names[k]]
        for k, span in places:
            if k < 0:
                continue
            if names[k] is None:
                replaced = bool(named)
            else:
                replaced = any(k2 > k and names[k2] == names[k] for k2 in named)
            if replaced:
                out.setdefault(k, []).append(span)
    return out


def superseded_lines(cfg: TerraformConfig) -> frozenset[int]:
    """First lines of the blocks :func:`superseded` names (worked out once per configuration)."""
    return cfg.derived(_lines)


def _lines(cfg: TerraformConfig) -> frozenset[int]:
    return frozenset(a for spans in superseded(cfg).values() for a, _ in spans)
