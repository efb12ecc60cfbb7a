"""Default backend: tree-sitter-hcl.

About 20x faster than python-hcl2 on this corpus, gives line spans for free, and
keeps going after a syntax error, so the valid blocks of a broken file are still
recovered (python-hcl2 rejects the whole file).
"""

from __future__ import annotations

import re
from functools import lru_cache

import tree_sitter
import tree_sitter_hcl

from drdata.hcl.model import Attribute, Block, Call, Expr, ParseError, Ref, Resource, is_literal

NAME = "treesitter"

_SPECIAL_ROOTS = {"count", "each", "self", "path", "terraform"}
_TOP_LEVEL = re.compile(
    r"^(resource|data|module|variable|output|provider|terraform|locals|moved|import|check|removed)\b[^\n=]*\{",
    re.M,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r'\\([ntr"\\])|\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})|\$\$\{|%%\{')


def version() -> str:
    from importlib.metadata import version as v

    return f"tree-sitter {v('tree-sitter')} tree-sitter-hcl {v('tree-sitter-hcl')}"


@lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


_CHUNK = 1 << 16


def _parse(src: bytes) -> tree_sitter.Tree:
    """Parse, feeding large sources through a read callback.

    One C call on megabytes can take seconds to minutes, and no Python signal handler runs meanwhile; with a
    callback tree-sitter returns to Python for every chunk, so a task's time limit (SIGALRM, or an async
    exception in a Dask worker thread) stops the parse too.
    """
    parser = _parser()
    if len(src) <= _CHUNK:
        return parser.parse(src)
    try:
        return parser.parse(lambda offset, _point: src[offset:offset + _CHUNK])
    except BaseException:
        parser.reset()  # an interrupted parse would otherwise be resumed by the next call
        raise


def _unescape(text: str) -> str:
    if "\\" not in text and "$${" not in text and "%%{" not in text:
        return text

    def sub(m: re.Match) -> str:
        if m.group(1):
            return _ESCAPES[m.group(1)]
        if m.group(2) or m.group(3):
            try:
                return chr(int(m.group(2) or m.group(3), 16))
            except ValueError:
                return m.group(0)
        return m.group(0)[1:]  # $${ -> ${, %%{ -> %{

    return _ESCAPE_RE.sub(sub, text)


