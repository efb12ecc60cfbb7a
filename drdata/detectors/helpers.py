"""What the category rules share (no @detector here): data tables, values, code text, references, S3 buckets.

One module instead of the three helper dialects the rule families used to carry. Values are resolved only as far
as the answer itself allows; where a value cannot be known the helpers return :class:`Unknown` with the reason,
so a rule can say "cannot tell" instead of guessing. Two resolvers, on purpose:

- :func:`resolve` follows everything the answer shows (``var.x`` defaults, ``local.x``, what module calls pass
  for a variable, ``!x``, ``a == b`` and ``c ? x : y`` over them) and says why it stopped;
- :func:`resolve_plain` follows only a plain ``var.x`` default or ``local.x`` chain, a few levels deep. The rules
  written with it judge expressions themselves, and their labels are tuned to that narrower view.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from drdata.hcl.model import Attribute, Block, Call, Expr, Resource, TerraformConfig, is_literal

DATA_DIR = Path(__file__).resolve().parent.parent / "catalog" / "data"


# -- data tables ------------------------------------------------------------------------------------------------

@cache
def load_table(name: str) -> dict:
    """The JSON data table ``drdata/catalog/data/<name>.json`` (read once; callers must not modify it)."""
    with open(DATA_DIR / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


# -- values ---------------------------------------------------------------------------------------------------

class Unknown:
    """Why a value could not be resolved (falsy, so ``if not resolved`` reads naturally)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


# What resolve_plain returns where it stops: one shared instance, so its callers may test ``v is UNRESOLVED``.
UNRESOLVED = Unknown("not a literal value")

_MISSING = object()
_VAR_ONLY = re.compile(r"^\s*var\.([A-Za-z_][\w-]*)\s*$")
_LOCAL_ONLY = re.compile(r"^\s*local\.([A-Za-z_][\w-]*)\s*$")
_NAMED_REF = re.compile(r"\b(var|local)\.([A-Za-z_][\w-]*)")
_RANDOM_REF = re.compile(r"\b(random_(?:id|string|pet|uuid|integer|shuffle))\.([A-Za-z_][\w-]*)")


def var_default(cfg: TerraformConfig, name: str) -> Any:
    """Default of ``variable "name"``; ``_MISSING`` when undeclared or without default."""
    var = cfg.variable(name)
    if var is None or "default" not in var.attributes:
        return _MISSING
    return var.attributes["default"].value


def resolve(cfg: TerraformConfig, value: Any, _depth: int = 0, _passing: frozenset = frozenset()) -> Any:
    """Literal value of ``value``, following ``var.x`` defaults, ``local.x`` and the arguments module calls pass
    for a variable; else :class:`Unknown`."""
    if is_literal(value):
        return value
    if _depth > 10:
        return Unknown("reference chain too deep")
    text = str(value)
    m = _VAR_ONLY.match(text)
    if m:
        default = var_default(cfg, m.group(1))
        # A variable already followed into module arguments is not followed again: calls that pass a variable
        # through (`tags = var.tags` in every module) would branch at every level.
        passed = module_inputs(cfg).get(m.group(1)) if cfg.modules and m.group(1) not in _passing else None
        if passed:
            # A module's variable takes what its calls pass; one value when they all agree.
            # Calls passing the same expression resolve it once.
            distinct = {a.source.strip(): a for a in passed}.values()
            values = [resolve(cfg, a.value, _depth + 1, _passing | {m.group(1)}) for a in distinct]
            known = [v for v in values if not is_unknown(v)]
            if known and len(known) == len(values) and all(v == known[0] for v in known):
                return known[0]
            if default is _MISSING:
                return next((v for v in values if is_unknown(v)), Unknown(f"modules pass var.{m.group(1)} "
                                                                          "different values"))
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


_VAR = re.compile(r"^var\.([A-Za-z_][\w-]*)$")
_LOCAL = re.compile(r"^local\.([A-Za-z_][\w-]*)$")


