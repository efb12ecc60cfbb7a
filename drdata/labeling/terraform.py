"""``drdata label --terraform-validate``: terraform's verdicts as labels of the opt-in ``terraform_validate`` category.

After the detectors have labelled a corpus, every answer of every ``ok`` task is validated by terraform
(:mod:`drdata.terraform.validate`: cached by content hash, ``jobs`` runs at a time). Each error diagnostic becomes a
finding (side, address of the block it points at, file and line of the answer, ``summary: detail`` as the
message); a side is *fires* when terraform rejects it, *clear* when it validates, *unknown* when terraform could
not run it (another provider, a registry module: the reason is kept). The pair status follows the same rules as
every other category (:mod:`drdata.labeling.pair`).
"""

from __future__ import annotations

from collections.abc import Callable

from drdata.labeling.result import TaskResult
from drdata.terraform.tool import find_toolchain
from drdata.terraform.validate import Diagnostic, Verdict, validate_many

CATEGORY = "terraform_validate"
DETECTOR = "terraform"


def _findings(verdict: Verdict, cfg, severity: str):
    from drdata.detectors.registry import Finding

    out = []
    for d in verdict.errors():
        # The subject is the block and the diagnostic's summary (what is wrong there), never its wording.
        out.append(Finding(CATEGORY, DETECTOR, severity, d.address or "config", _kind(cfg, d), d.file, d.line,
                           _message(d), _evidence(cfg, d), d.summary))
    return out


def _message(d: Diagnostic) -> str:
    detail = " ".join(d.detail.split())
    return f"{d.summary}: {detail}" if detail else d.summary


def _kind(cfg, d: Diagnostic) -> str:
    if d.address is None:
        return "config"
    r = cfg.resource(d.address)
    if r is not None:
        return r.resource_type if r.mode == "managed" else f"data.{r.resource_type}"
    return d.address.split(".")[0]


def _evidence(cfg, d: Diagnostic) -> str:
    if d.line is None:
        return ""
    for cb in cfg.code_blocks:
        lines = cb.text.splitlines()
        if cb.line <= d.line < cb.line + len(lines):
            return lines[d.line - cb.line]
    return ""


def _side_status(verdict: Verdict) -> tuple[str, list[str]]:
    from drdata.detectors.registry import CLEAR, FIRES, UNKNOWN

    if verdict.status == "valid":
        return CLEAR, []
    if verdict.fails:
        return FIRES, []
    why = {"not_runnable": "terraform cannot run this answer: ", "error": "terraform failed: "}
    return UNKNOWN, [why.get(verdict.status, "") + verdict.reason]


def add_terraform_validation(results: list[TaskResult], tasks: list, *, jobs: int | None = None, cache: bool = True,
                             backend: str = "treesitter", log: Callable[[str], None] | None = None) -> dict:
    """Add ``terraform_validate`` label and finding rows to per-task results (as ``label_one`` returns them),
    in place. Raises :class:`~drdata.terraform.tool.TerraformUnavailable` when terraform or the provider is
    missing. Returns counts of terraform's verdicts."""
    import os

    from drdata.hcl import parse_answer
    from drdata.labeling.diff import diff_configs
    from drdata.labeling.pair import FIXED, finding_rows, label_row, pair_category
    from drdata.taxonomy import category

    tc = find_toolchain()
    cat = category(CATEGORY)
    by_id = {t.id: t for t in tasks}
    todo = [r for r in results if r.task["status"] == "ok" and r.task_id in by_id]
    cfgs = []
    for r in todo:
        t = by_id[r.task_id]
        cfgs.append(parse_answer(t.model_response, backend=backend, cache=cache))
        cfgs.append(parse_answer(t.ideal_response, backend=backend, cache=cache))
    if log:
        log(f"terraform validate: {len(cfgs)} answers, terraform {tc.version}, aws provider {tc.aws_version}")
    verdicts = validate_many(cfgs, jobs=jobs or os.cpu_count() or 1, cache=cache, tc=tc)
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.status] = counts.get(v.status, 0) + 1
    for i, r in enumerate(todo):
        model, ideal = cfgs[2 * i], cfgs[2 * i + 1]
        mv, iv = verdicts[2 * i], verdicts[2 * i + 1]
        (m_status, m_why), (i_status, i_why) = _side_status(mv), _side_status(iv)
        m_find, i_find = _findings(mv, model, cat.severity), _findings(iv, ideal, cat.severity)
        cause = {"unknown": "cannot_tell"}
        label = pair_category(cat, (m_status, m_find, m_why, cause.get(m_status), set()),
                              (i_status, i_find, i_why, cause.get(i_status), set()), diff_configs(model, ideal),
                              model, ideal)
        status = label.status
        r.labels = [x for x in r.labels if x["category"] != CATEGORY]
        r.labels.append(label_row(r.task_id, label))
        r.findings = [x for x in r.findings if x["category"] != CATEGORY]
        r.findings.extend(finding_rows(r.task_id, label))
        if status == FIXED:
            key = f"fixed_{cat.severity.lower()}"
            r.task[key] = (r.task.get(key) or 0) + 1
    return counts
