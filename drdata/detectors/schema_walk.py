"""One walk of an answer against the AWS provider schema, shared by the schema detectors (no @detector here).

Every ``aws_*`` resource and data source, and every ``provider "aws"`` block, is compared with the schema extract
shipped in :mod:`drdata.terraform.schema`, the way ``terraform validate`` decodes it:

- Terraform's own meta-arguments and blocks are not the provider's: ``count``, ``for_each``, ``provider``,
  ``depends_on``, ``lifecycle``, ``provisioner``, ``connection`` (data sources: ``lifecycle`` only); ``alias`` and
  ``version`` in a provider block;
- ``dynamic "x" { for_each ... content { ... } }`` stands for blocks of type ``x`` with the content's body; how many
  it makes is known only when ``for_each`` is a literal collection, else the item limits of ``x`` cannot be told;
- an attribute whose type is a list or set of objects (the SDK's "attributes as blocks", ``ingress`` of
  ``aws_security_group``) may be written as blocks, whose arguments are then the object's fields, all optional;
  written as ``x = [{...}]`` every field must be given (Terraform: "attribute ... is required");
- a computed-only attribute may not be set ("Can't configure a value for ..."), a block type may not be assigned
  with ``=`` and an attribute may not be written as a block;
- ``timeouts`` and every other nested block are whatever the schema says for that type.

Types of other providers (``random_id``, ``archive_file``, ``awscc_*``) are skipped: only the aws provider's
schema is shipped. So are blocks that a later revision of the same file, or a named file, replaces
(:mod:`drdata.terraform.revisions`): the answer's files hold the last version. The walk runs once per configuration (``cfg.derived``) and yields ``(category, item)`` pairs
that each detector filters by its category.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter

from drdata.detectors.registry import block_address, cannot_tell, hit, hit_at
from drdata.hcl.model import Block, Expr, Resource, TerraformConfig
from drdata.terraform.revisions import superseded_lines
from drdata.terraform.schema import (
    DATA_META_ARGS,
    DATA_META_BLOCKS,
    PROVIDER_META_ARGS,
    RESOURCE_META_ARGS,
    RESOURCE_META_BLOCKS,
    Schema,
    attr_flags,
    load_schema,
    nearest,
)

try:
    # Read with the registry, so batch workers load it in their warm-up, before gc.freeze(): its 120,000
    # containers then stay out of every later full collection. A broken extract faults the detectors, not imports.
    load_schema()
except Exception:  # noqa: BLE001
    pass

UNKNOWN_TYPE = "unknown_resource_type"
UNSUPPORTED = "unsupported_argument"
REQUIRED = "missing_required_argument"
LIMITS = "nested_block_limits"
DEPRECATED = "deprecated_arguments"

_DYNAMIC_ARGS = frozenset({"for_each", "iterator", "labels"})


def _mean(name: str, candidates) -> str:
    near = nearest(name, candidates)
    return f"; did you mean `{near}`?" if near else ""


def _first_lines(block: Block, n: int = 3) -> str:
    return "\n".join(block.source.splitlines()[:n])


class _Walk:
    def __init__(self, cfg: TerraformConfig, schema: Schema):
        self.cfg = cfg
        self.schema = schema
        self.out: list[tuple[str, object]] = []
        self.errors = [e.line for e in cfg.errors]

    def broken(self, block: Block) -> bool:
        """Part of this block may have been lost to a parse error: what it lacks cannot be told."""
        return any(block.line <= ln <= block.end_line for ln in self.errors) or (
            self.cfg.truncated and block.end_line >= max((b.end_line for b in self.cfg.all_blocks()), default=0))

    def add(self, category: str, item) -> None:
        self.out.append((category, item))

    # -- one block against one compact schema block --------------------------------------------------------
    def check(self, top: Block, block: Block, sch: dict, path: str, meta_args=frozenset(),
              meta_blocks=frozenset(), fields_only: bool = False) -> None:
        """``fields_only``: the body of an attribute written as a block (object fields, all optional)."""
        attrs = sch.get("a", {})
        blocks = sch.get("b", {})
        where = f"{path}." if path else ""
        addr = _address(top)
        for name, attr in block.attributes.items():
            if name in meta_args:
                continue
            entry = attrs.get(name)
            if entry is not None:
                flags = attr_flags(entry)
                if not fields_only and flags == "c":
                    self.add(UNSUPPORTED, hit(top, f"{addr}: `{where}{name}` is computed by the provider and cannot "
                                                   "be set (terraform: \"Can't configure a value\")", attr))
                    continue
                if "d" in flags:
                    self.add(DEPRECATED, (top, f"{where}{name}", attr))
                if isinstance(entry, list):
                    self.literal_objects(top, attr, entry[1], f"{where}{name}")
            elif name in blocks:
                self.add(UNSUPPORTED, hit(top, f"{addr}: `{where}{name}` is a block, not an argument: write "
                                               f"`{name} {{ ... }}` (terraform: \"Unsupported argument\")", attr))
            else:
                cands = [n for n, e in attrs.items() if attr_flags(e) != "c"] + list(blocks)
                self.add(UNSUPPORTED, hit(top, f"{addr}: `{where}{name}` is not an argument of "
                                               f"{_what(top, path)}{_mean(name, cands)}", attr))
        counts: Counter = Counter()
        dynamic: set[str] = set()
        for child in block.blocks:
            btype = child.type
            if btype in meta_blocks:
                continue
            bodies = [child]
            made = 1  # blocks this one stands for
            if btype == "dynamic" and child.labels:
                btype = child.labels[0]
                bodies = child.children("content")
                made = _literal_len(child.get("for_each"), child.attributes.get("for_each"))
                if made is None:
                    dynamic.add(btype)
                    made = 0
                for name, attr in child.attributes.items():
                    if name not in _DYNAMIC_ARGS:
                        self.add(UNSUPPORTED, hit(top, f"{addr}: `{where}dynamic \"{btype}\".{name}` is not an "
                                                       "argument of a dynamic block (for_each, iterator, labels, "
                                                       "content)", attr))
            if btype in blocks:
                mode, _mn, _mx, sub = blocks[btype]
                counts[btype] += made
                if sub.get("d"):
                    self.add(DEPRECATED, (top, f"{where}{btype}", None))
                for body in bodies:
                    self.check(top, body, sub, f"{where}{btype}")
            elif btype in attrs and isinstance(attrs[btype], list) and attrs[btype][1] is not None:
                flags = attr_flags(attrs[btype])
                if flags == "c":
                    self.add(UNSUPPORTED, hit_at(addr, top_kind(top), top.file, child.line,
                                                 f"{addr}: `{where}{btype}` is computed by the provider and cannot be "
                                                 "set (terraform: \"Can't configure a value\")", _first_lines(child)))
                    continue
                if "d" in flags:
                    self.add(DEPRECATED, (top, f"{where}{btype}", None))
                for body in bodies:
                    self.check(top, body, attrs[btype][1], f"{where}{btype}", fields_only=True)
            elif btype in attrs:
                self.add(UNSUPPORTED, hit_at(addr, top_kind(top), top.file, child.line,
                                             f"{addr}: `{where}{btype}` is an argument, not a block: write "
                                             f"`{btype} = ...` (terraform: \"Unsupported block type\")",
                                             _first_lines(child)))
            else:
                cands = list(blocks) + [n for n, e in attrs.items() if isinstance(e, list)]
                self.add(UNSUPPORTED, hit_at(addr, top_kind(top), top.file, child.line,
                                             f"{addr}: `{where}{btype}` is not a block type of {_what(top, path)}"
                                             f"{_mean(btype, cands)}", _first_lines(child)))
        if fields_only:
            return
        broken = None
        required, limited = _shape(sch)
        for name in required:
            if name not in block.attributes and not any(
                    c.type == name or (c.type == "dynamic" and c.labels[:1] == (name,)) for c in block.blocks):
                broken = self.broken(top) if broken is None else broken
                if broken:
                    self.add(REQUIRED, cannot_tell(top, f"`{where}{name}` may sit in a part that did not parse"))
                else:
                    self.add(REQUIRED, hit(top, f"{addr}: required argument `{where}{name}` is missing "
                                                f"from {_what(top, path)}", address=addr)
                             if block is top else
                             hit_at(addr, top_kind(top), top.file, block.line,
                                    f"{addr}: required argument `{where}{name}` is missing from the "
                                    f"`{path}` block", _first_lines(block)))
        for name, mn, mx in limited:
            n = counts.get(name, 0)
            if mx and n > mx:
                self.add(LIMITS, hit_at(addr, top_kind(top), top.file, _nth_line(block, name, mx),
                                        f"{addr}: {n} `{where}{name}` blocks, at most {mx} allowed "
                                        "(terraform: \"Too many blocks\")", _first_lines(block, 1)))
            elif mn and n < mn:
                if name in dynamic:
                    self.add(LIMITS, cannot_tell(top, f"`{where}{name}` comes from a dynamic block whose for_each "
                                                      "is not a literal"))
                    continue
                broken = self.broken(top) if broken is None else broken
                if broken:
                    self.add(LIMITS, cannot_tell(top, f"`{where}{name}` may sit in a part that did not parse"))
                    continue
                what = "a" if mn == 1 else f"at least {mn}"
                self.add(REQUIRED, hit_at(addr, top_kind(top), top.file, block.line,
                                          f"{addr}: {what} `{where}{name}` block is required in "
                                          f"{_what(top, path)} (terraform: \"Insufficient {name} blocks\")",
                                          _first_lines(block, 1)))
            elif mx and name in dynamic and n >= mx:
                # A lone dynamic block of a type allowed once is the usual optional-block idiom
                # (`for_each = var.on ? [1] : []`); next to static blocks it may make one too many.
                self.add(LIMITS, cannot_tell(top, f"`{where}{name}`: a dynamic block whose for_each is not a "
                                                  f"literal, and at most {mx} allowed"))

    def literal_objects(self, top: Block, attr, obj: dict, path: str) -> None:
        """``x = [{...}, ...]`` for a list/set of objects attribute: every field must be given, no other."""
        value = attr.value
        if not isinstance(value, list):
            return
        fields = obj.get("a", {})
        addr = _address(top)
        for item in value:
            if not isinstance(item, dict):
                continue
            extra = sorted(k for k in item if k not in fields)
            for k in extra:
                self.add(UNSUPPORTED, hit(top, f"{addr}: `{path}` objects have no field `{k}`"
                                               f"{_mean(k, fields)}", attr))
            missing = sorted(k for k in fields if k not in item)
            if missing:
                self.add(REQUIRED, hit(top, f"{addr}: `{path}` written as a list of objects must give every field; "
                                            f"missing {', '.join(missing)} (or write `{path.rsplit('.', 1)[-1]} "
                                            "{ ... }` blocks)", attr))
            return  # one report per attribute


_SHAPES: dict[int, tuple[dict, tuple]] = {}  # id(schema block) -> (that block, its shape): the block is kept alive


def _shape(sch: dict) -> tuple[tuple[str, ...], tuple[tuple[str, int, int], ...]]:
    """(required attributes, (block type, min_items, max_items) of the limited block types) of a schema block,
    worked out once per process: most blocks of most types have neither, and looping over every attribute of
    the schema for each block of each answer is most of the walk's time otherwise."""
    key = id(sch)
    hit_ = _SHAPES.get(key)
    if hit_ is not None and hit_[0] is sch:
        return hit_[1]
    required = tuple(n for n, e in sch.get("a", {}).items() if "r" in attr_flags(e))
    limited = []
    for name, (mode, mn, mx, _sub) in sch.get("b", {}).items():
        if mode == "single" and not mx:
            mx = 1
        if mn or mx:
            limited.append((name, mn, mx))
    shape = (required, tuple(limited))
    _SHAPES[key] = (sch, shape)
    return shape