def resolve_plain(cfg: TerraformConfig, value: Any, *, max_depth: int = 4, whole_literal: bool = True,
                  _depth: int = 0) -> Any:
    """Literal value of ``value``, following only a plain ``var.x`` (to its default) or ``local.x``; else
    :data:`UNRESOLVED`.

    The two families that used this narrow resolver differed, and their labels depend on it, so both stay as
    parameters: ``max_depth`` (4 for the service rules, 5 for the code rules) bounds the chain, and
    ``whole_literal=False`` (code rules) accepts a list or map that still holds expressions, where the service
    rules need every item literal.
    """
    if not isinstance(value, Expr):
        return value if not whole_literal or is_literal(value) else UNRESOLVED
    if _depth > max_depth:
        return UNRESOLVED
    text = str(value).strip()
    m = _VAR.match(text)
    if m:
        var = cfg.variable(m.group(1))
        if var is None or "default" not in var.attributes:
            return UNRESOLVED
        return resolve_plain(cfg, var.get("default"), max_depth=max_depth, whole_literal=whole_literal,
                             _depth=_depth + 1)
    m = _LOCAL.match(text)
    if m and m.group(1) in cfg.locals:
        return resolve_plain(cfg, cfg.locals[m.group(1)].value, max_depth=max_depth, whole_literal=whole_literal,
                             _depth=_depth + 1)
    return UNRESOLVED


def attr_value(cfg: TerraformConfig, block: Block, name: str, default: Any = None) -> Any:
    """Resolved value of an attribute; ``default`` when absent, UNRESOLVED when not literal."""
    if name not in block.attributes:
        return default
    return resolve_plain(cfg, block.attributes[name].value)


