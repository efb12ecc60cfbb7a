"""missing_environment_suffix: physical names without the per-deployment suffix variable."""

from __future__ import annotations

import re
from typing import Any

from drdata.detectors.helpers import find_line, load_table, lost_blocks, names_reached
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit, hit_at
from drdata.hcl.model import Attribute, Call, Expr, Resource, TerraformConfig

CATEGORY = declare(Category(
    id="missing_environment_suffix",
    number=5,
    theme="reference",
    area="naming",
    title="Missing Environment Suffix",
    answer_wide=True,
    severity="High",
    rule_set="convention",
    what="Named resources do not carry the per-deployment suffix variable (`environment_suffix`), directly or through locals, in their physical names.",
    root_cause="Models name resources after the project only, not anticipating several copies of the stack in one account.",
    impact="Parallel deployments collide on globally or regionally unique names (buckets, roles, clusters) and fail with 'already exists'.",
    fix="Declare `variable \"environment_suffix\"` and include it, directly or through a local, in every resource name.",
    tables=("reference_naming",),
    report_rules=(
        ReportRule(order=50, strong=(
            r"environment[_ ]?suffix|env[_ ]?suffix|\bsuffix(es)?\b|unique (resource )?nam|nam\w* (conflicts?|collisions?|clash)"
            r"|(resource|deployment) (conflicts?|collisions?|isolation)|parallel deploy|already exists|multi-?deployment"
        )),
    ),
))


def _table() -> dict:
    return load_table("reference_naming")


def suffix_variables(cfg: TerraformConfig) -> list[str]:
    """Declared variables that are a per-deployment suffix (`environment_suffix`, `env_suffix`, ...)."""
    pat = re.compile(_table()["suffix_variable_pattern"])
    return sorted(v.labels[0] for v in cfg.variables if v.labels and pat.match(v.labels[0]))


_RES_ATTR = re.compile(r"(?<![\w.])(aws_[a-z0-9_]+)\.([\w-]+)(?:\[[^\]]*\])?\.([a-z_]+)")
_UNIQUE_ATTRS = re.compile(r"^(id|arn|.*_id|.*_arn|unique_id|dns_name)$")


def _texts(cfg: TerraformConfig, text: str) -> list[str]:
    """``text`` and the source of every local it reaches, transitively."""
    out = [text]
    for name in names_reached(cfg, text):
        if name.startswith("local.") and name[6:] in cfg.locals:
            out.append(cfg.locals[name[6:]].source)
    return out


def carries_suffix(cfg: TerraformConfig, text: str, _depth: int = 0) -> bool:
    """Whether a name expression is unique per deployment.

    True when it reaches a suffix variable directly or through locals (transitively),
    embeds the id/ARN of a resource the answer creates, or copies the name of a resource
    whose own name carries the suffix (`/aws/lambda/${aws_lambda_function.f.function_name}`).
    """
    table = _table()
    pat = re.compile(table["suffix_variable_pattern"])
    reached = names_reached(cfg, text)
    if any(n.startswith("var.") and pat.match(n[4:]) for n in reached):
        return True
    req = cfg.requirements
    if req is not None and req.naming_suffix_words:
        # The prompt's naming convention names its per-deployment part (`prod-<resource>-<id>`): a variable or
        # local named after that placeholder carries it.
        ends = re.compile(r"(?i)(?:^|[_-])(?:" + "|".join(re.escape(w.replace("-", "_")) for w in
                                                           req.naming_suffix_words) + r")$")
        if any(n.split(".", 1)[0] in ("var", "local") and ends.search(n.split(".", 1)[1].replace("-", "_"))
               for n in reached):
            return True
    if table.get("random_counts_as_suffix") and any(n.startswith("random_") for n in reached):
        return True
    if _depth > 4:
        return False
    for t in _texts(cfg, text):
        for rtype, rname, attr in _RES_ATTR.findall(t):
            if rtype.startswith("aws_") and _UNIQUE_ATTRS.match(attr):
                return True
            other = cfg.resource(f"{rtype}.{rname}")
            if other is None:
                continue
            own = _name_attr(other)
            if own is not None and own.name == attr and carries_suffix(cfg, own.source, _depth + 1):
                return True
    return False


def _name_attr(res: Resource) -> Attribute | None:
    for name, types in _table()["name_attributes"].items():
        if name == "note" or name not in res.attributes:
            continue
        if types == "*" or res.resource_type in types:
            return res.attributes[name]
    return None


