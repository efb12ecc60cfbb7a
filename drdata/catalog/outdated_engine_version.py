"""outdated_engine_version: database engine versions past end of support, or minors AWS no longer offers."""

from __future__ import annotations

import re
from typing import Any

from drdata.detectors.helpers import Unknown, is_unknown, load_table, resolve
from drdata.detectors.registry import (
    Category,
    Finding,
    ReportRule,
    cannot_tell,
    declare,
    detector,
    evidence,
    hit,
    pair_rule,
    registry,
)
from drdata.hcl.model import Expr, Resource, TerraformConfig

CATEGORY = declare(Category(
    id="outdated_engine_version",
    number=8,
    theme="reference",
    area="database",
    title="Outdated Engine Version",
    severity="Medium",
    rule_set="aws",
    what="A database, cache or search engine version is older than the newest minor release of its major version (dated table), or older than the IDEAL's version for the same resource.",
    root_cause="Models learned version strings at training time and repeat early minors of a major.",
    impact="Known bugs and security fixes are missing; old minors are deprecated and eventually force-upgraded or rejected by the API.",
    fix="Use the newest minor of the chosen major (or let AWS pick it with a major-only version where supported).",
    tables=("reference_engine_versions",),
    report_rules=(
        ReportRule(order=240, strong=(
            r"engine[_ ]versions?|(outdated|old|older|obsolete|legacy|deprecated) (\w+ ){0,2}engines?\b|(outdated|old|older|obsolete|legacy|unsupported|invalid|deprecated|wrong|incorrect) (\w+ ){0,2}versions?"
            r"|(postgres\w*|mysql|aurora|redis|elasticache|rds|opensearch|elasticsearch|kafka|msk|documentdb|mariadb|memcached|eks|kubernetes|runtime)\b.{0,20}versions?"
            r"|versions?.{0,20}(postgres\w*|mysql|aurora|redis)"
        )),
    ),
))


_RDS = ("aws_rds_cluster", "aws_db_instance", "aws_rds_global_cluster", "aws_rds_cluster_instance")
_RES_ATTR = re.compile(r"^\s*((?:data\.)?[a-z][a-z0-9]*_[\w-]+\.[\w-]+)(?:\[[^\]]*\])?\.([\w-]+)\s*$")


def _table() -> dict:
    return load_table("reference_engine_versions")


def _value(cfg: TerraformConfig, res: Resource, name: str, depth: int = 0) -> Any:
    """Value of ``res.name`` following vars, locals, module arguments and plain references to another
    resource's attribute (`aws_rds_global_cluster.g.engine_version`)."""
    attr = res.attributes.get(name)
    if attr is None:
        return None
    v = resolve(cfg, attr.value)
    if not is_unknown(v) or depth > 5:
        return v
    m = _RES_ATTR.match(str(attr.value))
    if m:
        other = cfg.resource(m.group(1))
        if other is not None and m.group(2) in other.attributes:
            return _value(cfg, other, m.group(2), depth + 1)
    return v


def _engine(cfg: TerraformConfig, res: Resource) -> Any:
    engine = _value(cfg, res, "engine")
    if isinstance(engine, str):
        engine = engine.strip().lower()
    return engine


def _version_text(version: Any, attr_source: str) -> str | None:
    if isinstance(version, float):
        return attr_source.strip().strip('"')
    if isinstance(version, int) and not isinstance(version, bool):
        return str(version)
    return version if isinstance(version, str) and not isinstance(version, Expr) else None


def version_key(version: str) -> tuple[int, ...]:
    """Comparable key of a version string (`8.0.mysql_aurora.3.04.0` -> (3, 4, 0))."""
    if "mysql_aurora." in version:
        version = version.split("mysql_aurora.", 1)[1]
    return tuple(int(n) for n in re.findall(r"\d+", version))


def _major(engine: str, version: str) -> str | None:
    """The major of a version as the table keys it (`5.7`, `12`, aurora-mysql `2`)."""
    key = version_key(version)
    if not key:
        return None
    if engine == "aurora-mysql":
        if "mysql_aurora." in version:
            return str(key[0])
        return "2" if version.startswith("5.7") else ("3" if version.startswith("8.0") else None)
    if engine in ("mysql", "mariadb") or (engine == "postgres" and key[0] < 10):
        return f"{key[0]}.{key[1]}" if len(key) >= 2 else None
    return str(key[0])


def verdict(engine: str, version: str) -> str | None:
    """Why a version is outdated (end of support, or a retired minor), or None."""
    table = _table()
    major = _major(engine, version)
    if major is None:
        return None
    if major in table["end_of_support_majors"].get(engine, []):
        return f"{engine} {major} is past its RDS end of standard support"
    floor = table["retired_below"].get(engine, {}).get(major)
    if floor is not None and len(version_key(version)) > 1 and version_key(version) < version_key(floor):
        return f"AWS no longer offers it for new databases (oldest {major}.x offered: {floor})"
    return None


def engine_versions(cfg: TerraformConfig) -> dict[str, tuple[str | None, str]]:
    """address -> (engine, version) of every RDS / Aurora resource whose version resolves (references to
    another resource's version, variables and module arguments followed)."""
    out = {}
    for res in cfg.resources_of(*_RDS):
        attr = res.attributes.get("engine_version")
        if attr is None:
            continue
        version = _version_text(_value(cfg, res, "engine_version"), attr.source)
        if version:
            engine = _engine(cfg, res)
            out[res.address] = (engine if isinstance(engine, str) else None, version)
    return out