def truthy(value: Any) -> bool | None:
    """True/False for literal booleans (and "true"/"false" strings); None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and not isinstance(value, Expr) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _module_inputs(cfg: TerraformConfig) -> dict[str, list[Attribute]]:
    out: dict[str, list[Attribute]] = {}
    for mod in cfg.modules:
        for name, attr in mod.attributes.items():
            if name not in ("source", "version", "providers", "count", "for_each", "depends_on"):
                out.setdefault(name, []).append(attr)
    return out


def module_inputs(cfg: TerraformConfig) -> dict[str, list[Attribute]]:
    """Variable name -> the arguments module calls pass for it. An answer shows its local modules' files
    beside the root ones, all in one configuration: a ``var.x`` inside a module receives what the calls pass."""
    return cfg.derived(_module_inputs)


def names_reached(cfg: TerraformConfig, text: str) -> set[str]:
    """``var.x`` / ``local.y`` / ``random_id.z`` named in ``text``, following locals transitively and the
    arguments that module calls pass for a variable (``name_prefix = "app-${var.environment_suffix}"``)."""
    seen: set[str] = set()
    todo = [text]
    inputs = module_inputs(cfg) if cfg.modules else {}
    while todo:
        t = todo.pop()
        for kind, name in _NAMED_REF.findall(t):
            key = f"{kind}.{name}"
            if key in seen:
                continue
            seen.add(key)
            if kind == "local" and name in cfg.locals:
                todo.append(cfg.locals[name].source)
            elif kind == "var" and name in inputs:
                todo.extend(a.source for a in inputs[name])
        for rtype, name in _RANDOM_REF.findall(t):
            seen.add(f"{rtype}.{name}")
    return seen

# -- code text ------------------------------------------------------------------------------------------------

def code_text(cfg: TerraformConfig) -> str:
    return "\n".join(cb.text for cb in cfg.code_blocks)


_INTERP = re.compile(r"\$\{[^}]*\}|%\{[^}]*\}")


def is_template(value: Any) -> bool:
    """A quoted string template (``"${var.x}-logs"``), not a bare expression."""
    return isinstance(value, Expr) and not isinstance(value, Call) and value.startswith('"') and value.endswith('"')


def literal_parts(value: Any) -> list[str] | None:
    """Literal text pieces of a plain string or a string template; None for other expressions."""
    if isinstance(value, str) and not isinstance(value, Expr):
        return [value]
    if is_template(value):
        return [p for p in _INTERP.split(str(value)[1:-1]) if p]
    return None


def strings_in(value: Any) -> list[str]:
    """Every literal string inside a value (walks lists, maps, call arguments, template parts), in order."""
    if type(value) is str:  # most attribute values: no walk
        return [value]
    out: list[str] = []
    _collect_strings(value, out)
    return out


def _collect_strings(value: Any, out: list[str]) -> None:
    # Plain recursion into a list: a chain of generators cost more than the checks on every attribute.
    if isinstance(value, Call):
        for a in value.args:
            _collect_strings(a, out)
    elif isinstance(value, Expr):
        parts = literal_parts(value)
        if parts:
            out.extend(parts)
        elif str(value).startswith("<<"):
            out.extend(p for p in _INTERP.split(str(value)) if p)
    elif isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _collect_strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _collect_strings(v, out)


def module_dir(file: str | None) -> str:
    """Directory of a file as the module it belongs to: "" for the root module ("main.tf", "lib/main.tf"),
    "modules/vpc" for "modules/vpc/main.tf". Answers often prefix root files with lib/ (the pipeline layout)."""
    if not file or "/" not in file:
        return ""
    d = file.rsplit("/", 1)[0].strip("./")
    return "" if d in ("", "lib", "terraform", "infra", "infrastructure") else d


def variable_uses(cfg: TerraformConfig) -> dict[str, set[str]]:
    """Module dir -> names of variables used there outside their own declaration (a validation block that
    refers to its own variable is no use). Also a textual ``var.x`` scan, since refs inside blocks that did
    not parse are lost. Shared by several detectors: computed once per configuration, do not modify."""
    return cfg.derived(_variable_uses)


def _variable_uses(cfg: TerraformConfig) -> dict[str, set[str]]:
    uses: dict[str, set[str]] = {}
    for b in cfg.all_blocks():
        own = b.labels[0] if b.type == "variable" and b.labels else None
        names = uses.setdefault(module_dir(b.file), set())
        for r in b.all_refs():
            if r.kind == "var" and r.address[4:] != own:
                names.add(r.address[4:])
    # Only declarations that mention var. themselves (validation blocks) need cutting from the text scan.
    var_sources = {v.source for v in cfg.variables if "var." in v.source}
    for a in cfg.locals.values():
        for r in a.refs:
            if r.kind == "var":
                for names in uses.values():  # locals carry no file: count for every module
                    names.add(r.address[4:])
    for cb in cfg.code_blocks:
        text = cb.text
        for s in var_sources:
            if s in text:
                text = text.replace(s, "")
        uses.setdefault(module_dir(cb.file), set()).update(_var_names(text))
    return uses


_VAR_USE = re.compile(r"var\.([A-Za-z_][\w-]*)")


def _var_names(text: str) -> list[str]:
    """Names in ``var.x`` not preceded by a word character (as a leading ``\\b`` would): a pattern that starts
    with a literal lets the regex engine skip ahead, 12x faster over whole answers."""
    return [m.group(1) for m in _VAR_USE.finditer(text)
            if m.start() == 0 or not (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_")]


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


_DECLARED_TYPE = re.compile(r'^\s*(resource|data)\s+"?([\w-]+)"?\s+"?([\w-]+)"?', re.M)


def lost_blocks(cfg: TerraformConfig) -> list[tuple[str, str | None, str]]:
    """(keyword, type or name, text) of each top-level block that did not parse: what a rule that reads the
    lost text itself has to judge (`resource "aws_s3_bucket" ...` -> ("resource", "aws_s3_bucket", text))."""
    out = []
    for err in cfg.errors:
        text = err.text or err.fragment
        m = _DECLARED_TYPE.search(text)
        if m:
            out.append((m.group(1), m.group(2), text))
        else:
            head = text.lstrip().split(None, 1)
            out.append((head[0] if head else "", None, text))
    return out

# -- references -----------------------------------------------------------------------------------------------

def resource_refs(attr: Attribute | None) -> set[str]:
    """Addresses of resources / data sources an attribute refers to."""
    if attr is None:
        return set()
    return {r.address for r in attr.refs if r.kind in ("resource", "data")}


def anchor_refs(cfg: TerraformConfig, block: Block, attr_name: str) -> set[str]:
    """Resource addresses behind ``attr_name``: direct refs, through locals, through what module calls pass for a
    module's variable, and through ``for_each``/``count`` when the attribute only uses ``each``/``count``."""
    attr = block.attributes.get(attr_name)
    if attr is None:
        return set()
    out = resource_refs(attr)
    for r in attr.refs:
        if r.kind == "local":
            out |= _local_resource_refs(cfg, r.address.split(".", 1)[1], set())
        if r.kind == "var" and cfg.modules:
            # A module's variable stands for what the module's calls pass (`role_arn = aws_iam_role.x.arn`).
            for passed in module_inputs(cfg).get(r.address.split(".", 1)[1], ()):
                out |= resource_refs(passed) | module_output_refs(cfg, passed.source)
                for lr in passed.refs:
                    if lr.kind == "local":
                        out |= _local_resource_refs(cfg, lr.address.split(".", 1)[1], set())
        if r.kind == "module":
            out |= module_output_refs(cfg, attr.source)
        if r.kind == "other" and r.address in ("each", "count"):
            for loop in ("for_each", "count"):
                if loop in block.attributes:
                    out |= resource_refs(block.attributes[loop])
                    for lr in block.attributes[loop].refs:
                        if lr.kind == "local":
                            out |= _local_resource_refs(cfg, lr.address.split(".", 1)[1], set())
    return out


