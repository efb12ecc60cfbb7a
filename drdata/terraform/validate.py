"""Run ``terraform validate`` on an answer: the files it names, the aws provider from a local mirror, offline.

:func:`answer_module` turns a parsed answer into files: every Terraform code block goes to the file the answer
names (blocks naming the same file are joined in order; blocks naming none go to ``_unnamed_N.tf`` in the root
module), laid out as the answer lays them out; the root module is the folder holding most ``.tf`` files.
One file is added, ``_drdata_override.tf``, a Terraform override file pinning the aws provider to the version
in the mirror, so an answer asking for ``~> 4.0`` is judged on the same provider as drdata's schema.

An answer is *runnable* when it needs no provider but aws (resource types ``aws_*`` and Terraform's built-in
``terraform_data``; ``required_providers`` naming nothing else) and no module from a registry or a remote source.

:func:`validate_module` runs ``terraform init -backend=false`` and ``terraform validate -json`` in a temporary
copy of the module, with a CLI configuration of its own that installs the provider from the mirror only and a
shared plugin cache (init then links the 700 MB plugin instead of copying it). Verdicts are cached as JSON under
the user cache dir (``DRDATA_CACHE_DIR``/terraform-validate), keyed by a hash of the files, the terraform and
provider versions; :func:`validate_many` runs answers in parallel.

Diagnostics are mapped back to the answer: file and line of the answer markdown, and the address of the
top-level block holding that line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from drdata.hcl.model import CodeBlock, Resource, TerraformConfig, block_address
from drdata.terraform.revisions import superseded
from drdata.terraform.tool import Toolchain, base_env, find_toolchain, write_cli_config

OVERRIDE_FILE = "_drdata_override.tf"
BUILTIN_TYPES = frozenset({"terraform_data", "terraform_remote_state"})
VERDICT_VERSION = 1


@dataclass
class Diagnostic:
    severity: str  # error | warning
    summary: str
    detail: str = ""
    file: str | None = None  # file of the answer (as the answer names it), None for module-wide ones
    line: int | None = None  # line of the answer markdown
    address: str | None = None  # top-level block holding the line (aws_s3_bucket.b, var.x, provider.aws)
    undeclared: str | None = None  # for "Reference to undeclared ...": the address that is not declared


@dataclass
class Verdict:
    status: str  # valid | invalid | init_failed | not_runnable | error
    reason: str = ""  # why not runnable / what failed
    diagnostics: list[Diagnostic] = field(default_factory=list)
    key: str = ""
    seconds: float = 0.0
    cached: bool = False

    @property
    def fails(self) -> bool:
        return self.status in ("invalid", "init_failed")

    @property
    def ran(self) -> bool:
        return self.status in ("valid", "invalid", "init_failed")

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def to_json(self) -> dict:
        return {"status": self.status, "reason": self.reason, "key": self.key, "seconds": self.seconds,
                "diagnostics": [asdict(d) for d in self.diagnostics]}

    @classmethod
    def from_json(cls, d: dict) -> Verdict:
        return cls(d["status"], d.get("reason", ""), [Diagnostic(**x) for x in d.get("diagnostics", [])],
                   d.get("key", ""), d.get("seconds", 0.0))


@dataclass
class Module:
    """An answer as files: relative path -> text, and where each file's lines come from in the answer."""

    files: dict[str, str]
    root: str  # folder of the root module, relative ("" = top)
    origins: dict[str, list[tuple[int, int, int, str | None]]]  # path -> [(first file line, n lines, md line, file)]
    runnable: bool
    reason: str = ""

    def key(self, tc: Toolchain) -> str:
        h = hashlib.sha256(json.dumps([VERDICT_VERSION, tc.version, tc.aws_version, self.root,
                                       sorted(self.files.items())]).encode())
        return h.hexdigest()

    def answer_line(self, path: str, line: int) -> tuple[str | None, int | None]:
        for first, n, md_line, name in self.origins.get(path, ()):
            if first <= line < first + n:
                return name, md_line + (line - first)
        return None, None


