"""outdated_engine_version: database / cache engine versions older than the newest minor of their major."""

from __future__ import annotations

import re
from typing import Any

from drdata.detectors.reference._util import Unknown, is_unknown, load_data, resolve
from drdata.detectors.registry import cannot_tell, detector, hit
from drdata.hcl.model import Expr, Resource, TerraformConfig

_RDS = ("aws_rds_cluster", "aws_db_instance", "aws_rds_global_cluster", "aws_rds_cluster_instance")
_CACHE = ("aws_elasticache_replication_group", "aws_elasticache_cluster")
_SEARCH = ("aws_opensearch_domain", "aws_elasticsearch_domain")
_RES_ATTR = re.compile(r"^\s*((?:data\.)?[a-z][a-z0-9]*_[\w-]+\.[\w-]+)(?:\[[^\]]*\])?\.([\w-]+)\s*$")


def _table() -> dict:
    return load_data("reference_engine_versions")


def _value(cfg: TerraformConfig, res: Resource, name: str, depth: int = 0) -> Any:
    """Value of ``res.name`` following vars, locals and plain references to another resource's
    attribute (`aws_rds_global_cluster.g.engine_version`)."""
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


def _engine_and_version(cfg: TerraformConfig, res: Resource) -> tuple[Any, Any, str]:
    """(engine, version, attribute name) of one resource."""
    if res.resource_type == "aws_elasticsearch_domain":
        return "elasticsearch", _value(cfg, res, "elasticsearch_version"), "elasticsearch_version"
    version = _value(cfg, res, "engine_version")
    if res.resource_type == "aws_opensearch_domain":
        if isinstance(version, str) and "_" in version:
            engine, _, version = version.partition("_")
            return engine.lower(), version, "engine_version"
        return "opensearch", version, "engine_version"
    engine = _value(cfg, res, "engine")
    if engine is None and res.resource_type in _CACHE:
        engine = "redis"  # the provider default for replication groups
    return engine, version, "engine_version"


def _nums(text: str) -> tuple[int, ...] | None:
    parts = text.split(".")
    if not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _major_and_nums(engine: str, version: str) -> tuple[str, tuple[int, ...]] | None:
    """Major key of the table and the full numeric version; None for major-only or unparsable."""
    if engine == "aurora-mysql":
        if "mysql_aurora." not in version:
            return None
        nums = _nums(version.split("mysql_aurora.", 1)[1])
        return (str(nums[0]), nums) if nums and len(nums) >= 2 else None
    nums = _nums(version.strip())
    if nums is None:
        return None
    if engine in ("mysql", "mariadb", "memcached"):
        return (f"{nums[0]}.{nums[1]}", nums) if len(nums) >= 3 else None
    return (str(nums[0]), nums) if len(nums) >= 2 else None


def engine_versions(cfg: TerraformConfig) -> dict[str, str]:
    """address -> engine version of every database / cache / search resource whose version resolves.

    For the labeler's pair rule (MODEL older than IDEAL for the same resource); references
    to another resource's version are followed.
    """
    out = {}
    for res in cfg.resources_of(*_RDS, *_CACHE, *_SEARCH):
        _, version, _ = _engine_and_version(cfg, res)
        if isinstance(version, str) and not isinstance(version, Expr):
            out[res.address] = version
        elif isinstance(version, (int, float)) and not isinstance(version, bool):
            out[res.address] = str(version)
    return out


def version_key(version: str) -> tuple[int, ...]:
    """Comparable key of a version string (`8.0.mysql_aurora.3.04.0` -> (3, 4, 0))."""
    if "mysql_aurora." in version:
        version = version.split("mysql_aurora.", 1)[1]
    return tuple(int(n) for n in re.findall(r"\d+", version))


@detector(category="outdated_engine_version")
def outdated_engine_version(cfg: TerraformConfig):
    """Flags `engine_version` of RDS / Aurora / ElastiCache / OpenSearch resources older than the
    newest minor of the same major in the dated table data/reference_engine_versions.json.

    Engines: postgres, aurora-postgresql, mysql, aurora-mysql, mariadb, redis, valkey,
    memcached, OpenSearch and Elasticsearch. A major-only version (`"15"`, `"8.0"`) lets AWS
    pick the minor and is not flagged; a version in a major the table does not know is
    not flagged. Values come from literals, variable defaults and locals; a version that
    only copies another resource's version (`aws_rds_global_cluster.g.engine_version`) is
    judged where it is written, not again. A variable without default is "cannot tell".
    The pair rule (MODEL older than IDEAL for the same resource) belongs to the labeler;
    it can use :func:`engine_versions` and :func:`version_key`.
    Why: old minors miss security and bug fixes and get force-upgraded or retired.
    Fix: use the newest minor of the chosen major, or a major-only version.
    """
    engines = _table()["engines"]
    for res in cfg.resources_of(*_RDS, *_CACHE, *_SEARCH):
        name = "elasticsearch_version" if res.resource_type == "aws_elasticsearch_domain" else "engine_version"
        attr = res.attributes.get(name)
        if attr is None or _RES_ATTR.match(str(attr.value)):
            continue
        engine, version, _ = _engine_and_version(cfg, res)
        if isinstance(version, Unknown):
            yield cannot_tell(res, f"{name} = {attr.source}: {version.reason}")
            continue
        if isinstance(engine, Unknown):
            yield cannot_tell(res, f"engine: {engine.reason}")
            continue
        if isinstance(version, float):
            version = attr.source.strip().strip('"')
        if not isinstance(version, str) or not isinstance(engine, str):
            continue
        parsed = _major_and_nums(engine, version)
        newest = engines.get(engine, {}).get(parsed[0]) if parsed else None
        if newest is None or parsed[1] >= version_key(newest):
            continue
        via = "" if attr.is_literal else f" (via {attr.source})"
        yield hit(res, f'{res.address}: {engine} engine_version "{version}"{via} is older than {newest}, '
                       f"the newest {parsed[0]}.x minor as of {_table()['as_of']}", attr)


def older_than_ideal(model: TerraformConfig, ideal: TerraformConfig, diff=None) -> list:
    """Pair rule: MODEL resources whose engine version is older than the IDEAL's for the same resource
    (the same address, or its counterpart in ``diff``, the pair's structural diff).

    Returns registry Findings (category outdated_engine_version) with evidence in the MODEL.
    """
    from drdata.detectors.registry import Finding, _evidence, registry

    det = registry()["outdated_engine_version"]
    mine, theirs = engine_versions(model), engine_versions(ideal)
    out = []
    for address in sorted(mine):
        cp = diff.counterpart(address) if diff is not None else None
        other = theirs.get(cp.address if cp is not None else address)
        if other is None:
            continue
        old, new = mine[address], other
        if not (version_key(old) < version_key(new)):
            continue
        res = model.resource(address)
        name = "elasticsearch_version" if res.resource_type == "aws_elasticsearch_domain" else "engine_version"
        attr = res.attributes.get(name)
        line, evidence = _evidence(res, attr)
        out.append(Finding(det.category, det.id, det.severity, address, res.resource_type, res.file, line,
                           f'{address}: engine_version "{old}" is older than the IDEAL\'s "{new}"', evidence, name))
    return out
