"""Failure reports generated from the code, in the shape of the hand-written reference report.

:func:`render_report` turns one task's :class:`~drdata.labeling.pair.PairLabels`
into Markdown: a title and intro, one section per severity that has items, one
``### N. Title`` item per *fixed* category (findings in the MODEL answer that the
IDEAL answer no longer has) with the real offending MODEL lines and the real
IDEAL lines that replace them, then one item per *persisting* category (the IDEAL
still has it, with its lines), and a summary whose first line counts the items
per severity. :func:`compare_with_human` puts its items beside a hand-written
report's (both read with :func:`drdata.corpus.report.parse_report`).
:func:`render_corpus_report` renders the corpus-level report of a run's statistics. Everything here is pure:
labels or statistics in, Markdown out (``drdata.verbs`` reads the inputs and writes the files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from drdata.hcl.model import block_address, block_kind
from drdata.taxonomy import SEVERITIES, category

if TYPE_CHECKING:
    from drdata.detectors.registry import Finding
    from drdata.hcl.model import Block, TerraformConfig
    from drdata.labeling.pair import CategoryLabel, PairLabels
    from drdata.stats import CorpusStats

SECTION_TITLES = {
    "Critical": "Critical Failures",
    "High": "High Severity Failures",
    "Medium": "Medium Severity Failures",
    "Low": "Low Severity Failures",
}
MAX_SNIPPET_LINES = 25  # per code fence
MAX_FINDINGS_SHOWN = 3  # code fences per item and side; the rest are listed by address
MAX_MESSAGES = 8  # finding messages listed per item
MODEL_FILE, IDEAL_FILE = "MODEL_RESPONSE.md", "IDEAL_RESPONSE.md"
NOT_REPAIRED_TITLE = "Failures the IDEAL Does Not Repair"


# -- text that renders the same everywhere ------------------------------------------------------------------------
#
# Finding messages, addresses and values come from the code: `${var.name}` between two dollar signs is a formula
# to JupyterLab's MathJax, `"*"` twice in a line is emphasis to CommonMark, `<name>` is an HTML tag. Every such
# fragment goes into a code span; what stays outside is plain words.

_CODE_SPAN_RE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
# Whole fragments that go into one span: `key = value` assignments and quoted strings.
_FRAGMENT_RE = re.compile(r'[A-Za-z_][\w.-]*(?:\[[^\]\n]*\])?\s*=\s*(?:"[^"\n]*"|[^\s,;()]+)|"[^"\n]*"'
                          r"|(?<!\w)'[^'\s]+'(?!\w)")  # a quoted phrase with spaces is prose
_WORD_RE = re.compile(r"\S+")
# A word is code when it holds a character markdown, HTML or MathJax would read, or looks like an address,
# a path, an ARN or a key=value pair.
_CODE_CHARS_RE = re.compile(r"[$*_{}\[\]<>=\\|~^#`\"]|\w[.:/]\w|^[./]\w")
_LEAD = "([\"'"
_TRAIL = ")]}.,;:!?'"


def code_span(text: str) -> str:
    """``text`` as one inline code span, whatever backticks it holds."""
    text = text.replace("\n", " ")
    runs = [len(m) for m in re.findall(r"`+", text)]
    ticks = "`" * (max(runs) + 1 if runs else 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


_ABBREV_RE = re.compile(r"\(?(e\.g|i\.e|etc|vs|cf)\.?[,;:)]?", re.I)


def _word(w: str) -> list[tuple[str, bool]]:
    """A word as (text, is_code) pieces: code-like words go to code, sentence punctuation around them not."""
    if not _CODE_CHARS_RE.search(w) or _ABBREV_RE.fullmatch(w):
        return [(w, False)]
    # Keep sentence punctuation outside the span: "(in aws_x.y)," -> "(in `aws_x.y`),"
    i, j = 0, len(w)
    while i < j and w[i] in _LEAD and not (w[i] == '"' and w.count('"') % 2 == 0 and w.endswith('"')):
        i += 1
    while j > i and w[j - 1] in _TRAIL and not (w[j - 1] in ")]}" and w[i:j].count(
            {")": "(", "]": "[", "}": "{"}[w[j - 1]]) >= w[i:j].count(w[j - 1])):
        j -= 1
    core = w[i:j]
    if not core or not _CODE_CHARS_RE.search(core):
        return [(w, False)]
    return [(w[:i], False), (core, True), (w[j:], False)]


def md_escape(text: str) -> str:
    """Backslash-escape what CommonMark or MathJax could read in plain words."""
    return re.sub(r"([\\`*_{}\[\]<>#|$~^])", r"\\\1", text)


def _plain(text: str) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    pos = 0

    def words(chunk: str) -> None:
        last = 0
        for w in _WORD_RE.finditer(chunk):
            pieces.append((chunk[last:w.start()], False))
            pieces.extend(_word(w.group()))
            last = w.end()
        pieces.append((chunk[last:], False))

    for m in _FRAGMENT_RE.finditer(text):
        words(text[pos:m.start()])
        pieces.append((m.group(), True))
        pos = m.end()
    words(text[pos:])
    return pieces


def md_text(text: str | None) -> str:
    """Text from the code (a finding message, a title, a value) as Markdown that reads the same everywhere:
    code spans it already has are kept, quoted values, assignments and code-like words go into code spans,
    the rest is escaped."""
    if not text:
        return ""
    text = " ".join(str(text).split("\n"))
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in _CODE_SPAN_RE.finditer(text):
        pieces += _plain(text[pos:m.start()])
        inner = m.group(2)
        if len(inner) > 2 and inner.startswith(" ") and inner.endswith(" ") and inner.strip():
            inner = inner[1:-1]  # CommonMark strips one space on each side
        pieces.append((inner, True))
        pos = m.end()
    pieces += _plain(text[pos:])
    # Code touching code becomes one span: two spans side by side would fuse their backticks.
    merged: list[list] = []
    for piece, is_code in pieces:
        if not piece:
            continue
        if merged and merged[-1][1] == is_code:
            merged[-1][0] += piece
        else:
            merged.append([piece, is_code])
    return "".join(code_span(p) if c else md_escape(p) for p, c in merged)


# -- snippets ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Snippet:
    address: str
    file: str | None  # the Terraform file the answer puts it in (main.tf), if it says
    line: int | None  # line in the answer markdown
    code: str


def _trim(code: str, limit: int = MAX_SNIPPET_LINES) -> str:
    lines = code.rstrip("\n").splitlines()
    # Drop the common indentation so attribute lines cut out of a block read naturally.
    indents = [len(x) - len(x.lstrip()) for x in lines if x.strip()]
    cut = min(indents) if indents else 0
    lines = [x[cut:] for x in lines]
    if len(lines) > limit:
        lines = lines[:limit] + [f"# ... ({len(lines) - limit} more lines)"]
    return "\n".join(lines)


def _fence(code: str) -> str:
    # A longer fence when the code itself holds ``` (heredocs of markdown).
    ticks = "```"
    while ticks in code:
        ticks += "`"
    return f"{ticks}hcl\n{code}\n{ticks}"


def _where(s: Snippet, answer: str) -> str:
    parts = [f"{answer} line {s.line}" if s.line else answer]
    if s.file:
        parts.append(code_span(s.file))
    return f"{code_span(s.address)} ({', '.join(parts)}):"


_ASSIGN_RE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=")
_BLOCK_RE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*(\"[^\"]*\"\s*)*\{")


def _block_lines(block: Block, first: int, last: int) -> str:
    lines = block.source.splitlines()
    return "\n".join(lines[first - block.line:last - block.line + 1])


def _same_part(ideal_block: Block, evidence: str) -> tuple[int, str] | None:
    """(line, text) of the IDEAL attribute / nested block the MODEL evidence quotes, if the IDEAL has it."""
    first = evidence.strip().splitlines()[0] if evidence.strip() else ""
    m = _ASSIGN_RE.match(first)
    if m:
        for path, attr in ideal_block.attribute_paths():
            if path.split(".")[-1] == m.group(1):
                return attr.line, _block_lines(ideal_block, attr.line, attr.end_line)
        return None
    m = _BLOCK_RE.match(first)
    if m and m.group(1) not in ("resource", "data", "module", "variable", "output", "provider", "terraform", "locals"):
        for b in ideal_block.walk():
            if b is not ideal_block and b.type == m.group(1):
                return b.line, _block_lines(ideal_block, b.line, b.end_line)
    return None


def _norm(code: str) -> str:
    return re.sub(r"\s+", " ", code).strip()


def _follow(block: Block, name: str, addr: dict[str, Block], hops: int = 3) -> Snippet | None:
    """Follow ``name = other.address.name`` references to the block that sets the value itself."""
    for _ in range(hops):
        attr = block.attributes.get(name)
        if attr is None:
            return None
        target = next((addr[r.address] for r in attr.refs if r.address in addr and r.kind in ("resource", "data")),
                      None)
        if target is None or target is block or name not in target.attributes:
            return None
        block = target
        nxt = block.attributes[name]
        if not any(r.address in addr for r in nxt.refs):
            return Snippet(_key(block), block.file, nxt.line, _block_lines(block, nxt.line, nxt.end_line))
    return None


def _addresses(cfg: TerraformConfig) -> dict[str, Block]:
    out: dict[str, Block] = {}
    for b in cfg.all_blocks():
        out.setdefault(block_address(b), b)
    return out


def _ideal_snippets(f: Finding, label: CategoryLabel, ideal: TerraformConfig, ideal_addr: dict[str, Block]
                    ) -> list[Snippet]:
    """Real IDEAL lines answering one MODEL finding: its counterpart as the pairing recorded it (the same
    or renamed block, narrowed to the part the MODEL evidence quotes; the declaration of an undeclared
    object; the resource that replaced a module). Empty when the record has none."""
    rec = label.record_of(f)
    cp = rec.counterpart if rec is not None else None
    if cp is None:
        return []
    if cp.address.startswith("local.") and cp.address[6:] in ideal.locals:
        attr = ideal.locals[cp.address[6:]]
        return [Snippet(cp.address, None, attr.line, f"{attr.name} = {attr.source}")]
    block = ideal_addr.get(cp.address)
    if block is None:
        return []
    if cp.address == f.address or (f.holder is None and _kind(block) == f.kind):
        part = _same_part(block, f.evidence)
        if part is not None and _norm(part[1]) != _norm(f.evidence):
            return [Snippet(cp.address, block.file, part[0], part[1])]
        if part is not None:
            # Same line on both sides: the value comes from elsewhere (engine_version = aws_rds_cluster.x.engine_version).
            origin = _follow(block, _ASSIGN_RE.match(f.evidence.strip()).group(1), ideal_addr)
            if origin is not None:
                return [origin]
    return [Snippet(cp.address, block.file, block.line, block.source)]


def _key(block: Block) -> str:
    return block_address(block)


def _kind(block: Block) -> str:
    return block_kind(block)


# -- one item ---------------------------------------------------------------------------------------------------

def _codes(addresses: list[str], limit: int = 6) -> str:
    shown = ", ".join(code_span(a) for a in addresses[:limit])
    return shown + (f" and {len(addresses) - limit} more" if len(addresses) > limit else "")


def _unique(seq):
    seen = set()
    out = []
    for x in seq:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def render_item(n: int, label: CategoryLabel, labels: PairLabels) -> str:
    """One ``### N. Title`` item of the report: the MODEL's failure and the IDEAL's fix, or, for a failure the
    IDEAL still has (persisting), where the IDEAL has it."""
    cat = category(label.category)
    findings = label.fixed_findings or label.model_findings
    if label.status == "persisting":
        return _item_head(n, label, cat, findings) + "\n".join(_not_repaired(label) + _cause(cat, findings))
    return _item_head(n, label, cat, findings) + "\n".join(_fix(label, cat, findings, labels) + _cause(cat, findings))


def _item_head(n: int, label: CategoryLabel, cat, findings: list) -> str:
    out = [f"### {n}. {md_text(cat.title)}", "", f"**Impact Level**: {label.severity}", "", "**MODEL_RESPONSE Issue**:"]
    return "\n".join(out + _where_found(findings, MODEL_FILE, f"{md_text(cat.what)} The MODEL answer has this")) + "\n"


def _not_repaired(label: CategoryLabel) -> list[str]:
    """Where the IDEAL answer still has the failure: its own findings, with their lines."""
    return ["**IDEAL_RESPONSE**:", *_where_found(label.ideal_findings, IDEAL_FILE,
                                                 "Not repaired: the IDEAL answer still has this")]


def _where_found(findings: list, answer: str, lead: str) -> list[str]:
    """``lead`` in N places (addresses), the findings' messages, and their lines in ``answer``, capped."""
    addresses = _unique(f.address for f in findings)
    where = f"{len(addresses)} place" + ("s" if len(addresses) != 1 else "")
    out = [f"{lead} in {where}: {_codes(addresses)}.", ""]
    messages = _unique(f.message for f in findings)
    out += [f"- {md_text(msg)}" for msg in messages[:MAX_MESSAGES]]
    if len(messages) > MAX_MESSAGES:
        out.append(f"- ... and {len(messages) - MAX_MESSAGES} more")
    out.append("")
    snips = _unique(Snippet(f.address, f.file, f.line, _trim(f.evidence)) for f in findings if f.evidence.strip())
    for s in snips[:MAX_FINDINGS_SHOWN]:
        out += [_where(s, answer), "", _fence(s.code), ""]
    if len(snips) > MAX_FINDINGS_SHOWN:
        rest = _unique(s.address for s in snips[MAX_FINDINGS_SHOWN:])
        out += [f"... and {len(snips) - MAX_FINDINGS_SHOWN} more ({_codes(rest)}).", ""]
    return out


