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


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


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


def _module_outputs(cfg: TerraformConfig) -> dict[tuple[str, str], list[Attribute]]:
    from drdata.detectors.reference.external_module_dependency import module_dir

    out: dict[tuple[str, str], list[Attribute]] = {}
    for mod in cfg.modules:
        src = mod.get("source")
        if not isinstance(src, str) or not src.startswith(("./", "../")):
            continue
        folder = module_dir(mod, src)
        for o in cfg.outputs:
            if o.file and "value" in o.attributes and (o.file.removeprefix("lib/").startswith(folder + "/")
                                                       or f"/{src.lstrip('./')}/" in "/" + o.file):
                out.setdefault((mod.labels[0], o.labels[0]), []).append(o.attributes["value"])
    return out


def _module_members(cfg: TerraformConfig) -> dict[str, list[str]]:
    from drdata.detectors.reference.external_module_dependency import module_dir

    out: dict[str, list[str]] = {}
    for mod in cfg.modules:
        src = mod.get("source")
        if not isinstance(src, str) or not src.startswith(("./", "../")):
            continue
        folder = module_dir(mod, src)
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


# -- who puts objects into which bucket -------------------------------------------------

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


# -- S3 buckets and their connected resources ----------------------------------------------

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
