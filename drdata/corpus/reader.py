"""Read task folders into :class:`Task` objects.

A task folder is ``<ID>/`` holding ``lib/{PROMPT,MODEL_RESPONSE,IDEAL_RESPONSE,MODEL_FAILURES}.md`` and
``metadata.json``. :func:`load_corpus` accepts the upstream root (``<root>/archive/<platform>/<ID>``), an
``archive/`` folder, an ``archive/<platform>`` folder, a single task folder, or this repo's ``corpora/``.

Reading never raises for a bad task: a missing, empty, unreadable, oversized, non-UTF-8 or binary file and a
broken ``metadata.json`` each leave a human-readable string in ``Task.problems`` and the task keeps what could be
read. Only a path that holds no task at all raises :class:`CorpusError`.
"""

from __future__ import annotations

import errno
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

# Text fields of a Task and the file each one comes from (inside lib/).
TEXT_FILES: dict[str, str] = {
    "prompt": "PROMPT.md",
    "model_response": "MODEL_RESPONSE.md",
    "ideal_response": "IDEAL_RESPONSE.md",
    "failures_report": "MODEL_FAILURES.md",
}
METADATA_FILE = "metadata.json"

# Larger files are read only up to this many bytes (the biggest corpus answer is well under 1 MB).
MAX_FILE_BYTES = 20 * 1024 * 1024

# Word values of ``training_quality`` seen upstream, on the 0-10 scale the numeric values use.
# "poor" is read as "low". Any other word gives None and a problem on the task.
TRAINING_QUALITY_WORDS: dict[str, float] = {
    "high": 9.0,
    "medium": 6.0,
    "moderate": 6.0,
    "low": 3.0,
    "poor": 3.0,
}

# Upstream fills files it has no content for with a template sentence ("Insert here the ideal response").
_PLACEHOLDER_RE = re.compile(r"\A\s*insert here\b", re.IGNORECASE)
_PLACEHOLDER_MAX_CHARS = 200

_EXPECTED = (
    "expected a task folder with lib/MODEL_RESPONSE.md, or a folder holding archive/<platform>/<task>/ "
    "(an upstream root, archive/, archive/<platform>/ or corpora/)"
)


class CorpusError(ValueError):
    """The path does not exist or holds no task folder."""


@dataclass
class Task:
    id: str
    platform: str
    path: Path
    prompt: str | None = None
    model_response: str | None = None
    ideal_response: str | None = None
    failures_report: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def complexity(self) -> str | None:
        return _as_label(self.metadata.get("complexity"))

    @property
    def subtask(self) -> str | None:
        return _as_label(self.metadata.get("subtask"))

    @property
    def training_quality(self) -> float | None:
        """``metadata.training_quality`` as a float (see :data:`TRAINING_QUALITY_WORDS` for words)."""
        return parse_training_quality(self.metadata.get("training_quality"))[0]

    @property
    def requirements(self):
        """What the PROMPT explicitly asks for (:func:`drdata.corpus.prompt.extract_requirements`)."""
        from drdata.corpus.prompt import extract_requirements

        return extract_requirements(self.prompt)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name} {len(text):,} chars" if text is not None else f"{name} missing"
                          for name, text in (("MODEL", self.model_response), ("IDEAL", self.ideal_response)))
        meta = ", ".join(x for x in (self.complexity, self.subtask) if x)
        return (f"Task({self.id!r}, {self.platform}{', ' + meta if meta else ''}; {sizes}; "
                f"prompt asks: {self.requirements.summary()}"
                + (f"; {len(self.problems)} problem(s)" if self.problems else "") + ")")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form (paths as strings)."""
        return {
            "id": self.id,
            "platform": self.platform,
            "path": str(self.path),
            "prompt": self.prompt,
            "model_response": self.model_response,
            "ideal_response": self.ideal_response,
            "failures_report": self.failures_report,
            "metadata": self.metadata,
            "sources": {k: str(v) for k, v in sorted(self.sources.items())},
            "problems": list(self.problems),
            "complexity": self.complexity,
            "subtask": self.subtask,
            "training_quality": self.training_quality,
        }


# -- metadata values ----------------------------------------------------------------------

def _as_label(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def parse_training_quality(value: Any) -> tuple[float | None, str | None]:
    """(value as float or None, problem or None).

    Numbers stay numbers, numeric strings are converted, the words of :data:`TRAINING_QUALITY_WORDS` map to
    their number; a missing value is None without a problem; anything else is None with a problem.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f"training_quality {value!r} is a boolean, not a score"
    if isinstance(value, (int, float)):
        try:
            number = float(value)  # a JSON integer of 400 digits overflows here
        except OverflowError:
            number = math.inf
        if math.isfinite(number):
            return number, None
        shown = value if isinstance(value, float) or abs(value) < 10**20 else f"{str(value)[:12]}…"
        return None, f"training_quality {shown!r} is not a finite number"
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None, None
        try:
            number = float(text)
        except ValueError:
            word = TRAINING_QUALITY_WORDS.get(text.lower())
            if word is not None:
                return word, None
            return None, f"training_quality {value!r} is neither a number nor a known word"
        if math.isfinite(number):
            return number, None
        return None, f"training_quality {value!r} is not a finite number"
    return None, f"training_quality has unexpected type {type(value).__name__}"


