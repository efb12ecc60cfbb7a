"""Build small corpora in a temporary folder (upstream layout), for tests that need files."""

from __future__ import annotations

import json
from pathlib import Path

BUCKET_MODEL = '''## main.tf

```hcl
resource "aws_s3_bucket" "data" {
  bucket = "orders-data"
}

resource "aws_kms_key" "main" {
  description = "orders key"
}
```
'''

BUCKET_IDEAL = '''## main.tf

```hcl
variable "environment_suffix" {
  type        = string
  description = "Per-deployment suffix"
}

resource "aws_s3_bucket" "data" {
  bucket = "orders-data-${var.environment_suffix}"
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_kms_key" "main" {
  description         = "orders key"
  enable_key_rotation = true
}

resource "aws_kms_alias" "main" {
  name          = "alias/orders-${var.environment_suffix}"
  target_key_id = aws_kms_key.main.key_id
}
```
'''


def make_task(root: Path, task_id: str, *, model: str | None = BUCKET_MODEL, ideal: str | None = BUCKET_IDEAL,
              prompt: str | None = "Create an encrypted bucket for order data.", report: str | None = None,
              metadata: dict | None = None, platform: str = "tf-hcl") -> Path:
    folder = root / "archive" / platform / task_id
    lib = folder / "lib"
    lib.mkdir(parents=True, exist_ok=True)
    for name, text in (("PROMPT.md", prompt), ("MODEL_RESPONSE.md", model), ("IDEAL_RESPONSE.md", ideal),
                       ("MODEL_FAILURES.md", report)):
        if text is not None:
            (lib / name).write_text(text, encoding="utf-8")
    meta = {"platform": "tf", "language": "hcl", "complexity": "medium", "subtask": "Storage",
            "training_quality": 8}
    meta.update(metadata or {})
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def make_corpus(root: Path, n: int = 6) -> Path:
    for i in range(n):
        make_task(root, f"T{i:03d}")
    return root


def put_file(folder: Path, name: str, data: bytes | str | None) -> Path:
    """Replace ``name`` (relative to the task folder, e.g. ``lib/MODEL_RESPONSE.md``) with ``data``.

    ``bytes`` are written as they are, ``str`` as UTF-8, ``None`` removes the file.
    """
    path = folder / name
    if path.is_symlink() or path.is_file():
        path.unlink()
    if data is None:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def put_symlink(folder: Path, name: str, target: str | Path) -> Path:
    """Replace ``name`` (relative to the task folder) with a symlink to ``target``."""
    path = put_file(folder, name, None)
    path.symlink_to(target)
    return path
