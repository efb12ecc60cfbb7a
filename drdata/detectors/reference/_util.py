"""Helpers shared by the reference detectors (no @detector here).

Values are resolved only as far as the answer itself allows: a literal, a
``var.x`` with a literal default, a ``local.x`` that resolves. Anything else is
reported as unknown so the detector can say "cannot tell".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from drdata.hcl.model import Attribute, Block, Expr, Ref, Resource, TerraformConfig, is_literal

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

_MISSING = object()
_VAR_ONLY = re.compile(r"^\s*var\.([A-Za-z_][\w-]*)\s*$")
_LOCAL_ONLY = re.compile(r"^\s*local\.([A-Za-z_][\w-]*)\s*$")
_NAMED_REF = re.compile(r"\b(var|local)\.([A-Za-z_][\w-]*)")
_RANDOM_REF = re.compile(r"\b(random_(?:id|string|pet|uuid|integer|shuffle))\.([A-Za-z_][\w-]*)")


@cache
def load_data(name: str) -> dict:
    """A data table from ``drdata/detectors/data/<name>.json`` (read once)."""
    with open(DATA_DIR / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


# -- values ---------------------------------------------------------------------------

def var_default(cfg: TerraformConfig, name: str) -> Any:
    """Default of ``variable "name"``; ``_MISSING`` when undeclared or without default."""
    var = cfg.variable(name)
    if var is None or "default" not in var.attributes:
        return _MISSING
    return var.attributes["default"].value


class Unknown:
    """Why a value could not be resolved (falsy, so ``if not resolved`` reads naturally)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


def resolve(cfg: TerraformConfig, value: Any, _depth: int = 0) -> Any:
    """Literal value of ``value``, following ``var.x`` defaults and ``local.x``; else :class:`Unknown`."""
    if is_literal(value):
        return value
    if _depth > 10:
        return Unknown("reference chain too deep")
    text = str(value)
    m = _VAR_ONLY.match(text)
    if m:
        default = var_default(cfg, m.group(1))
        if default is _MISSING:
            declared = cfg.variable(m.group(1)) is not None
            return Unknown(f"var.{m.group(1)} has no default" if declared else f"var.{m.group(1)} is not declared")
        return resolve(cfg, default, _depth + 1)
    m = _LOCAL_ONLY.match(text)
    if m and m.group(1) in cfg.locals:
        return resolve(cfg, cfg.locals[m.group(1)].value, _depth + 1)
    simple = _simple_expression(cfg, text, _depth)
    if simple is not _MISSING:
        return simple
    return Unknown(f"{text.strip()[:60]} is an expression")


_ATOM = r'(?:var|local)\.[A-Za-z_][\w-]*|"[^"$]*"|true|false|-?\d+(?:\.\d+)?'
_NOT = re.compile(rf"^\s*!\s*({_ATOM})\s*$")
_COND = re.compile(rf"^\s*\(?\s*({_ATOM})\s*(?:(==|!=)\s*({_ATOM})\s*)?\)?\s*\?\s*({_ATOM})\s*:\s*({_ATOM})\s*$")
_CMP = re.compile(rf"^\s*({_ATOM})\s*(==|!=)\s*({_ATOM})\s*$")


def _atom(cfg: TerraformConfig, text: str, depth: int) -> Any:
    text = text.strip()
    if text in ("true", "false"):
        return text == "true"
    if text.startswith('"'):
        return text[1:-1]
    if re.fullmatch(r"-?\d+(?:\.\d+)?", text):
        return float(text) if "." in text else int(text)
    return resolve(cfg, Expr(text), depth + 1)


def _simple_expression(cfg: TerraformConfig, text: str, depth: int) -> Any:
    """`!x`, `a == b`, `a != b`, `c ? x : y` and `a == b ? x : y` over variables, locals and literals."""
    m = _NOT.match(text)
    if m:
        v = _atom(cfg, m.group(1), depth)
        return v if is_unknown(v) else (not v)
    m = _CMP.match(text)
    if m:
        a, b = _atom(cfg, m.group(1), depth), _atom(cfg, m.group(3), depth)
        for v in (a, b):
            if is_unknown(v):
                return v
        return (a == b) == (m.group(2) == "==")
    m = _COND.match(text)
    if m:
        cond = _atom(cfg, m.group(1), depth)
        if m.group(2):
            other = _atom(cfg, m.group(3), depth)
            if is_unknown(other):
                return other
            if not is_unknown(cond):
                cond = (cond == other) == (m.group(2) == "==")
        if is_unknown(cond):
            return cond
        return _atom(cfg, m.group(4) if cond else m.group(5), depth)
    return _MISSING


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def names_reached(cfg: TerraformConfig, text: str) -> set[str]:
    """``var.x`` / ``local.y`` / ``random_id.z`` named in ``text``, following locals transitively."""
    seen: set[str] = set()
    todo = [text]
    while todo:
        t = todo.pop()
        for kind, name in _NAMED_REF.findall(t):
            key = f"{kind}.{name}"
            if key in seen:
                continue
            seen.add(key)
            if kind == "local" and name in cfg.locals:
                todo.append(cfg.locals[name].source)
        for rtype, name in _RANDOM_REF.findall(t):
            seen.add(f"{rtype}.{name}")
    return seen


