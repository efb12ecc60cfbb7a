"""Pair labeling: run every detector on MODEL and IDEAL, and say per category what the IDEAL fixed.

Statuses per category:

- ``fixed``: MODEL has findings that the IDEAL no longer has;
- ``persisting``: MODEL has findings and the IDEAL still has every one of them;
- ``introduced``: only the IDEAL has findings;
- ``absent``: neither side has findings;
- ``unknown``: a side could not be analysed (cannot tell, parse errors, truncated, detector fault).

Findings are matched across sides by address first, then by kind (resource type)
for resources that were renamed, so one bucket that gained encryption counts as
fixed even when other buckets persist.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from drdata.detectors.registry import CLEAR, FIRES, UNKNOWN, Detector, Finding, Outcome, detectors_for, run_detector
from drdata.hcl import DEFAULT_BACKEND, TerraformConfig, parse_answer
from drdata.taxonomy import SEVERITIES, categories

if TYPE_CHECKING:
    from drdata.corpus import Task

FIXED, PERSISTING, INTRODUCED, ABSENT = "fixed", "persisting", "introduced", "absent"
STATUSES = (FIXED, PERSISTING, INTRODUCED, ABSENT, UNKNOWN)
SIDES = ("model", "ideal")


@dataclass
class CategoryLabel:
    category: str
    title: str
    severity: str
    status: str
    model_findings: list[Finding] = field(default_factory=list)
    ideal_findings: list[Finding] = field(default_factory=list)
    fixed_findings: list[Finding] = field(default_factory=list)  # MODEL findings the IDEAL no longer has
    reasons: list[str] = field(default_factory=list)  # why unknown


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

    def labels_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.label_rows(), columns=LABEL_COLUMNS)

    def label_rows(self) -> list[dict]:
        return [
            {
                "task_id": self.task_id,
                "category": c.category,
                "severity": c.severity,
                "status": c.status,
                "model_findings": len(c.model_findings),
                "ideal_findings": len(c.ideal_findings),
            }
            for c in self.categories.values()
        ]

    def findings_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.finding_rows(), columns=FINDING_COLUMNS)

    def finding_rows(self) -> list[dict]:
        rows = []
        for c in self.categories.values():
            fixed = {id(f) for f in c.fixed_findings}
            for side, fs in (("model", c.model_findings), ("ideal", c.ideal_findings)):
                for f in fs:
                    rows.append({"task_id": self.task_id, "side": side, "category": f.category,
                                 "detector": f.detector, "severity": f.severity, "address": f.address,
                                 "kind": f.kind, "file": f.file, "line": f.line, "message": f.message,
                                 "evidence": f.evidence, "fixed": side == "model" and id(f) in fixed})
        return rows

    def _repr_markdown_(self) -> str:
        from drdata.reports.render import render_report

        return render_report(self)


LABEL_COLUMNS = ["task_id", "category", "severity", "status", "model_findings", "ideal_findings"]
FINDING_COLUMNS = ["task_id", "side", "category", "detector", "severity", "address", "kind", "file", "line",
                   "message", "evidence", "fixed"]


def _merge(outcomes: list[Outcome]) -> tuple[str, list[Finding], list[str]]:
    findings = [f for o in outcomes for f in o.findings]
    reasons = [r for o in outcomes for r in o.reasons] + [f"detector {o.detector} failed: {o.fault}"
                                                           for o in outcomes if o.fault]
    if findings:
        return FIRES, findings, reasons
    if any(o.status == UNKNOWN for o in outcomes):
        return UNKNOWN, [], reasons
    return CLEAR, [], reasons


def declared_addresses(cfg: TerraformConfig) -> set[str]:
    out = {r.address for r in cfg.resources} | {d.address for d in cfg.data}
    out |= {f"module.{m.labels[0]}" for m in cfg.modules}
    out |= {f"var.{v.labels[0]}" for v in cfg.variables}
    return out


_QUOTED = re.compile(r'"[^"]*"|\'[^\']*\'|`[^`]*`')
_NUMBER = re.compile(r"\d+(?:\.\d+)*")


def message_key(f: Finding) -> str:
    """What a finding says, without its values: two findings with the same key are the same failure.

    ``engine_version "15.2" is older than 15.12`` and ``... "15.4" ...`` share a key
    (still outdated); ``deletion_protection = true`` and ``skip_final_snapshot =
    false`` do not (one was fixed).
    """
    msg = f.message.replace(f.address, "")
    msg = _NUMBER.sub("#", _QUOTED.sub("…", msg))
    return " ".join(msg.lower().split())


def match_fixed(model: list[Finding], ideal: list[Finding], model_declared: set[str] | None = None,
                ideal_declared: set[str] | None = None) -> list[Finding]:
    """MODEL findings with no counterpart in the IDEAL.

    A finding persists when the IDEAL has one on the same address saying the
    same thing (:func:`message_key`); one whose address still has other IDEAL
    findings was fixed (a partial fix of that resource). Findings on addresses
    the IDEAL has none for are paired by kind, for renames: only a MODEL address
    the IDEAL no longer declares with an IDEAL address the MODEL did not declare,
    so a bucket kept under its name and fixed is never "paired" with a new one.
    """
    ideal_addresses = {f.address for f in ideal}
    ideal_keys = {(f.address, message_key(f)) for f in ideal}
    model_addresses = {f.address for f in model}
    spare: dict[str, int] = defaultdict(int)
    counted: set[str] = set()
    for f in ideal:
        renamed_in = model_declared is None or f.address not in model_declared
        if f.address not in counted and renamed_in and f.address not in model_addresses:
            counted.add(f.address)
            spare[f.kind] += 1
    fixed = []
    fate: dict[str, bool] = {}  # findings on an address the IDEAL has none for share one fate
    for f in model:
        if f.address in ideal_addresses:
            if (f.address, message_key(f)) not in ideal_keys:
                fixed.append(f)
            continue
        if f.address not in fate:
            renamed_out = ideal_declared is None or f.address not in ideal_declared
            if renamed_out and spare[f.kind] > 0:
                spare[f.kind] -= 1
                fate[f.address] = False
            else:
                fate[f.address] = True
        if fate[f.address]:
            fixed.append(f)
    return fixed


def _pair_status(m_status: str, i_status: str, fixed: list[Finding]) -> str:
    if m_status == FIRES:
        if fixed:
            return FIXED
        return PERSISTING if i_status == FIRES else UNKNOWN
    if m_status == UNKNOWN:
        return UNKNOWN
    if i_status == FIRES:
        return INTRODUCED
    return ABSENT if i_status == CLEAR else UNKNOWN


def _pair_rules(model: TerraformConfig, ideal: TerraformConfig, det_by_cat: dict[str, list[Detector]]
                ) -> dict[str, list[Finding]]:
    """Findings that only a comparison of the two sides reveals."""
    extra: dict[str, list[Finding]] = {}
    if "outdated_engine_version" in det_by_cat:
        try:
            from drdata.detectors.reference.outdated_engine_version import older_than_ideal
        except ImportError:
            return extra
        extra["outdated_engine_version"] = older_than_ideal(model, ideal)
    return extra


def label_configs(model: TerraformConfig, ideal: TerraformConfig, *, taxonomy: str = "full",
                  task_id: str | None = None) -> PairLabels:
    """Label a pair of already parsed answers."""
    cats = categories(taxonomy)
    dets = detectors_for([c.id for c in cats])
    det_by_cat: dict[str, list[Detector]] = defaultdict(list)
    for d in dets:
        det_by_cat[d.category].append(d)
    faults: list[str] = []
    try:
        extra = _pair_rules(model, ideal, det_by_cat)
    except Exception as exc:  # like a detector: a counted fault, never an aborted pair
        extra = {}
        faults.append(f"pair:outdated_engine_version: {type(exc).__name__}: {exc}")
    m_declared, i_declared = declared_addresses(model), declared_addresses(ideal)
    out: dict[str, CategoryLabel] = {}
    for cat in cats:
        sides = {}
        for side, cfg in (("model", model), ("ideal", ideal)):
            outcomes = [run_detector(d, cfg) for d in det_by_cat.get(cat.id, [])]
            faults.extend(f"{side}:{o.detector}: {o.fault}" for o in outcomes if o.fault)
            sides[side] = _merge(outcomes) if outcomes else (UNKNOWN, [], ["no detector registered"])
        (m_status, m_find, m_why), (i_status, i_find, i_why) = sides["model"], sides["ideal"]
        known = {(f.address, f.message) for f in m_find}
        added = [f for f in extra.get(cat.id, []) if (f.address, f.message) not in known]
        if added:
            m_find = m_find + added
            m_status = FIRES
        fixed = (match_fixed(m_find, i_find, m_declared, i_declared)
                 if m_status == FIRES and i_status != UNKNOWN else [])
        status = _pair_status(m_status, i_status, fixed)
        reasons = [f"model: {r}" for r in m_why] + [f"ideal: {r}" for r in i_why] if status == UNKNOWN else []
        out[cat.id] = CategoryLabel(cat.id, cat.title, cat.severity, status, m_find, i_find, fixed, reasons)
    return PairLabels(task_id, taxonomy, out, model, ideal, faults)


def label_pair(model_text: str | None, ideal_text: str | None, *, taxonomy: str = "full",
               backend: str = DEFAULT_BACKEND, cache: object = True, task_id: str | None = None) -> PairLabels:
    """Label a MODEL answer against its IDEAL answer (both markdown)."""
    model = parse_answer(model_text, backend=backend, cache=cache)
    ideal = parse_answer(ideal_text, backend=backend, cache=cache)
    return label_configs(model, ideal, taxonomy=taxonomy, task_id=task_id)


def label_task(task: Task, *, taxonomy: str = "full", backend: str = DEFAULT_BACKEND,
               cache: object = True) -> PairLabels:
    """Label one corpus task (its MODEL_RESPONSE against its IDEAL_RESPONSE)."""
    labels = label_pair(task.model_response, task.ideal_response, taxonomy=taxonomy, backend=backend,
                        cache=cache, task_id=task.id)
    labels.task = task
    return labels
