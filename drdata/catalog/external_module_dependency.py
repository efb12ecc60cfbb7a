"""external_module_dependency: modules whose code comes from outside the answer."""

from __future__ import annotations

import re

from drdata.detectors.helpers import norm_path, source_folder
from drdata.detectors.registry import Category, ReportRule, cannot_tell, declare, detector, hit
from drdata.hcl.model import Block, Expr, TerraformConfig

CATEGORY = declare(Category(
    id="external_module_dependency",
    number=1,
    theme="reference",
    area="modules",
    title="External Module Dependency",
    severity="Critical",
    rule_set="convention",
    what="A `module` block pulls code from outside the answer (registry, git, URL, bucket) instead of declaring resources itself.",
    root_cause="Models reach for popular community modules because they shorten the answer, ignoring that the pipeline deploys self-contained code only.",
    impact="`terraform init` must download code the pipeline forbids or cannot reach; the deployment fails before planning and the module's hidden defaults escape review.",
    fix="Replace the module with native resources declared in the answer, or with a local module (`source = \"./modules/...\"`) that the answer provides.",
    report_rules=(
        ReportRule(order=70, strong=(
            r"external (terraform )?modules?|community modules?|registry modules?|remote modules?|terraform-aws-modules"
            r"|public modules?|third[- ]party modules?|module (source|dependenc\w*)"
        )),
    ),
))


# Order matters: the first matching pattern names the kind of source in the message.
_REMOTE = (
    (re.compile(r"^git::|^git@|\.git($|\?|//)"), "git repository"),
    (re.compile(r"^hg::"), "mercurial repository"),
    (re.compile(r"^s3::|^[\w.-]*s3[\w.-]*\.amazonaws\.com/"), "S3 bucket"),
    (re.compile(r"^gcs::|^storage\.googleapis\.com/"), "GCS bucket"),
    (re.compile(r"^(github\.com|bitbucket\.org)/"), "GitHub/Bitbucket repository"),
    (re.compile(r"^https?://"), "URL"),
    (re.compile(r"^([\w.-]+\.[a-z]{2,}/)?[\w-]+/[\w-]+/[\w-]+(//.*)?$"), "module registry"),
)


def _is_local(source: str) -> bool:
    # Terraform treats only ./ and ../ prefixes as local paths (absolute paths are a
    # local-file edge case that also stays inside the machine running the plan).
    return source.startswith(("./", "../", ".\\", "..\\", "/"))


def _kind(source: str) -> str:
    for pattern, kind in _REMOTE:
        if pattern.search(source):
            return kind
    return "non-local source"


def local_module_shown(cfg: TerraformConfig, mod: Block, source: str) -> bool:
    """Some file the answer shows lies in the module's folder."""
    want = source_folder(mod, source)
    plain = norm_path(source)
    for name in cfg.supplied_files():
        f = norm_path(name)
        if f.startswith(want + "/") or f.startswith(plain + "/") or f"/{plain}/" in f"/{f}":
            return True
    return False


@detector(category="external_module_dependency", reads=("module",))
def external_module_dependency(cfg: TerraformConfig):
    """Flags `module` blocks whose code the answer does not supply: a `source` that is not a local path
    (`./`, `../`), or a local folder none of whose files the answer shows.

    Registry addresses (`ns/name/provider`, `app.terraform.io/org/name/provider`),
    `git::`, `github.com/...`, `bitbucket.org/...`, `s3::`, `gcs::` and http(s) URLs
    all download code at `terraform init`, which the pipeline does not allow. A local source is resolved
    against the folder of the file that calls it (`environments/dev/main.tf` calling `../../modules/vpc`
    needs `modules/vpc/...`); it is supplied when a code block of the answer is named as a file in that
    folder.
    Why: the answer is not self-contained; init fails where downloads are blocked (or the folder is
    missing) and the module's defaults escape review.
    Fix: declare the resources natively, or ship the local module's files.
    """
    for mod in cfg.modules:
        attr = mod.attributes.get("source")
        if attr is None:
            continue
        source = attr.value
        if isinstance(source, Expr) or not isinstance(source, str):
            # Terraform itself rejects a computed source; we cannot say where it points.
            yield cannot_tell(mod, f"source is an expression: {attr.source}")
            continue
        if _is_local(source.strip()):
            if not local_module_shown(cfg, mod, source.strip()):
                yield hit(mod, f'module.{mod.labels[0]}: source "{source}" is a local folder ({source_folder(mod, source.strip())}) '
                               "whose files the answer never shows", attr)
            continue
        yield hit(mod, f'module.{mod.labels[0]}: source "{source}" is a {_kind(source.strip())}, not a local path',
                  attr)
