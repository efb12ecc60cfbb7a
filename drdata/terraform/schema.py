"""The AWS provider schema, compact, shipped with drdata, and how to regenerate it.

``terraform providers schema -json`` gives the whole schema of a provider (13.6 MB of JSON for hashicorp/aws
5.100.0). The schema detectors need only names and a few flags, so :func:`compact_schema` keeps, for the provider
block, every resource type and every data source:

- attributes: name -> flags, a string of ``r`` required, ``o`` optional, ``c`` computed, ``d`` deprecated
  (``"oc"`` = optional and computed; ``"c"`` = computed only, which a configuration may not set). An attribute
  whose type is a list or set of objects (the SDK's "attributes as blocks" mode, e.g. ``ingress`` of
  ``aws_security_group``) may also be written as blocks; it is kept as ``[flags, {"a": {field: "o", ...}}]`` with
  the object's fields, which Terraform then treats as optional attributes of those blocks;
- nested block types: name -> ``[nesting_mode, min_items, max_items, block]``, recursively (``max_items`` 0 =
  no limit); ``"d": 1`` marks a deprecated block.

The extract is ``data/aws_provider_schema.json.gz`` in this package (about 0.2 MB); its ``provider_version`` and
``terraform_version`` say where it came from. :func:`update_schema` (``drdata schema update``) regenerates it from
the provider plugin in a local filesystem mirror, so nothing is ever downloaded at run time.
"""

from __future__ import annotations

import difflib
import gzip
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from drdata.terraform.tool import AWS_SOURCE, TerraformUnavailable, base_env, find_toolchain, write_cli_config

SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "aws_provider_schema.json.gz"
FORMAT = 1

# Arguments and blocks that Terraform itself gives every resource / data source (not in the provider schema).
RESOURCE_META_ARGS = frozenset({"count", "for_each", "provider", "depends_on"})
RESOURCE_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})
DATA_META_ARGS = frozenset({"count", "for_each", "provider", "depends_on"})
DATA_META_BLOCKS = frozenset({"lifecycle"})
PROVIDER_META_ARGS = frozenset({"alias", "version"})


# -- compacting ------------------------------------------------------------------------------------------------

def _flags(attr: dict) -> str:
    return "".join(ch for ch, key in (("r", "required"), ("o", "optional"), ("c", "computed"),
                                      ("d", "deprecated")) if attr.get(key))


def _object_fields(typ) -> dict | None:
    """The fields of a list/set of objects type (``["set", ["object", {...}]]``), else None."""
    if (isinstance(typ, list) and len(typ) == 2 and typ[0] in ("list", "set") and isinstance(typ[1], list)
            and len(typ[1]) == 2 and typ[1][0] == "object" and isinstance(typ[1][1], dict)):
        return typ[1][1]
    return None


def _compact_object(fields: dict) -> dict:
    out: dict = {}
    for name, typ in sorted(fields.items()):
        inner = _object_fields(typ)
        out[name] = "o" if inner is None else ["o", _compact_object(inner)]
    return {"a": out}


def compact_block(block: dict) -> dict:
    """One schema block (``{"attributes": ..., "block_types": ...}``) in the compact form above."""
    out: dict = {}
    attrs = {}
    for name, a in sorted(block.get("attributes", {}).items()):
        flags = _flags(a)
        fields = _object_fields(a.get("type"))
        if "nested_type" in a:  # plugin-framework nested attributes: attribute syntax only
            nt = a["nested_type"]
            attrs[name] = [flags, compact_block({"attributes": nt.get("attributes", {})}), nt.get("nesting_mode")]
        elif fields is not None and "c" != flags:
            attrs[name] = [flags, _compact_object(fields)]
        else:
            attrs[name] = flags
    if attrs:
        out["a"] = attrs
    blocks = {}
    for name, bt in sorted(block.get("block_types", {}).items()):
        blocks[name] = [bt.get("nesting_mode", "list"), int(bt.get("min_items", 0) or 0),
                        int(bt.get("max_items", 0) or 0), compact_block(bt.get("block", {}))]
    if blocks:
        out["b"] = blocks
    if block.get("deprecated"):
        out["d"] = 1
    return out


def compact_schema(full: dict, *, source: str = AWS_SOURCE, provider_version: str = "",
                   terraform_version: str = "") -> dict:
    """The compact extract of one provider out of ``terraform providers schema -json`` output."""
    try:
        prov = full["provider_schemas"][source]
    except KeyError:
        raise ValueError(f"the schema output has no provider {source}") from None
    return {
        "format": FORMAT,
        "provider": source,
        "provider_version": provider_version,
        "terraform_version": terraform_version,
        "provider_block": compact_block(prov.get("provider", {}).get("block", {})),
        "resources": {t: compact_block(s["block"]) for t, s in sorted(prov.get("resource_schemas", {}).items())},
        "data_sources": {t: compact_block(s["block"]) for t, s in sorted(prov.get("data_source_schemas", {}).items())},
    }