# -- answer -> files -------------------------------------------------------------------------------------------

_SAFE = re.compile(r"^[\w.\-/]+$")


def _clean_path(name: str) -> str | None:
    p = PurePosixPath(name.replace("\\", "/"))
    parts = [x for x in p.parts if x not in ("", ".", "/")]
    if not parts or ".." in parts or not _SAFE.match("/".join(parts)):
        return None
    return "/".join(parts)


def _needs_other_provider(cfg: TerraformConfig) -> str | None:
    for r in (*cfg.resources, *cfg.data):
        t = r.resource_type
        if not t.startswith("aws_") and t not in BUILTIN_TYPES:
            return f"uses {'data source' if r.mode == 'data' else 'resource type'} {t} of another provider"
    for p in cfg.providers:
        if p.labels and p.labels[0] != "aws":
            return f"configures provider {p.labels[0]}"
    for t in cfg.terraform:
        for rp in t.children("required_providers"):
            for name in rp.attributes:
                if name != "aws":
                    return f"requires provider {name}"
    return None


def _remote_module(cfg: TerraformConfig) -> str | None:
    for m in cfg.modules:
        src = m.get("source")
        if not isinstance(src, str) or not src.startswith(("./", "../")):
            return f"module.{m.labels[0] if m.labels else '?'} comes from {src!r}, not from a local folder"
    return None


def answer_module(cfg: TerraformConfig, aws_version: str | None = None, *, lambda_packages: bool = False) -> Module:
    """The files of a parsed answer, as :func:`validate_module` writes them. ``lambda_packages``: also write
    empty stand-ins for the Lambda packages (literal ``filename`` of aws_lambda_function / aws_lambda_layer_version)
    the answer does not supply, as a pipeline that builds them before deploying would have them."""
    files: dict[str, list[str]] = {}
    origins: dict[str, list[tuple[int, int, int, str | None]]] = {}
    unnamed = 0
    named_tf = [p for cb in cfg.code_blocks if cb.file and (p := _clean_path(cb.file)) and p.endswith(".tf")]
    root = _root_of(named_tf)
    starts = sorted(b.line for b in (*cfg.all_blocks(), *cfg.locals_blocks))
    blank = superseded(cfg)
    for k, cb in enumerate(cfg.code_blocks):
        path = _clean_path(cb.file) if cb.file else None
        if path is not None and root and "/" not in path:
            path = f"{root}/{path}"  # a bare name (`variables.tf`) next to `lib/main.tf`: the same folder
        if k in blank:
            lines = cb.text.split("\n")
            for a, z in blank[k]:
                for j in range(max(0, a - cb.line), min(len(lines), z - cb.line + 1)):
                    lines[j] = ""
            if path is None and not any(ln.strip() and not ln.lstrip().startswith(("#", "//")) for ln in lines):
                continue  # an excerpt quoting the named files, nothing else
            cb = CodeBlock("\n".join(lines), cb.line, cb.file, cb.info, cb.fenced, cb.unterminated)
        if path is None:
            unnamed += 1
            # A block of arguments only (`environment = "prod"`) is a variables file, as drdata reads it.
            end = cb.line + cb.text.count("\n")
            ext = "tf" if any(cb.line <= ln <= end for ln in starts) else "tfvars"
            path = f"{root}/_unnamed_{unnamed}.{ext}" if root else f"_unnamed_{unnamed}.{ext}"
        parts = files.setdefault(path, [])
        first = sum(p.count("\n") for p in parts) + 1
        text = cb.text if cb.text.endswith("\n") else cb.text + "\n"
        parts.append(text)
        origins.setdefault(path, []).append((first, text.count("\n"), cb.line, cb.file))
    out = {p: "".join(t) for p, t in files.items()}
    # Files the answer supplies in other languages (scripts, policies): terraform validate reads them only through
    # file() and the like, for their existence; placeholders stand in (drdata keeps their names, not their text).
    for name in cfg.other_files:
        path = _clean_path(name)
        if path is not None and root and "/" not in path:
            path = f"{root}/{path}"
        if path is not None and path not in out:
            out[path] = ""
    if lambda_packages:
        for r in cfg.resources_of("aws_lambda_function", "aws_lambda_layer_version"):
            fn = r.get("filename")
            if isinstance(fn, str):
                text = str(fn).strip('"')
                for prefix in ("${path.module}/", "${path.root}/", "./"):
                    text = text.removeprefix(prefix)
                path = _clean_path(text) if "${" not in text else None
                if path is not None:
                    base = _folder_of(r.file, root)
                    out.setdefault(f"{base}/{path}" if base else path, "")
    reason = ""
    if not cfg.code_blocks:
        reason = "no Terraform code"
    elif not any(cb.fenced for cb in cfg.code_blocks):
        reason = "the Terraform is not in code blocks (no files to write)"
    elif not any(PurePosixPath(p).parent == PurePosixPath(root or ".") and p.endswith(".tf") for p in out):
        reason = "no Terraform file in the root module (only module folders)"
    else:
        reason = _needs_other_provider(cfg) or _remote_module(cfg) or ""
    if aws_version:
        out[f"{root}/{OVERRIDE_FILE}" if root else OVERRIDE_FILE] = (
            'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
            f'      version = "{aws_version}"\n    }}\n  }}\n}}\n')
    return Module(out, root, origins, not reason, reason)