class _Converter:
    """Turns one tree-sitter tree into model blocks."""

    def __init__(self, src: bytes, file: str | None, line: int):
        self.src = src
        self.file = file
        self.base = line  # markdown line of the code's first line

    def text(self, node) -> str:
        return self.src[node.start_byte:node.end_byte].decode("utf-8", "replace")

    # -- expressions ------------------------------------------------------------------
    def value(self, node):
        """Plain value of an ``expression`` node, or Expr(source)."""
        kids = node.named_children
        if node.type == "expression" and len(kids) == 1:
            return self.value(kids[0])
        t = node.type
        if t == "literal_value":
            lit = kids[0] if kids else node
            lt = lit.type
            if lt == "numeric_lit":
                s = self.text(lit)
                try:
                    return int(s)
                except ValueError:
                    try:
                        return float(s)
                    except ValueError:
                        return Expr(s)
            if lt == "bool_lit":
                return self.text(lit) == "true"
            if lt == "null_lit":
                return None
            if lt == "string_lit":
                return self.string(lit)
            return Expr(self.text(node))
        if t == "string_lit":
            return self.string(node)
        if t == "template_expr":
            inner = kids[0] if kids else node
            if inner.type == "heredoc_template":
                return self.heredoc(inner)
            if inner.type == "quoted_template":
                return self.string(inner)
            return Expr(self.text(node))
        if t == "collection_value":
            return self.value(kids[0]) if kids else Expr(self.text(node))
        if t == "tuple":
            return [self.value(k) for k in kids if k.type == "expression"]
        if t == "object":
            out = {}
            for elem in kids:
                if elem.type != "object_elem":
                    continue
                exprs = [k for k in elem.named_children if k.type == "expression"]
                if len(exprs) != 2:
                    continue
                out[self.key(exprs[0])] = self.value(exprs[1])
            return out
        if t == "function_call":
            name = self.text(kids[0]) if kids else ""
            args_node = next((k for k in kids if k.type == "function_arguments"), None)
            args = [self.value(k) for k in args_node.named_children if k.type == "expression"] if args_node else []
            return Call(self.text(node), name, args)
        return Expr(self.text(node))

    def value_refs(self, node, scope: frozenset[str], out: list[Ref]):
        """``value(node)``, appending to ``out`` what ``refs(node, scope)`` would return, in one walk over the
        containers (maps, lists, function arguments) instead of two; leaves that are expressions are handed
        to ``refs``. Keep in step with ``value`` and ``refs``."""
        kids = node.named_children
        t = node.type
        if t == "expression" and len(kids) == 1 and kids[0].type != "variable_expr":
            return self.value_refs(kids[0], scope, out)
        if t in ("literal_value", "string_lit"):
            return self.value(node)  # refs never look inside literals
        if t == "collection_value" and kids:
            return self.value_refs(kids[0], scope, out)
        if t == "tuple":
            items = []
            for k in kids:
                if k.type == "expression":
                    items.append(self.value_refs(k, scope, out))
                else:
                    out.extend(self.refs(k, scope))
            return items
        if t == "object":
            obj = {}
            for elem in kids:
                if elem.type != "object_elem":
                    out.extend(self.refs(elem, scope))
                    continue
                elem_kids = elem.named_children
                exprs = [k for k in elem_kids if k.type == "expression"]
                if len(exprs) != 2 or len(exprs) != len(elem_kids):
                    out.extend(self.refs(elem, scope))
                    if len(exprs) == 2:
                        obj[self.key(exprs[0])] = self.value(exprs[1])
                    continue
                key_kids = exprs[0].named_children
                if not (len(key_kids) == 1 and key_kids[0].type == "variable_expr"):
                    out.extend(self.refs(exprs[0], scope))  # a computed key: (var.k) = ...
                obj[self.key(exprs[0])] = self.value_refs(exprs[1], scope, out)
            return obj
        if t == "function_call":
            name = self.text(kids[0]) if kids else ""
            args_node = None
            for k in kids:
                if k.type == "function_arguments" and args_node is None:
                    args_node = k
                elif k.type != "identifier":
                    out.extend(self.refs(k, scope))
            args = []
            if args_node is not None:
                for k in args_node.named_children:
                    if k.type == "expression":
                        args.append(self.value_refs(k, scope, out))
                    else:
                        out.extend(self.refs(k, scope))
            return Call(self.text(node), name, args)
        value = self.value(node)
        if isinstance(value, Expr) or not is_literal(value):
            out.extend(self.refs(node, scope))
        return value

    def key(self, node) -> str:
        kids = node.named_children
        if len(kids) == 1:
            k = kids[0]
            if k.type == "variable_expr":
                return self.text(k)
            v = self.value(node)
            if isinstance(v, str) and not isinstance(v, Expr):
                return v
        return self.text(node)

    def string(self, node):
        """Quoted string: plain str without interpolation, else Expr of the source."""
        parts = []
        for k in node.children:
            if k.type in ("quoted_template_start", "quoted_template_end"):
                continue
            if k.type == "template_literal":
                parts.append(_unescape(self.text(k)))
            else:
                return Expr(self.text(node))
        return "".join(parts)

    def heredoc(self, node):
        lits = []
        for k in node.children:
            if k.type in ("heredoc_start", "heredoc_identifier", "<<", "<<-"):
                continue
            if k.type == "template_literal":
                lits.append(k)
            else:
                return Expr(self.text(node))
        if not lits:
            return ""
        # Take the raw text between the opening line and the closing identifier.
        start = lits[0].start_byte
        line_start = self.src.rfind(b"\n", 0, start) + 1
        body = self.src[line_start:lits[-1].end_byte].decode("utf-8", "replace")
        first = self.src[node.start_byte:node.end_byte].split(b"\n", 1)[0]
        if b"<<-" in first:
            lines = body.split("\n")
            indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
            cut = min(indents) if indents else 0
            body = "\n".join(line[cut:] for line in lines)
        return body + "\n"

    def refs(self, node, scope: frozenset[str] = frozenset()) -> list[Ref]:
        out: list[Ref] = []
        stack = [(node, scope)]
        while stack:
            n, sc = stack.pop()
            t = n.type
            if t == "for_expr":
                inner = n.named_children[0] if n.named_children else None
                if inner is None:
                    continue
                intro = next((k for k in inner.named_children if k.type == "for_intro"), None)
                new = set(sc)
                if intro is not None:
                    for k in intro.named_children:
                        if k.type == "identifier":
                            new.add(self.text(k))
                        elif k.type == "expression":
                            stack.append((k, sc))  # the collection is evaluated outside the loop
                fs = frozenset(new)
                for k in inner.named_children:
                    if k.type != "for_intro":
                        stack.append((k, fs))
                continue
            kids = n.named_children
            if kids and kids[0].type == "variable_expr":
                root = self.text(kids[0])
                attrs = []
                for k in kids[1:]:
                    if k.type == "get_attr":
                        ident = k.named_children
                        if ident:
                            attrs.append(self.text(ident[-1]))
                        continue
                    break
                ref = self._ref(root, attrs, n.start_point[0], sc)
                if ref is not None:
                    out.append(ref)
                for k in kids[1:]:
                    if k.type != "get_attr":
                        stack.append((k, sc))
                continue
            if t == "variable_expr":  # bare identifier
                ref = self._ref(self.text(n), [], n.start_point[0], sc)
                if ref is not None:
                    out.append(ref)
                continue
            if t == "object_elem":
                exprs = [k for k in kids if k.type == "expression"]
                # A bare identifier key is a name, not a reference.
                if exprs and len(exprs[0].named_children) == 1 and exprs[0].named_children[0].type == "variable_expr":
                    exprs = exprs[1:]
                stack.extend((k, sc) for k in exprs)
                continue
            if t in ("template_literal", "string_lit", "literal_value", "identifier", "comment"):
                continue
            if t == "function_call":
                stack.extend((k, sc) for k in kids if k.type != "identifier")
                continue
            stack.extend((k, sc) for k in kids)
        out.sort(key=lambda r: (r.line, r.address))
        return out

    def _ref(self, root: str, attrs: list[str], row: int, scope: frozenset[str]) -> Ref | None:
        line = self.base + row
        if root in scope:
            return None
        if root in ("var", "local", "module"):
            if not attrs:
                return Ref("other", root, line)
            return Ref(root, f"{root}.{attrs[0]}", line)
        if root == "data":
            if len(attrs) < 2:
                return Ref("other", root, line)
            return Ref("data", f"data.{attrs[0]}.{attrs[1]}", line)
        if root in _SPECIAL_ROOTS or not attrs:
            return Ref("other", root, line)
        return Ref("resource", f"{root}.{attrs[0]}", line)

    # -- structure --------------------------------------------------------------------
    def body(self, node, scope: frozenset[str] = frozenset()):
        attrs: dict[str, Attribute] = {}
        blocks: list[Block] = []
        dups: list[str] = []
        for k in node.named_children:
            if k.type == "attribute":
                kids = k.named_children
                if len(kids) < 2 or kids[-1].type != "expression":
                    continue
                ident, expr = kids[0], kids[-1]
                name = self.text(ident)
                if name in attrs:
                    dups.append(name)
                found: list[Ref] = []
                value = self.value_refs(expr, scope, found)
                found.sort(key=lambda r: (r.line, r.address))
                attrs[name] = Attribute(
                    name=name,
                    value=value,
                    source=self.text(expr),
                    line=self.base + k.start_point[0],
                    end_line=self.base + k.end_point[0],
                    # A literal refers to nothing: skip the second walk over its subtree.
                    refs=() if is_literal(value) else tuple(found),
                )
            elif k.type == "block":
                blocks.append(self.block(k, scope))
        return attrs, blocks, tuple(sorted(set(dups)))

    def block(self, node, scope: frozenset[str] = frozenset()) -> Block:
        kids = node.named_children
        type_ = self.text(kids[0]) if kids else ""
        labels = []
        body_node = None
        for k in kids[1:]:
            if k.type == "string_lit":
                labels.append(self.string(k))
            elif k.type == "identifier":
                labels.append(self.text(k))
            elif k.type == "body":
                body_node = k
        inner_scope = scope
        if type_ == "dynamic" and labels:
            # Inside `content`, `<label>.value` (or the iterator's name) is the loop variable.
            it = labels[0]
            if body_node is not None:
                for a in body_node.named_children:
                    if a.type == "attribute" and a.named_children and self.text(a.named_children[0]) == "iterator":
                        v = self.value(a.named_children[-1])
                        it = str(v)
            inner_scope = scope | {it, labels[0]}
        attrs, blocks, dups = self.body(body_node, inner_scope) if body_node is not None else ({}, [], ())
        common = dict(
            type=type_,
            labels=tuple(str(x) for x in labels),
            attributes=attrs,
            blocks=blocks,
            file=self.file,
            line=self.base + node.start_point[0],
            end_line=self.base + node.end_point[0],
            source=self.text(node),
            duplicate_attributes=dups,
        )
        if type_ in ("resource", "data") and len(labels) >= 2:
            return Resource(**common, mode="managed" if type_ == "resource" else "data",
                            resource_type=str(labels[0]), name=str(labels[1]))
        return Block(**common)


