"""Publish an exported dataset folder to the Hugging Face Hub.

``publish(dataset_dir, repo_id)`` is a dry run by default: it checks the folder
and the repo id and lists what would be uploaded. With ``dry_run=False`` it
creates the dataset repo (``exist_ok``) and uploads the folder in one commit.

The token comes from the ``token`` argument (library callers) or else from
huggingface_hub's standard lookup (``HF_TOKEN``, then the stored login). It is
passed to ``HfApi`` and nowhere else: never printed, logged or written, and
scrubbed from any error text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

UPLOAD_PATTERNS = ["README.md", "data/**/*.parquet"]


class PublishError(ValueError):
    """The folder, repo id, token or Hub refused the upload; the message says which."""


@dataclass
class PublishPlan:
    dataset_dir: Path
    repo_id: str
    private: bool
    files: list[tuple[str, int]]  # (path in repo, bytes), sorted
    dry_run: bool = True
    url: str | None = None  # the repo's url once created
    commit_url: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(n for _, n in self.files)

    def describe(self) -> str:
        head = "would upload" if self.dry_run else "uploaded"
        vis = "private" if self.private else "public"
        lines = [f"{head} {len(self.files)} files ({_human(self.total_bytes)}) to the {vis} dataset repo "
                 f"{self.repo_id}"]
        lines += [f"  {size:>12,d}  {path}" for path, size in self.files]
        lines += self.notes
        if self.commit_url:
            lines.append(f"commit: {self.commit_url}")
        if self.dry_run:
            lines.append("dry run: nothing was sent (pass --yes to upload)")
        return "\n".join(lines)


def _human(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def check_repo_id(repo_id: str) -> str:
    """A valid ``namespace/name`` dataset repo id, or a PublishError saying what is wrong."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    repo_id = (repo_id or "").strip()
    if repo_id.count("/") != 1:
        raise PublishError(f"repo id {repo_id!r} is not valid: expected ORG/NAME (a namespace and a name)")
    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        raise PublishError(f"repo id {repo_id!r} is not valid: {exc}") from None
    return repo_id


def dataset_files(dataset_dir: str | Path) -> list[tuple[str, int]]:
    """The files an export consists of (card and parquet shards), or a PublishError."""
    root = Path(dataset_dir)
    if not root.is_dir():
        raise PublishError(f"{root}: no such folder (write one with `drdata export`)")
    if not (root / "README.md").is_file():
        raise PublishError(f"{root}: no README.md dataset card; is this a `drdata export` folder?")
    shards = sorted(p for p in (root / "data").glob("*/*.parquet") if p.is_file()) if (root / "data").is_dir() else []
    if not shards:
        raise PublishError(f"{root}: no data/<config>/*.parquet files to publish")
    files = [root / "README.md", *shards]
    return [(p.relative_to(root).as_posix(), p.stat().st_size) for p in files]


def _resolve_token(token: str | None) -> str:
    if token:
        return token
    from huggingface_hub import get_token

    found = get_token()  # HF_TOKEN, then the token saved by `hf auth login`
    if not found:
        raise PublishError("no Hugging Face token: set HF_TOKEN or log in with `hf auth login` "
                           "(a token with write access to the target namespace)")
    return found


def _network_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError]  # HfHubHTTPError and socket errors are OSErrors
    for mod, name in (("huggingface_hub.errors", "HfHubHTTPError"), ("httpx", "HTTPError"), ("httpx2", "HTTPError"),
                      ("requests", "RequestException")):
        try:
            errors.append(getattr(__import__(mod, fromlist=[name]), name))
        except (ImportError, AttributeError):
            pass
    return tuple(errors)


def _explain(exc: BaseException, step: str, repo_id: str, token: str) -> PublishError:
    status = getattr(getattr(exc, "response", None), "status_code", None)
    detail = str(exc).replace(token, "***") if token else str(exc)
    detail = detail.splitlines()[0] if detail else type(exc).__name__
    if status in (401, 403):
        why = "the token was refused or has no write access to that namespace"
    elif status == 404:
        why = "the namespace does not exist or the token cannot see it"
    elif status is not None:
        why = f"the Hub answered HTTP {status}"
    else:
        why = "the Hub could not be reached"
    return PublishError(f"{step} {repo_id} failed: {why} ({type(exc).__name__}: {detail})")


def publish(dataset_dir: str | Path, repo_id: str, *, private: bool = False, dry_run: bool = True,
            token: str | None = None, commit_message: str | None = None) -> PublishPlan:
    """Create the dataset repo and upload the export folder; a dry run (the default) only plans it."""
    repo_id = check_repo_id(repo_id)
    files = dataset_files(dataset_dir)
    plan = PublishPlan(Path(dataset_dir), repo_id, private, files, dry_run=dry_run)
    if dry_run:
        from huggingface_hub import get_token

        if not (token or get_token()):
            plan.notes.append("note: no Hugging Face token found (set HF_TOKEN or `hf auth login`) — "
                              "the real upload would fail")
        return plan
    secret = _resolve_token(token)
    from huggingface_hub import HfApi

    api = HfApi(token=secret)
    errors = _network_errors()
    try:
        url = api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    except errors as exc:
        raise _explain(exc, "creating the dataset repo", repo_id, secret) from None
    plan.url = str(url)
    try:
        info = api.upload_folder(repo_id=repo_id, repo_type="dataset", folder_path=str(Path(dataset_dir)),
                                 allow_patterns=UPLOAD_PATTERNS,
                                 commit_message=commit_message or "Upload dataset exported by drdata")
    except errors as exc:
        raise _explain(exc, "uploading to", repo_id, secret) from None
    plan.commit_url = getattr(info, "commit_url", None) or (str(info) if info is not None else None)
    return plan
