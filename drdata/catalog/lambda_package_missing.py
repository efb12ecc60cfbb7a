"""lambda_package_missing: Lambda packages the answer neither ships nor builds."""

from __future__ import annotations

import re

from drdata.detectors.helpers import is_unknown, module_inputs, resolve
from drdata.detectors.registry import (
    Category,
    ReportRule,
    declare,
    detector,
    hit,
)
from drdata.hcl.model import Block, Expr, Resource, TerraformConfig

CATEGORY = declare(Category(
    id="lambda_package_missing",
    number=6,
    theme="reference",
    area="lambda",
    title="Lambda Deployment Package Missing",
    severity="High",
    rule_set="aws",
    what="A Lambda function or layer deploys a local `filename` package that the answer neither ships nor builds (`archive_file`); a `source_code_hash` reads the package, it does not make it.",
    root_cause="Models write the infrastructure and assume the code artefact appears by itself.",
    impact="Planning fails on the missing file (and `filebase64sha256` fails on it first); deploying needs manual work outside Terraform.",
    fix="Build the archive with `data \"archive_file\"` from source in the answer and set `source_code_hash` from it.",
    report_rules=(
        ReportRule(order=300, strong=(
            r"lambda (\w+ )?(deployment )?(package|zip|archive|code|source|artifact|handler file|function code)|source_code_hash|archive_file"
            r"|\.zip\b|deployment package|lambda (filename|files?)"
        )),
    ),
))


_PATH_PREFIX = re.compile(r"^\$\{path\.(module|root|cwd)\}/")
# file(), filebase64() and templatefile() read a file of the answer at plan time.
_FILE_CALL = re.compile(r"\b(?:file|filebase64|templatefile)\(\s*\"([^\"]+)\"\s*[,)]")
_TYPES = ("aws_lambda_function", "aws_lambda_layer_version")
_VAR_ONLY = re.compile(r"^\s*var\.([A-Za-z_][\w-]*)\s*$")


def _local_path(cfg: TerraformConfig, value) -> str | None:
    """The file name a `filename` / `output_path` / `source_file` points at (`${path.module}/` stripped)."""
    v = resolve(cfg, value)
    text = v if isinstance(v, str) and not is_unknown(v) else str(value).strip()
    if text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    elif not (isinstance(v, str) and not is_unknown(v)) and (isinstance(value, Expr) or not isinstance(value, str)):
        # An expression (var.x with no single value, a function call, local_file.x.filename): its source text
        # is not a file name, so it cannot say where it points.
        return None
    text = _PATH_PREFIX.sub("", text)
    if "${" in text or not text:
        return None
    return text.lstrip("./")


def _passed(cfg: TerraformConfig, value) -> list:
    """What a module's ``var.x`` receives from each call of the module (the value itself otherwise)."""
    m = _VAR_ONLY.match(str(value))
    passed = module_inputs(cfg).get(m.group(1)) if m and cfg.modules else None
    return [a.value for a in passed] if passed else [value]


def _archives(cfg: TerraformConfig) -> list[Resource]:
    return cfg.data_of("archive_file") + cfg.resources_of("archive_file")


def builder(cfg: TerraformConfig, res: Resource) -> Block | None:
    """The archive_file (or local_file) that builds the function's package, if the answer has one."""
    attr = res.attributes.get("filename")
    if attr is None:
        return None
    refs = list(attr.refs)
    # A module's `filename = var.filename` builds what the module's calls pass (data.archive_file.x.output_path).
    m = _VAR_ONLY.match(attr.source)
    if m and cfg.modules:
        refs += [r for a in module_inputs(cfg).get(m.group(1), ()) for r in a.refs]
    for ref in refs:
        if ref.address.startswith(("data.archive_file.", "archive_file.", "local_file.")):
            found = cfg.resource(ref.address)
            if found is not None:
                return found
    path = _local_path(cfg, attr.value)
    for arch in _archives(cfg) + cfg.resources_of("local_file"):
        out = arch.attributes.get("output_path") or arch.attributes.get("filename")
        if out is None:
            continue
        if path is not None and _local_path(cfg, out.value) == path:
            return arch
        # The same unresolved expression on both sides (`local.zip_path`) names the same file.
        if path is None and out.refs and out.source.strip() == attr.source.strip():
            return arch
    return None


def _binary_as_text(block: Block) -> bool:
    """A local_file whose `content` is base64decode(...): binary bytes through a UTF-8 text argument."""
    content = block.attributes.get("content")
    return content is not None and content.source.lstrip().startswith("base64decode(")


