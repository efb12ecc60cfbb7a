"""One task at a glance: MODEL and IDEAL side by side, with the findings on their lines.

:func:`show_task` labels a task (or takes its :class:`~drdata.labeling.pair.PairLabels`) and returns a
:class:`TaskView`, whose HTML repr lays the two answers' Terraform out in two columns. Rows follow the pair's
structural diff (:mod:`drdata.labeling.diff`): each MODEL object sits beside the IDEAL object that corresponds
to it (same address or renamed), objects only one answer has stand alone, and inside a pair the lines are
aligned by a line diff, so a changed line sits beside its replacement, highlighted. Every finding appears under
its line with its category, severity and status; a MODEL finding the IDEAL repaired is also marked at its
counterpart on the IDEAL side. Radio buttons filter by category and status (CSS only: it works in JupyterLab,
classic Notebook and exported HTML, no kernel needed). Objects that are identical on both sides and carry no
finding fold into one row.

All the work is linear in the answers' size but the line alignment inside each object pair, which only looks
at that pair's lines; a 50 KB answer renders in well under a second.
"""

from __future__ import annotations

import difflib
import html
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from drdata.taxonomy import SEVERITY_RANK

if TYPE_CHECKING:
    from drdata.corpus import Task
    from drdata.hcl.model import TerraformConfig
    from drdata.labeling.diff import Correspondence, Entry
    from drdata.labeling.pair import FindingRecord, PairLabels

STATUS_ORDER = ("fixed", "persisting", "introduced", "unknown", "absent")
SEVERITY_COLOURS = {"Critical": "#b71c1c", "High": "#e65100", "Medium": "#9a7b00", "Low": "#1565c0"}
STATUS_COLOURS = {"fixed": "#2e7d32", "persisting": "#c62828", "introduced": "#6a1b9a", "unknown": "#616161"}
_ids = itertools.count(1)


# -- the answers' code, line by line ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _lexer():
    from pygments.lexers import TerraformLexer

    return TerraformLexer(stripnl=False, ensurenl=False)


PYGMENTS_STYLE = "default"


@lru_cache(maxsize=1)
def _styled_classes() -> dict:
    """Token type -> CSS class, for the token types the style colours (the others need no span)."""
    from pygments.styles import get_style_by_name
    from pygments.token import STANDARD_TYPES

    style = get_style_by_name(PYGMENTS_STYLE)
    return {t: STANDARD_TYPES[t] for t, spec in style.styles.items() if spec and t in STANDARD_TYPES}


def _css_class(ttype, classes: dict) -> str | None:
    while ttype is not None:
        if ttype in classes:
            return classes[ttype]
        ttype = ttype.parent
    return None


def _highlight(text: str) -> list[str]:
    """HTML of each line of ``text``, syntax coloured (pygments token classes, no wrapping element)."""
    classes = _styled_classes()
    lines: list[list[tuple[str | None, str]]] = [[]]
    for ttype, value in _lexer().get_tokens(text):
        blank = not value.strip()
        cls = None if blank else _css_class(ttype, classes)
        for i, piece in enumerate(value.split("\n")):
            if i:
                lines.append([])
            if piece:
                cur = lines[-1]
                if blank and cur:  # whitespace joins the run before it
                    cls = cur[-1][0]
                if cur and cur[-1][0] == cls:  # one span for a run of tokens of the same class
                    cur[-1] = (cls, cur[-1][1] + piece)
                else:
                    cur.append((cls, piece))
    out = ["".join(f'<span class="{c}">{html.escape(t, quote=False)}</span>' if c else html.escape(t, quote=False)
                   for c, t in parts) for parts in lines]
    n = text.count("\n") + 1
    return (out + [""] * n)[:n]


@dataclass
class Side:
    """One answer's Terraform: markdown line -> code, highlighted HTML, code block index and file."""

    name: str  # model | ideal
    text: dict[int, str] = field(default_factory=dict)
    html: dict[int, str] = field(default_factory=dict)
    block: dict[int, int] = field(default_factory=dict)
    file: dict[int, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, cfg: TerraformConfig) -> Side:
        side = cls(name)
        for i, cb in enumerate(cfg.code_blocks):
            text = cb.text.rstrip("\n")
            for j, (raw, hl) in enumerate(zip(text.split("\n"), _highlight(text), strict=True)):
                ln = cb.line + j
                if ln in side.text:  # overlapping blocks (nested fences): the first one wins
                    continue
                side.text[ln], side.html[ln], side.block[ln], side.file[ln] = raw, hl, i, cb.file
        return side


