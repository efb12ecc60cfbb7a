"""s3_bucket_security_missing: buckets without encryption, versioning or a public access block."""

from __future__ import annotations

from drdata.detectors.reference._util import anchor_refs, code_text, is_unknown, resolve
from drdata.detectors.registry import cannot_tell, detector, hit
from drdata.hcl.model import Resource, TerraformConfig

# (finding part = the connected resource's type without `aws_s3_bucket_`, words, connected type)
_CONTROLS = (
    ("server_side_encryption_configuration", "server-side encryption",
     "aws_s3_bucket_server_side_encryption_configuration"),
    ("versioning", "versioning", "aws_s3_bucket_versioning"),
    ("public_access_block", "public access block", "aws_s3_bucket_public_access_block"),
)


def connected(cfg: TerraformConfig, bucket: Resource, rtype: str) -> list[Resource]:
    """`rtype` resources whose `bucket` refers to this bucket (by reference, through locals or
    for_each, or by the same literal/expression name)."""
    name_attr = bucket.attributes.get("bucket")
    out = []
    for r in cfg.resources_of(rtype):
        battr = r.attributes.get("bucket")
        if battr is None:
            continue
        if bucket.address in anchor_refs(cfg, r, "bucket"):
            out.append(r)
        elif name_attr is not None and battr.source.strip() == name_attr.source.strip():
            out.append(r)
    return out


def _enabled(cfg: TerraformConfig, value, on_values) -> bool | None:
    v = resolve(cfg, value)
    if is_unknown(v):
        return None
    if isinstance(v, str):
        return v.strip().lower() in on_values
    return bool(v)


def _versioning(cfg: TerraformConfig, bucket: Resource) -> bool | None:
    """True / False / None (cannot tell) for versioning of one bucket."""
    for v in bucket.children("versioning"):
        if "enabled" in v.attributes:
            return _enabled(cfg, v.attributes["enabled"].value, ("true",))
    states = []
    for r in connected(cfg, bucket, "aws_s3_bucket_versioning"):
        for conf in r.children("versioning_configuration"):
            if "status" in conf.attributes:
                states.append(_enabled(cfg, conf.attributes["status"].value, ("enabled",)))
    if True in states:
        return True
    if None in states:
        return None
    return False


@detector(category="s3_bucket_security_missing")
def s3_bucket_security_missing(cfg: TerraformConfig):
    """Flags each `aws_s3_bucket` without server-side encryption, versioning or a public access block.

    Inline blocks (`server_side_encryption_configuration`, `versioning { enabled = true }`)
    and the connected resources (`aws_s3_bucket_server_side_encryption_configuration`,
    `aws_s3_bucket_versioning` with status Enabled, `aws_s3_bucket_public_access_block`)
    both count; a connected resource belongs to the bucket when its `bucket` refers to it
    (`aws_s3_bucket.x.id` / `.bucket`, also `[count.index]`, `each.value` over the buckets,
    or a local) or repeats the bucket's own name expression. An account-level
    `aws_s3_account_public_access_block` covers every bucket. Since January 2023 AWS encrypts
    new objects with SSE-S3 by default; a missing encryption configuration is still flagged
    (the reference report does) because the answer then states no encryption intent and
    no KMS key. When parts of the answer did not parse and the control's resource type
    appears in its text, that control is "cannot tell".
    Why: unencrypted data, unrecoverable overwrites, and one ACL change away from public.
    Fix: add the three `aws_s3_bucket_*` resources for every bucket.
    """
    account_pab = bool(cfg.resources_of("aws_s3_account_public_access_block"))
    text = code_text(cfg) if not cfg.complete else ""
    for bucket in cfg.resources_of("aws_s3_bucket"):
        missing, unsure = [], []  # (key, label) of controls missing; reasons it cannot tell
        for key, label, rtype in _CONTROLS:
            if key == "server_side_encryption_configuration":
                ok = bool(bucket.children("server_side_encryption_configuration")) or bool(
                    connected(cfg, bucket, rtype))
            elif key == "versioning":
                ok = _versioning(cfg, bucket)
            else:
                ok = account_pab or bool(connected(cfg, bucket, rtype))
            if ok is None:
                unsure.append(f"{label} depends on an unresolved value")
            elif not ok:
                if text and rtype in text:
                    unsure.append(f"{label}: {rtype} may be in the unparsed part")
                else:
                    missing.append((key, label))
        # One finding per missing control, so a repair of one control is told apart from the others.
        for key, label in missing:
            yield hit(bucket, f"{bucket.address}: no {label}", "bucket", part=key)  # part: the connected type
        for reason in unsure:
            yield cannot_tell(bucket, reason)
