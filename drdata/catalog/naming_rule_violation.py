"""naming_rule_violation: literal names that break the AWS naming rules of their resource."""

from __future__ import annotations

import re

from drdata.detectors.helpers import is_template, is_unknown, load_table, resolve_plain
from drdata.detectors.registry import Category, ReportRule, declare, detector, hit
from drdata.hcl.model import Expr, TerraformConfig

CATEGORY = declare(Category(
    id="naming_rule_violation",
    number=39,
    theme="code",
    area="naming",
    title="Naming Rule Violation",
    severity="Critical",
    rule_set="aws",
    what="A literal name (or the literal part of a name template) breaks the AWS naming rules of its resource: length limits, uppercase or underscores in S3 bucket names, a `sg-` prefix on security group names, too long `name_prefix`.",
    root_cause="Models compose descriptive names without knowing each service's rules.",
    impact="The API rejects the name at apply time, usually after other resources were already created.",
    fix="Keep names within the limits of the data table, lowercase where required, and shorten prefixes; prefer `name_prefix` where allowed.",
    tables=("code_naming_rules",),
    report_rules=(
        ReportRule(order=540, topic=True, kind_topic=True, strong=r"naming|names?\b|(too long|length|character) (limit|constraint)|uppercase|lowercase|(invalid|illegal) characters?|63 char"),
        ReportRule(order=580, topic=True, kind_topic=True, strong=r"convention"),
    ),
    title_rule=(
        r"name (length|too long)|naming (rule|violation|length|limit)|character limit"
        r"|(bucket|role|target group|alb|lb) name|uppercase|invalid name|\bsg-"
    ),
))


def split_template(body: str) -> list[str]:
    """Alternating [literal, interpolation, literal, ...] of a template body; nested ``${...}`` inside an
    interpolation (``${var.s != "" ? "-${var.s}" : ""}``) stays in that interpolation."""
    out, buf, i, n = [], [], 0, len(body)
    while i < n:
        if body.startswith("$${", i):
            buf.append("${")
            i += 3
            continue
        if body.startswith("${", i):
            out.append("".join(buf))
            buf = []
            depth, j = 1, i + 2
            while j < n and depth:
                if body.startswith("${", j):
                    depth += 1
                    j += 2
                    continue
                if body[j] == "{":
                    depth += 1
                elif body[j] == "}":
                    depth -= 1
                j += 1
            out.append(body[i + 2:j - 1])
            i = j
            continue
        buf.append(body[i])
        i += 1
    out.append("".join(buf))
    return out


def _suffix_length(cfg: TerraformConfig, expr: str, depth: int = 0) -> int:
    """Estimated length of an interpolation that carries the pipeline's deployment suffix (0 if it does not).
    The pipeline passes its own value whatever the default, so the default is not used."""
    table = load_table("code_naming_rules")
    var = table["pipeline_suffix_variable"]
    n = len(table["pipeline_suffix_example"])
    if re.search(rf"\bvar\.{var}\b", expr):
        return n + (1 if "?" in expr and '"-' in expr else 0)
    m = re.fullmatch(r"\s*local\.([A-Za-z_][\w-]*)\s*", expr)
    if m and depth < 5 and m.group(1) in cfg.locals:
        src = cfg.locals[m.group(1)].source
        if re.search(rf"\bvar\.{var}\b", src):
            # A local built around the suffix: its literal parts count too.
            return n + sum(len(p) for p in split_template(src[1:-1])[0::2]) if src.startswith('"') else n
    return 0


def expand(cfg: TerraformConfig, value) -> list[tuple[str, bool, int]] | None:
    """Segments (text, known, estimated length) of a name: literal text and interpolations resolved through
    variable defaults and locals are known; the rest (resource attributes, variables without default) are not,
    except that the pipeline's suffix variable is given the length of a typical pipeline value. None when the
    value is not a plain string or string template."""
    if type(value) is str:
        return [(value, True, len(value))]
    if not is_template(value):
        return None
    body = str(value)[1:-1]
    if "%{" in body:
        return None
    segs: list[tuple[str, bool, int]] = []
    for i, piece in enumerate(split_template(body)):
        if i % 2 == 0:
            if piece:
                segs.append((piece, True, len(piece)))
            continue
        est = _suffix_length(cfg, piece)
        if est:
            segs.append(("", False, est))
            continue
        v = resolve_plain(cfg, Expr(piece.strip()), max_depth=5, whole_literal=False)
        known = not is_unknown(v)
        # An empty default ("" for a suffix the pipeline fills in) says nothing about the deployed name.
        if known and isinstance(v, (str, int)) and not isinstance(v, bool) and type(v) is not Expr and v != "":
            segs.append((str(v), True, len(str(v))))
        else:
            segs.append(("", False, 0))
    # Merge neighbouring known segments: "${local.p}-logs" with p = "MyApp" is one known piece "MyApp-logs".
    merged: list[tuple[str, bool, int]] = []
    for text, known, n in segs:
        if merged and known and merged[-1][1]:
            merged[-1] = (merged[-1][0] + text, True, merged[-1][2] + n)
        else:
            merged.append((text, known, n))
    return merged