@dataclass
class Segment:
    """The lines of one top-level object on one side (with the comments and blank lines before it)."""

    start: int  # first line of the object itself
    lines: list[int]
    entry: Entry | None = None


def _segments(side: Side, entries: list[Entry]) -> tuple[dict[str, Segment], list[Segment]]:
    """Cut a side's lines into one segment per entry; lines of no entry go to the next entry of the same
    code block (comments above a resource), else the previous one, else a segment of their own."""
    owner: dict[int, Entry] = {}
    for e in sorted((e for e in entries if e.line), key=lambda e: e.line):
        end = e.line + e.source.count("\n") if e.source else e.line
        for ln in range(e.line, end + 1):
            if ln in side.text and ln not in owner:
                owner[ln] = e
    by_addr: dict[str, Segment] = {}
    orphans: list[Segment] = []
    pending: list[int] = []
    last: Segment | None = None
    last_block = None
    for ln in sorted(side.text):
        blk = side.block[ln]
        if blk != last_block:
            if pending:  # trailing lines of the previous code block
                if last is not None:
                    last.lines.extend(pending)
                else:
                    orphans.append(Segment(pending[0], pending))
                pending = []
            last, last_block = None, blk
        e = owner.get(ln)
        if e is None:
            pending.append(ln)
            continue
        seg = by_addr.get(e.address)
        if seg is None:
            seg = by_addr[e.address] = Segment(e.line, [], e)
        seg.lines.extend(pending)
        pending = []
        seg.lines.append(ln)
        last = seg
    if pending:
        if last is not None:
            last.lines.extend(pending)
        else:
            orphans.append(Segment(pending[0], pending))
    return by_addr, orphans


# -- aligning the two sides ------------------------------------------------------------------------------------

_WS = re.compile(r"\s+")


def _norm(line: str) -> str:
    return _WS.sub(" ", line).strip()


def _align(left: list[int], right: list[int], lt: dict[int, str], rt: dict[int, str]
           ) -> list[tuple[int | None, int | None, str]]:
    """(model line, ideal line, kind) rows; kind is eq, chg, del (MODEL only) or ins (IDEAL only)."""
    a = [_norm(lt[x]) for x in left]
    b = [_norm(rt[x]) for x in right]
    rows: list[tuple[int | None, int | None, str]] = []
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            rows += [(left[i1 + k], right[j1 + k], "eq") for k in range(i2 - i1)]
        elif op == "delete":
            rows += [(left[i], None, "del") for i in range(i1, i2)]
        elif op == "insert":
            rows += [(None, right[j], "ins") for j in range(j1, j2)]
        else:
            n = max(i2 - i1, j2 - j1)
            for k in range(n):
                li = left[i1 + k] if i1 + k < i2 else None
                rj = right[j1 + k] if j1 + k < j2 else None
                rows.append((li, rj, "chg" if li is not None and rj is not None else ("del" if rj is None else "ins")))
    return rows


@dataclass
class Unit:
    """One row group: a MODEL object beside its IDEAL counterpart (either may be missing)."""

    model: Segment | None
    ideal: Segment | None
    corr: Correspondence | None
    rows: list[tuple[int | None, int | None, str]] = field(default_factory=list)

    @property
    def title(self) -> tuple[str, str]:
        m = self.model.entry.address if self.model and self.model.entry else ""
        i = self.ideal.entry.address if self.ideal and self.ideal.entry else ""
        return m, i


