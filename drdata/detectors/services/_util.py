"""Shared helpers for the AWS service detectors (no detectors here).

Values are resolved only as far as the answer itself allows: a literal, a
``var.x`` with a literal default, or a ``local.x`` holding a literal. Anything
else is ``UNRESOLVED`` so detectors can say "cannot tell" instead of guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from drdata.hcl.model import Block, Expr, Resource, TerraformConfig, is_literal

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class _Unresolved:
    def __repr__(self) -> str:
        return "UNRESOLVED"

    def __bool__(self) -> bool:  # never mistaken for a truthy value
        return False


UNRESOLVED = _Unresolved()

_VAR = re.compile(r"^var\.([A-Za-z_][\w-]*)$")
_LOCAL = re.compile(r"^local\.([A-Za-z_][\w-]*)$")


@cache
def load_data(name: str) -> dict:
    """A JSON data table of drdata/detectors/data/ (loaded once)."""
    return json.loads((DATA_DIR / name).read_text())


def resolve(cfg: TerraformConfig, value: Any, _depth: int = 0) -> Any:
    """Literal value of ``value`` or UNRESOLVED (follows var defaults and plain locals)."""
    if not isinstance(value, Expr):
        return value if is_literal(value) else UNRESOLVED
    if _depth > 4:
        return UNRESOLVED
    text = str(value).strip()
    m = _VAR.match(text)
    if m:
        var = cfg.variable(m.group(1))
        if var is None or "default" not in var.attributes:
            return UNRESOLVED
        return resolve(cfg, var.get("default"), _depth + 1)
    m = _LOCAL.match(text)
    if m and m.group(1) in cfg.locals:
        return resolve(cfg, cfg.locals[m.group(1)].value, _depth + 1)
    return UNRESOLVED


def attr_value(cfg: TerraformConfig, block: Block, name: str, default: Any = None) -> Any:
    """Resolved value of an attribute; ``default`` when absent, UNRESOLVED when not literal."""
    if name not in block.attributes:
        return default
    return resolve(cfg, block.attributes[name].value)


def truthy(value: Any) -> bool | None:
    """True/False for literal booleans (and "true"/"false" strings); None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and not isinstance(value, Expr) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def local_closure(cfg: TerraformConfig, addresses: Iterable[str]) -> set[str]:
    """Addresses plus the resources reached through ``local.x`` indirections (a few levels)."""
    out = set(addresses)
    for _ in range(4):
        new = set()
        for a in out:
            if a.startswith("local."):
                name = a.split(".", 1)[1]
                attr = cfg.locals.get(name)
                if attr is not None:
                    new.update(r.address for r in attr.refs)
        if new <= out:
            break
        out |= new
    return out


def block_refs(cfg: TerraformConfig, block: Block) -> set[str]:
    """Every address a block refers to, locals followed."""
    return local_closure(cfg, (r.address for r in block.all_refs()))


def attr_refs(cfg: TerraformConfig, block: Block, name: str) -> set[str]:
    attr = block.attributes.get(name)
    if attr is None:
        return set()
    return local_closure(cfg, (r.address for r in attr.refs))


def refers_to(cfg: TerraformConfig, block: Block, address: str) -> bool:
    return address in block_refs(cfg, block)


def referrers_of(cfg: TerraformConfig, address: str, *types: str) -> list[Resource]:
    """Resources (of ``types`` when given) referring to ``address`` anywhere."""
    out = []
    for r in cfg.resources:
        if types and r.resource_type not in types:
            continue
        if refers_to(cfg, r, address):
            out.append(r)
    return out


def is_multi(block: Block) -> bool:
    """Declares several instances (count / for_each)."""
    return "count" in block.attributes or "for_each" in block.attributes


def source_text(cfg: TerraformConfig, block: Block) -> str:
    """Source of a block plus the data sources / locals it refers to (for text searches in policies)."""
    parts = [block.source]
    for addr in block_refs(cfg, block):
        if addr.startswith("data."):
            r = cfg.resource(addr)
            if r is not None:
                parts.append(r.source)
                # policy documents may merge others (source_policy_documents)
                for sub in block_refs(cfg, r):
                    sr = cfg.resource(sub) if sub.startswith("data.") else None
                    if sr is not None:
                        parts.append(sr.source)
        elif addr.startswith("local."):
            attr = cfg.locals.get(addr.split(".", 1)[1])
            if attr is not None:
                parts.append(attr.source)
    return "\n".join(parts)


def name_source(block: Block, *names: str) -> str | None:
    """Source text of the first identifying attribute present (for literal/expression matching)."""
    for n in names:
        attr = block.attributes.get(n)
        if attr is not None:
            return attr.source.strip()
    return None


def mentions(text: str, *words: str) -> bool:
    low = text.lower()
    return any(w in low for w in words)