def _files(cfg: TerraformConfig) -> set[str]:
    """Files the answer shows, and those its own `local_file` resources write (their source is in the code)."""
    written = {_local_path(cfg, lf.attributes["filename"].value)
               for lf in cfg.resources_of("local_file", "local_sensitive_file") if "filename" in lf.attributes}
    return cfg.supplied_files() | {w for w in written if w}


def _supplied(cfg: TerraformConfig, path: str) -> bool:
    names = _files(cfg)
    base = path.rstrip("/").rsplit("/", 1)[-1]
    return path in names or base in names


def _dir_supplied(cfg: TerraformConfig, path: str) -> bool:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return any(f"{last}/" in f or f.startswith(path.rstrip("/") + "/") for f in _files(cfg))


def missing_sources(cfg: TerraformConfig, arch: Block) -> list[str]:
    """Files an archive_file packages that the answer neither shows nor writes inline."""
    missing = []
    for name in ("source_file", "source_dir"):
        attr = arch.attributes.get(name)
        if attr is None:
            continue
        # A module's var.source_path: each call of the module passes its own directory.
        for value in _passed(cfg, attr.value):
            path = _local_path(cfg, value)
            if path is None:
                continue  # behind an expression: cannot say where it points
            ok = _supplied(cfg, path) if name == "source_file" else _dir_supplied(cfg, path)
            if not ok and path not in missing:
                missing.append(path)
    for src in arch.children("source"):
        content = src.attributes.get("content")
        if content is not None:
            for m in _FILE_CALL.finditer(content.source):
                path = _PATH_PREFIX.sub("", m.group(1)).lstrip("./")
                if "${" not in path and not _supplied(cfg, path):
                    missing.append(path)
    return missing


@detector(category="lambda_package_missing", reads=(*_TYPES, "archive_file", "local_file", "filename"))
def lambda_package_missing(cfg: TerraformConfig):
    """Flags `aws_lambda_function` / `aws_lambda_layer_version` whose local package the answer neither
    supplies nor builds.

    A package is built when a `data "archive_file"` (matched by reference or by `output_path`) or a
    `local_file` writes it; the archive's own sources (`source_file`, `source_dir`, `file(...)` or `templatefile(...)` in a
    `source` block) must then be shown by the answer (a code block labelled with that file name), written
    inline, or written by a `local_file` of the answer; a `local_file` that writes the zip from `content = base64decode(...)` corrupts it (local_file
    writes `content` as UTF-8 text). A `filename` nothing builds fires, with or without a `source_code_hash`:
    `filebase64sha256(...)` reads the zip at plan time and builds nothing, and a zip step the reader runs by hand
    is not run by a pipeline that applies Terraform (blind reviewers judged every such answer "not built",
    including IDEALs that answer a bare `filename` by adding only the hash; the reference report counts its
    IDEAL's placeholder zip, made outside the answer, as the fix). Packages from S3 (`s3_bucket`) or ECR
    (`image_uri`) are out of scope.
    Why: planning fails on a missing file, and a package made by hand is not reproducible.
    Fix: build the zip with `data "archive_file"` from source in the answer and set
    `source_code_hash = data.archive_file.x.output_base64sha256`.
    """
    for res in cfg.resources_of(*_TYPES):
        attr = res.attributes.get("filename")
        if attr is None or attr.value is None:
            continue
        arch = builder(cfg, res)
        if arch is not None and arch.resource_type == "local_file" and _binary_as_text(arch):
            yield hit(res, f"{res.address}: its package is written by {arch.address} from base64decode(), which "
                           "local_file writes as UTF-8 text: the zip is corrupt (content_base64 writes bytes)",
                      attr, part="package")
            continue
        if arch is not None:
            gone = missing_sources(cfg, arch)
            if gone:
                yield hit(res, f"{res.address}: its package is built from {', '.join(gone)}, which the answer "
                               "does not include", attr, part="package")
            continue
        path = _local_path(cfg, attr.value)
        if path is not None and _supplied(cfg, path):
            continue
        shown = path or attr.source
        # A source_code_hash reads the package at plan time; it builds nothing.
        hashed = " (its source_code_hash reads a file nothing makes)" if "source_code_hash" in res.attributes else ""
        yield hit(res, f"{res.address}: filename {shown!r} is neither built (data \"archive_file\") nor provided "
                       f"by the answer{hashed}", attr, part="package")