def _literal_len(value, attr) -> int | None:
    if attr is None or isinstance(value, Expr):
        return None
    if isinstance(value, (list, dict)):
        return len(value)
    return None


def _nth_line(block: Block, name: str, n: int) -> int:
    seen = 0
    for c in block.blocks:
        if c.type == name or (c.type == "dynamic" and c.labels[:1] == (name,)):
            seen += 1
            if seen > n:
                return c.line
    return block.line


def _address(top: Block) -> str:
    if isinstance(top, Resource):
        return top.address
    alias = top.get("alias")
    return "provider.aws" + (f".{alias}" if isinstance(alias, str) and alias and not isinstance(alias, Expr) else "")


def top_kind(top: Block) -> str:
    if isinstance(top, Resource):
        return top.resource_type if top.mode == "managed" else f"data.{top.resource_type}"
    return "provider"


def _what(top: Block, path: str) -> str:
    if isinstance(top, Resource):
        base = top.resource_type if top.mode == "managed" else f"data source {top.resource_type}"
    else:
        base = 'provider "aws"'
    return f"{base} block `{path}`" if path else base


def schema_walk(cfg: TerraformConfig) -> list[tuple[str, object]]:
    """Every schema issue of the answer as (category, hit / cannot_tell / deprecated triple)."""
    schema = load_schema()
    w = _Walk(cfg, schema)
    replaced = superseded_lines(cfg)
    for r in (*cfg.resources, *cfg.data):
        if not r.resource_type.startswith("aws_") or r.line in replaced:
            continue
        sch = schema.block_of(r.mode, r.resource_type)
        if sch is None:
            other = schema.block_of("data" if r.mode == "managed" else "managed", r.resource_type)
            if other is not None:
                what = "a data source, not a resource type" if r.mode == "managed" else \
                    "a resource type, not a data source"
                msg = f"{r.address}: {r.resource_type} is {what}"
            else:
                kind = "resource type" if r.mode == "managed" else "data source"
                msg = (f"{r.address}: the AWS provider has no {kind} {r.resource_type}"
                       f"{_mean(r.resource_type, schema.resources if r.mode == 'managed' else schema.data_sources)}")
            w.add(UNKNOWN_TYPE, hit(r, msg))
            continue
        if sch.get("d"):
            w.add(DEPRECATED, (r, None, None))
        meta_args, meta_blocks = ((RESOURCE_META_ARGS, RESOURCE_META_BLOCKS) if r.mode == "managed"
                                  else (DATA_META_ARGS, DATA_META_BLOCKS))
        w.check(r, r, sch, "", meta_args, meta_blocks)
    for p in cfg.providers:
        if p.labels[:1] == ("aws",) and p.line not in replaced:
            w.check(p, p, schema.provider_block, "", PROVIDER_META_ARGS)
    _top_level(cfg, w)
    if cfg.modules:
        _module_calls(cfg, w, replaced)
    return w.out


