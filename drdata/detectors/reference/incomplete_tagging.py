"""incomplete_tagging: untagged resources, and shared tag maps without the deployment identity."""

from __future__ import annotations

import re

from drdata.detectors.reference._util import line_text, load_data, names_reached
from drdata.detectors.reference.missing_environment_suffix import carries_suffix, suffix_variables
from drdata.detectors.registry import block_address, detector, hit, hit_at
from drdata.hcl.model import Call, TerraformConfig


def _table() -> dict:
    return load_data("reference_taggable_types")


def _default_tags(cfg: TerraformConfig) -> bool:
    return any(p.children("default_tags") for p in cfg.providers)


def shared_tag_maps(cfg: TerraformConfig) -> list[str]:
    """Locals named like `*tag*` whose value is a map or a merge(...) of maps."""
    pat = re.compile(_table()["shared_tag_map_pattern"])
    out = []
    for name, attr in cfg.locals.items():
        v = attr.value
        if pat.search(name) and (isinstance(v, dict) or (isinstance(v, Call) and v.name == "merge")):
            out.append(name)
    return out


def _reaches_any(cfg: TerraformConfig, text: str, maps: list[str]) -> bool:
    reached = names_reached(cfg, text)
    return any(f"local.{m}" in reached for m in maps)


def _used_by_resources(cfg: TerraformConfig, name: str) -> bool:
    """The shared map is the answer's convention: some resource's tags use it."""
    return any("tags" in r.attributes and _reaches_any(cfg, r.attributes["tags"].source, [name])
               for r in cfg.resources)


@detector(category="incomplete_tagging")
def incomplete_tagging(cfg: TerraformConfig):
    """Flags taggable resources without tags (when no provider sets `default_tags`), and a shared
    tag map that carries no per-deployment identity.

    Taggable types are data (data/reference_taggable_types.json); `tags` or `tag` blocks
    count as tagged. When a shared tag map is the answer's convention (some resource merges
    it into its tags) and no provider sets `default_tags`, a taggable resource whose own
    `tags` leave the map out is flagged too (tagging drifted). A shared tag map is a local whose name contains "tag" and whose
    value is a map or `merge(...)`; it lacks the deployment identity when none of its
    values reaches the suffix variable (`environment_suffix` and spellings, through
    locals). If the answer declares such a variable the map drifted from the naming the
    rest of the answer uses; if it declares none, the map cannot tell deployments apart
    either (the reference MODEL: `common_tags` with Environment/Project but no suffix,
    fixed in its IDEAL by `Suffix = var.environment_suffix`). Provider `default_tags` are
    checked only for drift (a suffix variable is declared but the default tags leave it
    out); flagging them also in answers without any suffix variable would fire on more
    than half of the IDEAL answers and only repeat missing_environment_suffix.
    Why: costs cannot be allocated and resources of one deployment cannot be found or
    cleaned up.
    Fix: put the suffix in the common tag map and apply it via `default_tags` or merge().
    """
    taggable = set(_table()["types"])
    maps = shared_tag_maps(cfg)
    if not _default_tags(cfg):
        used = [m for m in maps if _used_by_resources(cfg, m)]
        for res in cfg.resources:
            if res.resource_type not in taggable:
                continue
            if not (res.has("tags") or res.has("tag") or res.has("tags_all")):
                yield hit(res, f"{res.address}: no tags (and no provider default_tags)")
            elif used and "tags" in res.attributes and not _reaches_any(cfg, res.attributes["tags"].source, used):
                yield hit(res, f"{res.address}: tags do not include the shared map local.{used[0]} the other "
                               "resources use", "tags")
    declared = suffix_variables(cfg)
    for name in maps:
        attr = cfg.locals[name]
        if carries_suffix(cfg, attr.source):
            continue
        why = (f"has no key carrying var.{declared[0]}" if declared
               else "has no key identifying the deployment (no suffix variable in the answer)")
        file, text = line_text(cfg, attr.line)
        yield hit_at(f"local.{name}", "local", file, attr.line, f"local.{name}: shared tag map {why}", text)
    if declared:
        # Provider default_tags are the other shared map; without a suffix variable in the answer
        # the suffix category already reports the gap, so only drift is flagged here.
        for prov in cfg.providers:
            for dt in prov.children("default_tags"):
                attr = dt.attributes.get("tags")
                if attr is not None and not carries_suffix(cfg, attr.source):
                    yield hit(prov, f"{block_address(prov)}: default_tags have no key carrying var.{declared[0]}",
                              attr)