def check(name: str, rule: dict, whole: bool, first: bool, last: bool) -> str | None:
    """Why ``name`` breaks ``rule`` (None if it does not). ``whole``: name is the complete value;
    ``first``/``last``: the piece starts/ends the value (for prefix and edge rules)."""
    if whole and len(name) > rule.get("max", 10**6):
        return f"{len(name)} characters, limit {rule['max']}"
    if whole and len(name) < rule.get("min", 0):
        return f"{len(name)} characters, minimum {rule['min']}"
    chars = rule.get("chars")
    if chars:
        bad = sorted(set(re.sub(f"[{chars}]", "", name)))
        if bad:
            if "a-z" in chars and "A-Z" not in chars and any(c.isupper() for c in bad):
                return f"uppercase letters ({''.join(c for c in bad if c.isupper())[:10]}) not allowed"
            return f"characters {''.join(bad)[:10]!r} not allowed (allowed: {chars})"
    if first:
        for p in rule.get("no_prefix", []):
            if name.startswith(p):
                return f"must not start with {p!r}"
        req = rule.get("required_prefix")
        if req and not name.startswith(req) and (whole or len(name) >= len(req)):
            return f"must start with {req!r}"
        start = rule.get("start")
        if start and name and not re.match(f"[{start}]", name[0]):
            return f"must start with [{start}]"
        edge = rule.get("edge")
        if edge and name and not re.match(f"[{edge}]", name[0]):
            return f"must start with [{edge}]"
    if last:
        for s in rule.get("no_suffix", []):
            if name.endswith(s):
                return f"must not end with {s!r}"
        edge = rule.get("edge")
        if edge and name and not re.match(f"[{edge}]", name[-1]):
            return f"must end with [{edge}]"
    if whole and "--" in name and rule.get("start") == "a-z":
        return "must not contain '--'"
    return None


@detector(category="naming_rule_violation")
def naming_rule_violation(cfg: TerraformConfig):
    """Flags names that break AWS naming rules (data table per resource type and attribute): length limits,
    allowed characters (uppercase/underscores in S3 bucket names), forbidden prefixes (`sg-`). Literal names
    are checked in full; templates are expanded with variable defaults and locals, and what stays unresolved
    (resource attributes, variables without default) is left out: the known parts are checked for characters
    and prefixes, and their total length must already exceed the limit to fire.

    Why: the API rejects the name at apply time, usually after other resources were already created.
    Fix: follow the rule quoted in the finding (shorten, lowercase, drop the prefix, use name_prefix).
    """
    rules = load_table("code_naming_rules")["rules"]
    for r in cfg.resources:
        for attr_name, rule in rules.get(r.resource_type, {}).items():
            attr = r.attributes.get(attr_name)
            if attr is None:
                continue
            segs = expand(cfg, attr.value)
            if segs is None:
                continue
            via = "" if type(attr.value) is str else " (variable defaults and locals filled in)"
            if len(segs) == 1 and segs[0][1]:
                why = check(segs[0][0], rule, True, True, True)
                if why:
                    yield hit(r, f"{r.address}: {attr_name} = \"{segs[0][0][:90]}\"{via}: {why}", attr)
                continue
            known_len = sum(n for _t, k, n in segs if k)
            est_len = sum(n for _t, _k, n in segs)
            if est_len > rule.get("max", 10**6):
                with_suffix = est_len > known_len
                how = (f"about {est_len} characters with a pipeline suffix such as "
                       f"\"{load_table('code_naming_rules')['pipeline_suffix_example']}\"") if with_suffix \
                    else f"at least {known_len} characters before the unresolved parts"
                yield hit(r, f"{r.address}: {attr_name} = {attr.source[:90]}: {how}, limit {rule['max']}", attr)
                continue
            for i, (part, known, _n) in enumerate(segs):
                if not known or not part:
                    continue
                why = check(part, rule, False, i == 0, i == len(segs) - 1)
                if why:
                    yield hit(r, f"{r.address}: {attr_name} = {attr.source[:90]}: part \"{part[:60]}\"{via} {why}",
                              attr)
                    break
