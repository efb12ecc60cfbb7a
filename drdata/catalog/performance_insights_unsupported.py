"""performance_insights_unsupported: Performance Insights on classes that do not support it."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from drdata.detectors.helpers import is_unknown, load_table, resolve
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
    id="performance_insights_unsupported",
    number=10,
    theme="reference",
    area="database",
    title="Performance Insights Unsupported",
    severity="Medium",
    rule_set="aws",
    what="`performance_insights_enabled = true` on an instance class that does not support it (micro/small burstable classes) or on a class chosen by a variable.",
    root_cause="Models switch on every monitoring feature without checking the feature matrix of the instance class.",
    impact="RDS rejects the instance ('Performance Insights not supported for this configuration'); smaller classes for test stacks become impossible.",
    fix="Make the flag a variable or a condition on the instance class, and keep it off for classes that lack support.",
    tables=("reference_performance_insights",),
    report_rules=(
        ReportRule(order=110, strong=r"performance[_ ]insights?"),
    ),
))


_TYPES = ("aws_db_instance", "aws_rds_cluster_instance", "aws_rds_cluster")
_CLASS_ATTRS = ("instance_class", "db_cluster_instance_class")
_LITERAL = re.compile(r'"(db\.[\w.]+)"')


def unsupported(instance_class: str, engine: str | None = None) -> bool:
    table = load_table("reference_performance_insights")
    key = "postgres_unsupported_classes" if engine and "postgres" in engine else "unsupported_classes"
    return any(fnmatchcase(instance_class.strip().lower(), p) for p in table[key])


def _engine(cfg: TerraformConfig, res: Resource) -> str | None:
    attr = res.attributes.get("engine")
    if attr is None and res.resource_type == "aws_rds_cluster_instance":
        # An Aurora instance takes its cluster's engine.
        cluster = res.attributes.get("cluster_identifier")
        ref = next((r.address for r in cluster.refs if r.kind == "resource"), None) if cluster else None
        owner = cfg.resource(ref) if ref else None
        attr = owner.attributes.get("engine") if owner is not None else None
    value = resolve(cfg, attr.value) if attr is not None else None
    return value.lower() if isinstance(value, str) and not is_unknown(value) else None


@detector(category="performance_insights_unsupported", reads=(*_TYPES, "performance_insights_enabled"))
def performance_insights_unsupported(cfg: TerraformConfig):
    """Flags Performance Insights enabled on an RDS / Aurora instance whose class does not support it.

    The flag counts when it is `true` literally or through a variable default or local. The class counts as
    a literal, through a variable's default or locals; a conditional class fires when one of its literal
    branches does not support it. Unsupported classes are data (data/reference_performance_insights.json):
    for MySQL / MariaDB db.t2.*, db.t3.micro/small, db.t4g.micro/small and previous generations; PostgreSQL
    supports the small burstable classes. An `aws_rds_cluster` (Multi-AZ DB cluster) is judged on
    `db_cluster_instance_class`; without a class it is skipped. A class behind a variable without default is
    "cannot tell".
    Why: RDS rejects the instance ("Performance Insights not supported for this configuration").
    Fix: a supported class, or make the flag follow the class.
    """
    for res in cfg.resources_of(*_TYPES):
        flag = res.attributes.get("performance_insights_enabled")
        if flag is None or resolve(cfg, flag.value) is not True:
            continue
        cls = next((res.attributes[a] for a in _CLASS_ATTRS if a in res.attributes), None)
        if cls is None:
            continue
        engine = _engine(cfg, res)
        value = resolve(cfg, cls.value)
        if isinstance(value, str) and not is_unknown(value):
            if unsupported(value, engine):
                via = "" if cls.is_literal else f" (via {cls.source})"
                yield hit(res, f'{res.address}: performance_insights_enabled = true on {cls.name} "{value}"{via}, '
                               "which does not support Performance Insights", flag)
            continue
        branches = [c for c in _LITERAL.findall(cls.source) if unsupported(c, engine)]
        if "?" in cls.source and branches:
            yield hit(res, f"{res.address}: performance_insights_enabled = true while {cls.name} = {cls.source} "
                           f'can be "{branches[0]}", which does not support Performance Insights', flag)
        elif is_unknown(value):
            yield cannot_tell(res, f"{cls.name} = {cls.source}: {value.reason}")


@pair_rule(category="performance_insights_unsupported")
def insights_made_conditional(model: TerraformConfig, ideal: TerraformConfig, diff) -> list[Finding]:
    """Performance Insights switched on unconditionally while the instance class is configurable (any class,
    also one without Performance Insights, may be passed), where the IDEAL makes the flag configurable too."""
    det = registry()["performance_insights_unsupported"]
    out = []
    for res in model.resources_of("aws_db_instance", "aws_rds_cluster_instance", "aws_rds_cluster"):
        flag = res.attributes.get("performance_insights_enabled")
        cls = res.attributes.get("instance_class") or res.attributes.get("db_cluster_instance_class")
        if flag is None or flag.value is not True or cls is None or cls.is_literal:
            continue
        cp = diff.counterpart(res.address)
        other = ideal.resource(cp.address) if cp is not None else None
        new = other.attributes.get("performance_insights_enabled") if other is not None else None
        if new is None or not isinstance(new.value, Expr):
            continue
        line, quoted = evidence(res, flag)
        out.append(Finding(det.category, det.id, det.severity, res.address, res.resource_type, res.file, line,
                           f"{res.address}: performance_insights_enabled = true while {cls.name} comes from "
                           f"{cls.source} (any class may be passed); the IDEAL makes the flag follow it "
                           f"({new.source})", quoted, "performance_insights_enabled"))
    return out
