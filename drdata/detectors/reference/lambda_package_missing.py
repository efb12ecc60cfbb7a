"""lambda_package_missing: Lambda packages the answer neither ships nor builds, or without a code hash."""

from __future__ import annotations

import re

from drdata.detectors.reference._util import resolve
from drdata.detectors.registry import detector, hit
from drdata.hcl.model import Resource, TerraformConfig

_PATH_PREFIX = re.compile(r"^\$\{path\.(module|root|cwd)\}/")


def _local_path(cfg: TerraformConfig, value) -> str | None:
    """The file name a `filename` / `output_path` points at (`${path.module}/` stripped), else None."""
    v = resolve(cfg, value)
    text = v if isinstance(v, str) else str(value).strip()
    if text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    text = _PATH_PREFIX.sub("", text)
    if "${" in text or not text:
        return None
    return text.lstrip("./")


def _built(cfg: TerraformConfig, res: Resource, path: str | None) -> bool:
    attr = res.attributes["filename"]
    if any(r.address.startswith("data.archive_file.") or r.address.startswith("archive_file.") for r in attr.refs):
        return True
    if path is None:
        return False
    for arch in cfg.data_of("archive_file") + cfg.resources_of("archive_file"):
        out = arch.attributes.get("output_path")
        if out is not None and _local_path(cfg, out.value) == path:
            return True
    return False


def _provided(cfg: TerraformConfig, path: str | None) -> bool:
    if path is None:
        return False
    return path.rsplit("/", 1)[-1] in cfg.supplied_files()


@detector(category="lambda_package_missing")
def lambda_package_missing(cfg: TerraformConfig):
    """Flags `aws_lambda_function` / `aws_lambda_layer_version` that deploy a local `filename`
    without `source_code_hash`.

    A `filename` with `source_code_hash` is taken as a deliberately managed package
    (the reference IDEAL ships `filename = "${path.module}/lambda_placeholder.zip"` with
    `source_code_hash = filebase64sha256(...)` and builds the zip at deploy time). Without
    the hash the message says whether the file is also neither built by
    `data "archive_file"` (matched by reference or by `output_path`) nor provided as a
    code block labelled with that file name. Packages from S3 (`s3_bucket`) or ECR
    (`image_uri`) are out of scope.
    Why: planning fails on a missing file, and without the hash code changes are never
    redeployed.
    Fix: build the zip with `data "archive_file"` from source in the answer and set
    `source_code_hash = data.archive_file.x.output_base64sha256`.
    """
    for res in cfg.resources_of("aws_lambda_function", "aws_lambda_layer_version"):
        attr = res.attributes.get("filename")
        if attr is None or attr.value is None or "source_code_hash" in res.attributes:
            continue
        path = _local_path(cfg, attr.value)
        shown = path or attr.source
        if _built(cfg, res, path) or _provided(cfg, path):
            msg = f"{res.address}: filename = {attr.source} has no source_code_hash (code changes are not redeployed)"
        else:
            msg = (f"{res.address}: filename {shown!r} is neither built (data \"archive_file\") nor provided "
                   "by the answer, and has no source_code_hash")
        yield hit(res, msg, attr)
