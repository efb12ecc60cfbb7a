"""hcl_syntax_error: code Terraform cannot load."""

from __future__ import annotations

from collections import defaultdict

from drdata.detectors.helpers import module_dir
from drdata.detectors.registry import Category, ReportRule, declare, detector, hit, hit_at
from drdata.hcl.model import Attribute, Block, TerraformConfig

CATEGORY = declare(Category(
    id="hcl_syntax_error",
    number=28,
    theme="code",
    area="syntax",
    title="HCL Syntax Error",
    severity="Critical",
    rule_set="aws",
    what="Code that Terraform cannot load: a block that does not parse, an attribute set twice in one block, or two blocks with the same address (resource, data source, variable, output, local, module) across the answer's files.",
    root_cause="Answers are written as separate files in one pass; the model repeats a declaration in a second file, mixes syntaxes, or loses track of quotes and braces.",
    impact="`terraform init`/`validate` stops at the first such error, so nothing of the answer can be planned.",
    fix="Make every block parse, assign each attribute once, and give every resource, variable, output and local a unique name across all files.",
    report_rules=(
        ReportRule(order=260, strong=(
            r"syntax|pars(e|ing) errors?|unterminated|unbalanced|missing (closing )?(braces?|brackets?|quotes?)|invalid hcl|duplicate\w* (\w+ )?(blocks?|resources?|variables?|outputs?|providers?|locals?|definitions?|declarations?|terraform)"
            r"|duplicat\w*|unclosed|malformed|formatting|terraform fmt|\bfmt\b|heredoc|interpolation|invalid (block|expression|function)"
            r"|(unsupported|unknown|invalid) (block|function)|type (mismatch|errors?)"
        )),
        ReportRule(order=370, topic=True, kind_topic=True, strong=r"conditional|count and for_each|for_each|\bcount\b|interpolation"),
    ),
    title_rule=(
        r"syntax|does not parse|parse error|invalid hcl|duplicate (variable|resource|output|local"
        r"|block|declaration|data|definition)|unclosed|malformed|merge conflict"
    ),
))


def _named(cfg: TerraformConfig) -> list[tuple[str, Block]]:
    out: list[tuple[str, Block]] = []
    for r in (*cfg.resources, *cfg.data):
        out.append((r.address, r))
    for kind, blocks in (("var", cfg.variables), ("output", cfg.outputs), ("module", cfg.modules)):
        for b in blocks:
            if b.labels:
                out.append((f"{kind}.{b.labels[0]}", b))
    return out


@detector(category="hcl_syntax_error")
def hcl_syntax_error(cfg: TerraformConfig):
    """Flags parse errors, attributes assigned twice in a block, and duplicate addresses across files.

    Why: Terraform refuses to load a configuration with any of these, so nothing can be planned.
    Fix: make every block parse, assign each attribute once, give each object a unique name.
    """
    for e in cfg.errors:
        where = f"{e.file}:" if e.file else ""
        yield hit_at(f"{e.file or 'answer'}:{e.line}", "parse_error", e.file, e.line,
                     f"{where}line {e.line}: does not parse ({e.reason})", e.fragment)
    for top in cfg.all_blocks():
        for b in top.walk():
            for name in b.duplicate_attributes:
                yield hit(top, f"{_addr(top)}: attribute `{name}` assigned twice in `{b.type}`", name)
    groups: dict[tuple[str, str], list[Block]] = defaultdict(list)
    for addr, b in _named(cfg):
        groups[(module_dir(b.file), addr)].append(b)  # local modules (modules/x/...) have their own namespace
    for (_mod, addr), bs in groups.items():
        if len(bs) < 2:
            continue
        if _same_text(bs) or not _conflicting(cfg, bs):
            continue
        lines = ", ".join(f"{b.file or '?'}:{b.line}" for b in bs)
        yield hit(bs[1], f"{addr}: declared {len(bs)} times ({lines})")
    if cfg.duplicate_locals:
        yield from _duplicate_locals(cfg)


def _duplicate_locals(cfg: TerraformConfig):
    """Locals defined twice, with the same excerpt/revision allowance as blocks (locals carry no file, so
    each one is traced to its code block through the locals block that defines it)."""
    by_code_block: dict[int, list[Block]] = defaultdict(list)
    for b in cfg.locals_blocks:
        by_code_block[_code_block_index(cfg, b.line)].append(b)
    where: dict[str, list[tuple[int, str | None, str]]] = defaultdict(list)
    for i, blocks in sorted(by_code_block.items()):
        file = _norm_file(cfg.code_blocks[i].file) if i >= 0 else None
        last: dict[str, Attribute] = {}  # as parsing this code block alone would merge it
        dups: set[str] = set()
        for b in blocks:
            for name, attr in b.attributes.items():
                if name in last:
                    dups.add(name)
                last[name] = attr
            dups.update(b.duplicate_attributes)
        for name in sorted(dups):
            where[name].append((i, file, ""))  # twice inside one code block
            where[name].append((i, file, "dup"))
        for name, attr in last.items():
            if name in cfg.duplicate_locals:
                where[name].append((i, file, " ".join(attr.source.split())))
    for name in cfg.duplicate_locals:
        places = where.get(name, [])
        clash = False
        for j, (cb1, f1, v1) in enumerate(places):
            for cb2, f2, v2 in places[j + 1:]:
                if (cb1 == cb2 or (f1 and f2 and f1 != f2)) and v1 != v2:
                    clash = True
        if clash:
            attr = cfg.locals.get(name)
            yield hit_at(f"local.{name}", "locals", None, attr.line if attr else None,
                         f"local.{name}: defined more than once", attr.source if attr else "")


def _same_text(blocks: list[Block]) -> bool:
    return len({" ".join(b.source.split()) for b in blocks}) == 1


def _code_block_index(cfg: TerraformConfig, line: int) -> int:
    for i, cb in enumerate(cfg.code_blocks):
        if cb.line <= line <= cb.line + cb.text.count("\n"):
            return i
    return -1


def _norm_file(f: str | None) -> str | None:
    return f.rsplit("/", 1)[-1] if f else None


def _conflicting(cfg: TerraformConfig, blocks: list[Block]) -> bool:
    """Two of the blocks would both be loaded: in one code block, or in two differently named files.

    Not a conflict: the same file shown again later (a revision: same name, other code block), or an excerpt
    in an unnamed code block repeating a block of a named file (the explanation quoting the code).
    """
    where = [(_code_block_index(cfg, b.line), _norm_file(b.file)) for b in blocks]
    for i, (cb1, f1) in enumerate(where):
        for cb2, f2 in where[i + 1:]:
            if cb1 == cb2:
                return True
            if f1 and f2 and f1 != f2:
                return True
    return False


def _addr(b: Block) -> str:
    from drdata.detectors.registry import block_address
    return block_address(b)
