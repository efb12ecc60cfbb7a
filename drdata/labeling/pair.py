"""Pair labeling: run every detector on MODEL and IDEAL, and say per category what the IDEAL repaired.

Statuses per category follow the gold protocol (``../shared/gold/PROTOCOL.md``):

- ``fixed``: the MODEL has the failure, the IDEAL has no instance of it left, and the IDEAL shows the repair of
  at least one MODEL finding (its counterpart exists without the defect, or the category's own repair is
  there: the undeclared object is declared, the module was replaced by resources);
- ``persisting``: both answers have the failure (a partial repair stays ``persisting``; the counts of repaired
  and remaining findings stand beside it);
- ``introduced``: only the IDEAL has it;
- ``absent``: neither has it;
- ``unknown``: a side cannot be judged, with a machine-readable ``reason``: ``ideal_omits`` (the IDEAL is an
  excerpt that does not show the part), ``ideal_dropped`` (it removed the part instead of repairing it),
  ``ideal_no_terraform`` / ``model_no_terraform``, ``*_cannot_tell``, ``*_truncated``, ``*_parse_errors``,
  ``detector_fault``.

Each MODEL finding gets its own record: the IDEAL counterpart of its subject (through the pair's
:mod:`structural diff <drdata.labeling.diff>`), its status (fixed / persisting / unknown) and what changed.
Findings are matched on their subject (detector, address, part), never on message text. The generated report's
"IDEAL_RESPONSE Fix" and the ``repair`` dataset both read these records.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from drdata.corpus.prompt import extract_requirements
from drdata.detectors.registry import (
    CLEAR,
    FIRES,
    UNKNOWN,
    Detector,
    Finding,
    Outcome,
    declared_category,
    detectors_for,
    run_detector,
)
from drdata.hcl import DEFAULT_BACKEND, TerraformConfig, parse_answer
from drdata.labeling.diff import ANSWER, EXCERPT, NO_TERRAFORM, Entry, PairDiff, diff_configs
from drdata.labeling.repairs import dropped_part, own_repair, pair_findings
from drdata.taxonomy import SEVERITIES, categories

if TYPE_CHECKING:
    from drdata.corpus import Task

FIXED, PERSISTING, INTRODUCED, ABSENT = "fixed", "persisting", "introduced", "absent"
STATUSES = (FIXED, PERSISTING, INTRODUCED, ABSENT, UNKNOWN)
SIDES = ("model", "ideal")
# Why a label is unknown; each is counted by `drdata stats` and in the run summary.
REASONS = ("ideal_omits", "ideal_dropped", "ideal_no_terraform", "model_no_terraform", "ideal_cannot_tell",
           "model_cannot_tell", "ideal_truncated", "model_truncated", "ideal_parse_errors", "model_parse_errors",
           "detector_fault", "no_detector")


@dataclass
class FindingRecord:
    """One finding with what the pairing made of it."""

    finding: Finding
    side: str
    status: str  # model side: fixed | persisting | unknown; ideal side: persisting | introduced
    reason: str | None = None  # for unknown: see REASONS
    counterpart: Entry | None = None  # the object standing for the finding's subject on the other side
    change: str = ""  # what the IDEAL changed there ("deletion_protection: true -> false", "declared", ...)


@dataclass
class CategoryLabel:
    category: str
    title: str
    severity: str
    status: str
    model_findings: list[Finding] = field(default_factory=list)
    ideal_findings: list[Finding] = field(default_factory=list)
    fixed_findings: list[Finding] = field(default_factory=list)  # MODEL findings the IDEAL repaired
    reasons: list[str] = field(default_factory=list)  # why unknown, in words
    reason: str | None = None  # why unknown, machine-readable (REASONS)
    model_outcome: str = CLEAR
    ideal_outcome: str = CLEAR
    records: list[FindingRecord] = field(default_factory=list)  # both sides, MODEL first

    @property
    def repaired(self) -> int:
        return sum(r.side == "model" and r.status == FIXED for r in self.records)

    @property
    def remaining(self) -> int:
        return sum(r.side == "model" and r.status == PERSISTING for r in self.records)

    def record_of(self, finding: Finding) -> FindingRecord | None:
        return next((r for r in self.records if r.finding is finding), None)


@dataclass
class PairLabels:
    """What one MODEL/IDEAL pair gets: a status per category, with the findings behind it."""

    task_id: str | None
    taxonomy: str
    categories: dict[str, CategoryLabel]
    model: TerraformConfig
    ideal: TerraformConfig
    faults: list[str] = field(default_factory=list)  # "model:<detector>: <exception>"
    task: Task | None = None
    diff: PairDiff | None = None

    def status(self, category: str) -> str:
        return self.categories[category].status

    def fixed(self) -> list[CategoryLabel]:
        """Fixed categories, most severe first (taxonomy order within a severity)."""
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        fixed = [c for c in self.categories.values() if c.status == FIXED]
        return sorted(fixed, key=lambda c: rank[c.severity])

    def severity_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for c in self.fixed():
            counts[c.severity] += 1
        return counts

    def unknown_reasons(self) -> dict[str, int]:
        return dict(Counter(c.reason or "unspecified" for c in self.categories.values() if c.status == UNKNOWN))

    def labels_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.label_rows(), columns=LABEL_COLUMNS)

    def label_rows(self) -> list[dict]:
        return [label_row(self.task_id, c) for c in self.categories.values()]

    def findings_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.finding_rows(), columns=FINDING_COLUMNS)

    def finding_rows(self) -> list[dict]:
        return [row for c in self.categories.values() for row in finding_rows(self.task_id, c)]

    def _repr_markdown_(self) -> str:
        # Jupyter's display hook. Rendering sits above the labeler, so it is looked up when a notebook shows
        # the labels, not imported (tests/test_architecture.py lists these lookups).
        import importlib

        return importlib.import_module("drdata.reports.render").render_report(self)


def label_row(task_id: str | None, c: CategoryLabel) -> dict:
    """The labels-table row of one category label."""
    return {"task_id": task_id, "category": c.category, "severity": c.severity, "status": c.status,
            "reason": c.reason, "model_outcome": c.model_outcome, "ideal_outcome": c.ideal_outcome,
            "model_findings": len(c.model_findings), "ideal_findings": len(c.ideal_findings),
            "repaired": c.repaired, "remaining": c.remaining}


def finding_rows(task_id: str | None, c: CategoryLabel) -> list[dict]:
    """The findings-table rows of one category label: each finding with its pairing record."""
    rows = []
    for r in c.records:
        f, cp = r.finding, r.counterpart
        rows.append({"task_id": task_id, "side": r.side, "category": f.category, "detector": f.detector,
                     "severity": f.severity, "address": f.address, "part": f.part, "holder": f.holder,
                     "kind": f.kind, "file": f.file, "line": f.line, "message": f.message, "evidence": f.evidence,
                     "status": r.status, "reason": r.reason, "fixed": r.side == "model" and r.status == FIXED,
                     "counterpart_address": cp.address if cp is not None else None,
                     "counterpart_file": cp.file if cp is not None else None,
                     "counterpart_line": cp.line if cp is not None and cp.line else None,
                     "change": r.change or None})
    return rows


LABEL_COLUMNS = ["task_id", "category", "severity", "status", "reason", "model_outcome", "ideal_outcome",
                 "model_findings", "ideal_findings", "repaired", "remaining"]
FINDING_COLUMNS = ["task_id", "side", "category", "detector", "severity", "address", "part", "holder", "kind",
                   "file", "line", "message", "evidence", "status", "reason", "fixed", "counterpart_address",
                   "counterpart_file", "counterpart_line", "change"]


def _merge(outcomes: list[Outcome]) -> tuple[str, list[Finding], list[str], str | None, set[str]]:
    """(status, findings, reasons, cause, unsure addresses) of a category's detectors on one answer."""
    findings = [f for o in outcomes for f in o.findings]
    reasons = [r for o in outcomes for r in o.reasons] + [f"detector {o.detector} failed: {o.fault}"
                                                           for o in outcomes if o.fault]
    unsure = {a for o in outcomes for a in o.unsure}
    if findings:
        return FIRES, findings, reasons, None, unsure
    causes = [o.cause for o in outcomes if o.status == UNKNOWN]
    if causes:
        cause = "fault" if "fault" in causes else causes[0]
        return UNKNOWN, [], reasons, cause, unsure
    return CLEAR, [], reasons, None, unsure


