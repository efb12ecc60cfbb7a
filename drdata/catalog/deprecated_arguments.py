"""deprecated_arguments: resources and arguments the current AWS provider deprecated or removed."""

from __future__ import annotations

import re

from drdata.catalog.provider_version_constraints import admits_major
from drdata.detectors.helpers import load_table
from drdata.detectors.registry import Category, ReportRule, block_address, declare, detector, hit, hit_at
from drdata.detectors.schema_walk import DEPRECATED, provider_version, schema_items
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="deprecated_arguments",
    number=38,
    theme="code",
    area="schema",
    title="Deprecated Resources and Arguments",
    severity="Low",
    rule_set="aws",
    what="Resources, data sources and arguments the current AWS provider deprecated or removed (inline `acl`/`versioning`/encryption on `aws_s3_bucket`, `aws_s3_bucket_object`, `vpc = true` on `aws_eip`, `name` on `aws_db_instance`, ...).",
    root_cause="Training data predates AWS provider v4/v5, which split the S3 bucket and renamed arguments.",
    impact="Deprecation warnings at best; on the current provider major, 'Unsupported argument' errors or resources that fight each other over the same settings.",
    fix="Use the replacement resource or argument named in the data table (e.g. `aws_s3_bucket_versioning`, `aws_s3_object`, `domain = \"vpc\"`, `db_name`).",
    tables=("code_deprecations",),
    report_rules=(
        ReportRule(order=310, strong=r"deprecat\w*"),
        ReportRule(order=530, topic=True, kind_topic=True, strong=(
            r"deprecat\w*|(invalid|unsupported|unknown|unexpected|wrong|incorrect|non-?existent|removed|obsolete) (\w+ ){0,2}(arguments?|attributes?|resources?( types?)?|fields?|parameters?|properties|blocks?|settings?|options?|values?)"
            r"|not (supported|expected|valid)|no longer|schema|api (error|mismatch)|incorrect (\w+ ){0,2}(configuration|usage|syntax)"
        )),
    ),
    title_rule=r"deprecat|removed argument",
))


_SINCE = re.compile(r"\bv(\d+)\b")


def _since(replacement: str) -> int | None:
    """The provider major that deprecated (or removed) an entry: the first `vN` its text names."""
    m = _SINCE.search(replacement)
    return int(m.group(1)) if m else None


def _majors_shut_out(cfg: TerraformConfig) -> set[int]:
    """AWS provider majors the answer's own constraint excludes: what they deprecate does not apply to it (an
    answer pinned to `~> 5.0` runs where data.aws_region's `name` is not deprecated yet)."""
    out: set[int] = set()
    for t in cfg.terraform:
        for rp in t.children("required_providers"):
            attr = rp.attributes.get("aws")
            v = attr.value if attr is not None else None
            version = v.get("version") if isinstance(v, dict) else v
            if isinstance(version, str):
                out |= {major for major in (4, 5, 6, 7) if admits_major(version, major) is False}
    return out


def _present(block, path: str):
    """The attribute (or nested block) at a dotted path, else None."""
    head, _, rest = path.partition(".")
    if not rest:
        if head in block.attributes:
            return block.attributes[head]
        kids = block.children(head)
        return kids[0] if kids else None
    for child in block.children(head):
        found = _present(child, rest)
        if found is not None:
            return found
    return None


@detector(category="deprecated_arguments")
def deprecated_arguments(cfg: TerraformConfig):
    """Flags resources, data sources and arguments listed as deprecated/removed in the dated data table
    (AWS provider v4-v6 upgrade guides), e.g. inline `versioning` on aws_s3_bucket, aws_s3_bucket_object,
    `vpc = true` on aws_eip, `name` on aws_db_instance, data aws_subnet_ids, and expressions reading deprecated
    attributes (`data.aws_region.current.name`).

    The table is fed by the AWS provider schema shipped with drdata: every other `aws_*` type, argument or
    nested block the schema marks deprecated is flagged too (without a replacement, which the schema does not
    name); paths the table lists are judged by the table only (`vpc = false` on aws_eip is fine).

    What the answer's own AWS provider constraint shuts out does not apply: an answer pinned to `~> 5.0` is not
    flagged for what v6 deprecates.
    Why: on the current provider these raise deprecation warnings or 'Unsupported argument' errors, and the
    split S3 resources fight with the inline settings.
    Fix: use the replacement named in the table, or the one the provider docs give.
    """
    table = load_table("code_deprecations")
    shut_out = _majors_shut_out(cfg)
    for r in cfg.resources:
        repl = table["resources"].get(r.resource_type)
        if repl and _since(repl) not in shut_out:
            yield hit(r, f"{r.address}: resource type {r.resource_type} is deprecated; use {repl}")
        for path, repl in table["arguments"].get(r.resource_type, {}).items():
            found = _present(r, path)
            if found is None or _since(repl) in shut_out:
                continue
            if r.resource_type == "aws_eip" and path == "vpc" and getattr(found, "value", None) is False:
                continue
            attr = path if path in r.attributes else None
            yield hit(r, f"{r.address}: `{path}` is deprecated; use {repl}", attr)
    for d in cfg.data:
        repl = table["data_sources"].get(d.resource_type)
        if repl and _since(repl) not in shut_out:
            yield hit(d, f"{d.address}: data source {d.resource_type} is deprecated; use {repl}")
    refs = {kind: {a: r for a, r in attrs.items() if _since(r) not in shut_out}
            for kind, attrs in table["attribute_references"].items()}
    yield from _deprecated_references(cfg, refs)
    yield from _schema_deprecations(cfg, table)


def _schema_deprecations(cfg: TerraformConfig, table: dict):
    """What the provider schema marks deprecated and the table does not already judge."""
    version = None
    for top, path, attr in schema_items(cfg, DEPRECATED):
        version = version or provider_version()
        if path is None:
            listed = table["resources"] if top.mode == "managed" else table["data_sources"]
            if top.resource_type not in listed:
                kind = "resource type" if top.mode == "managed" else "data source"
                yield hit(top, f"{top.address}: {kind} {top.resource_type} is deprecated in the AWS provider "
                               f"{version} schema")
            continue
        if path in table["arguments"].get(getattr(top, "resource_type", ""), {}):
            continue
        yield hit(top, f"{block_address(top)}: `{path}` is deprecated in the AWS provider {version} schema", attr)


def _deprecated_references(cfg: TerraformConfig, table: dict):
    """Expressions reading deprecated attributes (``data.aws_region.current.name``)."""
    patterns = []
    for kind, attrs in table.items():
        objs = cfg.data_of(kind[5:]) if kind.startswith("data.") else cfg.resources_of(kind)
        for obj in objs:
            for attr, repl in attrs.items():
                rx = re.compile(rf"(?<![\w.]){re.escape(obj.address)}(\[[^\]]*\])?\.{attr}\b")
                patterns.append((rx, f"{obj.address}.{attr}", repl))
    if not patterns:
        return
    reported = set()
    for b in cfg.all_blocks():
        for path, attr in b.attribute_paths():
            for rx, ref, repl in patterns:
                if (b.line, ref) not in reported and rx.search(attr.source):
                    reported.add((b.line, ref))
                    yield hit(b, f"{block_address(b)}: {path} reads {ref}, deprecated; use {repl}", attr)
    for name, attr in cfg.locals.items():
        for rx, ref, repl in patterns:
            if rx.search(attr.source):
                yield hit_at(f"local.{name}", "locals", None, attr.line,
                             f"local.{name} reads {ref}, deprecated; use {repl}", attr.source[:200])
