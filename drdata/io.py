"""Deterministic, atomic file writes shared by every stage that writes files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write to a temporary file in the same folder, then rename: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file owner-only (0600); the output should get the mode a plain open() gives.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # so a crash right after the rename cannot leave an empty file behind
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Parquet with no pandas index and no creation timestamps, so reruns are byte-identical."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    # pandas metadata keeps nullable dtypes on read-back; it holds no timestamps.
    table = pa.Table.from_pandas(df, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(table, buf, **PARQUET_OPTIONS)
    return atomic_write_bytes(path, buf.getvalue())


# The options of write_parquet, shared with the streaming writer so both give the same bytes for the same rows.
PARQUET_OPTIONS = {"compression": "zstd", "write_statistics": True}


class ParquetStream:
    """A parquet file written one row group at a time, published atomically.

    Rows go to a temporary file beside ``path``; :meth:`commit` renames it into place, :meth:`abort` removes it.
    Every file gets ``schema`` (with its pandas metadata), whatever the rows' own inferred types, so the
    schema does not depend on which rows a run happens to have. A row group written from a one-chunk table
    is byte-for-byte what ``pq.write_table`` writes for the same rows in a single row group.
    """

    def __init__(self, path: str | Path, schema):
        import pyarrow.parquet as pq

        self.path = Path(path)
        self.schema = schema
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        os.fchmod(fd, 0o666 & ~_umask())
        self._tmp = Path(tmp)
        self._fh = os.fdopen(fd, "wb")
        self._writer = pq.ParquetWriter(self._fh, schema, **PARQUET_OPTIONS)
        self.rows = 0
        self.row_groups = 0

    def write_row_group(self, table) -> None:
        """Write ``table`` (with this stream's schema, metadata aside) as one row group; empty tables are skipped."""
        if not table.num_rows:
            return
        table = table.combine_chunks().replace_schema_metadata(self.schema.metadata)
        self._writer.write_table(table, row_group_size=table.num_rows)
        self.rows += table.num_rows
        self.row_groups += 1

    def close(self) -> None:
        """Finish the file (a table with no rows still gets its schema), flushed to disk; not yet in place."""
        if self._writer is None:
            return
        if not self.row_groups:
            self._writer.write_table(self.schema.empty_table())
        self._writer.close()
        self._writer = None
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()

    def commit(self) -> Path:
        self.close()
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        try:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            self._fh.close()
        except Exception:
            pass
        try:
            os.unlink(self._tmp)
        except OSError:
            pass
