"""external_module_dependency: modules whose code comes from outside the answer."""

from __future__ import annotations

import re

from drdata.detectors.registry import cannot_tell, detector, hit
from drdata.hcl.model import Expr, TerraformConfig

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


@detector(category="external_module_dependency")
def external_module_dependency(cfg: TerraformConfig):
    """Flags `module` blocks whose `source` is not a local path (`./`, `../`).

    Registry addresses (`ns/name/provider`, `app.terraform.io/org/name/provider`),
    `git::`, `github.com/...`, `bitbucket.org/...`, `s3::`, `gcs::` and http(s) URLs
    all download code at `terraform init`, which the pipeline does not allow.
    Why: the answer is not self-contained; init fails where downloads are blocked and
    the module's defaults escape review.
    Fix: declare the resources natively, or ship a local module (`source = "./modules/x"`).
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
            continue
        yield hit(mod, f'module.{mod.labels[0]}: source "{source}" is a {_kind(source.strip())}, not a local path',
                  attr)