def _check_metadata(meta: dict[str, Any]) -> list[str]:
    problems = []
    for key in ("complexity", "subtask"):
        value = meta.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int, float))):
            problems.append(f"{METADATA_FILE}: {key} has unexpected type {type(value).__name__}")
    _, problem = parse_training_quality(meta.get("training_quality"))
    if problem:
        problems.append(f"{METADATA_FILE}: {problem}")
    for key in ("platform", "language"):
        value = meta.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(f"{METADATA_FILE}: {key} has unexpected type {type(value).__name__}")
    return problems


# -- reading files ------------------------------------------------------------------------

def _present(path: Path) -> bool:
    """The path exists or is a (possibly broken) symlink; an unlistable folder counts as present so that
    reading it records why it failed."""
    try:
        return path.exists() or path.is_symlink()
    except OSError:
        return True


def _symlink_loop(path: Path) -> bool:
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 reports a loop this way
        return True
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _read_bytes(path: Path, name: str, max_bytes: int, problems: list[str]) -> bytes | None:
    """File content, or None (with a problem) when it cannot be read."""
    try:
        if path.is_symlink() and not path.exists():
            problems.append(f"{name}: symlink loop" if _symlink_loop(path) else f"{name}: broken symlink")
            return None
        if path.is_dir():
            problems.append(f"{name}: is a directory, not a file")
            return None
        if not path.is_file():
            # A FIFO would block open() forever, a device could stream without end.
            problems.append(f"{name}: not a regular file (a pipe, socket or device), not read")
            return None
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        problems.append(f"{name}: unreadable (permission denied)")
        return None
    except OSError as exc:
        problems.append(f"{name}: unreadable ({exc.strerror or type(exc).__name__})")
        return None
    if len(data) > max_bytes:
        problems.append(f"{name}: larger than {max_bytes} bytes, truncated to the first {max_bytes}")
        data = data[:max_bytes]
    return data


