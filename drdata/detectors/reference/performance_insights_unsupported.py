"""performance_insights_unsupported: Performance Insights on classes that do not support it."""

from __future__ import annotations

from fnmatch import fnmatchcase

from drdata.detectors.reference._util import is_unknown, load_data, names_reached, resolve
from drdata.detectors.registry import detector, hit
from drdata.hcl.model import TerraformConfig

_TYPES = ("aws_db_instance", "aws_rds_cluster_instance", "aws_rds_cluster")
_CLASS_ATTRS = ("instance_class", "db_cluster_instance_class")


def unsupported(instance_class: str) -> bool:
    pats = load_data("reference_performance_insights")["unsupported_classes"]
    return any(fnmatchcase(instance_class.strip().lower(), p) for p in pats)


@detector(category="performance_insights_unsupported")
def performance_insights_unsupported(cfg: TerraformConfig):
    """Flags `performance_insights_enabled = true` (the literal) on RDS / Aurora instances whose
    class does not support it, or whose class comes from a variable or expression.

    Unsupported classes are data (data/reference_performance_insights.json: db.t2.*,
    db.t3.micro, db.t3.small, db.t4g.micro, db.t4g.small, previous generations). A class
    behind a variable fires even when its default is supported: any class may be passed,
    and the flag does not follow it. When the flag itself is a variable or conditional
    the answer already lets it follow the class: clear. An `aws_rds_cluster` (Multi-AZ DB
    cluster) is judged on `db_cluster_instance_class`; without a class it is skipped.
    Why: RDS rejects the instance ("Performance Insights not supported for this
    configuration"), so small test classes become impossible.
    Fix: make the flag a variable or a condition on the instance class.
    """
    for res in cfg.resources_of(*_TYPES):
        flag = res.attributes.get("performance_insights_enabled")
        if flag is None or flag.value is not True:
            continue
        cls = next((res.attributes[a] for a in _CLASS_ATTRS if a in res.attributes), None)
        if cls is None:
            continue
        if cls.is_literal:
            if isinstance(cls.value, str) and unsupported(cls.value):
                yield hit(res, f'{res.address}: performance_insights_enabled = true on {cls.name} "{cls.value}", '
                               "which does not support Performance Insights", flag)
            continue
        value = resolve(cfg, cls.value)
        if isinstance(value, str) and not any(n.startswith("var.") for n in names_reached(cfg, cls.source)):
            # A constant behind locals is as fixed as a literal.
            if unsupported(value):
                yield hit(res, f'{res.address}: performance_insights_enabled = true on {cls.name} {cls.source} = '
                               f'"{value}", which does not support Performance Insights', flag)
            continue
        if not is_unknown(value) and isinstance(value, str) and unsupported(value):
            detail = f'{cls.source} = "{value}", which does not support Performance Insights'
        else:
            detail = f"{cls.source}, so any class (also db.t3.micro) may be passed"
        yield hit(res, f"{res.address}: performance_insights_enabled = true while {cls.name} comes from {detail}",
                  flag)