def _fix(label: CategoryLabel, cat, findings: list, labels: PairLabels) -> list[str]:
    out = ["**IDEAL_RESPONSE Fix**:"]
    ideal_addr = _addresses(labels.ideal)
    ideal_snips: list[Snippet] = []
    for f in findings:
        for s in _ideal_snippets(f, label, labels.ideal, ideal_addr):
            ideal_snips.append(Snippet(s.address, s.file, s.line, _trim(s.code)))
    ideal_snips = _unique(ideal_snips)
    if ideal_snips:
        out.append(f"{md_text(cat.fix)} The IDEAL answer does it like this:")
        out.append("")
        for s in ideal_snips[:MAX_FINDINGS_SHOWN]:
            out += [_where(s, IDEAL_FILE), "", _fence(s.code), ""]
        if len(ideal_snips) > MAX_FINDINGS_SHOWN:
            rest = _unique(s.address for s in ideal_snips[MAX_FINDINGS_SHOWN:])
            out += [f"... and {len(ideal_snips) - MAX_FINDINGS_SHOWN} more ({_codes(rest)}).", ""]
    else:
        out += [f"{md_text(cat.fix)} (The IDEAL answer drops the offending code; there is no single block to quote.)",
                ""]
    return out


def _cause(cat, findings: list) -> list[str]:
    addresses = _unique(f.address for f in findings)
    return ["**Root Cause**:", md_text(cat.root_cause), "", "**Impact**:",
            f"{md_text(cat.impact)} Affected in this answer: {_codes(addresses)}.", ""]


