"""undefined_reference: references to objects no file of the answer declares."""

from __future__ import annotations

import re

from drdata.detectors.helpers import code_text, line_text, lost_blocks
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit_at
from drdata.hcl.model import Attribute, Block, Ref, TerraformConfig

CATEGORY = declare(Category(
    id="undefined_reference",
    number=2,
    theme="reference",
    area="references",
    title="Undefined Reference",
    severity="Critical",
    rule_set="aws",
    what="An expression refers to a resource, data source, variable, local or module that no file of the answer declares.",
    root_cause="Long answers are generated piecewise; the model names an object it intended to write and never wrote it.",
    impact="`terraform validate` fails with 'Reference to undeclared resource'; nothing can be planned.",
    fix="Declare every referenced object, or point the reference at the object that exists.",
    report_rules=(
        ReportRule(order=280, strong=(
            r"undefined|undeclared|not declared|not defined|non-?existent (resources?|variables?|references?|locals?|data)|missing (\w+ )?(declarations?|definitions?)"
            r"|(broken|invalid|incorrect|wrong|dangling|missing) (\w+ )?references?|referenc\w* (to )?(missing|undefined|non-?existent|undeclared)"
            r"|referenced but|unresolved|missing (variable|local|data source)s?\b|missing (`?aws_region`?|region) variable|variables? (is |are )?missing"
        )),
    ),
))


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


def _block_refs(block: Block) -> list[tuple[Ref, Attribute]]:
    out: list[tuple[Ref, Attribute]] = []

    def rec(b: Block) -> None:
        for name, attr in b.attributes.items():
            if name in _NOT_REFS:
                continue
            out.extend((r, attr) for r in attr.refs)
        for child in b.blocks:
            rec(child)

    rec(block)
    return out


# A shell-style variable interpolated by Terraform: `${TERRAFORM_VERSION}` in a buildspec or user_data heredoc
# (it must be written $${...} to reach the script).
_SHELL_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_MODULE_OUTPUT = re.compile(r"\bmodule\.([\w-]+)(?:\[[^\]]*\])?\.([A-Za-z_][\w-]*)")


def _provider_names(cfg: TerraformConfig) -> set[str]:
    return {"aws"} | {p.labels[0] for p in cfg.providers if p.labels}


def _module_outputs(cfg: TerraformConfig) -> dict[str, set[str] | None]:
    """module name -> outputs its local folder declares (an empty set when the answer never shows the folder;
    None for a registry or remote module, whose outputs are declared elsewhere)."""
    from drdata.catalog.external_module_dependency import local_module_shown, source_folder

    out: dict[str, set[str] | None] = {}
    for mod in cfg.modules:
        src = mod.get("source")
        if not isinstance(src, str) or not src.startswith(("./", "../")):
            out[mod.labels[0]] = None  # a registry or remote module declares its outputs elsewhere
            continue
        if not local_module_shown(cfg, mod, src):
            out[mod.labels[0]] = set()  # a local folder the answer never shows declares no output at all
            continue
        folder = source_folder(mod, src)
        out[mod.labels[0]] = {o.labels[0] for o in cfg.outputs
                              if o.file and (o.file.removeprefix("lib/").startswith(folder + "/")
                                             or f"/{src.lstrip('./')}/" in "/" + o.file)}
    return out


def _declared(cfg: TerraformConfig) -> set[str]:
    names = {r.address for r in cfg.resources} | {r.address for r in cfg.data}
    names |= {f"var.{v.labels[0]}" for v in cfg.variables}
    names |= {f"local.{n}" for n in cfg.locals}
    names |= {f"module.{m.labels[0]}" for m in cfg.modules}
    return names


_TEXT_REF = re.compile(r"(?<![\w.\"-])((?:var|local|module)\.[A-Za-z_][\w-]*|data\.[a-z][\w]*\.[A-Za-z_][\w-]*|"
                       r"aws_[a-z0-9_]+\.[A-Za-z_][\w-]*)")



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


_UNDECLARED = "is referenced but never declared"


def _folder(file: str | None) -> str | None:
    """The module folder of a file of the answer (None: unknown, which matches any folder)."""
    return None if file is None else (file.rsplit("/", 1)[0] if "/" in file else "")