_MODULE_OUTPUT = re.compile(r"\bmodule\.([\w-]+)(?:\[[^\]]*\])?\.([A-Za-z_][\w-]*)")


def norm_path(path: str) -> str:
    path = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
    return path.removeprefix("lib/")


def source_folder(mod: Block, source: str) -> str:
    """The folder a local source points at, relative to the answer's root (the calling file's folder first)."""
    base = posixpath.dirname(norm_path(mod.file)) if mod.file else ""
    return norm_path(posixpath.join(base, source)) if base else norm_path(source)


def _module_outputs(cfg: TerraformConfig) -> dict[tuple[str, str], list[Attribute]]:
    out: dict[tuple[str, str], list[Attribute]] = {}
    for mod in cfg.modules:
        src = mod.get("source")
        if not isinstance(src, str) or not src.startswith(("./", "../")):
            continue
        folder = source_folder(mod, src)
        for o in cfg.outputs:
            if o.file and "value" in o.attributes and (o.file.removeprefix("lib/").startswith(folder + "/")
                                                       or f"/{src.lstrip('./')}/" in "/" + o.file):
                out.setdefault((mod.labels[0], o.labels[0]), []).append(o.attributes["value"])
    return out


def _module_members(cfg: TerraformConfig) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for mod in cfg.modules:
        src = mod.get("source")
        if not isinstance(src, str) or not src.startswith(("./", "../")):
            continue
        folder = source_folder(mod, src)
        out[mod.labels[0]] = [r.address for r in cfg.resources if r.file and (
            r.file.removeprefix("lib/").startswith(folder + "/") or f"/{src.lstrip('./')}/" in "/" + r.file)]
    return out


def module_members(cfg: TerraformConfig) -> dict[str, list[str]]:
    """Local module call name -> addresses of the resources its folder declares (as the answer shows them)."""
    return cfg.derived(_module_members)


def module_output_refs(cfg: TerraformConfig, source: str) -> set[str]:
    """Resource addresses behind the outputs of local modules that ``source`` reads (`module.iam.role_arn`)."""
    outputs = cfg.derived(_module_outputs)
    found: set[str] = set()
    for m in _MODULE_OUTPUT.finditer(source):
        for value in outputs.get((m.group(1), m.group(2)), ()):
            found |= resource_refs(value)
    return found


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


def nested_attrs(block: Block, path: str) -> list[Attribute]:
    """Every attribute at a dotted path through nested blocks (``bootstrap_action.path`` of each action)."""
    *blocks, name = path.split(".")
    current = [block]
    for b in blocks:
        current = [c for cur in current for c in cur.children(b)]
    return [cur.attributes[name] for cur in current if name in cur.attributes]


def nested_attr(block: Block, path: str) -> Attribute | None:
    """The first attribute at a dotted path through nested blocks (``rule.destination.bucket``)."""
    found = nested_attrs(block, path)
    return found[0] if found else None


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

# -- who puts objects into which bucket; S3 buckets and their connected resources ---------------------------------

# (writer type, attribute path naming the bucket, what writes, extra condition on the writer)
_BUCKET_WRITERS = (
    ("aws_cloudtrail", "s3_bucket_name", "CloudTrail"),
    ("aws_config_delivery_channel", "s3_bucket_name", "AWS Config"),
    ("aws_flow_log", "log_destination", "VPC flow logs"),
    ("aws_lb", "access_logs.bucket", "load balancer access logs"),
    ("aws_alb", "access_logs.bucket", "load balancer access logs"),
    ("aws_elb", "access_logs.bucket", "load balancer access logs"),
    ("aws_s3_bucket_logging", "target_bucket", "S3 access logging"),
    ("aws_s3_bucket", "logging.target_bucket", "S3 access logging"),
    ("aws_kinesis_firehose_delivery_stream", "extended_s3_configuration.bucket_arn", "Firehose"),
    ("aws_kinesis_firehose_delivery_stream", "s3_configuration.bucket_arn", "Firehose"),
    ("aws_cloudfront_distribution", "logging_config.bucket", "CloudFront logs"),
    ("aws_s3_bucket_replication_configuration", "rule.destination.bucket", "replication"),
    ("aws_s3_object", "bucket", "uploaded objects"),
    ("aws_s3_bucket_object", "bucket", "uploaded objects"),
    ("aws_s3_bucket_object_lock_configuration", "bucket", "object lock"),
)
# Writers that are AWS services delivering logs: their buckets need a bucket policy for that service.
LOG_DELIVERY = {"CloudTrail", "AWS Config", "VPC flow logs", "load balancer access logs", "S3 access logging",
                "CloudFront logs"}
