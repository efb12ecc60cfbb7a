"""The result cache: whole-task results, so that a warm re-run of an unchanged corpus with unchanged code skips
parsing, detectors and report parsing.

It sits beside the parse cache (:mod:`drdata.hcl.cache`), in the same SQLite file, in a table of its own. Its key
includes a fingerprint of drdata's own source and data files, so any change to a detector, the taxonomy or the
labeler invalidates it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import zlib

from drdata.hcl.cache import ParseCache, default_cache, source_fingerprint

_SCHEMA = "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value BLOB NOT NULL)"


def code_fingerprint() -> str:
    """Hash of drdata's own source and data files: part of every result-cache key."""
    return source_fingerprint()


class ResultCache:
    """Result JSON texts by key, in the ``results`` table of a parse cache's SQLite file."""

    def __init__(self, parses: ParseCache):
        self.parses = parses
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection | None:
        conn = self.parses.connection()
        if conn is not None and getattr(self._local, "ready", None) is not conn:
            try:
                conn.execute(_SCHEMA)
            except sqlite3.Error:
                return None  # an unusable cache must never stop a run
            self._local.ready = conn
        return conn

    @staticmethod
    def key(task, taxonomy: str, backend: str, with_reports: bool) -> str:
        """The key of a task's result: the code, the options, the task's metadata and its texts."""
        h = hashlib.sha256(json.dumps([code_fingerprint(), taxonomy, backend, with_reports, task.id, task.platform,
                                       task.problems, task.metadata], sort_keys=True, default=str).encode())
        for text in (task.model_response, task.ideal_response, task.failures_report):
            h.update(b"\0" if text is None else b"\1" + text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get_text(self, key: str) -> str | None:
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

    def put_text(self, key: str, text: str) -> None:
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
            conn.execute("DELETE FROM results")


_BY_CACHE: dict[int, ResultCache] = {}


def result_cache(cache: bool | ParseCache) -> ResultCache | None:
    """The result cache that goes with ``cache`` (a ParseCache, True for the default one), or None (False)."""
    if not cache:
        return None
    parses = cache if isinstance(cache, ParseCache) else default_cache()
    store = _BY_CACHE.get(id(parses))
    if store is None or store.parses is not parses:
        store = _BY_CACHE[id(parses)] = ResultCache(parses)
    return store