@detector(category="undefined_reference", reads=())
def undefined_reference(cfg: TerraformConfig):
    """Flags references to resources, data sources, variables, locals or modules that no file declares.

    All code blocks of the answer count together. `count`, `each`, `self`, `path`,
    `terraform` and the iterators of `for` / `dynamic` are not references (the parser
    already drops iterators). One finding per undefined address, at its first use.
    When part of the answer did not parse (or it is truncated) the declaration may sit
    in the lost part: the finding stands only if no code block text declares the
    address (`resource "t" "n" {`, `variable "x" {`, ...), otherwise cannot tell. An answer cut off inside a
    module folder may declare the object after the cut: an undeclared reference from that folder is cannot tell
    too (one from a folder the answer had finished stands).
    Why: `terraform validate` fails with "Reference to undeclared resource".
    Fix: declare the object, or point the reference at the object that exists.
    """
    from drdata.detectors.registry import block_address

    declared = _declared(cfg)
    providers = _provider_names(cfg)
    cut_file = cfg.code_blocks[-1].file if cfg.truncated and cfg.code_blocks else None
    outputs = _module_outputs(cfg) if cfg.modules else {}
    first: dict[str, tuple[Ref, str, str]] = {}  # address -> (first use, holder, what is wrong)
    blocks = [b for b in cfg.all_blocks() if b.type not in _SKIP_BLOCKS]
    refs = [(r, a, block_address(b)) for b in blocks for r, a in _block_refs(b)]
    refs += [(r, a, f"local.{name}") for name, a in cfg.locals.items() for r in a.refs]

    def note(address: str, ref: Ref, holder: str, what: str) -> None:
        if address not in first or ref.line < first[address][0].line:
            first[address] = (ref, holder, what)

    for ref, attr, holder in refs:
        root = ref.address.split(".", 1)[0]
        if ref.kind == "other":
            if _SHELL_NAME.match(ref.address) and f"${{{ref.address}" in attr.source.replace(" ", ""):
                note(ref.address, ref, holder, "is interpolated by Terraform but no such name exists (a shell "
                                               "variable in a template needs $${...})")
            continue
        if ref.kind == "resource" and "_" not in root:
            # Resource types are always provider_type; `ip.address` is a template for-directive iterator
            # (`%{ for ip in ... }`), not a resource. A provider used as a value is no reference at all.
            if root in providers and "." in ref.address:
                note(ref.address, ref, holder, "names a provider configuration, which is not a value")
            continue
        if ref.address not in declared:
            note(ref.address, ref, holder, _UNDECLARED)
            continue
        if ref.kind == "module" and outputs.get(ref.address[7:]) is not None:
            known = outputs[ref.address[7:]]
            for m in _MODULE_OUTPUT.finditer(attr.source):
                if m.group(1) == ref.address[7:] and m.group(2) not in known:
                    note(f"{ref.address}.{m.group(2)}", ref, holder,
                         f"is not an output of the local module {ref.address}")
    # What did not parse is read as text: a reference there to nothing declared makes it "cannot tell".
    for keyword, rtype, text in lost_blocks(cfg):
        for address in sorted(set(_TEXT_REF.findall(text))):
            if address not in declared and address not in first and not declared_textually(cfg, address):
                yield cannot_tell(address, f"a {rtype or keyword} block that did not parse refers to it")
                break
    for address, (ref, holder, what) in sorted(first.items(), key=lambda kv: (kv[1][0].line, kv[0])):
        if not cfg.complete and declared_textually(cfg, address):
            yield cannot_tell(address, "declared in a part of the answer that did not parse")
            continue
        file, text = line_text(cfg, ref.line)
        if cfg.truncated and what == _UNDECLARED and _folder(file) == _folder(cut_file):
            # The answer stops inside the folder (module) that uses the name: its declaration may be in what
            # was never written. A folder the answer has left is complete as shown.
            yield cannot_tell(address, "never declared before the answer is cut off")
            continue
        yield hit_at(address, _kind(address), file, ref.line, f"{address} {what} (in {holder})", text, holder=holder)
