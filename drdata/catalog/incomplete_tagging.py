"""incomplete_tagging: untagged resources, a shared tag set without the deployment suffix, prompt keys missing."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from drdata.catalog.missing_environment_suffix import carries_suffix, suffix_variables
from drdata.detectors.helpers import (
    Unknown,
    is_unknown,
    line_text,
    load_table,
    lost_blocks,
    names_reached,
    resolve,
)
from drdata.detectors.registry import Category, ReportRule, block_address, cannot_tell, declare, detector, hit, hit_at
from drdata.hcl.model import Block, Call, Expr, Resource, TerraformConfig

CATEGORY = declare(Category(
    id="incomplete_tagging",
    number=11,
    theme="reference",
    area="tagging",
    title="Incomplete Tagging",
    answer_wide=True,
    severity="Low",
    rule_set="convention",
    what="Taggable resources carry no tags (and the provider sets no `default_tags`), or the shared tag map lacks the deployment-identity key the answer uses elsewhere.",
    root_cause="Tagging is applied by hand per resource and drifts as the answer grows.",
    impact="Costs cannot be allocated and resources of one deployment cannot be found or cleaned up.",
    fix="Put a common tag map (with the deployment suffix) in provider `default_tags` or merge it into every resource's `tags`.",
    tables=("reference_taggable_types",),
    report_rules=(
        ReportRule(order=560, topic=True, kind_topic=True, strong=r"\btag(s|ging)?\b|default_tags|cost allocation"),
    ),
))


def _table() -> dict:
    return load_table("reference_taggable_types")


def taggable_types() -> frozenset[str]:
    """Resource types that take `tags`: every type of the AWS provider schema with a `tags` argument, plus the
    table's (types tagged through `tag` blocks, such as Auto Scaling groups)."""
    return _taggable()


@cache
def _taggable() -> frozenset[str]:
    from drdata.terraform.schema import load_schema

    schema = load_schema()
    return frozenset(_table()["types"]) | {t for t, b in schema.resources.items() if "tags" in b.get("a", {})}


def shared_tag_maps(cfg: TerraformConfig) -> list[str]:
    """Locals named like `*tag*` whose value is a map or a merge(...) of maps."""
    pat = re.compile(_table()["shared_tag_map_pattern"])
    out = []
    for name, attr in cfg.locals.items():
        v = attr.value
        if pat.search(name) and (isinstance(v, dict) or (isinstance(v, Call) and v.name == "merge")):
            out.append(name)
    return out


def shared_tag_variables(cfg: TerraformConfig) -> list[Block]:
    """Variables named like `*tag*` whose default is a map: a shared tag set passed in (`var.common_tags`)."""
    pat = re.compile(_table()["shared_tag_map_pattern"])
    return [v for v in cfg.variables if v.labels and pat.search(v.labels[0]) and isinstance(v.get("default"), dict)]


def map_carries_suffix(cfg: TerraformConfig, value: Any, depth: int = 0) -> bool:
    """Some VALUE of a tag map reaches the per-deployment suffix (a key merely named after it does not):
    maps, merge(...) of maps and the locals they name are followed."""
    if depth > 8:
        return False
    if isinstance(value, dict):
        return any(carries_suffix(cfg, str(v)) for v in value.values() if isinstance(v, str))
    if isinstance(value, Call) and value.name == "merge":
        return any(map_carries_suffix(cfg, a, depth + 1) for a in value.args)
    if isinstance(value, Expr):
        m = re.fullmatch(r"\s*local\.([\w-]+)\s*", str(value))
        if m and m.group(1) in cfg.locals:
            return map_carries_suffix(cfg, cfg.locals[m.group(1)].value, depth + 1)
        if re.fullmatch(r"\s*var\.[\w-]+\s*", str(value)):
            return False  # a variable's default cannot refer to the suffix
        return carries_suffix(cfg, str(value))
    return False


def _reached_by_tags(cfg: TerraformConfig) -> set[str]:
    """Variables and locals that some resource's tags (or a provider's default_tags) reach."""
    texts = [r.attributes["tags"].source for r in cfg.resources if "tags" in r.attributes]
    texts += [dt.attributes["tags"].source for p in cfg.providers for dt in p.children("default_tags")
              if "tags" in dt.attributes]
    reached: set[str] = set()
    for t in texts:
        reached |= names_reached(cfg, t)
    return reached