def _units(labels: PairLabels, model: Side, ideal: Side) -> list[Unit]:
    diff = labels.diff
    if diff is None:
        from drdata.labeling.diff import diff_configs

        diff = labels.diff = diff_configs(labels.model, labels.ideal)
    mseg, morph = _segments(model, [c.model for c in diff.rows if c.model is not None])
    iseg, iorph = _segments(ideal, [c.ideal for c in diff.rows if c.ideal is not None])
    units: list[Unit] = []
    for c in diff.rows:
        m = mseg.get(c.model.address) if c.model is not None else None
        i = iseg.get(c.ideal.address) if c.ideal is not None else None
        if m is not None or i is not None:
            units.append(Unit(m, i, c))
    units += [Unit(s, None, None) for s in morph] + [Unit(None, s, None) for s in iorph]
    # MODEL order; an IDEAL-only object goes after the object its IDEAL predecessor is paired with.
    placed = sorted((u.ideal.start, u.model.start) for u in units if u.model is not None and u.ideal is not None)
    starts = [p[0] for p in placed]

    def key(u: Unit) -> tuple:
        if u.model is not None:
            return (u.model.start, 0, 0)
        import bisect

        k = bisect.bisect_left(starts, u.ideal.start) - 1
        return (placed[k][1] if k >= 0 else -1, 1, u.ideal.start)

    units.sort(key=key)
    for u in units:
        if u.model is not None and u.ideal is not None:
            u.rows = _align(u.model.lines, u.ideal.lines, model.text, ideal.text)
        elif u.model is not None:
            u.rows = [(x, None, "del") for x in u.model.lines]
        else:
            u.rows = [(None, x, "ins") for x in u.ideal.lines]
    return units


# -- the view ---------------------------------------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


@dataclass
class Note:
    """A finding (or the repair of one) shown under a line."""

    record: FindingRecord
    category: str
    title: str
    kind: str  # finding | counterpart
    beside: Note | None = None  # the repair, shown on the same row of the other side


def _sort_records(labels: PairLabels) -> list[tuple[str, FindingRecord]]:
    out = []
    for cid, c in labels.categories.items():
        for r in c.records:
            out.append((cid, r))
    out.sort(key=lambda x: (SEVERITY_RANK.get(x[1].finding.severity, 9), x[0]))
    return out


@lru_cache(maxsize=1)
def _pygments_css() -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style=PYGMENTS_STYLE).get_style_defs(".drdata-task .hl")


_CSS = """
.drdata-task{font-size:13px;line-height:1.35;max-width:100%;box-sizing:border-box}
.drdata-task *{box-sizing:border-box}
.drdata-task .drt-head{margin:0 0 6px 0}
.drdata-task .drt-head b{font-size:14px}
.drdata-task .drt-meta{color:#555}
.drdata-task .drt-filters{display:flex;flex-wrap:wrap;gap:2px 10px;margin:6px 0;align-items:baseline}
.drdata-task .drt-filters label{white-space:nowrap;cursor:pointer;font-weight:normal}
.drdata-task .drt-filters input{margin:0 3px 0 0;vertical-align:middle}
.drdata-task .drt-filters .drt-lbl{font-weight:bold;margin-right:2px}
.drdata-task table{border-collapse:collapse;table-layout:fixed;width:100%;margin:0}
.drdata-task table.drt-sum{margin:4px 0 8px 0}
.drdata-task table.drt-sum td,.drdata-task table.drt-sum th{padding:1px 6px;text-align:left;
  overflow:hidden;text-overflow:ellipsis;white-space:nowrap;border:none;border-bottom:1px solid #eee}
.drdata-task .drt-scroll{max-height:75vh;overflow:auto;border:1px solid #ddd}
.drdata-task table.drt-code td{padding:0 4px;border:none;vertical-align:top;text-align:left}
.drdata-task table.drt-code th{position:sticky;top:0;background:#f5f5f5;z-index:1;text-align:left;padding:2px 4px;
  border:none;border-bottom:1px solid #ddd}
.drdata-task td.n{width:3.6em;color:#999;text-align:right!important;user-select:none;font-family:monospace;
  font-size:11px;padding-top:1px}
.drdata-task td.c{font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;white-space:pre-wrap;
  overflow-wrap:anywhere;word-break:break-word}
.drdata-task td.sep{border-left:1px solid #ddd!important}
.drdata-task tr.chg td.c{background:#fff4d6}
.drdata-task tr.chg td.n{background:#fdebb9}
.drdata-task tr.del td.m,.drdata-task tr.del td.mn{background:#ffe7e7}
.drdata-task tr.ins td.i,.drdata-task tr.ins td.in{background:#e4f7e4}
.drdata-task tr.drt-uh td{background:#f7f7fb;color:#334;font-size:11.5px;font-family:monospace;padding:3px 4px;
  border-top:1px solid #e3e3ee!important;overflow-wrap:anywhere}
.drdata-task tr.drt-uh .drt-m{color:#777;font-family:sans-serif}
.drdata-task tr.drt-fold td{color:#777;font-size:11.5px;font-style:italic;background:#fafafa}
.drdata-task tr.drt-f td.fn{padding:2px 6px 3px 8px;font-size:12px;white-space:normal;overflow-wrap:anywhere}
.drdata-task .drt-note{border-left:4px solid #999;padding:1px 6px;margin:1px 0;background:#fbfbfb;border-radius:2px}
.drdata-task .drt-note.cp{background:#f1f8f1;border-left-width:3px}
.drdata-task .sev{font-weight:bold}
.drdata-task .st{font-weight:bold;text-transform:uppercase;font-size:10.5px;letter-spacing:.03em}
.drdata-task .drt-msg{color:#333}
.drdata-task .drt-cat{font-weight:600}
.drdata-task code.drt-id{font-size:11.5px;background:#f0f0f0;padding:0 2px;border-radius:2px}
.drdata-task ul.drt-loose{margin:2px 0 6px 0;padding-left:20px}
"""