MODULE_META = frozenset({"source", "version", "providers", "count", "for_each", "depends_on"})


def _folder(file: str | None) -> str:
    return posixpath.dirname(file.lstrip("./")) if file else ""


def _module_calls(cfg: TerraformConfig, w: _Walk, replaced: frozenset[int]) -> None:
    """A local module's variables are its schema: a call may pass only those, and must pass those without a
    default. Judged when the answer shows the module's folder (its files named under it)."""
    files_by_folder: dict[str, list[Block]] = {}
    for b in cfg.all_blocks():
        files_by_folder.setdefault(_folder(b.file), []).append(b)
    for m in cfg.modules:
        src = m.get("source")
        if m.line in replaced or not isinstance(src, str) or isinstance(src, Expr) \
                or not src.startswith(("./", "../")):
            continue
        folder = posixpath.normpath(posixpath.join(_folder(m.file), src))
        folder = "" if folder == "." else folder
        shown = [b for b in files_by_folder.get(folder, ()) if b.line not in replaced]
        if not shown or folder == _folder(m.file):
            continue  # the module's files are not in the answer (another category's business)
        variables = {v.labels[0]: v for v in shown if v.type == "variable" and v.labels}
        addr = block_address(m)
        if any(e.file and _folder(e.file) == folder for e in cfg.errors):
            w.add(UNSUPPORTED, cannot_tell(m, f"part of module folder {folder} did not parse"))
            continue
        for name, attr in m.attributes.items():
            if name not in MODULE_META and name not in variables:
                w.add(UNSUPPORTED, hit(m, f"{addr}: `{name}` is not a variable of the module in {folder}"
                                          f"{_mean(name, variables)} (terraform: \"Unsupported argument\")", attr))
        for name, v in variables.items():
            if "default" not in v.attributes and name not in m.attributes:
                w.add(REQUIRED, hit(m, f"{addr}: required variable `{name}` of the module in {folder} is not "
                                       "passed (terraform: \"Missing required argument\")", address=addr))


