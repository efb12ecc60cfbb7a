"""The structural diff of a MODEL/IDEAL pair: which block of one answer is which block of the other.

Every top-level object of an answer has an address: resources and data sources (``aws_s3_bucket.logs``,
``data.aws_iam_policy_document.p``), ``module.x``, ``var.x``, ``local.x`` (one per local value),
``output.x``, ``provider.aws`` / ``provider.aws.west``, ``terraform``. A MODEL object corresponds to the IDEAL
object with the same address; objects left over on both sides are paired as renames when they are of the same
kind and alike (attribute names and values, label words), best pairs first. What is left is ``removed`` (MODEL
only) or ``added`` (IDEAL only). For each pair the attribute paths whose source text differs are listed.

The labeler computes this once per task: a MODEL finding can only be called repaired when the IDEAL shows its
counterpart (or the category's own repair), and the reasons for ``unknown`` (the IDEAL omits or dropped the
part) come from here. :func:`diff_configs` is the library entry; ``PairDiff.frame()`` is the table a label run
writes (``diff.parquet``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pandas as pd

from drdata.hcl.model import Attribute, Block, TerraformConfig

SAME, RENAMED, REMOVED, ADDED = "same", "renamed", "removed", "added"
# The IDEAL as a whole: a full answer, an excerpt (fewer than half of the MODEL's resources), or no Terraform.
COMPLETE, EXCERPT, NO_TERRAFORM = "complete", "excerpt", "no_terraform"
ANSWER = "config"  # the address of answer-wide findings (no backend at all, ...)
RENAME_THRESHOLD = 0.5
DIFF_COLUMNS = ["match", "kind", "model_address", "ideal_address", "similarity", "changed", "model_file",
                "model_line", "ideal_file", "ideal_line"]


@dataclass(frozen=True)
class Entry:
    """One top-level object of an answer."""

    address: str
    kind: str  # resource type (data.<type> for data sources), module, variable, local, output, provider, terraform
    file: str | None
    line: int
    features: frozenset  # attribute names and name=value pairs, for rename matching
    values: tuple  # (path, normalised source) pairs, for "what changed"
    source: str
    refs: frozenset = frozenset()  # addresses it refers to (resources, data, modules, variables, locals)


@dataclass(frozen=True)
class Correspondence:
    match: str  # same | renamed | removed | added
    kind: str
    model: Entry | None
    ideal: Entry | None
    similarity: float
    changed: tuple[str, ...]  # attribute paths whose value differs (added and removed ones included)

    @property
    def model_address(self) -> str | None:
        return self.model.address if self.model else None

    @property
    def ideal_address(self) -> str | None:
        return self.ideal.address if self.ideal else None


@dataclass
class PairDiff:
    rows: list[Correspondence]
    model_resources: int
    ideal_resources: int
    ideal_state: str  # complete | excerpt | no_terraform
    model_state: str  # complete | no_terraform
    _to_ideal: dict[str, Correspondence] = field(default_factory=dict, repr=False)
    _ideal: dict[str, Correspondence] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._to_ideal = {c.model.address: c for c in self.rows if c.model is not None}
        self._ideal = {c.ideal.address: c for c in self.rows if c.ideal is not None}

    # -- lookups ---------------------------------------------------------------------------------------------
    def of_model(self, address: str) -> Correspondence | None:
        return self._to_ideal.get(address)

    def of_ideal(self, address: str) -> Correspondence | None:
        return self._ideal.get(address)

    def counterpart(self, model_address: str | None) -> Entry | None:
        """The IDEAL object that stands for a MODEL address: the same or renamed object; for an address the
        MODEL only refers to (never declares), the IDEAL's declaration of it; for answer-wide findings, the
        IDEAL answer itself when it has Terraform. None when the IDEAL does not show it."""
        if model_address is None:
            return None
        c = self._to_ideal.get(model_address)
        if c is not None:
            return c.ideal
        c = self._ideal.get(model_address)
        if c is not None:
            return c.ideal
        if model_address in (ANSWER, "terraform") and self.ideal_state != NO_TERRAFORM:
            return Entry(ANSWER, ANSWER, None, 0, frozenset(), (), "")
        return None

    @property
    def ideal_coverage(self) -> float:
        """Share of the MODEL's resources the IDEAL shows (same or renamed); 1.0 when the MODEL has none."""
        model = [c for c in self.rows if c.model is not None and _is_resource(c.kind)]
        if not model:
            return 1.0
        return sum(c.ideal is not None for c in model) / len(model)

    @property
    def rewrite(self) -> bool:
        """The IDEAL is a complete answer written afresh: it keeps (almost) none of the MODEL's resources (the
        MODEL answered another task, or the IDEAL started over). A MODEL failure then has no counterpart to
        repair; a complete IDEAL without it is the repair (the corpus shows a gap: 0-10 % kept, or over 20 %)."""
        return self.ideal_state == COMPLETE and self.model_resources >= 5 and self.ideal_coverage <= 0.1

    def missing_reason(self) -> str:
        """Why a MODEL object has no IDEAL counterpart: the IDEAL has no Terraform, is an excerpt, or dropped it."""
        if self.ideal_state == NO_TERRAFORM:
            return "ideal_no_terraform"
        return "ideal_omits" if self.ideal_state == EXCERPT else "ideal_dropped"

    def counts(self) -> dict[str, int]:
        c = Counter(r.match for r in self.rows)
        return {m: c.get(m, 0) for m in (SAME, RENAMED, REMOVED, ADDED)}

    # -- views -----------------------------------------------------------------------------------------------
    def frame(self, task_id: str | None = None) -> pd.DataFrame:
        rows = [{"task_id": task_id, "match": c.match, "kind": c.kind, "model_address": c.model_address,
                 "ideal_address": c.ideal_address, "similarity": round(c.similarity, 3),
                 "changed": "; ".join(c.changed) or None,
                 "model_file": c.model.file if c.model else None, "model_line": c.model.line if c.model else None,
                 "ideal_file": c.ideal.file if c.ideal else None, "ideal_line": c.ideal.line if c.ideal else None}
                for c in self.rows]
        df = pd.DataFrame(rows, columns=["task_id", *DIFF_COLUMNS])
        for col in ("model_line", "ideal_line"):
            df[col] = df[col].astype("Int64")
        return df

    def summary(self) -> str:
        n = self.counts()
        return (f"{n[SAME]} same, {n[RENAMED]} renamed, {n[REMOVED]} removed, {n[ADDED]} added; IDEAL {self.ideal_state}"
                f" ({self.ideal_resources} resources against the MODEL's {self.model_resources}, shows "
                f"{self.ideal_coverage:.0%} of them)")

    def __repr__(self) -> str:
        lines = [f"PairDiff: {self.summary()}"]
        for c in self.rows:
            if c.match == SAME and not c.changed:
                continue
            if c.match == SAME:
                lines.append(f"  ~ {c.model_address}: {', '.join(c.changed[:6])}"
                             + (f" (+{len(c.changed) - 6})" if len(c.changed) > 6 else ""))
            elif c.match == RENAMED:
                lines.append(f"  > {c.model_address} -> {c.ideal_address}")
            elif c.match == REMOVED:
                lines.append(f"  - {c.model_address}")
            else:
                lines.append(f"  + {c.ideal_address}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p><b>PairDiff</b>: {escape(self.summary())}</p>" + self.frame().drop(columns=["task_id"]).to_html(
            index=False, na_rep="")


# -- building -------------------------------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _is_resource(kind: str) -> bool:
    return kind not in ("module", "variable", "local", "output", "provider", "terraform") and "_" in kind \
        and not kind.startswith("data.")


def _values(block: Block) -> tuple:
    return tuple(sorted((path, _norm(a.source)) for path, a in block.attribute_paths()))


def _features(values: tuple, labels: tuple[str, ...]) -> frozenset:
    out = {f"@{path}" for path, _ in values}
    out |= {f"{path}={src}" for path, src in values if len(src) < 120}
    out |= {f"#{w}" for label in labels for w in _WORD.findall(label.lower())}
    return frozenset(out)


_REF_KINDS = ("resource", "data", "module", "var", "local")


def _object_refs(refs) -> frozenset:
    # `provider = aws.west` parses as a resource-like reference; resource types always hold an underscore.
    return frozenset(r.address for r in refs if r.kind in _REF_KINDS
                     and (r.kind != "resource" or "_" in r.address.split(".", 1)[0]))


def _entry(address: str, kind: str, block: Block, labels: tuple[str, ...]) -> Entry:
    values = _values(block)
    return Entry(address, kind, block.file, block.line, _features(values, labels), values, block.source,
                 _object_refs(block.all_refs()))


def _local_entry(name: str, attr: Attribute) -> Entry:
    values = (("value", _norm(attr.source)),)
    return Entry(f"local.{name}", "local", None, attr.line, _features(values, (name,)), values,
                 f"{name} = {attr.source}", _object_refs(attr.refs))


def entries(cfg: TerraformConfig) -> dict[str, Entry]:
    """Address -> entry for every top-level object; a repeated address keeps its last declaration (an answer
    that shows a draft and then the final version of a block)."""
    from drdata.detectors.registry import block_address

    out: dict[str, Entry] = {}
    for r in cfg.resources:
        out[r.address] = _entry(r.address, r.resource_type, r, (r.name,))
    for d in cfg.data:
        out[d.address] = _entry(d.address, f"data.{d.resource_type}", d, (d.name,))
    for kind, blocks in (("module", cfg.modules), ("variable", cfg.variables), ("output", cfg.outputs),
                         ("provider", cfg.providers)):
        for b in blocks:
            address = block_address(b)
            out[address] = _entry(address, kind, b, b.labels)
    for i, t in enumerate(cfg.terraform):
        address = "terraform" if i == 0 else f"terraform#{i + 1}"
        out[address] = _entry(address, "terraform", t, ())
    for name, attr in cfg.locals.items():
        out[f"local.{name}"] = _local_entry(name, attr)
    return out


def _similarity(a: Entry, b: Entry) -> float:
    if not a.features and not b.features:
        return 1.0
    return len(a.features & b.features) / len(a.features | b.features)


def _changed(a: Entry, b: Entry) -> tuple[str, ...]:
    left, right = Counter(a.values), Counter(b.values)
    paths = {p for p, _ in (left - right)} | {p for p, _ in (right - left)}
    return tuple(sorted(paths))


def _state(cfg: TerraformConfig) -> str:
    return NO_TERRAFORM if cfg.empty else COMPLETE


def undeclared_share(objects: dict[str, Entry]) -> float:
    """Share of the objects an answer refers to that it does not declare: near 0 for a self-contained answer,
    high for an excerpt that uses what it leaves out."""
    used = {r for e in objects.values() for r in e.refs if not r.startswith("module.") or "." not in r[7:]}
    return len(used - objects.keys()) / len(used) if used else 0.0


def _neighbour_renames(left: list[Entry], right: list[Entry], pairs: dict[str, str], m: dict[str, Entry],
                       i: dict[str, Entry]) -> list[tuple[Entry, Entry]]:
    """Renames told by the graph: an unmatched MODEL object referred to by (or referring to) objects whose
    counterparts refer to (or are referred to by) exactly one unmatched IDEAL object of its kind."""
    found: list[tuple[Entry, Entry]] = []
    free_r = {e.address: e for e in right}
    referrers_m: dict[str, set[str]] = defaultdict(set)
    for e in m.values():
        for r in e.refs:
            referrers_m[r].add(e.address)
    for a in sorted(left, key=lambda e: e.address):
        votes: Counter = Counter()
        for holder in referrers_m.get(a.address, ()):
            cp = pairs.get(holder)
            if cp is not None:
                votes.update(r for r in i[cp].refs if r in free_r and free_r[r].kind == a.kind)
        for target in a.refs:
            cp = pairs.get(target)
            if cp is not None:
                votes.update(e.address for e in free_r.values() if e.kind == a.kind and cp in e.refs)
        if not votes:
            continue
        (best, n), *rest = votes.most_common(2) + [(None, 0)]
        if rest[0][1] == n:
            continue  # a tie: the graph does not tell which one
        found.append((a, free_r.pop(best)))
        pairs[a.address] = best
    return found


def diff_configs(model: TerraformConfig, ideal: TerraformConfig) -> PairDiff:
    """The correspondence of the two answers' top-level objects (see the module docstring)."""
    m, i = entries(model), entries(ideal)
    rows: list[Correspondence] = []
    for address, me in m.items():
        ie = i.get(address)
        if ie is not None and ie.kind == me.kind:
            rows.append(Correspondence(SAME, me.kind, me, ie, _similarity(me, ie), _changed(me, ie)))
    paired = {c.model.address for c in rows}
    left = [e for a, e in m.items() if a not in paired]
    right = [e for a, e in i.items() if a not in paired]
    # Renames: same kind, best similarity first; a lone leftover of a kind on each side pairs more easily.
    by_kind_l = Counter(e.kind for e in left)
    by_kind_r = Counter(e.kind for e in right)
    candidates = []
    for a in left:
        for b in right:
            if a.kind != b.kind or a.kind in ("terraform",):
                continue
            s = _similarity(a, b)
            lone = by_kind_l[a.kind] == 1 and by_kind_r[b.kind] == 1
            if s >= RENAME_THRESHOLD or (lone and s >= RENAME_THRESHOLD / 2):
                candidates.append((-s, a.address, b.address, a, b))
    used_l: set[str] = set()
    used_r: set[str] = set()
    for neg, _, _, a, b in sorted(candidates, key=lambda c: c[:3]):
        if a.address in used_l or b.address in used_r:
            continue
        used_l.add(a.address)
        used_r.add(b.address)
        rows.append(Correspondence(RENAMED, a.kind, a, b, -neg, _changed(a, b)))
    pairs = {c.model.address: c.ideal.address for c in rows}
    for a, b in _neighbour_renames([e for e in left if e.address not in used_l],
                                   [e for e in right if e.address not in used_r], pairs, m, i):
        used_l.add(a.address)
        used_r.add(b.address)
        rows.append(Correspondence(RENAMED, a.kind, a, b, _similarity(a, b), _changed(a, b)))
    rows += [Correspondence(REMOVED, e.kind, e, None, 0.0, ()) for e in left if e.address not in used_l]
    rows += [Correspondence(ADDED, e.kind, None, e, 0.0, ()) for e in right if e.address not in used_r]
    # MODEL objects in MODEL order, then what only the IDEAL has, in IDEAL order.
    rows.sort(key=lambda c: (0, c.model.line, c.model.address) if c.model else (1, c.ideal.line, c.ideal.address))
    n_model, n_ideal = len(model.resources), len(ideal.resources)
    ideal_state = _state(ideal)
    # An IDEAL with far fewer resources is an excerpt when it also uses what it does not show; a smaller
    # rewrite that declares everything it uses is a complete answer.
    if ideal_state == COMPLETE and n_model >= 2 and (
            n_ideal == 0 or n_ideal < n_model / 4 or (n_ideal < n_model / 2 and undeclared_share(i) > 0.1)):
        ideal_state = EXCERPT
    return PairDiff(rows, n_model, n_ideal, ideal_state, _state(model))
