"""undefined_reference: references to objects no file of the answer declares."""

from __future__ import annotations

from drdata.detectors.reference._util import declared_textually, line_text
from drdata.detectors.registry import cannot_tell, detector, hit_at
from drdata.hcl.model import Block, Ref, TerraformConfig

# Attributes whose "references" are not object references: provider aliases
# (`provider = aws.west`), module provider maps, and lifecycle attribute paths
# (`ignore_changes = [tags.Name]`).
_NOT_REFS = {"provider", "providers", "ignore_changes"}
# Blocks that name addresses on purpose (a moved resource's old address no longer exists).
_SKIP_BLOCKS = {"moved", "removed"}


def _kind(address: str) -> str:
    head, _, rest = address.partition(".")
    if head == "var":
        return "variable"
    if head == "local":
        return "local"
    if head == "module":
        return "module"
    if head == "data":
        return "data." + rest.split(".")[0]
    return head


def _block_refs(block: Block) -> list[Ref]:
    out: list[Ref] = []

    def rec(b: Block) -> None:
        for name, attr in b.attributes.items():
            if name in _NOT_REFS:
                continue
            out.extend(attr.refs)
        for child in b.blocks:
            rec(child)

    rec(block)
    return out


def _declared(cfg: TerraformConfig) -> set[str]:
    names = {r.address for r in cfg.resources} | {r.address for r in cfg.data}
    names |= {f"var.{v.labels[0]}" for v in cfg.variables}
    names |= {f"local.{n}" for n in cfg.locals}
    names |= {f"module.{m.labels[0]}" for m in cfg.modules}
    return names


@detector(category="undefined_reference")
def undefined_reference(cfg: TerraformConfig):
    """Flags references to resources, data sources, variables, locals or modules that no file declares.

    All code blocks of the answer count together. `count`, `each`, `self`, `path`,
    `terraform` and the iterators of `for` / `dynamic` are not references (the parser
    already drops iterators). One finding per undefined address, at its first use.
    When part of the answer did not parse (or it is truncated) the declaration may sit
    in the lost part: the finding stands only if no code block text declares the
    address (`resource "t" "n" {`, `variable "x" {`, ...), otherwise cannot tell.
    Why: `terraform validate` fails with "Reference to undeclared resource".
    Fix: declare the object, or point the reference at the object that exists.
    """
    from drdata.detectors.registry import block_address

    declared = _declared(cfg)
    first: dict[str, tuple[Ref, str]] = {}
    blocks = [b for b in cfg.all_blocks() if b.type not in _SKIP_BLOCKS]
    refs = [(r, block_address(b)) for b in blocks for r in _block_refs(b)]
    refs += [(r, f"local.{name}") for name, a in cfg.locals.items() for r in a.refs]
    for ref, holder in refs:
        if ref.kind == "other" or ref.address in declared:
            continue
        if ref.kind == "resource" and "_" not in ref.address.split(".")[0]:
            # Resource types are always provider_type; `ip.address` is a template
            # for-directive iterator (`%{ for ip in ... }`), not a resource.
            continue
        if ref.address not in first or ref.line < first[ref.address][0].line:
            first[ref.address] = (ref, holder)
    for address, (ref, holder) in sorted(first.items(), key=lambda kv: (kv[1][0].line, kv[0])):
        if not cfg.complete and declared_textually(cfg, address):
            yield cannot_tell(address, "declared in a part of the answer that did not parse")
            continue
        file, text = line_text(cfg, ref.line)
        yield hit_at(address, _kind(address), file, ref.line,
                     f"{address} is referenced but never declared (in {holder})", text, holder=holder)