class TaskView:
    """A task's MODEL and IDEAL answers side by side with its findings; displays as HTML in Jupyter.

    ``labels`` is the :class:`~drdata.labeling.pair.PairLabels`, ``diff`` its pair diff. ``category``
    preselects the category filter (and with ``only_category`` hides the rest entirely); ``fold`` folds
    objects that are identical on both sides and carry no finding into one line each.
    """

    def __init__(self, labels: PairLabels, category: str | None = None, *, status: str | None = None,
                 fold: bool = True, only_category: bool = False):
        if category is not None and category not in labels.categories:
            known = ", ".join(sorted(labels.categories))
            raise KeyError(f"category {category!r} is not in the {labels.taxonomy} taxonomy ({known})")
        if status is not None and status not in STATUS_ORDER:
            raise ValueError(f"status {status!r}: choose one of {', '.join(STATUS_ORDER)}")
        self.labels = labels
        self.category = category
        self.status = status
        self.fold = fold
        self.only_category = only_category
        self._html: str | None = None

    # -- data ----------------------------------------------------------------------------------------------
    @property
    def task(self) -> Task | None:
        return self.labels.task

    @property
    def diff(self):
        return self.labels.diff

    def findings(self) -> pd.DataFrame:
        """The findings shown, one row each (the columns of ``findings.parquet``, fewer)."""
        df = self.labels.findings_frame()
        cols = ["side", "category", "severity", "status", "address", "line", "message", "counterpart_address",
                "counterpart_line", "change"]
        df = df[cols]
        if self.category is not None:
            df = df[df["category"] == self.category]
        if self.status is not None:
            df = df[df["status"] == self.status]
        return df.reset_index(drop=True)

    def categories(self) -> pd.DataFrame:
        """One row per category with findings: title, severity, status, MODEL and IDEAL findings."""
        rows = [{"category": c.category, "title": c.title, "severity": c.severity, "status": c.status,
                 "model_findings": len(c.model_findings), "ideal_findings": len(c.ideal_findings),
                 "reason": c.reason}
                for c in self.labels.categories.values() if c.records or c.status == "unknown"]
        df = pd.DataFrame(rows, columns=["category", "title", "severity", "status", "model_findings",
                                         "ideal_findings", "reason"])
        if len(df):
            df = df.sort_values(["status", "severity"], key=lambda s: s.map(
                {**{x: i for i, x in enumerate(STATUS_ORDER)}, **SEVERITY_RANK}), kind="stable")
        return df.set_index("category")

    def __repr__(self) -> str:
        n = self.labels.severity_counts()
        tid = self.labels.task_id or "(pair)"
        fixed = ", ".join(f"{v} {k}" for k, v in n.items())
        return (f"TaskView({tid}: fixed {fixed}; {len(self.findings())} findings"
                + (f"; category {self.category}" if self.category else "") + ")")

    # -- HTML ----------------------------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        if self._html is None:
            self._html = self.html()
        return self._html

    def html(self) -> str:
        labels = self.labels
        uid = f"drt{next(_ids)}"
        model, ideal = Side.of("model", labels.model), Side.of("ideal", labels.ideal)
        units = _units(labels, model, ideal)
        records = _sort_records(labels)
        shown = [(cid, r) for cid, r in records
                 if (not self.only_category or self.category is None or cid == self.category)]
        # Notes per (side, line); a repaired MODEL finding also gets a note at its IDEAL counterpart.
        unit_of = {ln: u for u in units if u.model is not None for ln in u.model.lines}
        notes: dict[tuple[str, int], list[Note]] = defaultdict(list)
        loose: list[tuple[str, FindingRecord]] = []
        for cid, r in shown:
            title = labels.categories[cid].title
            text = model.text if r.side == "model" else ideal.text
            ln = r.finding.line
            if ln and ln in text:
                notes[(r.side, ln)].append(Note(r, cid, title, "finding"))
            else:
                loose.append((cid, r))
            cp = r.counterpart
            if r.side == "model" and cp is not None and cp.line and cp.line in ideal.text and r.status == "fixed":
                repair = Note(r, cid, title, "counterpart")
                u = unit_of.get(ln)
                if u is not None and u.ideal is not None and u.ideal.entry is not None \
                        and u.ideal.entry.address == cp.address and notes.get((r.side, ln)):
                    notes[(r.side, ln)][-1].beside = repair  # beside the finding, in the same object pair
                else:
                    notes[("ideal", cp.line)].append(repair)
        cats_present = sorted({cid for cid, _ in shown},
                               key=lambda c: (SEVERITY_RANK.get(labels.categories[c].severity, 9), c))
        statuses_present = [s for s in STATUS_ORDER if any(r.status == s for _, r in shown)]
        # mathjax_ignore (tex2jax_ignore for MathJax 2): JupyterLab typesets HTML outputs, and Terraform's
        # "${var.a}-${var.b}" is a formula to MathJax.
        out = [f'<div class="drdata-task mathjax_ignore tex2jax_ignore" id="{uid}">', "<style>", _CSS, _pygments_css(),
               self._filter_css(uid, cats_present, statuses_present), "</style>"]
        out.append(self._head(units))
        out.append(self._filters(uid, cats_present, statuses_present))
        out.append(self._summary(uid))
        if loose:
            out.append('<div class="drt-loose-wrap"><b>Findings without a code line</b> (answer-wide, or on a line '
                       "outside the Terraform code blocks):<ul class=\"drt-loose\">")
            for cid, r in loose:
                out.append(f'<li class="drt-f {self._classes(cid, r)}">{self._note_html(Note(r, cid, labels.categories[cid].title, "finding"), uid)}</li>')
            out.append("</ul></div>")
        targets = set()
        for _, r in shown:
            targets.add(("m" if r.side == "model" else "i", r.finding.line))
            if r.counterpart is not None and r.counterpart.line:
                targets.add(("i" if r.side == "model" else "m", r.counterpart.line))
        out.append(self._code(uid, units, model, ideal, notes, targets))
        out.append("</div>")
        return "\n".join(out)

    @staticmethod
    def _classes(cid: str, r: FindingRecord) -> str:
        return f"c-{_slug(cid)} s-{_slug(r.status)}"

    def _filter_css(self, uid: str, cats: list[str], statuses: list[str]) -> str:
        rules = []
        for c in cats:
            s = _slug(c)
            rules.append(f'#{uid}:has(input[name="{uid}-cat"][value="{s}"]:checked) .drt-f:not(.c-{s}),'
                         f'#{uid}:has(input[name="{uid}-cat"][value="{s}"]:checked) tbody.drt-u:not(.c-{s})'
                         "{display:none}")
        for st in statuses:
            rules.append(f'#{uid}:has(input[name="{uid}-st"][value="{st}"]:checked) .drt-f:not(.s-{st}),'
                         f'#{uid}:has(input[name="{uid}-st"][value="{st}"]:checked) tbody.drt-u:not(.s-{st})'
                         "{display:none}")
        return "\n".join(rules)

    def _head(self, units: list[Unit]) -> str:
        labels = self.labels
        task = labels.task
        meta = []
        if task is not None:
            for k, v in (("platform", task.platform), ("subtask", task.subtask), ("complexity", task.complexity),
                         ("training_quality", task.training_quality)):
                if v not in (None, ""):
                    meta.append(f"{k} {_e(v if not isinstance(v, float) else f'{v:g}')}")
        counts = labels.severity_counts()
        from drdata.stats.tables import SEVERITY_WEIGHTS

        score = sum(SEVERITY_WEIGHTS[s] * n for s, n in counts.items())
        status_n = defaultdict(int)
        for c in labels.categories.values():
            status_n[c.status] += 1
        st = ", ".join(f"{status_n[s]} {s}" for s in STATUS_ORDER if status_n.get(s))
        fixed = " · ".join(f'<span style="color:{SEVERITY_COLOURS[s]}">{n} {s}</span>' for s, n in counts.items())
        diff = labels.diff.summary() if labels.diff is not None else ""
        mlen = len(task.model_response or "") if task is not None else None
        ilen = len(task.ideal_response or "") if task is not None else None
        sizes = (f" · MODEL {mlen / 1000:.1f} KB, IDEAL {ilen / 1000:.1f} KB" if mlen is not None else "")
        return (f'<div class="drt-head"><b>{_e(labels.task_id or "MODEL / IDEAL pair")}</b> '
                f'<span class="drt-meta">{" · ".join(meta)}{sizes}</span><br>'
                f"Fixed failures: {fixed} · severity score <b>{score}</b> · categories: {_e(st)} "
                f"(taxonomy <code>{_e(labels.taxonomy)}</code>)<br>"
                f'<span class="drt-meta">Pairing: {_e(diff)}</span></div>')

    def _filters(self, uid: str, cats: list[str], statuses: list[str]) -> str:
        labels = self.labels
        n_cat = defaultdict(int)
        for c in cats:
            n_cat[c] = len(labels.categories[c].records)

        def radio(name: str, value: str, text: str, checked: bool, title: str = "") -> str:
            t = f' title="{_e(title)}"' if title else ""
            return (f'<label{t}><input type="radio" name="{uid}-{name}" value="{_e(value)}"'
                    f'{" checked" if checked else ""}>{text}</label>')

        cat_sel = _slug(self.category) if self.category in cats else "*"
        parts = ['<div class="drt-filters"><span class="drt-lbl">Category:</span>',
                 radio("cat", "*", "all", cat_sel == "*")]
        for c in cats:
            lab = labels.categories[c]
            parts.append(radio("cat", _slug(c), f'<span style="color:{SEVERITY_COLOURS.get(lab.severity, "#333")}">'
                               f"{_e(lab.title)}</span> ({n_cat[c]})", cat_sel == _slug(c),
                               f"{c}: {lab.severity}, {lab.status}"))
        parts.append('</div><div class="drt-filters"><span class="drt-lbl">Status:</span>')
        parts.append(radio("st", "*", "all", self.status is None))
        for s in statuses:
            parts.append(radio("st", s, f'<span style="color:{STATUS_COLOURS.get(s, "#333")}">{s}</span>',
                               self.status == s))
        parts.append("</div>")
        return "".join(parts)

    def _summary(self, uid: str) -> str:
        df = self.categories()
        if self.only_category and self.category is not None:
            df = df.loc[[self.category]] if self.category in df.index else df.iloc[:0]
        if not len(df):
            return "<p>No findings in either answer.</p>"
        rows = ['<table class="drt-sum"><colgroup><col style="width:36%"><col style="width:9%">'
                '<col style="width:19%"><col style="width:8%"><col style="width:8%"><col style="width:20%">'
                "</colgroup><thead><tr><th>category</th><th>severity</th><th>status</th>"
                '<th title="findings in the MODEL answer">MODEL</th><th title="findings in the IDEAL answer">IDEAL</th>'
                "<th>first lines</th></tr></thead><tbody>"]
        for cid, r in df.iterrows():
            lab = self.labels.categories[cid]
            links = []
            for rec in lab.records[:4]:
                ln = rec.finding.line
                if ln:
                    side = "M" if rec.side == "model" else "I"
                    links.append(f'<a href="#{uid}-{side.lower()}{ln}">{side}{ln}</a>')
            why = f" ({_e(r['reason'])})" if r["status"] == "unknown" and r["reason"] else ""
            rows.append(f'<tr class="drt-f c-{_slug(cid)} s-{_slug(r["status"])}"><td title="{_e(cid)}">'
                        f'{_e(r["title"])}</td><td class="sev" style="color:{SEVERITY_COLOURS.get(r["severity"], "#333")}">'
                        f'{_e(r["severity"])}</td><td class="st" style="color:{STATUS_COLOURS.get(r["status"], "#333")}">'
                        f'{_e(r["status"])}{why}</td><td>{r["model_findings"]}</td><td>{r["ideal_findings"]}</td>'
                        f'<td>{" ".join(links)}</td></tr>')
        rows.append("</tbody></table>")
        return "".join(rows)

    def _note_html(self, note: Note, uid: str) -> str:
        r, f = note.record, note.record.finding
        sev_c = SEVERITY_COLOURS.get(f.severity, "#333")
        st_c = STATUS_COLOURS.get(r.status, "#333")
        if note.kind == "counterpart":
            change = f": {_e(r.change)}" if r.change else ""
            return (f'<div class="drt-note cp" style="border-left-color:{sev_c}"><span class="st" style="color:{st_c}">'
                    f'repair</span> of <span class="drt-cat">{_e(note.title)}</span> '
                    f'(<a href="#{uid}-m{f.line}">MODEL line {f.line}</a>, <code class="drt-id">{_e(f.address)}</code>)'
                    f"{change}</div>")
        where = ""
        if r.side == "model" and r.counterpart is not None and r.counterpart.line:
            where = f' · IDEAL: <a href="#{uid}-i{r.counterpart.line}">line {r.counterpart.line}</a>'
        elif r.side == "ideal" and r.counterpart is not None and r.counterpart.line:
            where = f' · MODEL: <a href="#{uid}-m{r.counterpart.line}">line {r.counterpart.line}</a>'
        why = f" ({_e(r.reason)})" if r.reason else ""
        change = f" · IDEAL change: {_e(r.change)}" if r.change and r.status != "fixed" else ""
        return (f'<div class="drt-note" style="border-left-color:{sev_c}"><span class="sev" style="color:{sev_c}">'
                f'{_e(f.severity)}</span> · <span class="drt-cat" title="{_e(note.category)}">{_e(note.title)}</span> · '
                f'<span class="st" style="color:{st_c}">{_e(r.status)}</span>{why}{where}{change}<br>'
                f'<span class="drt-msg">{_e(f.message)}</span></div>')

    def _code(self, uid: str, units: list[Unit], model: Side, ideal: Side,
              notes: dict[tuple[str, int], list[Note]], targets: set[tuple[str, int]]) -> str:
        out = ['<div class="drt-scroll"><table class="drt-code"><colgroup><col style="width:3.6em"><col>'
               '<col style="width:3.6em"><col></colgroup>',
               "<thead><tr><th colspan=2>MODEL_RESPONSE.md</th><th colspan=2 class=\"sep\">IDEAL_RESPONSE.md</th>"
               "</tr></thead>"]
        for u in units:
            u_notes = [n for side, seg in (("model", u.model), ("ideal", u.ideal)) if seg is not None
                       for ln in seg.lines for n in notes.get((side, ln), ())]
            classes = sorted({f"c-{_slug(n.category)}" for n in u_notes} | {f"s-{_slug(n.record.status)}"
                                                                             for n in u_notes})
            changed = any(kind != "eq" for _, _, kind in u.rows)
            out.append(f'<tbody class="drt-u {" ".join(classes)}">')
            out.append(self._unit_head(u))
            if self.fold and not changed and not u_notes:
                out.append(f'<tr class="drt-fold"><td></td><td colspan=3>{len(u.rows)} identical lines '
                           "folded</td></tr>")
                out.append("</tbody>")
                continue
            for ml, il, kind in u.rows:
                mid = f' id="{uid}-m{ml}"' if ("m", ml) in targets else ""
                iid = f' id="{uid}-i{il}"' if ("i", il) in targets else ""
                mcell = (f'<td class="n mn"{mid}>{ml}</td><td class="c m hl">{model.html[ml]}</td>'
                         if ml is not None else '<td class="n mn"></td><td class="c m"></td>')
                icell = (f'<td class="n in sep"{iid}>{il}</td><td class="c i hl">{ideal.html[il]}</td>'
                         if il is not None else '<td class="n in sep"></td><td class="c i"></td>')
                out.append(f'<tr class="{kind}">{mcell}{icell}</tr>')
                mnotes = notes.get(("model", ml), []) if ml is not None else []
                inotes = notes.get(("ideal", il), []) if il is not None else []
                for n in mnotes:
                    right = self._note_html(n.beside, uid) if n.beside is not None else ""
                    out.append(f'<tr class="drt-f {self._classes(n.category, n.record)}"><td></td>'
                               f'<td class="fn">{self._note_html(n, uid)}</td><td class="sep"></td>'
                               f'<td class="fn">{right}</td></tr>')
                for n in inotes:
                    out.append(f'<tr class="drt-f {self._classes(n.category, n.record)}"><td></td><td></td>'
                               f'<td class="sep"></td><td class="fn">{self._note_html(n, uid)}</td></tr>')
            out.append("</tbody>")
        out.append("</table></div>")
        return "".join(out)

    @staticmethod
    def _unit_head(u: Unit) -> str:
        m, i = u.title
        c = u.corr
        what = ""
        if c is not None:
            if c.match == "same":
                what = f"changed: {', '.join(c.changed[:8])}" + (f" (+{len(c.changed) - 8})" if len(c.changed) > 8
                                                                   else "") if c.changed else "same"
            elif c.match == "renamed":
                what = "renamed"
            elif c.match == "removed":
                what = "only in MODEL"
            else:
                what = "only in IDEAL"
        else:
            what = "no object (comments or code that did not parse)"
        file_m = u.model.entry.file if u.model and u.model.entry else None
        file_i = u.ideal.entry.file if u.ideal and u.ideal.entry else None
        fm = f' <span class="drt-m">{_e(file_m)}</span>' if file_m else ""
        fi = f' <span class="drt-m">{_e(file_i)}</span>' if file_i else ""
        return (f'<tr class="drt-uh"><td colspan=2>{_e(m)}{fm}</td><td colspan=2 class="sep">{_e(i)}{fi} '
                f'<span class="drt-m">· {_e(what)}</span></td></tr>')


