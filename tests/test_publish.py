"""Publishing an export to the Hub, tested up to the HfApi boundary (no Hub is reachable here)."""

from __future__ import annotations

import huggingface_hub
import pytest

from drdata.export import PublishError, publish
from drdata.export.hub import UPLOAD_PATTERNS, check_repo_id

SECRET = "hf_testtokenthatmustnotleak"


@pytest.fixture
def dataset_dir(tmp_path):
    root = tmp_path / "ds"
    (root / "data" / "sft").mkdir(parents=True)
    (root / "data" / "kto").mkdir(parents=True)
    (root / "README.md").write_bytes(b"---\nlicense: other\n---\n# drdata\n")  # 4 + 15 + 4 + 9 = 32 bytes
    (root / "data" / "sft" / "train-00000-of-00001.parquet").write_bytes(b"x" * 100)
    (root / "data" / "sft" / "test-00000-of-00001.parquet").write_bytes(b"x" * 20)
    (root / "data" / "kto" / "train-00000-of-00001.parquet").write_bytes(b"x" * 7)
    (root / "notes.txt").write_text("not part of the dataset")
    return root


class FakeApi:
    """Stands in for huggingface_hub.HfApi and records what publish asks of it."""

    instances: list[FakeApi] = []
    fail_on: str | None = None
    error: BaseException | None = None

    def __init__(self, token=None):
        self.token = token
        self.calls: list[tuple[str, tuple, dict]] = []
        FakeApi.instances.append(self)

    def create_repo(self, *args, **kwargs):
        self.calls.append(("create_repo", args, kwargs))
        if FakeApi.fail_on == "create_repo":
            raise FakeApi.error
        return f"https://huggingface.co/datasets/{args[0]}"

    def upload_folder(self, *args, **kwargs):
        self.calls.append(("upload_folder", args, kwargs))
        if FakeApi.fail_on == "upload_folder":
            raise FakeApi.error

        class Info:
            commit_url = f"https://huggingface.co/datasets/{kwargs['repo_id']}/commit/abc"

        return Info()


@pytest.fixture
def fake_api(monkeypatch):
    FakeApi.instances, FakeApi.fail_on, FakeApi.error = [], None, None
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    return FakeApi


@pytest.fixture
def no_token(monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)


def test_dry_run_lists_files_and_sends_nothing(dataset_dir, fake_api, no_token):
    plan = publish(dataset_dir, "my-org/terraform-failures")
    assert plan.dry_run
    assert plan.files == [("README.md", 32), ("data/kto/train-00000-of-00001.parquet", 7),
                          ("data/sft/test-00000-of-00001.parquet", 20),
                          ("data/sft/train-00000-of-00001.parquet", 100)]
    assert plan.total_bytes == 159
    assert fake_api.instances == []
    text = plan.describe()
    assert "would upload 4 files (159 B) to the public dataset repo my-org/terraform-failures" in text
    assert "notes.txt" not in text
    assert "dry run" in text and "no Hugging Face token found" in text


def test_upload_creates_the_repo_then_uploads_the_folder(dataset_dir, fake_api, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", SECRET)
    plan = publish(dataset_dir, "my-org/terraform-failures", private=True, dry_run=False)
    [api] = fake_api.instances
    assert api.token == SECRET
    assert api.calls == [
        ("create_repo", ("my-org/terraform-failures",), {"repo_type": "dataset", "private": True, "exist_ok": True}),
        ("upload_folder", (), {"repo_id": "my-org/terraform-failures", "repo_type": "dataset",
                               "folder_path": str(dataset_dir), "allow_patterns": UPLOAD_PATTERNS,
                               "commit_message": "Upload dataset exported by drdata"}),
    ]
    assert plan.url == "https://huggingface.co/datasets/my-org/terraform-failures"
    assert plan.commit_url.endswith("/commit/abc")
    text = plan.describe()
    assert "uploaded 4 files" in text and "private" in text and SECRET not in text


def test_upload_patterns_select_exactly_the_planned_files(dataset_dir):
    from huggingface_hub.utils import filter_repo_objects

    all_files = sorted(p.relative_to(dataset_dir).as_posix() for p in dataset_dir.rglob("*") if p.is_file())
    chosen = list(filter_repo_objects(all_files, allow_patterns=UPLOAD_PATTERNS))
    assert chosen == [path for path, _ in publish(dataset_dir, "org/name").files]


def test_missing_token_is_a_clear_error(dataset_dir, fake_api, no_token):
    with pytest.raises(PublishError, match="no Hugging Face token: set HF_TOKEN"):
        publish(dataset_dir, "org/name", dry_run=False)
    assert fake_api.instances == []


@pytest.mark.parametrize("repo_id, why", [
    ("name-only", "expected ORG/NAME"),
    ("a/b/c", "expected ORG/NAME"),
    ("", "expected ORG/NAME"),
    ("org/bad name", "not valid"),
    ("org/double--dash", "not valid"),
    ("org/-leading", "not valid"),
    ("org/" + "x" * 100, "not valid"),
])
def test_invalid_repo_id(dataset_dir, fake_api, repo_id, why):
    with pytest.raises(PublishError, match=why):
        publish(dataset_dir, repo_id, dry_run=False, token=SECRET)
    assert fake_api.instances == []


@pytest.mark.parametrize("repo_id", ["org/name", "my-org/terraform_failures-1.0", "a/b"])
def test_valid_repo_ids(repo_id):
    assert check_repo_id(f" {repo_id} ") == repo_id


def _http_error(status: int):
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    request = httpx2.Request("POST", "https://huggingface.co/api/repos/create")
    response = httpx2.Response(status, request=request)
    return HfHubHTTPError(f"{status} Client Error for token {SECRET}", response=response)


def _connect_error():
    import httpx2

    return httpx2.ConnectError("name resolution failed",
                               request=httpx2.Request("POST", "https://huggingface.co/api/repos/create"))


@pytest.mark.parametrize("step, error, message", [
    ("create_repo", lambda: _http_error(401), "the token was refused or has no write access"),
    ("create_repo", lambda: _http_error(403), "the token was refused or has no write access"),
    ("upload_folder", lambda: _http_error(500), "the Hub answered HTTP 500"),
    ("create_repo", _connect_error, "the Hub could not be reached"),
    ("upload_folder", lambda: ConnectionError("connection reset"), "the Hub could not be reached"),
])
def test_network_failures_are_clear_errors(dataset_dir, fake_api, step, error, message):
    fake_api.fail_on, fake_api.error = step, error()
    with pytest.raises(PublishError, match=message) as info:
        publish(dataset_dir, "org/name", dry_run=False, token=SECRET)
    assert SECRET not in str(info.value)
    assert [c[0] for c in fake_api.instances[0].calls][-1] == step


@pytest.mark.parametrize("layout, message", [
    ("missing", "no such folder"),
    ("no-card", "no README.md dataset card"),
    ("no-data", "no data/<config>/\\*.parquet"),
])
def test_folder_must_be_an_export(tmp_path, fake_api, layout, message):
    root = tmp_path / "ds"
    if layout != "missing":
        root.mkdir()
    if layout == "no-data":
        (root / "README.md").write_text("# card")
    if layout == "no-card":
        (root / "data" / "sft").mkdir(parents=True)
        (root / "data" / "sft" / "train-00000-of-00001.parquet").write_bytes(b"x")
    with pytest.raises(PublishError, match=message):
        publish(root, "org/name")