# -- whole report -----------------------------------------------------------------------------------------------

def counts_line(counts: dict[str, int]) -> str:
    """``3 Critical, 4 High, 3 Medium, 2 Low``."""
    return ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES)


def render_report(labels: PairLabels, *, title: str | None = None) -> str:
    """Markdown failure report of one labeled pair, in the shape of the reference report: the MODEL's failures
    the IDEAL fixes by severity, then those the IDEAL still has (a failure the code shows unrepaired is reported
    as such, not dropped and not called fixed)."""
    fixed = labels.fixed()
    kept = _unrepaired(labels)
    counts = labels.severity_counts()
    total = dict(counts)
    for c in kept:
        total[c.severity] += 1
    task = labels.task
    name = md_text(labels.task_id) if labels.task_id else "this task"
    title = title or (f"Model Response Failures Analysis: {md_text(labels.task_id)}" if labels.task_id
                      else "Model Response Failures Analysis")
    checked = len(labels.categories)
    context = []
    if task is not None:
        if task.subtask:
            context.append(f"subtask *{md_escape(task.subtask)}*")
        if task.complexity:
            context.append(f"complexity *{md_escape(task.complexity)}*")
    ctx = f" ({', '.join(context)})" if context else ""
    if fixed:
        found = (f"{len(fixed)} of them are failures of the MODEL answer that the IDEAL answer fixes; they are listed "
                 "below from most to least severe, each with the offending MODEL lines and the IDEAL lines that "
                 "replace them.")
    else:
        found = "None of them is a failure of the MODEL answer that the IDEAL answer fixes."
    if kept:
        found += (f" {len(kept)} more {'is a failure' if len(kept) == 1 else 'are failures'} of the MODEL answer that "
                  "the IDEAL answer still has; they follow, with the IDEAL lines that keep them.")
    intro = (f"This report was generated by drdata from the code of {MODEL_FILE} and {IDEAL_FILE} of {name}{ctx}. "
             f"Every detector of the {code_span(labels.taxonomy)} taxonomy ({checked} categories) ran on both answers. "
             f"{found}")
    out = [f"# {title}", "", intro, "", *_sections(fixed, kept, labels)]
    out += ["## Summary", "", f"- **Total failures categorized**: {counts_line(total)}"]
    if kept:
        out.append(f"- **Fixed in IDEAL_RESPONSE**: {counts_line(counts)}")
    for sev in SEVERITIES:
        names = [md_text(c.title) for c in fixed if c.severity == sev]
        if names:
            out.append(f"- **{sev}**: " + "; ".join(names))
    if kept:
        out.append("- **Not repaired in IDEAL_RESPONSE**: " + "; ".join(md_text(c.title) for c in kept))
    persisting = [md_text(c.title) for c in labels.categories.values()
                  if c.status == "persisting" and not c.model_findings]
    introduced = [md_text(c.title) for c in labels.categories.values() if c.status == "introduced"]
    unknown = [c.title for c in labels.categories.values() if c.status == "unknown"]
    if persisting:
        out.append("- **Still present in IDEAL_RESPONSE (not counted)**: " + "; ".join(persisting))
    if introduced:
        out.append("- **Only in IDEAL_RESPONSE (not counted)**: " + "; ".join(introduced))
    if unknown:
        out.append(f"- **Could not be decided**: {len(unknown)} categories (an answer did not parse completely, "
                   "a value could not be resolved, or no detector exists yet)")
    if labels.faults:
        out.append(f"- **Detector faults**: {len(labels.faults)}")
    out.append(f"- **Taxonomy**: {code_span(labels.taxonomy)}")
    return "\n".join(out).rstrip() + "\n"