def _side_reason(side: str, cause: str | None) -> str:
    if cause == "fault":
        return "detector_fault"
    return f"{side}_{cause or 'cannot_tell'}"


# -- what changed ------------------------------------------------------------------------------------------------

def _value_of(entry: Entry | None, part: str) -> str | None:
    if entry is None or not part:
        return None
    hits = [src for path, src in entry.values if path == part or path.endswith("." + part)]
    return hits[0] if hits else None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _change(f: Finding, diff: PairDiff, counterpart: Entry) -> str:
    """What the IDEAL changed at the finding's subject, in a few words."""
    if f.holder and counterpart.address == f.holder:
        # Repaired where the value comes from (the variable whose default the IDEAL changed, the block holding
        # a reference): say what changed there.
        held = diff.of_model(f.holder)
        changed = held.changed if held is not None else ()
        if "default" in changed:
            return (f"{f.holder} default: {_short(_value_of(held.model, 'default') or '')} -> "
                    f"{_short(_value_of(counterpart, 'default') or '')}")
        if changed:
            return f"{f.holder}: changed " + ", ".join(changed[:4])
        return f"{f.holder} no longer has it"
    corr = diff.of_model(f.address)
    model_entry = corr.model if corr is not None else None
    if model_entry is None and counterpart.address == f.address and counterpart.kind != ANSWER:
        where = f" ({counterpart.file}, line {counterpart.line})" if counterpart.file else f" (line {counterpart.line})"
        return f"{f.address} is declared in the IDEAL{where}"
    attr = f.part.split("#", 1)[0]
    old, new = _value_of(model_entry, attr), _value_of(counterpart, attr)
    renamed = f"renamed to {counterpart.address}; " if counterpart.address != f.address and counterpart.kind != ANSWER \
        else ""
    if old is not None and new is not None and old != new:
        return f"{renamed}{attr}: {_short(old)} -> {_short(new)}"
    if old is not None and new is None:
        return f"{renamed}{attr} removed"
    if old is None and new is not None and attr:
        return f"{renamed}{attr} set to {_short(new)}"
    changed = corr.changed if corr is not None else ()
    if changed:
        return renamed + "changed " + ", ".join(changed[:4]) + (f" (+{len(changed) - 4} more)" if len(changed) > 4
                                                                else "")
    return renamed.rstrip("; ") or "the IDEAL no longer has the failure here"