TOP_LEVEL = ("terraform", "provider", "variable", "output", "locals", "module", "resource", "data", "moved",
             "import", "check", "removed", "ephemeral")
_TOP_ARG = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*=(?!=)", re.M)


def _top_level(cfg: TerraformConfig, w: _Walk) -> None:
    """Terraform's own file schema: only blocks at the top level of a .tf file, of the known types. A code block
    of arguments only (no block) is a variables file (`terraform.tfvars` shown without its name) and is left
    alone, as are files named otherwise than .tf."""
    for b in cfg.other_blocks:
        if b.type not in TOP_LEVEL and (b.file is None or b.file.endswith(".tf")):
            w.add(UNSUPPORTED, hit_at(".".join((b.type, *b.labels)), b.type, b.file, b.line,
                                      f"`{b.type}` blocks are not expected at the top level of a .tf file"
                                      f"{_mean(b.type, TOP_LEVEL)} (terraform: \"Unsupported block type\")",
                                      _first_lines(b, 1)))
    spans = None
    for cb in cfg.code_blocks:
        if cb.file is not None and not cb.file.endswith(".tf"):
            continue
        found = list(_TOP_ARG.finditer(cb.text))
        if not found:
            continue
        if spans is None:
            spans = [(b.line, b.end_line) for b in (*cfg.all_blocks(), *cfg.locals_blocks)]
        end = cb.line + cb.text.count("\n")
        if not any(cb.line <= a <= end for a, _ in spans) and cb.file is None:
            continue  # arguments only: a variables file
        if any(cb.line <= e.line <= end for e in cfg.errors):
            continue  # block boundaries are unsure; hcl_syntax_error reports the block
        for m in found:
            line = cb.line + cb.text.count("\n", 0, m.start())
            if not any(a <= line <= z for a, z in spans):
                name = m.group(1)
                w.add(UNSUPPORTED, hit_at(name, "config", cb.file, line,
                                          f"`{name} = ...` outside any block: a .tf file holds only blocks at its "
                                          "top level (terraform: \"Unsupported argument\"); variable values go "
                                          "in a .tfvars file", cb.text[m.start():].split("\n", 1)[0]))


def schema_items(cfg: TerraformConfig, category: str):
    """What the schema walk found for one category (the walk runs once per configuration)."""
    for cat, item in cfg.derived(schema_walk):
        if cat == category:
            yield item


def provider_version() -> str:
    return load_schema().provider_version