def _unrepaired(labels: PairLabels) -> list[CategoryLabel]:
    """Persisting categories with MODEL findings: failures the report lists as not repaired by the IDEAL."""
    return [c for c in labels.categories.values() if c.status == "persisting" and c.model_findings]


def _sections(fixed: list[CategoryLabel], kept: list[CategoryLabel], labels: PairLabels) -> list[str]:
    """The numbered items: fixed ones under their severity sections, then those the IDEAL does not repair."""
    out: list[str] = []
    n = 0
    for title, items in [(SECTION_TITLES[sev], [c for c in fixed if c.severity == sev]) for sev in SEVERITIES] + [
            (NOT_REPAIRED_TITLE, sorted(kept, key=lambda c: SEVERITIES.index(c.severity)))]:
        if not items:
            continue
        out += [f"## {title}", ""]
        for c in items:
            n += 1
            out.append(render_item(n, c, labels))
    return out


def render_items(labels: PairLabels, categories) -> str:
    """Only the items of ``categories`` (ids), fixed or not repaired, under their sections, numbered from 1:
    what a report adds beyond another one, without repeating the rest."""
    wanted = set(categories)
    fixed = [c for c in labels.fixed() if c.category in wanted]
    kept = [c for c in _unrepaired(labels) if c.category in wanted]
    if not fixed and not kept:
        return "No further items.\n"
    return "\n".join(_sections(fixed, kept, labels)).rstrip() + "\n"