def decode_text(data: bytes, name: str, problems: list[str]) -> str:
    """Decode file bytes to text, never failing; what had to be repaired goes to ``problems``."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 is full of NUL bytes; decode it as what it is rather than as binary.
        problems.append(f"{name}: UTF-16 encoded, decoded as UTF-16")
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data:
        problems.append(f"{name}: binary content (NUL bytes), read with replacement")
        data = data.replace(b"\x00", b"")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{name}: not valid UTF-8, read with replacement")
        text = data.decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff")


def _find_file(task_dir: Path, lib: Path | None, filename: str) -> Path | None:
    for folder in (lib, task_dir):
        if folder is None:
            continue
        candidate = folder / filename
        if _present(candidate):
            return candidate
    return None


def is_blank(text: str | None) -> bool:
    """True for missing, whitespace-only, or upstream placeholder text."""
    if text is None or not text.strip():
        return True
    return len(text) <= _PLACEHOLDER_MAX_CHARS and bool(_PLACEHOLDER_RE.match(text))


def read_task(task_dir: str | Path, platform: str | None = None, *, max_bytes: int = MAX_FILE_BYTES) -> Task:
    """Read one task folder. Never raises for bad content; see ``Task.problems``."""
    task_dir = Path(task_dir)
    problems: list[str] = []
    sources: dict[str, Path] = {}

    lib: Path | None = task_dir / "lib"
    try:
        lib_ok = lib.is_dir()
        if not lib_ok:
            problems.append("lib is not a folder" if _present(lib) else "lib/ folder missing")
    except OSError as exc:
        lib_ok = False
        problems.append(f"lib/ unreadable ({exc.strerror or type(exc).__name__})")
    if not lib_ok:
        lib = None

    metadata: dict[str, Any] = {}
    meta_path = task_dir / METADATA_FILE
    if _present(meta_path):
        sources["metadata"] = meta_path
        data = _read_bytes(meta_path, METADATA_FILE, max_bytes, problems)
        if data is not None:
            try:
                loaded = json.loads(decode_text(data, METADATA_FILE, problems))
            except ValueError as exc:  # JSONDecodeError and recursion limits on absurd nesting
                problems.append(f"{METADATA_FILE}: not valid JSON ({exc})")
            except RecursionError:
                problems.append(f"{METADATA_FILE}: not valid JSON (nested too deeply)")
            else:
                if isinstance(loaded, dict):
                    metadata = loaded
                    problems.extend(_check_metadata(metadata))
                else:
                    problems.append(f"{METADATA_FILE}: not a JSON object (got {type(loaded).__name__})")
    else:
        problems.append(f"{METADATA_FILE} missing")

    texts: dict[str, str | None] = {}
    for key, filename in TEXT_FILES.items():
        path = _find_file(task_dir, lib, filename)
        if path is None:
            problems.append(f"{filename} missing")
            texts[key] = None
            continue
        sources[key] = path
        data = _read_bytes(path, filename, max_bytes, problems)
        if data is None:
            texts[key] = None
            continue
        text = decode_text(data, filename, problems)
        if not text.strip():
            problems.append(f"{filename}: empty file")
        elif is_blank(text):
            problems.append(f"{filename}: empty, only placeholder text ({text.strip()[:60]!r})")
        texts[key] = text

    if platform is None:
        platform = _platform(task_dir, metadata)
    return Task(id=task_dir.name, platform=platform, path=task_dir, metadata=metadata, sources=sources,
                problems=problems, **texts)


def _platform(task_dir: Path, metadata: dict[str, Any]) -> str:
    parent = task_dir.absolute().parent
    if parent.parent.name == "archive":
        return parent.name
    plat, lang = metadata.get("platform"), metadata.get("language")
    if isinstance(plat, str) and plat.strip() and isinstance(lang, str) and lang.strip():
        return f"{plat.strip()}-{lang.strip()}"
    if isinstance(plat, str) and plat.strip():
        return plat.strip()
    return "unknown"


# -- walking a corpus ---------------------------------------------------------------------

def is_task_folder(path: Path) -> bool:
    try:
        return path.is_dir() and ((path / "lib").is_dir() or (path / METADATA_FILE).exists())
    except OSError:
        return False


def _subdirs(path: Path) -> list[Path]:
    try:
        return sorted(p for p in path.iterdir() if not p.name.startswith(".") and p.is_dir())
    except OSError:
        return []


def _task_dirs(root: Path) -> list[tuple[Path, str | None]]:
    """(task folder, platform if the layout tells it) under ``root``."""
    if is_task_folder(root):
        return [(root, None)]
    if (root / "archive").is_dir():
        root = root / "archive"
    found: list[tuple[Path, str | None]] = []
    for child in _subdirs(root):
        if is_task_folder(child):
            found.append((child, None))  # root is an archive/<platform> folder (or any folder of tasks)
            continue
        for grandchild in _subdirs(child):
            if is_task_folder(grandchild):
                found.append((grandchild, child.name))  # root is an archive/ folder: child is the platform
    return found


def find_task_dirs(path: str | Path) -> list[tuple[Path, str | None]]:
    """(task folder, platform when the layout tells it) of every task under ``path``, without reading any task.

    Raises :class:`CorpusError` when ``path`` does not exist or holds no task folder.
    """
    root = Path(path)
    try:
        exists, is_dir = root.exists(), root.is_dir()
    except OSError as exc:
        raise CorpusError(f"{root}: cannot be read ({exc.strerror or type(exc).__name__}); {_EXPECTED}") from exc
    if not exists:
        raise CorpusError(f"{root}: no such file or folder; {_EXPECTED}")
    if not is_dir:
        raise CorpusError(f"{root}: not a folder; {_EXPECTED}")
    dirs = _task_dirs(root)
    if not dirs:
        raise CorpusError(f"{root}: no task found; {_EXPECTED}")
    return dirs


def load_corpus(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> list[Task]:
    """Every task under ``path``, sorted by (platform, id).

    Raises :class:`CorpusError` when ``path`` does not exist or holds no task folder.
    """
    tasks = [read_task(d, platform, max_bytes=max_bytes) for d, platform in find_task_dirs(path)]
    return sorted(tasks, key=lambda t: (t.platform, t.id))


# -- table --------------------------------------------------------------------------------

TASK_COLUMNS = [
    "task_id", "platform", "complexity", "subtask", "training_quality",
    *(f"has_{k}" for k in TEXT_FILES), "has_metadata",
    *(f"{k}_chars" for k in TEXT_FILES),
    "n_problems", "problems", "path",
]


def tasks_frame(tasks: list[Task]) -> pd.DataFrame:
    """One row per task; ``has_*`` is False for missing, empty or placeholder texts."""
    rows = []
    for t in tasks:
        row: dict[str, Any] = {
            "task_id": t.id,
            "platform": t.platform,
            "complexity": t.complexity,
            "subtask": t.subtask,
            "training_quality": t.training_quality,
        }
        for key in TEXT_FILES:
            row[f"has_{key}"] = not is_blank(getattr(t, key))
        row["has_metadata"] = bool(t.metadata)
        for key in TEXT_FILES:
            text = getattr(t, key)
            row[f"{key}_chars"] = 0 if text is None else len(text)
        row["n_problems"] = len(t.problems)
        row["problems"] = "; ".join(t.problems)
        row["path"] = str(t.path)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=TASK_COLUMNS)
    frame["training_quality"] = frame["training_quality"].astype("float64")
    for key in TEXT_FILES:
        frame[f"{key}_chars"] = frame[f"{key}_chars"].astype("int64")
    frame["n_problems"] = frame["n_problems"].astype("int64")
    return frame


def read_single_task(path: str | Path):
    """The one task at ``path`` (a task folder, or a folder holding exactly one task)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such task folder")
    if is_task_folder(path):
        return read_task(path)
    tasks = load_corpus(path)
    if len(tasks) != 1:
        raise ValueError(f"{path}: holds {len(tasks)} tasks; point at one task folder")
    return tasks[0]
