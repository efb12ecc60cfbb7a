"""Reference backend: python-hcl2 (8.x).

Slower and all-or-nothing on syntax errors, but it is the parser most Python
tooling uses; drdata keeps it to cross-check the default backend. Line numbers
are found by locating each block's header in the text (python-hcl2 8.x does not
report them for blocks).
"""

from __future__ import annotations

import re
from typing import Any

from drdata.hcl.model import Attribute, Block, Expr, ParseError, Ref, Resource

NAME = "hcl2"
_REF_RE = re.compile(r"(?<![\w.\"])([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[[^\]]*\])*)")
_SPECIAL = {"count", "each", "self", "path", "terraform"}
_KEYWORDS = {"true", "false", "null", "for", "in", "if", "endif", "endfor", "else"}


def version() -> str:
    from importlib.metadata import version as v

    return f"python-hcl2 {v('python-hcl2')}"


def _options():
    from hcl2 import SerializationOptions

    return SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=True)


def _value(v: Any) -> Any:
    if isinstance(v, str):
        if v.startswith("${") and v.endswith("}") and v.count("${") == 1:
            return Expr(v[2:-1])
        if "${" in v:
            return Expr(f'"{v}"')
        return v
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items() if k != "__is_block__"}
    return v


def _refs(text: str, line: int) -> tuple[Ref, ...]:
    out = []
    # Strip string literals outside interpolations would need a real parser; this is a cross-check backend.
    for m in _REF_RE.finditer(text):
        root = m.group(1)
        parts = [p for p in re.findall(r"\.([A-Za-z_][\w-]*)", m.group(2))]
        if root in _KEYWORDS or (not parts and root not in _SPECIAL):
            continue
        if root in ("var", "local", "module") and parts:
            out.append(Ref(root, f"{root}.{parts[0]}", line))
        elif root == "data" and len(parts) >= 2:
            out.append(Ref("data", f"data.{parts[0]}.{parts[1]}", line))
        elif root in _SPECIAL:
            out.append(Ref("other", root, line))
        elif parts and "_" in root:
            out.append(Ref("resource", f"{root}.{parts[0]}", line))
    return tuple(sorted(set(out), key=lambda r: (r.line, r.address)))


def _is_block_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) and x.get("__is_block__") for x in v)


def _block(type_: str, labels: tuple[str, ...], body: dict, file: str | None, line: int, source: str) -> Block:
    attrs: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for k, v in body.items():
        if k == "__is_block__":
            continue
        if _is_block_list(v):
            for sub in v:
                blocks.append(_block(k, (), sub, file, line, ""))
            continue
        val = _value(v)
        text = v if isinstance(v, str) else repr(v)
        attrs[k] = Attribute(k, val, text, line, line, _refs(str(v), line))
    common = dict(type=type_, labels=labels, attributes=attrs, blocks=blocks, file=file, line=line, end_line=line,
                  source=source)
    if type_ in ("resource", "data") and len(labels) >= 2:
        return Resource(**common, mode="managed" if type_ == "resource" else "data", resource_type=labels[0],
                        name=labels[1])
    return Block(**common)


def _header_line(text: str, type_: str, labels: tuple[str, ...], base: int) -> int:
    pat = r"^[ \t]*" + re.escape(type_) + "".join(r'\s+"?' + re.escape(lbl) + '"?' for lbl in labels) + r"\s*\{"
    m = re.search(pat, text, re.M)
    return base + (text.count("\n", 0, m.start()) if m else 0)


def parse_blocks(text: str, file: str | None = None, line: int = 1) -> tuple[list[Block], list[ParseError]]:
    import hcl2

    try:
        doc = hcl2.loads(text, serialization_options=_options())
    except Exception as exc:  # python-hcl2 rejects the whole text on any error
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [], [ParseError(file, line, msg[:200], text=text)]
    blocks: list[Block] = []
    for type_, entries in doc.items():
        if not isinstance(entries, list):
            continue  # a top-level attribute (tfvars-style), not a block
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            if type_ in ("resource", "data"):
                for rtype, named in entry.items():
                    if not isinstance(named, dict):
                        continue
                    for name, body in named.items():
                        if name == "__is_block__" or not isinstance(body, dict):
                            continue
                        lbls = (rtype, name)
                        blocks.append(_block(type_, lbls, body, file, _header_line(text, type_, lbls, line), ""))
            elif type_ in ("variable", "output", "module", "provider"):
                for name, body in entry.items():
                    if name == "__is_block__" or not isinstance(body, dict):
                        continue
                    blocks.append(_block(type_, (name,), body, file, _header_line(text, type_, (name,), line), ""))
            else:
                blocks.append(_block(type_, (), entry, file, _header_line(text, type_, (), line), ""))
    return blocks, []