# -- comparison with a hand-written report ----------------------------------------------------------------------

COMPARE_COLUMNS = ["match", "category", "human_index", "human_title", "human_severity", "generated_index",
                   "generated_title", "generated_severity", "same_severity"]


def compare_with_human(generated: str, human: str | None) -> pd.DataFrame:
    """Items of a generated report beside those of a hand-written one, paired by category.

    Both are read with :func:`~drdata.corpus.report.parse_report` (so both go through the same
    title -> category mapping). ``match`` is ``both`` (same category in both reports),
    ``human_only`` or ``generated_only``; ``same_severity`` compares the two severities.
    Human items come first in their order, then the generated-only items.
    """
    from drdata.corpus.report import parse_report

    # Generated reports keep items under severity sections; the parser's fallback may read the summary
    # bullets of an empty report as items, which they are not.
    gen = [g for g in parse_report(generated) if (g.section or "").strip().lower() != "summary"]
    hum = parse_report(human) if human else []
    used: set[int] = set()
    rows = []
    for h in hum:
        g = next((g for g in gen if g.index not in used and g.category == h.category and h.category != "other"), None)
        if g is not None:
            used.add(g.index)
        rows.append({"match": "both" if g else "human_only", "category": h.category, "human_index": h.index,
                     "human_title": h.title, "human_severity": h.severity,
                     "generated_index": g.index if g else None, "generated_title": g.title if g else None,
                     "generated_severity": g.severity if g else None})
    for g in gen:
        if g.index not in used:
            rows.append({"match": "generated_only", "category": g.category, "human_index": None, "human_title": None,
                         "human_severity": None, "generated_index": g.index, "generated_title": g.title,
                         "generated_severity": g.severity})
    df = pd.DataFrame(rows, columns=COMPARE_COLUMNS[:-1])
    df["same_severity"] = (df["match"] == "both") & (df["human_severity"] == df["generated_severity"])
    for c in ("human_index", "generated_index"):
        df[c] = df[c].astype("Int64")
    df.index = pd.RangeIndex(1, len(df) + 1, name="row")
    return df


