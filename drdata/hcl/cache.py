"""Parse cache: SQLite under the user cache dir, keyed by backend + version + content hash.

Re-labelling after a taxonomy change re-runs only the detectors: parsing is the
expensive part, and it depends on nothing but the answer text and the parser.
``DRDATA_CACHE_DIR`` moves the cache; ``cache=False`` (CLI ``--no-cache``) bypasses it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import threading
import zlib
from pathlib import Path

from drdata.hcl.backends import backend_version
from drdata.hcl.model import TerraformConfig

# The same file holds the labeler's result cache, in a table of its own (drdata.labeling.cache).
_SCHEMA = "CREATE TABLE IF NOT EXISTS parses (key TEXT PRIMARY KEY, value BLOB NOT NULL)"


def cache_dir() -> Path:
    env = os.environ.get("DRDATA_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("drdata"))


class ParseCache:
    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else cache_dir() / "parse-cache.sqlite"
        self._local = threading.local()
        self._versions: dict[str, str] = {}
        self.hits = 0
        self.misses = 0

    def connection(self) -> sqlite3.Connection | None:
        """This thread's connection to the cache file (None when it cannot be used)."""
        conn = getattr(self._local, "conn", None)
        pid = getattr(self._local, "pid", None)
        if conn is not None and pid == os.getpid():
            return conn
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")  # a lost entry is only a re-parse
            conn.executescript(_SCHEMA)
        except (sqlite3.Error, OSError):
            conn = None  # an unusable cache must never stop a run
        self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def key(self, backend: str, text: str) -> str:
        ver = self._versions.get(backend)
        if ver is None:
            ver = self._versions[backend] = backend_version(backend)
        h = hashlib.sha256(f"{backend}\0{ver}\0{parser_fingerprint()}\0".encode())
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, backend: str, text: str) -> TerraformConfig | None:
        conn = self.connection()
        if conn is None:
            return None
        try:
            row = conn.execute("SELECT value FROM parses WHERE key = ?", (self.key(backend, text),)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            self.misses += 1
            return None
        try:
            cfg = pickle.loads(zlib.decompress(row[0]))
        except Exception:  # stale or corrupt entry: parse again
            self.misses += 1
            return None
        self.hits += 1
        return cfg

    def put(self, backend: str, text: str, cfg: TerraformConfig) -> None:
        conn = self.connection()
        if conn is None:
            return
        blob = zlib.compress(pickle.dumps(cfg, protocol=pickle.HIGHEST_PROTOCOL), 1)
        try:
            conn.execute("INSERT OR REPLACE INTO parses (key, value) VALUES (?, ?)", (self.key(backend, text), blob))
        except sqlite3.Error:
            pass

    def clear(self) -> None:
        conn = self.connection()
        if conn is not None:
            conn.execute("DELETE FROM parses")

    def __len__(self) -> int:
        conn = self.connection()
        return conn.execute("SELECT COUNT(*) FROM parses").fetchone()[0] if conn else 0


_DEFAULT: dict[str, ParseCache] = {}


def default_cache() -> ParseCache:
    """One cache object per cache directory (the env var may change between tests)."""
    path = str(cache_dir())
    if path not in _DEFAULT:
        _DEFAULT[path] = ParseCache()
    return _DEFAULT[path]


_FINGERPRINTS: dict[tuple[str, ...], str] = {}


def source_fingerprint(*parts: str) -> str:
    """Hash of drdata's source and data files (of the sub-packages ``parts``, or all of them)."""
    if parts not in _FINGERPRINTS:
        root = Path(__file__).resolve().parent.parent
        h = hashlib.sha256()
        for base in [root / p for p in parts] if parts else [root]:
            for path in sorted(base.rglob("*")):
                if path.suffix in (".py", ".json", ".csv", ".gz") and "__pycache__" not in path.parts:
                    h.update(str(path.relative_to(root)).encode())
                    h.update(path.read_bytes())
        _FINGERPRINTS[parts] = h.hexdigest()
    return _FINGERPRINTS[parts]


def parser_fingerprint() -> str:
    """Hash of the extraction and parsing code: part of every parse-cache key, so a cached parse
    never outlives the code (and the pickled classes) that made it."""
    return source_fingerprint("extract", "hcl")
