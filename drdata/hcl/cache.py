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

_SCHEMA = ("CREATE TABLE IF NOT EXISTS parses (key TEXT PRIMARY KEY, value BLOB NOT NULL);"
           "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value BLOB NOT NULL)")


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

    def _conn(self) -> sqlite3.Connection | None:
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
        conn = self._conn()
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
        conn = self._conn()
        if conn is None:
            return
        blob = zlib.compress(pickle.dumps(cfg, protocol=pickle.HIGHEST_PROTOCOL), 1)
        try:
            conn.execute("INSERT OR REPLACE INTO parses (key, value) VALUES (?, ?)", (self.key(backend, text), blob))
        except sqlite3.Error:
            pass

    # -- whole-task results ---------------------------------------------------------------
    # A warm re-run of an unchanged corpus with unchanged code skips detectors and
    # report parsing too; the key includes a fingerprint of drdata's own source, so
    # any change to a detector, the taxonomy or the labeler invalidates it.
    def get_result_text(self, key: str) -> str | None:
        """A stored result as its JSON text, or None (absent or unreadable)."""
        conn = self._conn()
        if conn is None:
            return None
        try:
            row = conn.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            return zlib.decompress(row[0]).decode()  # zlib's checksum rejects a damaged entry
        except (sqlite3.Error, zlib.error, ValueError):
            return None

    def put_result_text(self, key: str, text: str) -> None:
        conn = self._conn()
        if conn is None:
            return
        blob = zlib.compress(text.encode(), 1)
        try:
            conn.execute("INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)", (key, blob))
        except sqlite3.Error:
            pass

    def clear(self) -> None:
        conn = self._conn()
        if conn is not None:
            conn.execute("DELETE FROM parses")
            conn.execute("DELETE FROM results")

    def __len__(self) -> int:
        conn = self._conn()
        return conn.execute("SELECT COUNT(*) FROM parses").fetchone()[0] if conn else 0


_DEFAULT: dict[str, ParseCache] = {}


def default_cache() -> ParseCache:
    """One cache object per cache directory (the env var may change between tests)."""
    path = str(cache_dir())
    if path not in _DEFAULT:
        _DEFAULT[path] = ParseCache()
    return _DEFAULT[path]


_FINGERPRINTS: dict[tuple[str, ...], str] = {}


def _fingerprint(*parts: str) -> str:
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


def code_fingerprint() -> str:
    """Hash of drdata's own source and data files: part of every result-cache key."""
    return _fingerprint()


def parser_fingerprint() -> str:
    """Hash of the extraction and parsing code: part of every parse-cache key, so a cached parse
    never outlives the code (and the pickled classes) that made it."""
    return _fingerprint("extract", "hcl")