# -- the corpus report ------------------------------------------------------------------------------------------

def _table_text(text: str) -> str:
    # Inside a pipe table a bar ends the cell even within a code span, unless escaped.
    return re.sub(r"(?<!\\)\|", r"\\|", md_text(text))


def markdown_table(df: pd.DataFrame, *, floatfmt: str = ".3g", max_rows: int | None = None) -> str:
    """A pipe table (the named index becomes the first column)."""
    d = df.reset_index() if df.index.name or any(df.index.names) else df
    if max_rows is not None:
        d = d.head(max_rows)

    def cell(v) -> str:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return ""
        if isinstance(v, float):
            return format(v, floatfmt)
        return _table_text(str(v))

    head = [str(c).replace("|", "\\|") for c in d.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in d.itertuples(index=False)]
    return "\n".join(lines)


def render_corpus_report(st: CorpusStats, summary: dict, labels_name: str) -> str:
    """``report.md`` of ``drdata stats``: the summary, tables and the figures (PNG files beside it, by name)
    of a run's statistics. ``summary`` is :meth:`CorpusStats.summary` with the run's ``taxonomy``;
    ``labels_name`` names the labels folder."""
    from drdata.stats import format_summary

    tax = summary.get("taxonomy") or "?"
    prev = st.category_prevalence
    prev_cols = [c for c in ("title", "default_severity", "fixed", "persisting", "introduced", "unknown",
                             "share_fixed", "report_mentions", "report_severity", "report_severity_share")
                 if c in prev.columns]
    parts = [
        "# Corpus failure report", "",
        f"Generated by drdata from the labels in {code_span(labels_name)} (taxonomy {code_span(tax)}). "
        "A task's severity "
        "score weighs each category the IDEAL answer fixed by its severity: " + ", ".join(
            f"{s} {w}" for s, w in summary["severity_weights"].items()) + ".", "",
        "```text", format_summary(summary), "```", "",
        "## Severity distribution", "", "![severity distribution](severity_distribution.png)", "",
        markdown_table(st.severity_distribution), "",
        "## Categories", "", "![top categories](top_categories.png)", "",
        markdown_table(prev[prev_cols], max_rows=40), "",
        "## By complexity", "", "![category by complexity](category_complexity_heatmap.png)", "",
        markdown_table(st.by_complexity), "",
        "## By training_quality", "", "![severity score vs training_quality](score_vs_quality.png)", "",
        markdown_table(st.by_quality), "", markdown_table(st.quality_correlation), "",
        "## By subtask", "", markdown_table(st.by_subtask.sort_values("tasks", ascending=False), max_rows=20), "",
    ]
    if st.has_reports:
        parts += ["## Agreement with the human reports", "", "![agreement](agreement_by_category.png)", "",
                  markdown_table(st.agreement_by_category), "",
                  "Detector severity (rows) against the severity the human reports give (columns), per report item:",
                  "", markdown_table(st.severity_crosstab), ""]
    parts += ["## Parse health", "", markdown_table(st.parse_health), ""]
    if len(st.pair_states):
        parts += ["How the two answers of the labeled tasks compare (an excerpt or unusable side leaves labels "
                  "unknown):", "", markdown_table(st.pair_states), ""]
    if len(st.unknown_reasons):
        parts += ["## Unknown labels", "", "Why a category could not be decided for a task (`ideal_omits`: the IDEAL "
                  "does not show the part; `ideal_dropped`: it removed it instead of repairing it; `*_cannot_tell`: "
                  "a value could not be resolved; `*_truncated`, `*_parse_errors`: the answer is cut off or did not "
                  "parse where the rule reads):", "", markdown_table(st.unknown_reasons), ""]
    if len(st.error_reasons):
        parts += [markdown_table(st.error_reasons), ""]
    return "\n".join(parts)