def value_text(value: Any) -> str:
    """Source-ish text of a value, for regex scans (literals are JSON-dumped)."""
    if isinstance(value, Expr):
        return str(value)
    try:
        return json.dumps(value, default=str)
    except (TypeError, ValueError):
        return str(value)


# -- references ----------------------------------------------------------------------

def resource_refs(attr: Attribute | None) -> set[str]:
    """Addresses of resources / data sources an attribute refers to."""
    if attr is None:
        return set()
    return {r.address for r in attr.refs if r.kind in ("resource", "data")}


def anchor_refs(cfg: TerraformConfig, block: Block, attr_name: str) -> set[str]:
    """Resource addresses behind ``attr_name``: direct refs, through locals, and through
    ``for_each``/``count`` when the attribute only uses ``each``/``count``."""
    attr = block.attributes.get(attr_name)
    if attr is None:
        return set()
    out = resource_refs(attr)
    for r in attr.refs:
        if r.kind == "local":
            out |= _local_resource_refs(cfg, r.address.split(".", 1)[1], set())
        if r.kind == "other" and r.address in ("each", "count"):
            for loop in ("for_each", "count"):
                if loop in block.attributes:
                    out |= resource_refs(block.attributes[loop])
                    for lr in block.attributes[loop].refs:
                        if lr.kind == "local":
                            out |= _local_resource_refs(cfg, lr.address.split(".", 1)[1], set())
    return out


def _local_resource_refs(cfg: TerraformConfig, name: str, seen: set[str]) -> set[str]:
    if name in seen or name not in cfg.locals:
        return set()
    seen.add(name)
    attr = cfg.locals[name]
    out = resource_refs(attr)
    for r in attr.refs:
        if r.kind == "local":
            out |= _local_resource_refs(cfg, r.address.split(".", 1)[1], seen)
    return out


def direct_refs(block: Block) -> set[str]:
    """Every resource/data address the block refers to itself (attributes, nested blocks, depends_on)."""
    return {r.address for r in block.all_refs() if r.kind in ("resource", "data")}


def nested_attr(block: Block, path: str) -> Attribute | None:
    """Attribute at a dotted path through nested blocks (``rule.destination.bucket``)."""
    *blocks, name = path.split(".")
    current = [block]
    for b in blocks:
        current = [c for cur in current for c in cur.children(b)]
    for cur in current:
        if name in cur.attributes:
            return cur.attributes[name]
    return None


# -- source lines ----------------------------------------------------------------------

def line_text(cfg: TerraformConfig, line: int) -> tuple[str | None, str]:
    """(file, text) of a markdown line that lies inside one of the answer's code blocks."""
    for cb in cfg.code_blocks:
        rows = cb.text.split("\n")
        if cb.line <= line < cb.line + len(rows):
            return cb.file, rows[line - cb.line]
    return None, ""


def find_line(block: Block, pattern: re.Pattern, start: int | None = None, end: int | None = None
              ) -> tuple[int, str] | None:
    """First (markdown line, text) of ``block`` matching ``pattern`` between ``start`` and ``end``."""
    rows = block.source.split("\n")
    lo = (start or block.line) - block.line
    hi = (end or block.end_line) - block.line
    for i in range(max(lo, 0), min(hi, len(rows) - 1) + 1):
        if pattern.search(rows[i]):
            return block.line + i, rows[i]
    return None


def code_text(cfg: TerraformConfig) -> str:
    return "\n".join(cb.text for cb in cfg.code_blocks)


def declared_textually(cfg: TerraformConfig, address: str) -> bool:
    """Whether some code block text declares ``address`` (used when parts did not parse)."""
    text = code_text(cfg)
    parts = address.split(".")
    if parts[0] == "var":
        pat = rf'variable\s+"?{re.escape(parts[1])}"?\s*\{{'
    elif parts[0] == "local":
        pat = rf"(?m)^\s*{re.escape(parts[1])}\s*="
    elif parts[0] == "module":
        pat = rf'module\s+"?{re.escape(parts[1])}"?\s*\{{'
    elif parts[0] == "data" and len(parts) >= 3:
        pat = rf'data\s+"?{re.escape(parts[1])}"?\s+"?{re.escape(parts[2])}"?\s*\{{'
    elif len(parts) >= 2:
        pat = rf'resource\s+"?{re.escape(parts[0])}"?\s+"?{re.escape(parts[1])}"?\s*\{{'
    else:
        return False
    return re.search(pat, text) is not None


def ref_sort_key(ref: Ref) -> tuple[int, str]:
    return ref.line, ref.address


def managed(cfg: TerraformConfig, types: Iterable[str]) -> list[Resource]:
    return cfg.resources_of(*types)
