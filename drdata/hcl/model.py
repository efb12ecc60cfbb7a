"""One model of a Terraform answer, whatever parser backend produced it.

Values are plain Python where the HCL is a literal (str, int, float, bool, None,
list, dict) and :class:`Expr` (a ``str`` subclass holding the source text)
wherever Terraform would have to evaluate something. Detectors therefore can
tell "literally true" from "comes from a variable" without re-parsing.

Line numbers are 1-based lines of the *answer markdown file* (e.g. the line in
MODEL_RESPONSE.md), so evidence points at the real file a curator opens;
``file`` is the logical Terraform file name the answer gives (``main.tf``) or
``None`` when it names none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

# What the extractor pulls out of the markdown is what the parser reads: the class lives with the extractor.
from drdata.extract.blocks import CodeBlock  # noqa: F401 - re-exported: part of the parsed answer


class Expr(str):
    """Source text of an expression that is not a plain literal (``var.x``, ``"${a}-b"``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Expr({str.__repr__(self)})"


class Call(Expr):
    """A function call: source text plus the function name and its arguments as values.

    ``jsonencode({...})`` keeps the policy document inspectable (``call.args[0]``),
    ``merge(local.tags, {...})`` keeps the literal map.
    """

    def __new__(cls, source: str, name: str, args: list[Any]):
        obj = super().__new__(cls, source)
        obj.name = name
        obj.args = args
        return obj

    def __reduce__(self):
        return (Call, (str(self), self.name, self.args))

    def __repr__(self) -> str:
        return f"Call({self.name}, {self.args!r})"


def is_literal(value: Any) -> bool:
    """True when ``value`` holds no expression anywhere (safe to judge literally)."""
    if isinstance(value, Expr):
        return False
    if isinstance(value, dict):
        return all(is_literal(v) for v in value.values())
    if isinstance(value, list):
        return all(is_literal(v) for v in value)
    return True


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference made by an expression.

    ``kind`` is ``resource``, ``data``, ``var``, ``local``, ``module`` or
    ``other`` (``count``, ``each``, ``self``, ``path``, ``terraform``, and
    unknown roots). ``address`` is the referenced object's address:
    ``aws_s3_bucket.logs``, ``data.aws_iam_policy_document.p``, ``var.region``,
    ``local.tags``, ``module.vpc``; for ``other`` it is the root name.
    """

    kind: str
    address: str
    line: int


@dataclass(slots=True)
class Attribute:
    name: str
    value: Any  # plain value, or Expr / containers holding Expr
    source: str  # the expression's source text
    line: int
    end_line: int
    refs: tuple[Ref, ...] = ()

    @property
    def is_literal(self) -> bool:
        return is_literal(self.value)


@dataclass(slots=True)
class Block:
    """Any HCL block: top-level (``resource``, ``data`` …) or nested (``rule``, ``lifecycle``)."""

    type: str  # block keyword: resource, data, module, variable, output, locals, provider, terraform, or nested name
    labels: tuple[str, ...]
    attributes: dict[str, Attribute]
    blocks: list[Block]
    file: str | None
    line: int
    end_line: int
    source: str
    duplicate_attributes: tuple[str, ...] = ()  # names assigned twice in this block (last one kept)

    # -- convenience for detectors -------------------------------------------------
    def get(self, name: str, default: Any = None) -> Any:
        """Plain value of an attribute (or ``default`` when absent)."""
        attr = self.attributes.get(name)
        return default if attr is None else attr.value

    def has(self, name: str) -> bool:
        """Attribute or nested block of that name is present."""
        return name in self.attributes or any(b.type == name for b in self.blocks)

    def children(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]

    def walk(self) -> Iterator[Block]:
        """This block and all nested blocks, depth first."""
        yield self
        for b in self.blocks:
            yield from b.walk()

    def all_refs(self) -> Iterator[Ref]:
        for b in self.walk():
            for a in b.attributes.values():
                yield from a.refs

    def attribute_paths(self) -> Iterator[tuple[str, Attribute]]:
        """(dotted path, attribute) for every attribute here and in nested blocks."""
        def rec(block: Block, prefix: str) -> Iterator[tuple[str, Attribute]]:
            for name, attr in block.attributes.items():
                yield prefix + name, attr
            for child in block.blocks:
                yield from rec(child, f"{prefix}{child.type}.")
        yield from rec(self, "")


@dataclass(slots=True)
class Resource(Block):
    """A ``resource`` or ``data`` block (``mode`` tells which)."""

    mode: str = "managed"  # managed | data
    resource_type: str = ""
    name: str = ""

    @property
    def address(self) -> str:
        base = f"{self.resource_type}.{self.name}"
        return base if self.mode == "managed" else f"data.{base}"


@dataclass(slots=True)
class ParseError:
    file: str | None
    line: int
    reason: str
    fragment: str = ""  # first line(s) of the text that did not parse
    text: str = ""  # all the text lost with it (the top-level block, or the code block, that failed)


@dataclass(slots=True)
class TerraformConfig:
    """Everything one answer declares, all its files together."""

    resources: list[Resource] = field(default_factory=list)  # managed resources
    data: list[Resource] = field(default_factory=list)  # data sources
    modules: list[Block] = field(default_factory=list)
    variables: list[Block] = field(default_factory=list)
    locals: dict[str, Attribute] = field(default_factory=dict)
    outputs: list[Block] = field(default_factory=list)
    providers: list[Block] = field(default_factory=list)
    terraform: list[Block] = field(default_factory=list)  # `terraform {}` blocks (there may be several)
    other_blocks: list[Block] = field(default_factory=list)  # moved, import, check, removed, unknown
    locals_blocks: list[Block] = field(default_factory=list)  # `locals {}` as written; `locals` merges them
    code_blocks: list[CodeBlock] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    duplicate_locals: tuple[str, ...] = ()
    truncated: bool = False  # the answer was cut off (unterminated fence, cut mid-block)
    backend: str = ""
    other_files: tuple[str, ...] = ()  # files the answer supplies in non-Terraform code blocks (scripts, JSON)
    # What the task's PROMPT explicitly asks for (drdata.corpus.prompt.Requirements), set by the labeler:
    # convention rules read it instead of the prompt. None when labeling an answer without its task.
    requirements: Any = None
    _by_type: tuple | None = field(default=None, repr=False, compare=False)  # index for resources_of
    _derived: dict | None = field(default=None, repr=False, compare=False)  # see derived()

    # -- health ----------------------------------------------------------------------
    @property
    def blocks_total(self) -> int:
        return len(self.code_blocks)

    @property
    def blocks_parsed(self) -> int:
        """Code blocks that parsed without any error."""
        failed_blocks = set()
        for e in self.errors:
            for i, cb in enumerate(self.code_blocks):
                end = cb.line + cb.text.count("\n")
                if cb.line <= e.line <= end:
                    failed_blocks.add(i)
        return len(self.code_blocks) - len(failed_blocks)

    @property
    def complete(self) -> bool:
        """Parsed with no error: absence of something can be trusted."""
        return not self.errors and not self.truncated

    @property
    def lost_text(self) -> str:
        """The text of everything that did not parse (what a detector cannot see)."""
        return "\n".join(e.text or e.fragment for e in self.errors)

    @property
    def empty(self) -> bool:
        return not (self.resources or self.data or self.modules or self.variables or self.outputs
                    or self.providers or self.terraform or self.locals)

    def supplied_files(self) -> set[str]:
        """Names (as written, and base names) of every file the answer shows, in any language."""
        names = {cb.file for cb in self.code_blocks if cb.file} | set(self.other_files)
        return names | {n.rsplit("/", 1)[-1] for n in names}

    # -- lookups ---------------------------------------------------------------------
    def resources_of(self, *types: str) -> list[Resource]:
        # Detectors ask this per resource; an index keeps them linear on answers with thousands of blocks.
        index = self._by_type
        if index is None or index[0] != len(self.resources):
            by_type: dict[str, list[Resource]] = {}
            for r in self.resources:
                by_type.setdefault(r.resource_type, []).append(r)
            index = self._by_type = (len(self.resources), by_type)
        if len(types) == 1:
            return list(index[1].get(types[0], ()))
        return [r for r in self.resources if r.resource_type in types]

    def derived(self, compute: Callable[[TerraformConfig], Any]) -> Any:
        """``compute(self)``, worked out once per configuration: several detectors need the same
        summary (e.g. which variables are used), and each would otherwise walk every block again.
        Recomputed when blocks are added, as tests that build a configuration step by step do."""
        shape = (len(self.resources), len(self.data), len(self.modules), len(self.variables), len(self.locals),
                 len(self.outputs), len(self.providers), len(self.terraform), len(self.code_blocks))
        memo = self._derived
        if memo is None:
            memo = self._derived = {}
        hit = memo.get(compute)
        if hit is None or hit[0] != shape:
            hit = memo[compute] = (shape, compute(self))
        return hit[1]

    def data_of(self, *types: str) -> list[Resource]:
        return [r for r in self.data if r.resource_type in types]

    def resource(self, address: str) -> Resource | None:
        for r in self.resources:
            if r.address == address:
                return r
        for r in self.data:
            if r.address == address:
                return r
        return None

    def variable(self, name: str) -> Block | None:
        for v in self.variables:
            if v.labels and v.labels[0] == name:
                return v
        return None

    def all_blocks(self) -> Iterator[Block]:
        """Every top-level block (locals are exposed through ``locals``)."""
        yield from self.terraform
        yield from self.providers
        yield from self.variables
        yield from self.resources
        yield from self.data
        yield from self.modules
        yield from self.outputs
        yield from self.other_blocks

    def referrers(self, address: str) -> list[Block]:
        """Top-level blocks with an expression referring to ``address``."""
        return [b for b in self.all_blocks() if any(r.address == address for r in b.all_refs())]

    def all_refs(self) -> Iterator[Ref]:
        for b in self.all_blocks():
            yield from b.all_refs()
        for a in self.locals.values():
            yield from a.refs


def block_kind(block: Block) -> str:
    """The kind findings carry to pair renamed objects across MODEL and IDEAL: the resource type (data.x for
    data sources), else the block keyword."""
    if isinstance(block, Resource):
        return block.resource_type if block.mode == "managed" else f"data.{block.resource_type}"
    return block.type


def block_address(block: Block) -> str:
    if isinstance(block, Resource):
        return block.address
    if block.type in ("variable",):
        return f"var.{block.labels[0]}" if block.labels else "var"
    if block.type == "module":
        return f"module.{block.labels[0]}" if block.labels else "module"
    if block.type == "output":
        return f"output.{block.labels[0]}" if block.labels else "output"
    if block.type == "provider":
        alias = block.get("alias")
        name = block.labels[0] if block.labels else "provider"
        return f"provider.{name}" + (f".{alias}" if isinstance(alias, str) and alias else "")
    return ".".join((block.type, *block.labels))


def _pickle_by_constructor(cls: type) -> None:
    """Pickle as ``cls(*public fields)``: the parse cache stores thousands of these per answer, and the
    dataclass default (a Python __getstate__/__setstate__ per object) made loading 2.4x and dumping 1.25x
    slower. Private memo slots (``_by_type``, ``_derived``) are left out; they are rebuilt on use."""
    from dataclasses import fields

    names = tuple(f.name for f in fields(cls) if not f.name.startswith("_"))

    def __reduce__(self):
        return cls, tuple([getattr(self, n) for n in names])

    cls.__reduce__ = __reduce__


for _cls in (Ref, Attribute, Block, Resource, ParseError, CodeBlock, TerraformConfig):
    _pickle_by_constructor(_cls)