def tag_name(value: Any) -> Any:
    """The `Name` entry of a tags value (a map, or a merge(...) of maps); None when absent."""
    if isinstance(value, dict):
        return value.get("Name")
    if isinstance(value, Call) and value.name == "merge":
        found = None
        for arg in value.args:  # later maps win in merge()
            if isinstance(arg, dict) and "Name" in arg:
                found = arg["Name"]
        return found
    return None


@detector(category="missing_environment_suffix", reads=())
def missing_environment_suffix(cfg: TerraformConfig):
    """Flags named AWS resources whose physical name does not carry the deployment suffix variable.

    The name is the argument that sets the resource's own physical name (`name`,
    `name_prefix`, `bucket`, `identifier`, `cluster_identifier`, `function_name`,
    `alarm_name`, ... — per type, data/reference_naming.json), else its `tags.Name`.
    Resources without any name (AWS generates one) are not flagged, nor names scoped
    to a parent of the same stack (DNS records, inline role policies, ...). The
    suffix is a variable named like `environment_suffix` / `env_suffix` / `suffix` /
    `environmentSuffix`, reached directly or through locals, transitively
    (`local.name_prefix` -> `local.unique_suffix` -> `var.environment_suffix`); a
    per-deployment id (`var.pr_number`) and a `random_id` / `random_string` / `random_pet`
    value count too (they differ per deployment). An environment name (`var.environment`,
    `terraform.workspace`: dev/staging/prod) does not: two deployments of dev collide. When the
    answer declares no suffix variable, every named resource fires. A name the task's PROMPT prescribes
    literally (`cfg.requirements.names`) is not flagged (a naming convention with placeholders,
    `{environment}-{region}-{service}`, prescribes no exact name: the gold protocol's reading); when the
    PROMPT's convention has a per-deployment placeholder (`prod-<resource>-<id>`) a variable named after it
    carries the suffix. `name_prefix` is no physical name (AWS appends a unique suffix), and a
    module's `var.x` carries what the module calls pass for it. A block that did not parse is read as text: a name line there without the suffix makes
    the answer "cannot tell" rather than clear.
    Why: parallel deployments in one account collide on names ("already exists").
    Fix: declare `variable "environment_suffix"` and put it in every name.
    """
    scoped = set(_table()["unnamed_scope_types"]["types"])
    req = cfg.requirements
    prescribed = req.names if req is not None else frozenset()
    declared = suffix_variables(cfg)
    missing = (f"does not include var.{declared[0]}" if declared
               else "carries no environment suffix (the answer declares no suffix variable)")
    for res in cfg.resources:
        if not res.resource_type.startswith("aws_") or res.resource_type in scoped:
            continue
        attr = _name_attr(res)
        if attr is not None:
            if attr.value is None or carries_suffix(cfg, attr.source):
                continue
            if isinstance(attr.value, str) and not isinstance(attr.value, Expr) and attr.value in prescribed:
                continue  # the PROMPT prescribes this exact name
            yield hit(res, f"{res.address}: {attr.name} = {attr.source} {missing}", attr)
            continue
        tags = res.attributes.get("tags")
        name = tag_name(tags.value) if tags is not None else None
        if name is None:
            continue
        text = name if isinstance(name, Expr) else f'"{name}"'
        if carries_suffix(cfg, str(text)) or (not isinstance(name, Expr) and name in prescribed):
            continue
        found = find_line(res, re.compile(r"\bName\"?\s*[=:]"), tags.line, tags.end_line)
        msg = f"{res.address}: tags.Name = {text} {missing}"
        if found:
            yield hit_at(res.address, res.resource_type, res.file, found[0], msg, found[1])
        else:
            yield hit(res, msg, tags)

    names = [n for n in _table()["name_attributes"] if n != "note"]
    line_re = re.compile(r"^\s*(" + "|".join(map(re.escape, names)) + r")\s*=\s*(.+?)\s*$", re.M)
    for keyword, rtype, text in lost_blocks(cfg):
        if keyword != "resource" or not rtype or not rtype.startswith("aws_") or rtype in scoped:
            continue
        for m in line_re.finditer(text):
            if not carries_suffix(cfg, m.group(2)) and m.group(2).strip('"') not in prescribed:
                yield cannot_tell(rtype, f"a {rtype} that did not parse is named {m.group(2)[:60]}")
                break
