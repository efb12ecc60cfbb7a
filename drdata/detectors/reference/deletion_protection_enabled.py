"""deletion_protection_enabled: resources that `terraform destroy` cannot remove."""

from __future__ import annotations

from drdata.detectors.reference._util import is_unknown, resolve
from drdata.detectors.registry import cannot_tell, detector, hit
from drdata.hcl.model import TerraformConfig

# attribute -> the value that blocks destruction
_BLOCKING = {
    "deletion_protection": True,
    "enable_deletion_protection": True,
    "deletion_protection_enabled": True,
    "skip_final_snapshot": False,
}


def _as_bool(value):
    # Terraform converts "true"/"false" strings for bool arguments.
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


@detector(category="deletion_protection_enabled")
def deletion_protection_enabled(cfg: TerraformConfig):
    """Flags `deletion_protection`, `enable_deletion_protection` or `deletion_protection_enabled` set to
    true, `skip_final_snapshot = false`, and `lifecycle { prevent_destroy = true }`.

    Values behind `var.x` count through the variable's literal default (and locals that
    resolve); a variable without a default, or a conditional, is "cannot tell".
    `skip_final_snapshot` left out (provider default false) is not flagged: only the
    explicit setting is.
    Why: the pipeline destroys every test stack; protected resources make destroy fail
    and leave resources (and costs) behind.
    Fix: `deletion_protection = false` (or a variable defaulting to false),
    `skip_final_snapshot = true`, and no `prevent_destroy`.
    """
    for res in cfg.resources:
        for name, blocking in _BLOCKING.items():
            attr = res.attributes.get(name)
            if attr is None:
                continue
            value = _as_bool(resolve(cfg, attr.value))
            if is_unknown(value):
                yield cannot_tell(res, f"{name} = {attr.source}: {value.reason}")
            elif value is blocking:
                via = "" if attr.is_literal else f" (via {attr.source})"
                yield hit(res, f"{res.address}: {name} = {str(blocking).lower()}{via}", attr)
        for lc in res.children("lifecycle"):
            attr = lc.attributes.get("prevent_destroy")
            if attr is not None and _as_bool(resolve(cfg, attr.value)) is True:
                yield hit(res, f"{res.address}: lifecycle prevent_destroy = true", attr)