def _folder_of(file: str | None, root: str) -> str:
    path = _clean_path(file) if file else None
    if path is None or "/" not in path:
        return root
    return str(PurePosixPath(path).parent)


def _root_of(tf_paths: list[str]) -> str:
    """The root module's folder: the one holding most .tf files the answer names outside module folders (a bare
    name counts for the top). Bare names go into it; paths are kept as the answer writes them, from one top."""
    dirs = Counter(str(PurePosixPath(p).parent) for p in tf_paths if "modules/" not in p and not
                   p.startswith("modules"))
    if not dirs:
        return ""
    best = max(dirs.items(), key=lambda kv: (kv[1], -kv[0].count("/")))[0]
    return "" if best == "." else best


# -- running terraform -----------------------------------------------------------------------------------------

_UNDECLARED = [
    (re.compile(r'A managed resource "([\w-]+)" "([\w-]+)" has not been declared'), "{0}.{1}"),
    (re.compile(r'A data resource "([\w-]+)" "([\w-]+)" has not been declared'), "data.{0}.{1}"),
    (re.compile(r'An input variable with the name "([\w-]+)" has not been declared'), "var.{0}"),
    (re.compile(r'A local value with the name "([\w-]+)" has not been declared'), "local.{0}"),
    (re.compile(r'No module call named "([\w-]+)" is declared'), "module.{0}"),
]


def undeclared_address(summary: str, detail: str) -> str | None:
    if not summary.startswith("Reference to undeclared"):
        return None
    for rx, fmt in _UNDECLARED:
        m = rx.search(detail)
        if m:
            return fmt.format(*m.groups())
    return None


def _block_at(cfg: TerraformConfig, line: int) -> str | None:
    for b in cfg.all_blocks():
        if b.line <= line <= b.end_line:
            return b.address if isinstance(b, Resource) else block_address(b)
    for name, attr in cfg.locals.items():
        if attr.line <= line <= attr.end_line:
            return f"local.{name}"
    return None


def _diagnostics(raw: list[dict], module: Module, cfg: TerraformConfig | None) -> list[Diagnostic]:
    out = []
    for d in raw:
        rng = d.get("range") or {}
        fname = rng.get("filename")
        file, line = None, None
        if fname:
            rel = fname[2:] if fname.startswith("./") else fname
            path = f"{module.root}/{rel}" if module.root and not rel.startswith(module.root + "/") else rel
            file, line = module.answer_line(path, int(rng.get("start", {}).get("line", 0) or 0))
            if file is None and path.endswith(OVERRIDE_FILE):
                file = OVERRIDE_FILE
        summary, detail = d.get("summary", ""), d.get("detail", "")
        address = _block_at(cfg, line) if (cfg is not None and line) else None
        out.append(Diagnostic(d.get("severity", "error"), summary, detail, file, line, address,
                              undeclared_address(summary, detail)))
    return out