def _provider_key(res: Resource) -> str:
    p = res.attributes.get("provider")
    return str(p.value).strip() if p is not None else "aws"


def _default_tags(cfg: TerraformConfig) -> dict[str, Block]:
    """Provider key (`aws`, `aws.west`) -> its default_tags block."""
    out = {}
    for prov in cfg.providers:
        for dt in prov.children("default_tags"):
            out[block_address(prov).removeprefix("provider.")] = dt
    return out


def tag_keys(cfg: TerraformConfig, value: Any, depth: int = 0) -> set[str] | Unknown:
    """The keys a tags value sets: a map, a merge(...) of maps, locals and variable defaults; else Unknown."""
    if depth > 8:
        return Unknown("tags nested too deep")
    if isinstance(value, dict):
        return set(value)
    if isinstance(value, Call) and value.name == "merge":
        keys: set[str] = set()
        for arg in value.args:
            got = tag_keys(cfg, arg, depth + 1)
            if is_unknown(got):
                return got
            keys |= got
        return keys
    if isinstance(value, Expr):
        text = str(value).strip()
        m = re.fullmatch(r"local\.([\w-]+)", text)
        if m and m.group(1) in cfg.locals:
            return tag_keys(cfg, cfg.locals[m.group(1)].value, depth + 1)
        resolved = resolve(cfg, value)
        m = re.fullmatch(r"var\.([\w-]+)", text)
        if m and resolved == {}:
            # An empty default: the keys come with the deployment's values (tfvars), which the answer need not show.
            return Unknown(f"var.{m.group(1)} is empty by default: its keys are set at deployment")
        if isinstance(resolved, dict):
            return set(resolved)
        return resolved if is_unknown(resolved) else Unknown(f"tags = {text[:60]}")
    return Unknown("tags are not a map")


@detector(category="incomplete_tagging", reads=())
def incomplete_tagging(cfg: TerraformConfig):
    """Flags (a) taggable resources without tags when no provider sets `default_tags`; (b) an answer whose
    shared tag set carries no key with the per-deployment suffix; (c) taggable resources without a tag key
    the task's PROMPT requires.

    Taggable types are those the AWS provider schema gives a `tags` argument (plus the Auto Scaling groups
    of data/reference_taggable_types.json, tagged with `tag` blocks); `tags` or `tag` blocks count as tagged.
    (b) The shared tag set is the tag-map local the resources merge in (a local named like `*tag*` whose
    value is a map or `merge(...)`), else the provider `default_tags`; it lacks the deployment identity when
    none of its values reaches the suffix (`var.environment_suffix` and the like, a per-deployment id or a
    random value, through locals). An answer with neither a shared local nor default_tags has no shared set:
    (b) does not apply. This counts whether or not the answer declares a suffix variable (the reference
    MODEL: `common_tags` with Environment/Project but no suffix, fixed in its IDEAL by
    `Suffix = var.environment_suffix`); when a shared local that every tagged resource merges carries the
    suffix, default_tags without it are no gap; when the default_tags of every AWS provider carry it, a shared
    local or variable without it is none either. (c) The required keys come from `cfg.requirements.tag_keys`
    (compared case-insensitively); a resource's keys are its own tags (maps, merge, locals, variable defaults)
    plus its provider's default_tags; a resource whose keys cannot be resolved is "cannot tell".
    Why: costs cannot be allocated and resources of one deployment cannot be found or cleaned up.
    Fix: put the suffix (and the keys the task asks for) in the common tag map and apply it via
    `default_tags` or merge().
    """
    taggable = taggable_types()
    defaults = _default_tags(cfg)
    req = cfg.requirements
    for keyword, rtype, text in lost_blocks(cfg):
        # What did not parse is read as text: an untagged taggable resource, a tag map, or (when the task
        # asks for tag keys) any taggable resource may hide a gap.
        if (keyword == "resource" and rtype in taggable and ("tags" not in text or (req and req.tag_keys))) \
                or (keyword in ("locals", "provider") and "tags" in text):
            yield cannot_tell(rtype or keyword, f"a {rtype or keyword} block that did not parse holds tags")
    if not defaults:
        for res in cfg.resources:
            if res.resource_type in taggable and not (res.has("tags") or res.has("tag") or res.has("tags_all")
                                                       or any(tuple(d.labels[:1]) == ("tag",) for d in res.children("dynamic"))):
                yield hit(res, f"{res.address}: no tags (and no provider default_tags)", part="tags")
    # (b) the shared tag set (also where the task prescribes names: the pipeline's suffix key is asked anyway)
    declared = suffix_variables(cfg)
    why = (f"has no key carrying var.{declared[0]}" if declared
           else "has no key identifying the deployment (no suffix variable in the answer)")
    yield from _shared_set(cfg, defaults, why)
    yield from _required_keys(cfg, defaults, taggable, req)