# -- entry points ------------------------------------------------------------------------------------------------

def _find_task(task_id: str, corpus: str | Path | None) -> Task:
    from drdata.corpus import load_corpus
    from drdata.corpus.reader import is_task_folder, read_task
    from drdata.explore.runs import current_corpus

    p = Path(task_id)
    if p.is_dir() and is_task_folder(p):
        return read_task(p)
    root = Path(corpus) if corpus is not None else current_corpus()
    if root is None:
        raise ValueError(f"show_task({task_id!r}): no corpus to look the id up in; pass corpus=PATH, a Task, or run "
                         "drdata.explore.label_run(CORPUS) first")
    for base in (root / "archive", root):
        if base.is_dir():
            for platform in [base, *sorted(x for x in base.iterdir() if x.is_dir())]:
                cand = platform / task_id
                if cand.is_dir() and is_task_folder(cand):
                    return read_task(cand)
    match = [t for t in load_corpus(root) if t.id == task_id]
    if not match:
        raise KeyError(f"no task {task_id!r} in {root}")
    return match[0]


LABEL_TIMEOUT = 30.0  # seconds: a task the batch labeler would time out on must not hang a notebook


def label_with_limit(task: Task, taxonomy: str = "full", timeout: float | None = LABEL_TIMEOUT) -> PairLabels:
    """:func:`~drdata.labeling.label_task` under a time limit (``TimeoutError`` past it)."""
    from drdata.labeling import label_task
    from drdata.labeling.task import TaskTimeout, _alarm, _disarm

    handle = _alarm(timeout)
    try:
        try:
            return label_task(task, taxonomy=taxonomy)
        finally:
            _disarm(handle)
    except TaskTimeout:
        raise TimeoutError(f"labeling {task.id} took longer than {timeout:g} s (a detector is stuck on this "
                           "answer; `drdata label` records such a task as an error row)") from None


def show_task(task_or_id, category: str | None = None, *, corpus: str | Path | None = None,
              taxonomy: str = "full", status: str | None = None, fold: bool = True,
              only_category: bool = False, timeout: float | None = LABEL_TIMEOUT) -> TaskView:
    """MODEL and IDEAL of one task side by side, with every finding at its line (a :class:`TaskView`).

    ``task_or_id``: a :class:`~drdata.corpus.Task`, its :class:`~drdata.labeling.pair.PairLabels`, a task
    folder, or a task id looked up in ``corpus`` (default: the corpus of the last
    :func:`~drdata.explore.label_run`, else ``DRDATA_NOTEBOOK_CORPUS``). ``category`` and ``status``
    preselect the filters; ``fold`` folds objects identical on both sides and without findings;
    ``timeout``: seconds the labeling may take.
    """
    from drdata.labeling.pair import PairLabels

    if isinstance(task_or_id, PairLabels):
        labels = task_or_id
    else:
        task = _find_task(task_or_id, corpus) if isinstance(task_or_id, (str, Path)) else task_or_id
        labels = label_with_limit(task, taxonomy, timeout)
    return TaskView(labels, category, status=status, fold=fold, only_category=only_category)