def _init_problems(text: str) -> list[dict]:
    """Diagnostics of a failed ``terraform init`` (plain text: "Error: summary" then the detail)."""
    out = []
    for block in re.split(r"\n(?=(?:│ )?(?:Error|Warning): )", "\n" + text):
        m = re.match(r"(?:│ )?(Error|Warning): (.+)", block.strip("\n"))
        if m:
            rest = [ln.removeprefix("│").strip() for ln in block.strip("\n").splitlines()[1:]]
            detail = " ".join(x for x in rest if x and not x.startswith(("╵", "╷", "on ")))
            rng = re.search(r"on (\S+) line (\d+)", block)
            d = {"severity": m.group(1).lower(), "summary": m.group(2).strip(), "detail": detail}
            if rng:
                d["range"] = {"filename": rng.group(1), "start": {"line": int(rng.group(2))}}
            out.append(d)
    return out


def validate_module(module: Module, tc: Toolchain, *, cfg: TerraformConfig | None = None,
                    state_dir: Path | None = None, timeout: float = 300.0) -> Verdict:
    """Run terraform on one module (uncached); ``state_dir`` holds the CLI config and the plugin cache."""
    import time

    if not module.runnable:
        return Verdict("not_runnable", module.reason)
    start = time.perf_counter()
    state = state_dir or _state_dir()
    env = base_env(write_cli_config(state, tc.mirror, plugin_cache=state / "plugin-cache"))
    env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] = "1"
    with tempfile.TemporaryDirectory(prefix="drdata-validate-") as tmp:
        for rel, text in module.files.items():
            p = Path(tmp) / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        work = Path(tmp) / module.root
        work.mkdir(parents=True, exist_ok=True)
        try:
            init = subprocess.run([tc.terraform, "init", "-input=false", "-no-color", "-backend=false"], cwd=work,
                                  env=env, capture_output=True, text=True, timeout=timeout)
            val = subprocess.run([tc.terraform, "validate", "-json", "-no-color"], cwd=work, env=env,
                                 capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return Verdict("error", f"terraform took longer than {timeout:g} s")
        except OSError as exc:
            return Verdict("error", f"terraform could not run: {exc}")
        try:
            res = json.loads(val.stdout)
        except ValueError:
            res = None
    seconds = round(time.perf_counter() - start, 3)
    if init.returncode != 0:
        raw = _init_problems(init.stderr + "\n" + init.stdout)
        if res and res.get("diagnostics") and not _missing_install(res):
            raw = res["diagnostics"]
        diags = _diagnostics(raw, module, cfg)
        if not any(d.severity == "error" for d in diags):
            diags.append(Diagnostic("error", "terraform init failed", (init.stderr or init.stdout).strip()[-500:]))
        return Verdict("init_failed", diags[0].summary if diags else "", diags, seconds=seconds)
    if res is None:
        return Verdict("error", f"terraform validate gave no JSON: {(val.stderr or val.stdout).strip()[-300:]}",
                       seconds=seconds)
    diags = _diagnostics(res.get("diagnostics", []), module, cfg)
    return Verdict("valid" if res.get("valid") else "invalid", "", diags, seconds=seconds)


def _missing_install(res: dict) -> bool:
    return any(d.get("summary", "").startswith(("Missing required provider", "Module not installed",
                                                 "Inconsistent dependency lock file"))
               for d in res.get("diagnostics", []))


def _state_dir() -> Path:
    from drdata.hcl.cache import cache_dir

    return cache_dir() / "terraform"


class VerdictCache:
    """Verdicts as JSON files under ``DRDATA_CACHE_DIR/terraform-validate`` (atomic writes: safe in parallel)."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or (_state_dir().parent / "terraform-validate")

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Verdict | None:
        try:
            v = Verdict.from_json(json.loads(self._path(key).read_text()))
        except (OSError, ValueError, TypeError, KeyError):
            return None
        v.cached = True
        return v

    def put(self, key: str, verdict: Verdict) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}.{id(verdict)}")
            tmp.write_text(json.dumps(verdict.to_json(), sort_keys=True))
            os.replace(tmp, path)
        except OSError:
            pass


def validate_answer(cfg: TerraformConfig, tc: Toolchain | None = None, *, cache: VerdictCache | bool = True,
                    state_dir: Path | None = None, lambda_packages: bool = False) -> Verdict:
    """The verdict of terraform on one parsed answer (cached by content hash); ``lambda_packages``: see
    :func:`answer_module`."""
    tc = tc or find_toolchain()
    module = answer_module(cfg, tc.aws_version, lambda_packages=lambda_packages)
    if not module.runnable:
        return Verdict("not_runnable", module.reason)
    key = module.key(tc)
    store = cache if isinstance(cache, VerdictCache) else (VerdictCache() if cache else None)
    if store is not None:
        hit = store.get(key)
        if hit is not None:
            # Lines and addresses come from this parse of the answer (the same files may sit at other lines).
            hit.diagnostics = _remap(hit.diagnostics, module, cfg)
            return hit
    verdict = validate_module(module, tc, cfg=cfg, state_dir=state_dir)
    verdict.key = key
    if store is not None and verdict.status != "error":
        store.put(key, _portable(verdict, module))
    return verdict


def _portable(verdict: Verdict, module: Module) -> Verdict:
    """The verdict as cached: diagnostics located by module file and line, not by answer line."""
    out = []
    for d in verdict.diagnostics:
        loc = _module_location(module, d.file, d.line)
        out.append(Diagnostic(d.severity, d.summary, d.detail, loc[0], loc[1], None, d.undeclared))
    return Verdict(verdict.status, verdict.reason, out, verdict.key, verdict.seconds)


def _module_location(module: Module, file: str | None, line: int | None) -> tuple[str | None, int | None]:
    if line is None:
        return file, None
    for path, spans in module.origins.items():
        for first, n, md_line, _name in spans:
            if md_line <= line < md_line + n:
                return path, first + (line - md_line)
    return file, None


def _remap(diags: list[Diagnostic], module: Module, cfg: TerraformConfig) -> list[Diagnostic]:
    out = []
    for d in diags:
        file, line = d.file, None
        if d.file and d.line and d.file in module.origins:
            file, line = module.answer_line(d.file, d.line)
        address = _block_at(cfg, line) if line else None
        out.append(Diagnostic(d.severity, d.summary, d.detail, file, line, address, d.undeclared))
    return out


def validate_many(cfgs: Iterable[TerraformConfig], *, jobs: int = 2, cache: bool = True,
                  tc: Toolchain | None = None, on_done: Callable[[int, Verdict], None] | None = None,
                  lambda_packages: bool = False) -> list[Verdict]:
    """:func:`validate_answer` over many answers, ``jobs`` terraform runs at a time (threads: the work is in
    terraform's own processes). The plugin cache is filled once before the parallel runs."""
    tc = tc or find_toolchain()
    cfgs = list(cfgs)
    store = VerdictCache() if cache else None
    results: list[Verdict | None] = [None] * len(cfgs)
    warm = [False]

    def one(i: int) -> None:
        results[i] = validate_answer(cfgs[i], tc, cache=store if store is not None else False,
                                     lambda_packages=lambda_packages)
        if on_done is not None:
            on_done(i, results[i])

    order = list(range(len(cfgs)))
    if order:
        one(order[0])  # the first run fills the shared plugin cache; parallel first runs would race on it
        warm[0] = True
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(one, order[1:]))
    return [r for r in results if r is not None]