def _shared_set(cfg: TerraformConfig, defaults: dict[str, Block], why: str):
    maps = shared_tag_maps(cfg)
    reached = _reached_by_tags(cfg)
    used = [m for m in maps if f"local.{m}" in reached] or maps
    variables = [v for v in shared_tag_variables(cfg) if f"var.{v.labels[0]}" in reached]
    if not (cfg.resources or cfg.modules):
        # Only variables in sight (an excerpt): whether a tag variable is the shared set cannot be told.
        for var in shared_tag_variables(cfg):
            if not map_carries_suffix(cfg, var.attributes["default"].value):
                yield cannot_tell(var, f"var.{var.labels[0]}: a tag map no resource in the answer shows using")
    aws = [block_address(p).removeprefix("provider.") for p in cfg.providers if p.labels and p.labels[0] == "aws"]
    if aws and all(k in defaults and "tags" in defaults[k].attributes
                   and map_carries_suffix(cfg, defaults[k].attributes["tags"].value) for k in aws):
        return  # every provider's default_tags carry the suffix: every resource has it, whatever it merges
    local_ok = False
    for name in used:
        attr = cfg.locals[name]
        if map_carries_suffix(cfg, attr.value):
            local_ok = True
            continue
        file, text = line_text(cfg, attr.line)
        yield hit_at(f"local.{name}", "local", file, attr.line, f"local.{name}: shared tag map {why}", text,
                     part="suffix_key")
    if local_ok:
        return  # the local every resource merges carries the suffix; variables and default_tags merged with it
    for var in variables:
        # A variable's default cannot refer to the suffix: passed in alone, the shared set lacks it.
        default = var.attributes["default"]
        yield hit(var, f"var.{var.labels[0]}: shared tag map (its default) {why}", default, part="suffix_key")
    if not local_ok:
        for key, dt in sorted(defaults.items()):
            attr = dt.attributes.get("tags")
            if attr is not None and not map_carries_suffix(cfg, attr.value):
                prov = next(p for p in cfg.providers if block_address(p).removeprefix("provider.") == key)
                yield hit(prov, f"provider.{key}: default_tags {why}", attr, part="suffix_key")


def _required_keys(cfg: TerraformConfig, defaults: dict[str, Block], taggable: frozenset[str], req):
    """(c) the keys the prompt requires, on every taggable resource."""
    wanted = list(req.tag_keys) if req is not None else []
    if not wanted:
        return
    for res in cfg.resources:
        if res.resource_type not in taggable:
            continue
        keys: set[str] = set()
        dt = defaults.get(_provider_key(res))
        if dt is not None and "tags" in dt.attributes:
            got = tag_keys(cfg, dt.attributes["tags"].value)
            if is_unknown(got):
                yield cannot_tell(res, f"default_tags: {got.reason}")
                continue
            keys |= got
        if "tags" in res.attributes:
            got = tag_keys(cfg, res.attributes["tags"].value)
            if is_unknown(got):
                yield cannot_tell(res, got.reason)
                continue
            keys |= got
        if res.has("tag") or any(tuple(d.labels[:1]) == ("tag",) for d in res.children("dynamic")):
            keys |= {str(t.get("key")) for t in res.children("tag")}
            unsure = None
            for d in res.children("dynamic"):
                if tuple(d.labels[:1]) == ("tag",) and "for_each" in d.attributes:
                    got = tag_keys(cfg, d.attributes["for_each"].value)  # one tag block per key of the map
                    if is_unknown(got):
                        unsure = got
                    else:
                        keys |= got
            if unsure is not None:
                yield cannot_tell(res, f"dynamic tag blocks: {unsure.reason}")
                continue
        lower = {k.lower() for k in keys}
        missing = [k for k in wanted if k.lower() not in lower]
        if missing:
            yield hit(res, f"{res.address}: no {', '.join(missing)} tag (the task asks every resource for it)",
                      "tags", part="required_keys")
