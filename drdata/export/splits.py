"""Deterministic train/validation/test splits that keep duplicated tasks together.

Upstream corpora hold the same task more than once (copied prompts, byte-identical
failure reports). A split that put one copy in ``train`` and the other in ``test``
would leak, so tasks are first grouped with a union-find over four relations:

- ``prompt``: identical prompt after normalising case and whitespace;
- ``near_prompt``: word 5-gram shingle Jaccard >= ``near_threshold`` (MinHash LSH finds the
  candidates, the exact Jaccard decides, so there are no false merges);
- ``report``: byte-identical, non-blank failure report (MODEL_FAILURES.md);
- ``answer``: identical normalised MODEL or IDEAL answer;
- row relations the exporter adds (``shared``): tasks whose rows share a prompt that is not the task's own
  (a ``repair`` prompt, a failing ``model_block``, a ``critique`` excerpt).

Each group then goes to one split by a seeded hash of its smallest task id: the
same task lands in the same split whatever else is in the corpus or the filters.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from drdata.export.names import SPLITS  # one list for CLI and library

DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)
NEAR_THRESHOLD = 0.9
SHINGLE_WORDS = 5
_NUM_PERM = 128
_BANDS = 32  # 32 bands x 4 rows: a pair at Jaccard 0.9 is missed with probability ~1e-14
_MERSENNE = np.uint64((1 << 61) - 1)
_WS = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    """Lower case, whitespace collapsed: what makes two prompts 'the same prompt'."""
    return _WS.sub(" ", (text or "").strip().lower())


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    words = normalise(text).split(" ")
    if len(words) <= k:
        return {" ".join(words)} if words != [""] else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _hash32(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little")


def _minhash(sh: set[str], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    hv = np.fromiter((_hash32(s) for s in sh), dtype=np.uint64, count=len(sh))
    # Universal hashing (a*x+b mod p); uint64 wraps on overflow, which is fine for a hash family.
    with np.errstate(over="ignore"):
        phv = ((hv[:, None] * a[None, :] + b[None, :]) % _MERSENNE) & np.uint64(0xFFFFFFFF)
    return phv.min(axis=0)


def near_duplicate_pairs(texts: Mapping[str, str], threshold: float = NEAR_THRESHOLD) -> list[tuple[str, str, float]]:
    """(id, id, Jaccard) for every pair of texts whose shingle Jaccard is >= threshold, sorted."""
    rng = np.random.RandomState(1)  # fixed: the permutations are part of the algorithm, not a seed
    a = rng.randint(1, 1 << 31, size=_NUM_PERM, dtype=np.int64).astype(np.uint64)
    b = rng.randint(0, 1 << 31, size=_NUM_PERM, dtype=np.int64).astype(np.uint64)
    ids = sorted(k for k, v in texts.items() if normalise(v))
    sets = {i: shingles(texts[i]) for i in ids}
    rows = _NUM_PERM // _BANDS
    buckets: dict[tuple[int, bytes], list[str]] = {}
    for i in ids:
        sig = _minhash(sets[i], a, b)
        for band in range(_BANDS):
            key = (band, sig[band * rows:(band + 1) * rows].tobytes())
            buckets.setdefault(key, []).append(i)
    candidates: set[tuple[str, str]] = set()
    for members in buckets.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                candidates.add((members[x], members[y]))
    out = []
    for x, y in sorted(candidates):
        j = jaccard(sets[x], sets[y])
        if j >= threshold:
            out.append((x, y, j))
    return out


class UnionFind:
    def __init__(self, items: Iterable[str]):
        self.parent = {i: i for i in items}

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, x: str, y: str) -> bool:
        """Join the groups of x and y; True when they were apart. The smaller id stays root."""
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return False
        if ry < rx:
            rx, ry = ry, rx
        self.parent[ry] = rx
        return True


@dataclass
class TaskText:
    """What grouping looks at for one task."""

    task_id: str
    prompt: str | None = None
    model_response: str | None = None
    ideal_response: str | None = None
    failures_report: str | None = None


@dataclass
class Grouping:
    group_of: dict[str, str]  # task id -> group key (smallest task id of its group)
    split_of: dict[str, str]  # task id -> split name
    merges: dict[str, int] = field(default_factory=dict)  # relation -> unions that joined two groups
    near_pairs: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def groups(self) -> int:
        return len(set(self.group_of.values()))

    @property
    def merged_groups(self) -> int:
        """Groups holding more than one task: the duplicates kept together."""
        sizes: dict[str, int] = {}
        for g in self.group_of.values():
            sizes[g] = sizes.get(g, 0) + 1
        return sum(1 for n in sizes.values() if n > 1)

    @property
    def tasks_in_merged_groups(self) -> int:
        sizes: dict[str, int] = {}
        for g in self.group_of.values():
            sizes[g] = sizes.get(g, 0) + 1
        return sum(n for n in sizes.values() if n > 1)

    def members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for t, g in sorted(self.group_of.items()):
            out.setdefault(g, []).append(t)
        return out


def _union_equal(uf: UnionFind, keyed: dict[str, str]) -> int:
    by_key: dict[str, list[str]] = {}
    for tid, key in keyed.items():
        if key:
            by_key.setdefault(key, []).append(tid)
    joined = 0
    for members in by_key.values():
        members.sort()
        joined += sum(uf.union(members[0], m) for m in members[1:])
    return joined


def group_tasks(texts: Iterable[TaskText], *, near_threshold: float = NEAR_THRESHOLD,
                shared: Mapping[str, Mapping[str, Iterable[str]]] | None = None
                ) -> tuple[dict[str, str], dict[str, int], list]:
    """``shared``: relation name -> task id -> keys; tasks holding the same key (of one relation) are joined."""
    texts = sorted(texts, key=lambda t: t.task_id)
    uf = UnionFind(t.task_id for t in texts)
    merges = {
        "prompt": _union_equal(uf, {t.task_id: normalise(t.prompt) for t in texts}),
        "report": _union_equal(uf, {t.task_id: t.failures_report if (t.failures_report or "").strip() else ""
                                    for t in texts}),
        "answer": _union_equal(uf, {t.task_id: normalise(t.model_response) for t in texts})
        + _union_equal(uf, {t.task_id: normalise(t.ideal_response) for t in texts}),
    }
    near = near_duplicate_pairs({t.task_id: t.prompt or "" for t in texts}, near_threshold) if near_threshold <= 1 else []
    merges["near_prompt"] = sum(uf.union(x, y) for x, y, _ in near)
    for relation, keyed in sorted((shared or {}).items()):
        first: dict[str, str] = {}
        joined = 0
        for tid in sorted(keyed):
            if tid not in uf.parent:
                continue
            for key in sorted(set(keyed[tid])):
                if not key:
                    continue
                if key in first:
                    joined += uf.union(first[key], tid)
                else:
                    first[key] = tid
        merges[relation] = joined
    return {t.task_id: uf.find(t.task_id) for t in texts}, merges, near


def split_for(group_key: str, seed: int = 0, fractions: tuple[float, float, float] = DEFAULT_FRACTIONS) -> str:
    """Split of a group: a seeded hash of its key mapped onto the cumulative fractions."""
    digest = hashlib.sha256(f"{seed}\0{group_key}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    edge = 0.0
    for name, frac in zip(SPLITS, fractions, strict=True):
        edge += frac
        if u < edge:
            return name
    return SPLITS[-1]


def assign_splits(texts: Iterable[TaskText], *, seed: int = 0,
                  fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
                  near_threshold: float = NEAR_THRESHOLD,
                  shared: Mapping[str, Mapping[str, Iterable[str]]] | None = None) -> Grouping:
    if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"split fractions must be three non-negative numbers summing to 1, got {fractions}")
    group_of, merges, near = group_tasks(texts, near_threshold=near_threshold, shared=shared)
    split_of = {t: split_for(g, seed, fractions) for t, g in group_of.items()}
    return Grouping(group_of, split_of, merges, near)