# -- pairing ---------------------------------------------------------------------------------------------------

def _companions(ideal: TerraformConfig, diff: PairDiff) -> dict[str, list[Entry]]:
    """IDEAL address -> objects the IDEAL added (no MODEL counterpart) that refer to it: the connected
    resources a repair often is (versioning for a bucket, an alias for a key, a policy attachment)."""
    from drdata.detectors.registry import block_address

    added = {c.ideal.address: c.ideal for c in diff.rows if c.match == "added" and c.ideal is not None}
    out: dict[str, list[Entry]] = defaultdict(list)
    for b in ideal.all_blocks():
        addr = block_address(b)
        if addr not in added:
            continue
        for target in sorted({r.address for r in b.all_refs() if r.kind in ("resource", "data", "module")}):
            if target != addr:
                out[target].append(added[addr])
    return out


def _pair_records(cat_id: str, m_find: list[Finding], i_find: list[Finding], i_status: str, i_unsure: set[str],
                  diff: PairDiff, model: TerraformConfig, ideal: TerraformConfig,
                  companions: dict[str, list[Entry]]) -> list[FindingRecord]:
    """One record per finding of either side: MODEL findings matched to the IDEAL through the diff."""
    ideal_by_subject: dict[tuple[str, str, str], Finding] = {}
    ideal_by_address: dict[str, list[Finding]] = defaultdict(list)
    for f in i_find:
        ideal_by_subject.setdefault(f.subject, f)
        ideal_by_address[f.address].append(f)
    matched_ideal: set[int] = set()
    records: list[FindingRecord] = []
    for f in m_find:
        cp = diff.counterpart(f.address)
        holder_cp = diff.counterpart(f.holder) if f.holder else None
        where = cp or holder_cp
        same = None
        if cp is not None:
            same = ideal_by_subject.get((f.detector, cp.address, f.part))
        if same is None and f.holder is not None:
            # A subject that is not an object of the MODEL (an undeclared reference): the same address still
            # failing in the IDEAL is the same failure.
            same = next(iter(ideal_by_address.get(f.address, ())), None)
        if same is not None:
            matched_ideal.add(id(same))
            records.append(FindingRecord(f, "model", PERSISTING, None, where, "unchanged"))
            continue
        if i_status == UNKNOWN or (where is not None and where.address in i_unsure):
            records.append(FindingRecord(f, "model", UNKNOWN, "ideal_cannot_tell", where))
            continue
        if where is not None and cp is not None and dropped_part(cat_id, f, getattr(diff.of_model(f.address),
                                                                                   "model", None), cp):
            records.append(FindingRecord(f, "model", UNKNOWN, "ideal_dropped", where))
            continue
        if where is not None:
            corr = diff.of_model(f.address)
            service = "_".join(f.kind.split("_")[:2]) + "_"
            extra = [e for e in companions.get(where.address, []) if e.kind.startswith(service)]
            # A part naming the connected resource's kind (s3: versioning, public_access_block) picks it first.
            extra.sort(key=lambda e: not (f.part and e.kind.endswith(f.part)))
            if extra and corr is not None and (not corr.changed or _value_of(corr.model, f.part) ==
                                               _value_of(where, f.part)):
                # The block itself did not change where the finding points: the repair is a connected
                # resource the IDEAL added (aws_s3_bucket_versioning for the bucket, ...).
                shown = ", ".join(e.address for e in extra[:3]) + (f" (+{len(extra) - 3})" if len(extra) > 3 else "")
                records.append(FindingRecord(f, "model", FIXED, None, extra[0], f"added {shown}"))
            else:
                records.append(FindingRecord(f, "model", FIXED, None, where, _change(f, diff, where)))
            continue
        repair = own_repair(cat_id, f, model, ideal, diff)
        if repair is not None:
            entry, change = repair
            records.append(FindingRecord(f, "model", FIXED, None, entry, change))
            continue
        if diff.rewrite and (declared_category(cat_id).answer_wide or not model.resources_of(f.kind)
                             or ideal.resources_of(f.kind)):
            # Written afresh: the IDEAL's objects of the same kind (or, for a convention of the whole answer, the
            # answer itself) show how it should be. An IDEAL with no object of the kind at all (no VPC for the
            # flow log, no listener for its TLS) dropped the part instead.
            records.append(FindingRecord(f, "model", FIXED, None, diff.counterpart(ANSWER),
                                         "the IDEAL is written afresh and keeps none of the MODEL's resources"))
            continue
        records.append(FindingRecord(f, "model", UNKNOWN, diff.missing_reason(), None))
    for f in i_find:
        status = PERSISTING if id(f) in matched_ideal else INTRODUCED
        corr = diff.of_ideal(f.address)
        back = corr.model if corr is not None else None
        records.append(FindingRecord(f, "ideal", status, None, back, ""))
    return records