@detector(category="outdated_engine_version", reads=(*_RDS, "engine_version"))
def outdated_engine_version(cfg: TerraformConfig):
    """Flags the `engine_version` of an RDS / Aurora database whose major is past RDS end of standard support
    (MySQL 5.7 and older, PostgreSQL 12 and older, Aurora MySQL 2.x, Aurora PostgreSQL 12 and older,
    MariaDB 10.4 and older) or whose minor AWS no longer offers for new databases (Aurora PostgreSQL 15.2,
    Aurora MySQL 3.01-3.03), from the dated table data/reference_engine_versions.json.

    Only withdrawals that are certain are in the table (a minor that may still be offered is no finding);
    the labeler's pair rule adds the MODEL versions older than the IDEAL's for the same database, of an
    older major or at least four minors behind, which is how reviewers read an IDEAL that moves well ahead. A major-only version (`"15"`, `"8.0"`) lets AWS
    pick a current minor. Values come from literals, variable defaults, locals and module arguments; a
    version that only copies another resource's version (`aws_rds_global_cluster.g.engine_version`) is judged
    where it is written. A variable without default is "cannot tell". ElastiCache and OpenSearch versions are
    not database engine versions and are out of scope.
    Why: AWS refuses to create retired versions, and versions past end of support are force-upgraded.
    Fix: use a supported major and a minor AWS offers (or a major-only version).
    """
    for res in cfg.resources_of(*_RDS):
        attr = res.attributes.get("engine_version")
        if attr is None or _RES_ATTR.match(str(attr.value)):
            continue
        version = _value(cfg, res, "engine_version")
        if isinstance(version, Unknown):
            yield cannot_tell(res, f"engine_version = {attr.source}: {version.reason}")
            continue
        engine = _engine(cfg, res)
        if isinstance(engine, Unknown):
            yield cannot_tell(res, f"engine: {engine.reason}")
            continue
        text = _version_text(version, attr.source)
        if not text or not isinstance(engine, str):
            continue
        why = verdict(engine, text)
        if why is None:
            continue
        via = "" if attr.is_literal else f" (via {attr.source})"
        yield hit(res, f'{res.address}: {engine} engine_version "{text}"{via}: {why}', attr)


# AWS offers roughly the last few minors of a major; an IDEAL this many minors ahead shows the MODEL's minor
# has been withdrawn, a smaller step may be a mere refresh (a minor that may still be offered is no finding).
MINOR_STEPS = 4


def _far_behind(engine: str, old: str, new: str) -> bool:
    """The IDEAL's version is of a newer major, or at least MINOR_STEPS minors ahead in the same major."""
    major_old, major_new = _major(engine, old), _major(engine, new)
    if major_old != major_new:
        return True
    depth = len(version_key(major_old or ""))
    a, b = version_key(old), version_key(new)
    return len(a) > depth and len(b) > depth and b[depth] - a[depth] >= MINOR_STEPS


def _through_variable(model: TerraformConfig, ideal: TerraformConfig, address: str, engine: str | None):
    """((engine, version), "var.x") the IDEAL gives the MODEL's version variable, when the MODEL takes the version
    from a `var.x` whose default the IDEAL changes (an IDEAL that shows its variables but not the database);
    (None, None) otherwise. The variable is where the IDEAL shows the repair."""
    attr = model.resource(address).attributes.get("engine_version")
    m = re.fullmatch(r"\s*var\.([\w-]+)\s*", str(attr.value)) if attr is not None else None
    var = ideal.variable(m.group(1)) if m else None
    default = var.get("default") if var is not None else None
    if isinstance(default, str) and not isinstance(default, Expr):
        return (engine, default), f"var.{m.group(1)}"
    return None, None


@pair_rule(category="outdated_engine_version")
def older_than_ideal(model: TerraformConfig, ideal: TerraformConfig, diff=None) -> list:
    """Pair rule: MODEL databases whose engine version is older than the IDEAL's for the same database (the
    same address, or its counterpart in ``diff``, the pair's structural diff), for the same engine.

    Returns registry Findings (category outdated_engine_version) with evidence in the MODEL.
    """
    det = registry()["outdated_engine_version"]
    mine, theirs = engine_versions(model), engine_versions(ideal)
    out = []
    for address in sorted(mine):
        cp = diff.counterpart(address) if diff is not None else None
        other = theirs.get(cp.address if cp is not None else address)
        holder = None
        if other is None:
            other, holder = _through_variable(model, ideal, address, mine[address][0])
        if other is None:
            continue
        (engine, old), (other_engine, new) = mine[address], other
        if engine and other_engine and engine != other_engine:
            continue  # another engine altogether: not a newer version of the same one
        major = _major(engine or other_engine or "", old)
        if major is None or len(version_key(old)) <= len(version_key(major)):
            continue  # a major-only version: AWS picks its newest minor
        if not (version_key(old) < version_key(new)) or not _far_behind(engine or other_engine or "", old, new):
            continue
        res = model.resource(address)
        attr = res.attributes.get("engine_version")
        line, quoted = evidence(res, attr)
        out.append(Finding(det.category, det.id, det.severity, address, res.resource_type, res.file, line,
                           f'{address}: engine_version "{old}" is older than the IDEAL\'s "{new}"', quoted,
                           "engine_version", holder))
    return out
