"""Finding terraform and the provider mirror, and running terraform offline.

Terraform reads provider plugins from a *filesystem mirror* (a folder laid out as
``HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-...``) when its CLI configuration says so. drdata never
touches the user's own CLI configuration: it writes one of its own (``provider_installation { filesystem_mirror
{...} }`` and nothing else, so nothing can be fetched from a registry) into a temporary or cache folder and points
``TF_CLI_CONFIG_FILE`` at it for its own subprocesses only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

AWS_SOURCE = "registry.terraform.io/hashicorp/aws"
# Where a mirror is looked for when DRDATA_TF_MIRROR is not set (the first that holds the aws provider).
MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)


class TerraformUnavailable(RuntimeError):
    """terraform or the aws provider plugin cannot be found; the message says what to install or set."""


@dataclass(frozen=True)
class Toolchain:
    terraform: str  # path of the terraform binary
    version: str  # terraform version, "1.11.4"
    mirror: Path  # filesystem mirror holding the aws provider
    aws_versions: tuple[str, ...]  # aws provider versions in the mirror, newest last

    @property
    def aws_version(self) -> str:
        return self.aws_versions[-1]


def _version_key(v: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in v.replace("-", ".").split("."))


def aws_versions_in(mirror: Path) -> tuple[str, ...]:
    base = mirror / "registry.terraform.io" / "hashicorp" / "aws"
    if not base.is_dir():
        return ()
    found = [d.name for d in base.iterdir() if d.is_dir() and any(d.glob("*/terraform-provider-aws*"))]
    return tuple(sorted(found, key=_version_key))


def find_mirror(mirror: str | os.PathLike | None = None) -> Path | None:
    """The filesystem mirror to use: ``mirror``, else ``DRDATA_TF_MIRROR``, else the first usual folder that
    holds the aws provider."""
    explicit = mirror or os.environ.get("DRDATA_TF_MIRROR")
    if explicit:
        return Path(explicit).expanduser()
    for cand in MIRROR_CANDIDATES:
        path = Path(cand).expanduser()
        if aws_versions_in(path):
            return path
    return None


def find_toolchain(terraform: str | None = None, mirror: str | os.PathLike | None = None) -> Toolchain:
    """terraform and the aws provider mirror, or :class:`TerraformUnavailable` saying what is missing."""
    exe = terraform or os.environ.get("DRDATA_TERRAFORM") or "terraform"
    path = shutil.which(exe)
    if path is None:
        raise TerraformUnavailable(
            f"terraform not found ({exe!r} is not on PATH): install terraform >= 1.5, or set DRDATA_TERRAFORM "
            "to its path")
    mdir = find_mirror(mirror)
    if mdir is None:
        raise TerraformUnavailable(
            "no filesystem mirror with the hashicorp/aws provider found (looked in "
            + ", ".join(MIRROR_CANDIDATES) + "): set DRDATA_TF_MIRROR to a folder laid out as "
            "registry.terraform.io/hashicorp/aws/VERSION/OS_ARCH/ (`terraform providers mirror DIR` makes one)")
    versions = aws_versions_in(mdir)
    if not versions:
        raise TerraformUnavailable(
            f"{mdir} holds no hashicorp/aws provider plugin (expected "
            f"{mdir}/registry.terraform.io/hashicorp/aws/VERSION/OS_ARCH/terraform-provider-aws_*)")
    try:
        out = subprocess.run([path, "version", "-json"], capture_output=True, text=True, timeout=60,
                             env=base_env(None)).stdout
        version = json.loads(out).get("terraform_version", "")
    except (OSError, subprocess.SubprocessError, ValueError):
        version = ""
    return Toolchain(path, version, mdir, versions)


def write_cli_config(folder: Path, mirror: Path, plugin_cache: Path | None = None) -> Path:
    """A CLI configuration that installs providers from ``mirror`` only (no registry access)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    if plugin_cache is not None:
        plugin_cache.mkdir(parents=True, exist_ok=True)
        lines.append(f"plugin_cache_dir = {json.dumps(str(plugin_cache))}")
    lines += ["provider_installation {", "  filesystem_mirror {", f"    path    = {json.dumps(str(mirror))}",
              '    include = ["*/*/*"]', "  }", "}", ""]
    path = folder / "drdata.tfrc"
    text = "\n".join(lines)
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(text)
        os.replace(tmp, path)
    return path


def base_env(cli_config: Path | None) -> dict[str, str]:
    """The environment of drdata's terraform subprocesses: no colour, no prompts, no telemetry, our CLI config."""
    env = dict(os.environ)
    env.update(TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")
    for var in ("TF_CLI_ARGS", "TF_CLI_ARGS_init", "TF_CLI_ARGS_validate", "TF_WORKSPACE", "TF_DATA_DIR"):
        env.pop(var, None)
    if cli_config is not None:
        env["TF_CLI_CONFIG_FILE"] = str(cli_config)
        env.pop("TF_PLUGIN_CACHE_DIR", None)
    return env