def _category_status(m_status: str, i_status: str, m_cause: str | None, i_cause: str | None,
                     records: list[FindingRecord], diff: PairDiff) -> tuple[str, str | None]:
    if diff.model_state == NO_TERRAFORM:
        return UNKNOWN, "model_no_terraform"
    if diff.ideal_state == NO_TERRAFORM:
        return UNKNOWN, "ideal_no_terraform"
    if m_status == UNKNOWN:
        return UNKNOWN, _side_reason("model", m_cause)
    if i_status == UNKNOWN:
        return UNKNOWN, _side_reason("ideal", i_cause)
    if m_status == FIRES:
        if i_status == FIRES:
            return PERSISTING, None
        model_records = [r for r in records if r.side == "model"]
        if any(r.status == FIXED for r in model_records):
            return FIXED, None
        reasons = Counter(r.reason for r in model_records if r.reason)
        return UNKNOWN, (min(reasons, key=lambda k: (-reasons[k], k)) if reasons else "ideal_cannot_tell")
    return (INTRODUCED, None) if i_status == FIRES else (ABSENT, None)


def pair_category(cat, model_side: tuple, ideal_side: tuple, diff: PairDiff, model: TerraformConfig,
                  ideal: TerraformConfig, companions: dict[str, list[Entry]] | None = None,
                  no_detector: bool = False) -> CategoryLabel:
    """The label of one category from what its rules found on each side.

    ``model_side`` / ``ideal_side``: (status fires|clear|unknown, findings, reasons, cause, unsure addresses), as
    :func:`_merge` makes them from detector outcomes (other sources of findings, such as terraform's own
    diagnostics, give the same shape)."""
    (m_status, m_find, m_why, m_cause, _), (i_status, i_find, i_why, i_cause, i_unsure) = model_side, ideal_side
    if companions is None:
        companions = _companions(ideal, diff)
    records = _pair_records(cat.id, m_find, i_find, i_status, i_unsure, diff, model, ideal, companions)
    status, reason = _category_status(m_status, i_status, m_cause, i_cause, records, diff)
    if no_detector:
        reason = "no_detector"
    why = [f"model: {r}" for r in m_why] + [f"ideal: {r}" for r in i_why] if status == UNKNOWN else []
    fixed = [r.finding for r in records if r.side == "model" and r.status == FIXED] if status == FIXED else []
    return CategoryLabel(cat.id, cat.title, cat.severity, status, m_find, i_find, fixed, why, reason, m_status,
                         i_status, records)


