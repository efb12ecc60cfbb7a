"""missing_local_files: file()/templatefile() of files the answer neither supplies nor creates."""

from __future__ import annotations

import re

from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Call, TerraformConfig

CATEGORY = declare(Category(
    id="missing_local_files",
    number=37,
    theme="code",
    area="files",
    title="Missing Local Files",
    severity="High",
    rule_set="aws",
    what="`file()`, `templatefile()`, `filebase64()` and similar read a local file that the answer does not supply and no resource creates.",
    root_cause="Models move scripts and policies out of line for tidiness and forget to write the files.",
    impact="`terraform plan` fails with 'no file exists at ...'.",
    fix="Supply the file in the answer, or inline its content (heredoc, `jsonencode`).",
    report_rules=(
        ReportRule(order=80, strong=(
            r"templatefile|\bfile\(|(missing|non-?existent|external|local|absent) (local )?(files?|scripts?|modules?|templates?)"
            r"|local modules?|user[_ ]?data (script|file)|\.(sh|tpl|py|json|yaml|yml)\b (file|script)|modules? (do(es)? not|don'?t) exist"
        )),
    ),
    title_rule=(
        r"missing (local )?file|user.?data (script|file)|templatefile|file\(|non-?existent file"
        r"|missing script|missing template"
    ),
))


FILE_FUNCS = ("file", "templatefile", "filebase64", "filemd5", "filesha256", "filesha1", "filebase64sha256",
              "filebase64sha512", "filesha512")
_CALL_RE = re.compile(r"\b(" + "|".join(FILE_FUNCS) + r")\s*\(")
_PATH_PREFIX = re.compile(r"^\$\{path\.(module|root|cwd)\}/")


def _calls(value):
    if isinstance(value, Call):
        if value.name in FILE_FUNCS:
            yield value
        for a in value.args:
            yield from _calls(a)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _calls(v)
    elif isinstance(value, list):
        for v in value:
            yield from _calls(v)


def _literal_path(arg) -> str | None:
    """`"${path.module}/scripts/x.sh"` or `"x.sh"` -> "scripts/x.sh"; None for anything computed."""
    s = str(arg)
    if s.startswith('"') and s.endswith('"'):
        s = s[1:-1]
    elif type(arg) is not str:
        return None
    s = _PATH_PREFIX.sub("", s)
    if "${" in s or "%{" in s:
        return None
    return s[2:] if s.startswith("./") else s


def _produced(cfg: TerraformConfig) -> set[str]:
    """Base names of files the configuration itself writes (archive_file, local_file) or the answer shows as a
    code block of any language (a script shown in a ```bash fence under its file name counts)."""
    names = set()
    for r in (*cfg.resources, *cfg.data):
        for key in ("output_path", "filename"):
            if r.resource_type in ("archive_file", "local_file", "local_sensitive_file", "null_resource") or \
                    r.resource_type.startswith(("archive_", "local_")):
                p = _literal_path(r.get(key)) if r.get(key) is not None else None
                if p:
                    names.add(p.rsplit("/", 1)[-1])
    names |= cfg.supplied_files()
    return names


@detector(category="missing_local_files")
def missing_local_files(cfg: TerraformConfig):
    """Flags file(), templatefile(), filebase64() and friends reading a literal path that the answer supplies
    in no code block and no archive_file/local_file produces. Lambda zips (`filename`/`source_code_hash` of
    aws_lambda_function and layers) are left to lambda_package_missing.

    Why: `terraform plan` fails with "Invalid value for path: no file exists".
    Fix: supply the file in the answer or inline its content.
    """
    produced = _produced(cfg)
    for b in cfg.all_blocks():
        for path, attr in b.attribute_paths():
            if "file" not in attr.source or _lambda_package(b, path):
                continue  # every file function's name contains "file": most attributes need no closer look
            calls = list(_calls(attr.value))
            if not calls and isinstance(attr.value, str) and _CALL_RE.search(str(attr.value)) and "${" in str(attr.value):
                yield cannot_tell(b, f"{path}: file function inside a template")
            for c in calls:
                if not c.args:
                    continue
                p = _literal_path(c.args[0])
                if p is None:
                    yield cannot_tell(b, f"{path}: {c.name}() of a computed path")
                    continue
                if p.rsplit("/", 1)[-1] in produced:
                    continue
                yield hit(b, f"{_addr(b)}: {path} reads {c.name}(\"{p}\") but the answer does not supply {p}", attr)


def _lambda_package(b, path: str) -> bool:
    rt = getattr(b, "resource_type", "")
    return rt in ("aws_lambda_function", "aws_lambda_layer_version") and path in ("filename", "source_code_hash")


def _addr(b) -> str:
    from drdata.detectors.registry import block_address
    return block_address(b)