def _errors(root, conv: _Converter) -> list[ParseError]:
    errs: list[ParseError] = []
    stack = [root]
    while stack and len(errs) < 20:
        n = stack.pop()
        if not n.has_error:
            continue
        if n.type == "ERROR" or n.is_missing:
            row = n.start_point[0]
            line_text = conv.src.split(b"\n")[row].decode("utf-8", "replace").strip() if row < conv.src.count(b"\n") + 1 else ""
            if n.is_missing:
                reason = f"missing {n.type!r}"
            else:
                reason = f"unexpected {conv.text(n).strip()[:40]!r}"
            errs.append(ParseError(conv.file, conv.base + row, reason, line_text[:120]))
            continue
        stack.extend(reversed(n.children))
    return errs


def parse_blocks(text: str, file: str | None = None, line: int = 1) -> tuple[list[Block], list[ParseError]]:
    """Parse HCL text into top-level blocks; ``line`` is where the text starts in the markdown."""
    src = text.encode("utf-8", "replace")
    tree = _parse(src)
    conv = _Converter(src, file, line)
    root = tree.root_node
    body = next((k for k in root.named_children if k.type == "body"), None)
    if not root.has_error:
        return ([conv.block(k) for k in body.named_children if k.type == "block"] if body else []), []
    return _recover(text, file, line)


def _recover(text: str, file: str | None, line: int) -> tuple[list[Block], list[ParseError]]:
    """Re-parse each top-level block on its own so one broken block costs only itself."""
    starts = [m.start() for m in _TOP_LEVEL.finditer(text)]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    blocks: list[Block] = []
    errors: list[ParseError] = []
    for i, s in enumerate(starts):
        chunk = text[s:starts[i + 1] if i + 1 < len(starts) else len(text)]
        if not chunk.strip():
            continue
        chunk_line = line + text.count("\n", 0, s)
        src = chunk.encode("utf-8", "replace")
        tree = _parse(src)
        conv = _Converter(src, file, chunk_line)
        root = tree.root_node
        body = next((k for k in root.named_children if k.type == "body"), None)
        if root.has_error:
            for err in _errors(root, conv)[:1]:
                err.text = chunk
                errors.append(err)
        if body is not None:
            blocks.extend(conv.block(k) for k in body.named_children if k.type == "block" and not k.has_error)
    return blocks, errors