def label_configs(model: TerraformConfig, ideal: TerraformConfig, *, taxonomy: str = "full",
                  task_id: str | None = None, prompt: str | None = None) -> PairLabels:
    """Label a pair of already parsed answers (``prompt``: the task's PROMPT, whose explicit requirements the
    convention rules follow)."""
    if prompt:
        req = extract_requirements(prompt)
        # Copies: a parsed answer may be shared (the parse cache, identical answers of other tasks).
        model, ideal = replace(model, requirements=req), replace(ideal, requirements=req)
    cats = categories(taxonomy)
    dets = detectors_for([c.id for c in cats])
    det_by_cat: dict[str, list[Detector]] = defaultdict(list)
    for d in dets:
        det_by_cat[d.category].append(d)
    faults: list[str] = []
    diff = diff_configs(model, ideal)
    if diff.ideal_state == EXCERPT:
        # An excerpt re-shows the Terraform it changes; the MODEL's other files (a handler, a template) that it
        # does not repeat carry over. (Terraform it leaves out is judged as omitted, not carried.)
        carried = sorted(set(model.other_files) - ideal.supplied_files())
        if carried:
            ideal = replace(ideal, other_files=(*ideal.other_files, *carried))
    extra, pair_faults = pair_findings(model, ideal, diff, set(det_by_cat))
    faults.extend(pair_faults)
    companions = _companions(ideal, diff)
    out: dict[str, CategoryLabel] = {}
    for cat in cats:
        sides = {}
        for side, cfg in (("model", model), ("ideal", ideal)):
            outcomes = [run_detector(d, cfg) for d in det_by_cat.get(cat.id, [])]
            faults.extend(f"{side}:{o.detector}: {o.fault}" for o in outcomes if o.fault)
            sides[side] = _merge(outcomes) if outcomes else (UNKNOWN, [], ["no detector registered"], "none", set())
        m_status, m_find, m_why, m_cause, m_unsure = sides["model"]
        known = {(f.address, f.part) for f in m_find}
        added = [f for f in extra.get(cat.id, []) if (f.address, f.part) not in known]
        if added:
            m_find = m_find + added
            m_status = FIRES
        out[cat.id] = pair_category(cat, (m_status, m_find, m_why, m_cause, m_unsure), sides["ideal"], diff, model,
                                    ideal, companions, no_detector=not det_by_cat.get(cat.id))
    return PairLabels(task_id, taxonomy, out, model, ideal, faults, diff=diff)


def label_pair(model_text: str | None, ideal_text: str | None, *, taxonomy: str = "full",
               backend: str = DEFAULT_BACKEND, cache: object = True, task_id: str | None = None,
               prompt: str | None = None) -> PairLabels:
    """Label a MODEL answer against its IDEAL answer (both markdown; ``prompt``: the task's PROMPT)."""
    model = parse_answer(model_text, backend=backend, cache=cache)
    ideal = parse_answer(ideal_text, backend=backend, cache=cache)
    return label_configs(model, ideal, taxonomy=taxonomy, task_id=task_id, prompt=prompt)


def label_task(task: Task, *, taxonomy: str = "full", backend: str = DEFAULT_BACKEND,
               cache: object = True) -> PairLabels:
    """Label one corpus task (its MODEL_RESPONSE against its IDEAL_RESPONSE)."""
    labels = label_pair(task.model_response, task.ideal_response, taxonomy=taxonomy, backend=backend,
                        cache=cache, task_id=task.id, prompt=task.prompt)
    labels.task = task
    return labels


def diff_pair(task_or_model, ideal_text: str | None = None, *, backend: str = DEFAULT_BACKEND,
              cache: object = True) -> PairDiff:
    """The structural diff of a task's MODEL and IDEAL answers (or of two markdown answers)."""
    if isinstance(task_or_model, str) or task_or_model is None:
        model_text = task_or_model
    else:
        model_text, ideal_text = task_or_model.model_response, task_or_model.ideal_response
    return diff_configs(parse_answer(model_text, backend=backend, cache=cache),
                        parse_answer(ideal_text, backend=backend, cache=cache))