_S3_NAME = re.compile(r"^(?:arn:aws[\w-]*:s3:::)?([a-z0-9][a-z0-9.-]{1,62})(?:/.*)?$")


def _literal_bucket_names(cfg: TerraformConfig) -> dict[str, str]:
    out = {}
    for b in cfg.resources_of("aws_s3_bucket"):
        name = b.get("bucket")
        if isinstance(name, str) and not isinstance(name, Expr):
            out[name] = b.address
    return out


def _bucket_writers(cfg: TerraformConfig) -> dict[str, list[tuple[str, str]]]:
    buckets = {b.address for b in cfg.resources_of("aws_s3_bucket")}
    if not buckets:
        return {}
    by_name = _literal_bucket_names(cfg)
    out: dict[str, list[tuple[str, str]]] = {}
    for rtype, path, what in _BUCKET_WRITERS:
        for res in cfg.resources_of(rtype):
            if rtype == "aws_flow_log" and str(res.get("log_destination_type", "s3")).strip('"') not in ("s3", ""):
                continue
            first = path.split(".", 1)[0]
            if "." in path:
                if any(c.get("enabled") is False for c in res.children(first)):
                    continue
                attr = nested_attr(res, path)
                targets = {r.address for r in attr.refs if r.kind == "resource"} if attr is not None else set()
            else:
                attr = res.attributes.get(path)
                targets = anchor_refs(cfg, res, path)
            if attr is None:
                continue
            targets &= buckets
            if not targets and isinstance(attr.value, str) and not isinstance(attr.value, Expr):
                m = _S3_NAME.match(attr.value)
                if m and m.group(1) in by_name:
                    targets = {by_name[m.group(1)]}
            for t in sorted(targets):
                if t != res.address:
                    out.setdefault(t, []).append((res.address, what))
    return out


def bucket_writers(cfg: TerraformConfig) -> dict[str, list[tuple[str, str]]]:
    """Bucket address -> (writer address, what) for everything in the answer that puts objects into it: log
    deliveries of the services it configures, replication, uploaded objects, object lock."""
    return cfg.derived(_bucket_writers)


def connected(cfg: TerraformConfig, bucket: Resource, rtype: str) -> list[Resource]:
    """`rtype` resources whose `bucket` refers to this bucket (by reference, through locals or
    for_each, or by the same literal/expression name)."""
    name_attr = bucket.attributes.get("bucket")
    out = []
    for r in cfg.resources_of(rtype):
        battr = r.attributes.get("bucket")
        if battr is None:
            continue
        if bucket.address in anchor_refs(cfg, r, "bucket"):
            out.append(r)
        elif name_attr is not None and battr.source.strip() == name_attr.source.strip():
            out.append(r)
    return out


def _enabled(cfg: TerraformConfig, value, on_values) -> bool | None:
    v = resolve(cfg, value)
    if is_unknown(v):
        return None
    if isinstance(v, str):
        return v.strip().lower() in on_values
    return bool(v)


def versioning_state(cfg: TerraformConfig, bucket: Resource) -> bool | None:
    """True / False / None (cannot tell) for versioning of one bucket."""
    for v in bucket.children("versioning"):
        if "enabled" in v.attributes:
            return _enabled(cfg, v.attributes["enabled"].value, ("true",))
    states = []
    for r in connected(cfg, bucket, "aws_s3_bucket_versioning"):
        for conf in r.children("versioning_configuration"):
            if "status" in conf.attributes:
                states.append(_enabled(cfg, conf.attributes["status"].value, ("enabled",)))
    if True in states:
        return True
    if None in states:
        return None
    return False