def write_schema(compact: dict, path: Path) -> Path:
    """Gzipped, key-sorted JSON with a zero mtime: the same schema gives the same bytes."""
    data = json.dumps(compact, sort_keys=True, separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    os.replace(tmp, path)
    return path


# -- regenerating ----------------------------------------------------------------------------------------------

def update_schema(out: str | os.PathLike | None = None, *, provider_version: str | None = None,
                  terraform: str | None = None, mirror: str | os.PathLike | None = None) -> dict:
    """Regenerate the extract from the aws provider in a local filesystem mirror (``drdata schema update``).

    Runs ``terraform init`` (offline: the CLI configuration written here installs from the mirror only) and
    ``terraform providers schema -json`` in a temporary folder, compacts the output and writes it to ``out``
    (default: the extract shipped in this package). ``provider_version`` picks one of the mirror's versions
    (default: the newest). Returns a summary: path, versions, counts, size.
    """
    tc = find_toolchain(terraform, mirror)
    version = provider_version or tc.aws_version
    if version not in tc.aws_versions:
        raise TerraformUnavailable(f"aws provider {version} is not in {tc.mirror} (it has "
                                   f"{', '.join(tc.aws_versions)})")
    target = Path(out) if out else SCHEMA_FILE
    with tempfile.TemporaryDirectory(prefix="drdata-schema-") as tmp:
        work = Path(tmp) / "module"
        work.mkdir()
        (work / "main.tf").write_text(
            'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
            f'      version = "= {version}"\n    }}\n  }}\n}}\n')
        env = base_env(write_cli_config(Path(tmp), tc.mirror))
        init = subprocess.run([tc.terraform, "init", "-input=false", "-no-color", "-backend=false"], cwd=work,
                              env=env, capture_output=True, text=True, timeout=600)
        if init.returncode != 0:
            raise RuntimeError(f"terraform init failed: {(init.stderr or init.stdout).strip()[-2000:]}")
        res = subprocess.run([tc.terraform, "providers", "schema", "-json"], cwd=work, env=env,
                             capture_output=True, text=True, timeout=600)
        if res.returncode != 0:
            raise RuntimeError(f"terraform providers schema failed: {res.stderr.strip()[-2000:]}")
        full = json.loads(res.stdout)
    compact = compact_schema(full, provider_version=version, terraform_version=tc.version)
    write_schema(compact, target)
    load_schema.cache_clear()
    return {"path": str(target), "provider": AWS_SOURCE, "provider_version": version,
            "terraform_version": tc.version, "resources": len(compact["resources"]),
            "data_sources": len(compact["data_sources"]), "bytes": target.stat().st_size}


# -- reading ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Schema:
    provider_version: str
    terraform_version: str
    provider_block: dict
    resources: dict[str, dict]
    data_sources: dict[str, dict]

    def block_of(self, mode: str, type_: str) -> dict | None:
        """The compact block of a resource (``mode="managed"``) or data source (``"data"``) type, else None."""
        return (self.resources if mode == "managed" else self.data_sources).get(type_)

    def nearest_type(self, mode: str, type_: str) -> str | None:
        names = self.resources if mode == "managed" else self.data_sources
        return nearest(type_, names)


@lru_cache(maxsize=4)
def load_schema(path: str | None = None) -> Schema:
    """The shipped extract (or the one at ``path``), read once per process."""
    raw = json.loads(gzip.decompress(Path(path or SCHEMA_FILE).read_bytes()))
    if raw.get("format") != FORMAT:
        raise ValueError(f"{path or SCHEMA_FILE}: schema extract format {raw.get('format')!r}, expected {FORMAT}: "
                         "regenerate it with `drdata schema update`")
    return Schema(raw.get("provider_version", ""), raw.get("terraform_version", ""), raw["provider_block"],
                  raw["resources"], raw["data_sources"])


def nearest(name: str, candidates) -> str | None:
    """The closest valid name for a "did you mean", or None when none is close (difflib ratio >= 0.6)."""
    return _nearest(name, tuple(candidates))


@lru_cache(maxsize=4096)
def _nearest(name: str, candidates: tuple[str, ...]) -> str | None:
    # Hallucinated names recur across answers, hence the cache. Among many candidates (1,526 resource types)
    # only those sharing a word with the name are compared: difflib's ratio on every type costs ~10 ms a name.
    pool = candidates
    if len(pool) > 200:
        words = set(name.split("_")) - {"aws", ""}
        pool = tuple(c for c in candidates if words & set(c.split("_"))) or candidates
    found = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return found[0] if found else None


def attr_flags(entry) -> str:
    return entry if isinstance(entry, str) else entry[0]
