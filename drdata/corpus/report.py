"""Read hand-written failure reports (``MODEL_FAILURES.md``) into structured items.

The reports come in many shapes: one heading per item, the reference template
(``### N. Title`` + ``**Impact Level**: High`` + MODEL_RESPONSE/IDEAL_RESPONSE
sub-headings), severity given only by section headings, tags in titles, emoji,
per-item ``Severity:`` lines, summary tables, plain numbered notes, bullets,
``Flaw N`` markers and empty placeholders.  The parser builds an outline of the
document (markdown-it-py gives headings, lists, tables and code fences, so ``#``
comments inside code never look like headings), decides which outline nodes are
items and which are sections, and reads severity from the most specific place
that states it.

Severity precedence, most specific first: ``impact_level`` line, ``severity_line``
(Severity:/Priority:), ``title_tag`` (``(Critical)``, ``[HIGH]``, ``CRITICAL:``),
``emoji`` in the title, ``table`` (a summary table row naming the item), ``section``
(the nearest enclosing heading that names a severity).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, fields
from functools import lru_cache

import pandas as pd
from markdown_it import MarkdownIt

SEVERITY_SOURCES = ("impact_level", "severity_line", "title_tag", "emoji", "table", "section")

# Severity words as written -> normalised level.
SEVERITY_WORDS: dict[str, str] = {
    "critical": "Critical", "blocker": "Critical", "blocking": "Critical", "severe": "Critical",
    "showstopper": "Critical", "fatal": "Critical", "p0": "Critical",
    "high": "High", "major": "High", "significant": "High", "serious": "High", "important": "High", "p1": "High",
    "medium": "Medium", "moderate": "Medium", "med": "Medium", "p2": "Medium",
    "low": "Low", "minor": "Low", "trivial": "Low", "cosmetic": "Low", "p3": "Low",
}
_SEV = r"(critical|blocker|blocking|severe|showstopper|fatal|high|major|significant|serious|medium|moderate|low|minor|trivial|cosmetic|p[0-3])"
# Emoji commonly used as severity markers; a legend in the document ("🟡 High") overrides these.
EMOJI_SEVERITY = {"🔴": "Critical", "🟠": "High", "🟡": "Medium", "🟢": "Low", "🔵": "Low"}
_EMOJI = "(" + "|".join(EMOJI_SEVERITY) + ")"


@dataclass
class ReportItem:
    index: int
    title: str
    severity: str | None = None
    severity_raw: str | None = None
    severity_source: str | None = None
    body: str = ""
    model_snippet: str | None = None
    ideal_snippet: str | None = None
    category: str = "other"
    section: str | None = None


ITEM_COLUMNS = ["task_id"] + [f.name for f in fields(ReportItem)]

# ---------------------------------------------------------------------------------------------------------------
# Heading vocabularies (data): which headings are parts of an item, which sections are not failures, which titles
# are mere group names.

# Sub-headings / labels that structure one item rather than start a new one.
_PART_WORDS = (
    r"issue|problem|fix(es)?|fixed|solutions?|resolutions?|root causes?( analysis)?|causes?|descriptions?"
    r"|(problem|failure|issue|error) descriptions?|error( messages?| output| details| logs?)?"
    r"|error messages?|evidence|symptoms?|examples?|code|before|after|correction|failure|failure types?"
    r"|changes( made)?|what changed|category|learning outcomes?|lessons?|verification|fix verification"
    r"|required|requirements?|details|explanation|analysis|context|prevention( strateg(y|ies))?|status|results?"
    r"|notes?|location|affected (files|resources)|references?|reason|rationale|why|expected( behaviou?r)?"
    r"|actual( behaviou?r)?|observed|diagnosis|workaround|remediation|recommendation|recommended fix|change"
    r"|implementation|configuration|code changes?|diff|what was wrong|what went wrong|how it was fixed|the fix"
    r"|deployment impact|severity|priority|impact level|files? modified|model output|ideal output|output"
)
_PART_PREFIX = (
    r"(?:the |model[_ ]?response(?:\.md)?'?s? |ideal[_ ]?response(?:\.md)?'?s? |model'?s? |ideal |original |current "
    r"|corrected |correct |expected |actual |proposed |incorrect |problematic |wrong |broken |required |applied |final )*"
)
_PART_RE = re.compile(
    rf"^{_PART_PREFIX}(?:{_PART_WORDS})(?: (?:in|from|of|for|applied|implemented|made|encountered|used|needed|required)\b.*)?$"
)
_PART_LOOSE_RE = re.compile(
    r"^(?:(?:[\w/&,-]+ ){0,3}impact( assessment| analysis)?|why\b.*"
    r"|(?:aws |terraform )?best practices? violated|how (?:it|this) (?:was|is) fixed.*|before\b.*|after\b.*)$"
)

# Sections whose content is not failures.
_SKIP_RE = re.compile(
    r"(\bsummary\b|^overview\b|^introduction\b|^background\b|^lessons?\b|\blessons learned\b|^key (takeaways|learnings|lessons)"
    r"|^strengths?\b|\bstrengths\b|^positive\b|what (went|was done) (well|right)|\bdone well\b|^what the model (did|got)"
    r"|^recommend|^validation results?|^(test|testing|deployment|integration test|unit test)s? (results?|outcomes?|status)\b"
    r"|^training\b|^conclusions?\b|^final (verdict|assessment|thoughts|notes|status|result|state|score)|^verdict\b"
    r"|^next steps?\b|^prevention\b|^appendix\b|^references?$|^metrics\b|^statistics\b|\bscore(card)?\b|checklist"
    r"|^files? (modified|changed|created)|^acceptance criteria|standards met|^key features|^successfully|completed successfully"
    r"|^correct(ly)? implement|^table of contents|^no (critical |major |significant |remaining )?(failures?|issues?|problems?|errors?)"
    r"|perfect match|value[- ]added|^overall\b|^(production|deployment) readiness|^best practices (applied|implemented|followed)"
    r"|^how to\b|^(required|suggested|recommended) (corrections|fixes|changes|actions)|^action items|^remediation plan"
    r"|^resolution summary|^impact assessment$|^(executive|final) |^task (description|details|requirements)$|^what was (built|delivered)"
    r"|^(services|resources|features) (verified|implemented|deployed|created)|^(model|ideal) response$|^comparison\b|^status\b"
    r"|^environment detection|\bworking in localstack|^quality (metrics|assessment)|^deployment (results?|outputs?|status)"
    r"|^(task|project) (summary|status|overview)|^architecture (overview|summary)|^compliance (status|scorecard|summary)"
    r"|^(what|where) (the )?ideal|^why (the )?ideal|superior|^improvements? (made|summary)$|^key improvements\b"
    r"|achievements?\b|\bsuccess\b|^platform( and |/| & )language|^implementation status|100% coverage|^(deployment|testing|test) phase"
    r"|^phase \d|^severity (breakdown|distribution|assessment|matrix)|^failure (categories|timeline|statistics)|^impact (summary|analysis)$)"
)

# Sections never read, even when nothing else in the report yields items.
_HARD_SKIP_RE = re.compile(
    r"strengths?\b|^positive|went well|done well|perfect match|value[- ]added|^successfully|^lessons?\b|^training\b"
    r"|^recommend|^next steps?|^conclusions?\b|^(what|where|why) (the )?ideal|superior|^key features|^how to\b|checklist"
)

# Words that make a title a group name rather than a specific failure ("Critical Issues Fixed").
_GENERIC_WORDS = {
    "issue", "issues", "failure", "failures", "problem", "problems", "error", "errors", "finding", "findings", "fix",
    "fixes", "flaw", "flaws", "gap", "gaps", "mistake", "mistakes", "bug", "bugs", "concern", "concerns", "violation",
    "violations", "correction", "corrections", "deficiency", "deficiencies", "shortcoming", "shortcomings",
    "model", "models", "response", "responses", "failures.md", "model_failures.md", "modelfailures.md", "analysis",
    "identified", "found", "fixed", "resolved", "addressed", "detected", "and", "the", "of", "in", "with", "to",
    "applied", "required", "vs", "versus", "prompt", "ideal", "documentation", "report", "detailed", "list", "key",
    "main", "major", "minor", "critical", "high", "medium", "low", "severity", "priority", "moderate", "other",
    "additional", "remaining", "various", "common", "observed", "encountered", "task", "terraform", "hcl", "infrastructure",
    "iac", "by", "on", "for", "a", "an", "md", "model_response", "ideal_response", "modelresponse", "idealresponse",
    "original", "initial", "implementation", "code", "review", "assessment", "corrected", "improvements", "changes",
    "summary", "made", "needed", "notes", "evaluation", "compared", "comparison", "against", "&", "-", "—", "–", ":",
    "deployment", "qa", "pipeline", "significant", "categories", "category", "type", "types", "specific",
}

# "Flaw 3", "Issue #2", "Failure - 1": a word naming an item, then its number.
_ITEM_WORD = r"(?:flaw|issue|failure|problem|error|bug|finding|mistake|gap|defect|item)\s*[-–—#]?\s*\d+"
_ITEM_MARKER_RE = re.compile(rf"^\s*(?:{_ITEM_WORD}\b|#?\d+\s*[.):])", re.I)
_NUMBER_PREFIX_RE = re.compile(
    rf"^\s*(?:{_ITEM_WORD}[a-z]?|#?\d+(?:\.\d+)*[a-z]?(?=[.):\s]))\s*(?:[.):\-—–|]\s*)*", re.I
)
_EMOJI_CHARS_RE = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u2190-\u21ff\u2300-\u23ff]+"
)
_STATUS_SUFFIX_RE = re.compile(
    r"\s*[-–—:|(\[]*\s*(?:now\s+)?(?:fixed|resolved|completed?|addressed|done|corrected)\b[)\]]?\s*\W*$", re.I
)

# Labels in an item body that introduce the MODEL or the IDEAL side of a code comparison.
_MODEL_LABEL_RE = re.compile(
    r"^(?:model[_ ]?response\b|model'?s? (?:code|output|response|version|answer|implementation)|original\b|before\b"
    r"|current (?:code|implementation|configuration)|incorrect\b|problematic\b|wrong\b|broken\b|failing\b|what the model)",
    re.I,
)
_IDEAL_LABEL_RE = re.compile(
    r"^(?:ideal[_ ]?response\b|ideal'?s? |fix(?:ed)?\b|after\b|correct(?:ed)?\b|expected\b|solution\b|resolution\b"
    r"|the fix\b|recommended\b|required\b|should be\b|proper\b|working\b)",
    re.I,
)

# Block structure only: inline tokens are never read, and skipping them halves parse time.
_MD = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])


# ---------------------------------------------------------------------------------------------------------------
# Small text helpers


_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|`)")
_SPACES_RE = re.compile(r"\s+")


@lru_cache(maxsize=8192)  # the same headings and labels are cleaned again by every check (2 of 3 calls)
def _clean_inline(text: str) -> str:
    """Heading/label text without markdown emphasis, links, emoji and surrounding punctuation."""
    t = _LINK_RE.sub(r"\1", text)
    t = _EMPHASIS_RE.sub("", t)
    t = _EMOJI_CHARS_RE.sub(" ", t)
    return _SPACES_RE.sub(" ", t).strip(" \t:#-–—|")


def _norm_title(text: str) -> str:
    return _clean_inline(text).lower().replace("_", " ").strip(" .:")


def _clean_title(raw: str) -> str:
    t = _clean_inline(re.sub(r"^[\s│|╷╵>]+", "", raw))
    t = _NUMBER_PREFIX_RE.sub("", t, count=1)
    t = _strip_title_tags(t)
    t = _STATUS_SUFFIX_RE.sub("", t)
    t = re.sub(r"\s*[;:]\s*$", "", t)
    return re.sub(r"\s+", " ", t).strip(" \t:-–—|")


def _is_part(title: str) -> bool:
    n = _norm_title(title)
    n = re.sub(r"\s*\(.*\)$", "", n).strip()
    return bool(n) and (bool(_PART_RE.match(n)) or bool(_PART_LOOSE_RE.match(n)))


def _is_skip(title: str) -> bool:
    return bool(_SKIP_RE.search(_norm_title(title)))


def _is_generic(title: str) -> bool:
    words = re.findall(r"[\w.&—–-]+", _norm_title(title))
    words = [w for w in words if not re.fullmatch(r"[\d.]+|pr\d+|task", w)]
    return not words or all(w in _GENERIC_WORDS for w in words)


def _is_numbered(title: str) -> bool:
    return bool(_ITEM_MARKER_RE.match(_clean_inline(title)))


def norm_severity(word: str | None) -> str | None:
    if not word:
        return None
    return SEVERITY_WORDS.get(word.strip().lower())


# ---------------------------------------------------------------------------------------------------------------
# Severity readers

_AFTER_WORD = r"(?=\s*(?:$|[-–—:(\[,.;/|!]|(?:severity|priority|impact|risk|level)\b))"
_LABEL_LINE_RE = re.compile(
    r"^[\s>*_\-+•]*(?:[\w/]+\s+){0,2}?(impact[ _-]level|impact|severity[ _-]level|severity|priority[ _-]level|priority"
    r"|criticality|risk[ _-]level|risk)\s*[*_]*\s*[:=\-–—]\s*[*_`\s\[]*" + _EMOJI + r"?\s*[*_`]*\s*" + _SEV + _AFTER_WORD,
    re.I,
)
_TAG_BRACKET_RE = re.compile(
    r"[(\[]\s*(?:(?:severity|priority)\s*[:=\-]?\s*)?" + _SEV + r"(?:\s+(?:severity|priority|impact|risk|issue))?\s*[)\]]",
    re.I,
)
_TAG_LEAD_RE = re.compile(
    r"^[^\w]*" + _SEV + r"(?:\s+(?:severity|priority|impact|risk|issue))?\s*[:\-–—|]\s+\S", re.I
)
_TAG_LEAD_CAPS_RE = re.compile(r"^[^\w]*(CRITICAL|BLOCKER|MAJOR|MINOR|SEVERE)\s+[A-Z]")
_TAG_TRAIL_RE = re.compile(
    r"[-–—:|]\s*" + _SEV + r"(?:\s+(?:severity|priority|impact|risk))?\s*[)\]]?\s*[^\w]*$", re.I
)
# "Lifecycle Management MEDIUM PRIORITY", "Bucket Policy Lockout CRITICAL": a shouted level at the end of a title.
_TAG_TRAIL_CAPS_RE = re.compile(r"\s(CRITICAL|BLOCKER|HIGH|MAJOR|MEDIUM|MODERATE|LOW|MINOR)(?:\s+(?:PRIORITY|SEVERITY|RISK|IMPACT))?\s*\W*$")
_TAG_INLINE_RE = re.compile(r"\b(?:severity|priority)\s*[:=]\s*" + _SEV + r"\b", re.I)
_SECTION_WORD_RE = re.compile(
    r"(?<![\w-])(?<!non-)(?<!non )(?<!no )(critical|blocker|blocking|severe|showstopper|major|minor|moderate|trivial|cosmetic|significant)\b",
    re.I,
)
_SECTION_HML_RE = re.compile(
    r"\b(high|medium|low)\b(?=\s*[-/]?\s*(?:severity|priority|impact|risk|issues?|failures?|problems?|findings?|fixes"
    r"|bugs?|errors?|concerns?|level|gaps?|violations?)\b)|(?:severity|priority)\s*[:\-]?\s*(high|medium|low)\b"
    r"|^\W*(high|medium|low)\W*$",
    re.I,
)


def _strip_title_tags(t: str) -> str:
    t = _TAG_BRACKET_RE.sub("", t)
    t = _TAG_INLINE_RE.sub("", t)
    m = _TAG_LEAD_RE.match(t)
    if m:
        t = t[m.end() - 1:]
    for rx in (_TAG_TRAIL_RE, _TAG_TRAIL_CAPS_RE):
        m = rx.search(t)
        if m and m.start() > 0:
            t = t[: m.start()]
    return re.sub(r"\s+", " ", t).strip()


def _title_tag(raw_title: str) -> str | None:
    t = _clean_inline(raw_title)
    t = _NUMBER_PREFIX_RE.sub("", t, count=1)
    for rx in (_TAG_BRACKET_RE, _TAG_INLINE_RE, _TAG_LEAD_RE, _TAG_LEAD_CAPS_RE, _TAG_TRAIL_RE, _TAG_TRAIL_CAPS_RE):
        m = rx.search(t)
        if m:
            return m.group(1)
    return None


def _title_emoji(raw_title: str, legend: dict[str, str]) -> str | None:
    for ch in re.findall(_EMOJI, raw_title):
        return ch
    return None


def _label_severity(body_lines: list[str]) -> tuple[str, str] | None:
    """First ``Impact Level:`` line wins over the first ``Severity:``/``Priority:`` line."""
    found: dict[str, str] = {}
    for line in body_lines:
        m = _LABEL_LINE_RE.match(line)
        if not m:
            continue
        label = m.group(1).lower().replace("_", " ").replace("-", " ")
        kind = "impact_level" if label.startswith("impact") else "severity_line"
        found.setdefault(kind, m.group(3))
    for kind in ("impact_level", "severity_line"):
        if kind in found:
            return kind, found[kind]
    return None


def _section_severity(title: str) -> str | None:
    t = _clean_inline(title)
    m = _SECTION_WORD_RE.search(t)
    if m:
        return m.group(1)
    m = _SECTION_HML_RE.search(t)
    if m:
        return next(g for g in m.groups() if g)
    return None


def _emoji_legend(text: str) -> dict[str, str]:
    votes: dict[str, Counter] = {}
    for emo, word in re.findall(_EMOJI + r"\s*[*_]*\s*" + _SEV + r"\b", text, flags=re.I):
        lvl = norm_severity(word)
        if lvl:
            votes.setdefault(emo, Counter())[lvl] += 1
    legend = dict(EMOJI_SEVERITY)
    for emo, c in votes.items():
        legend[emo] = c.most_common(1)[0][0]
    return legend


# ---------------------------------------------------------------------------------------------------------------
# Outline


@dataclass
class _Node:
    title: str
    level: int
    line: int  # line of the heading (-1 for the root)
    start: int  # first body line
    end: int = 0  # one past the last line of the subtree
    children: list[_Node] | None = None
    body_end: int = 0  # one past the last line before the first child
    doc_title: bool = False  # the sole top-level heading: never skipped as a section


@dataclass
class _Doc:
    lines: list[str]
    tokens: list
    fence_lines: set[int]
    fences: list[tuple[int, int, str]]  # (start, end, content)


def _headings(doc: _Doc) -> list[tuple[int, int, str]]:
    """(line, level, raw title) for headings and bold item markers, outside code."""
    out = []
    toks = doc.tokens
    for i, tk in enumerate(toks):
        if tk.level != 0 or not tk.map:
            continue
        if tk.type == "heading_open":
            out.append((tk.map[0], int(tk.tag[1]), toks[i + 1].content))
        elif tk.type == "paragraph_open":
            first = toks[i + 1].content.split("\n", 1)[0]
            m = re.match(r"^\s*([*_]{2,3})\s*(.+?)\s*\1\s*[:.]?\s*(.*)$", first)
            # "**Flaw 1 — Title**", "*** Flaw 2 ***", "**3. Title**" or plain "Issue 2: Title" start an item.
            if m and _ITEM_MARKER_RE.match(_clean_inline(m.group(2))) and len(m.group(3)) < 3:
                out.append((tk.map[0], 7, m.group(2)))
            elif _PLAIN_MARKER_RE.match(_clean_inline(first)):
                out.append((tk.map[0], 7, first))
    return out


_PLAIN_MARKER_RE = re.compile(r"^\s*(?:flaw|issue|failure|problem|finding|mistake)\s*[-–—#]?\s*\d+\s*(?:[:.\-—–]|$)", re.I)
_ERROR_LINE_RE = re.compile(r"^[\s│|>*╷╵]*(Error|Warning)\s*:\s*(\S.{3,})$")


def _outline(doc: _Doc) -> _Node:
    n = len(doc.lines)
    root = _Node("", 0, -1, 0, n, [], n)
    stack = [root]
    for line, level, title in _headings(doc):
        while stack[-1].level >= level:
            closed = stack.pop()
            closed.end = line
        node = _Node(title, level, line, line + 1, n, [], n)
        parent = stack[-1]
        if not parent.children:
            parent.body_end = line
        parent.children.append(node)
        stack.append(node)
    for node in stack:
        node.end = n
    _fix_body_end(root)
    node = root
    while len(node.children) == 1 and node.children[0].level <= 6:  # title chain: "# Report" > "## Task X" > sections
        node = node.children[0]
        node.doc_title = True
        if not node.children:
            break
    return root


def _fix_body_end(node: _Node) -> None:
    if not node.children:
        node.body_end = node.end
    for c in node.children:
        _fix_body_end(c)


# ---------------------------------------------------------------------------------------------------------------
# Items


@dataclass
class _Raw:
    raw_title: str
    start: int
    end: int
    sections: list[str]  # enclosing section titles, innermost last
    line: int
    kind: str = "heading"  # how the item was found: heading | marker | list | prose
    ordered: bool = False  # list items: from a numbered list


def _text(doc: _Doc, start: int, end: int, keep_code: bool = False) -> str:
    rows = [doc.lines[i] for i in range(start, min(end, len(doc.lines))) if keep_code or i not in doc.fence_lines]
    return "\n".join(rows).strip("\n")


def _visit(doc: _Doc, node: _Node, sections: list[str], out: list[_Raw], relaxed: bool = False) -> None:
    if node.level and not node.doc_title and _is_skip(node.title) and not (relaxed and not _HARD_SKIP_RE.search(_norm_title(node.title))):
        return
    # A part-like heading ("Issues Encountered") that holds numbered items is a section, not a part.
    kids = [c for c in node.children if not _is_part(c.title) or any(_is_numbered(g.title) for g in c.children)]
    # "### 3. Title" is an item (its sub-headings are its body) unless it numbers a group of numbered items.
    numbered = node.level and _is_numbered(node.title) and not any(_is_numbered(c.title) for c in node.children)
    if node.level and not node.doc_title and (numbered or (not kids and not _is_generic(node.title))):
        out.append(_Raw(node.title, node.start, node.end, sections, node.line, "marker" if node.level == 7 else "heading"))
        return
    inner = sections + [node.title] if node.level else sections
    before = len(out)
    if kids and node.level and _is_generic(node.title) and _section_severity(node.title):
        # "# High Priority Issues" with its own list before "## Medium Priority Issues": read that list too.
        _split_body(doc, node.start, node.body_end, inner, out, prose=False)
    for c in kids:
        _visit(doc, c, inner, out, relaxed)
    if len(out) == before:
        # A group heading with nothing below it but lists or prose: split its own body.
        _split_body(doc, node.start if node.level else 0, node.end if not kids else node.body_end, inner, out)
    if len(out) == before and node.level and not kids and not _is_generic(node.title):
        out.append(_Raw(node.title, node.start, node.end, sections, node.line))


def _split_body(doc: _Doc, start: int, end: int, sections: list[str], out: list[_Raw], prose: bool = True) -> None:
    toks = doc.tokens
    before = len(out)
    starts: list[tuple[int, int, str, list[str]]] = []  # (line, end line, raw title, sections)
    i = 0
    while i < len(toks):
        tk = toks[i]
        if tk.level == 0 and tk.map and tk.type in ("bullet_list_open", "ordered_list_open") and start <= tk.map[0] < end:
            j = i + 1
            while j < len(toks) and not (toks[j].level == 0 and toks[j].type == tk.type.replace("_open", "_close")):
                t2 = toks[j]
                if t2.type == "list_item_open" and t2.level == 1:
                    _list_item(doc, toks, j, sections, starts, tk.type == "ordered_list_open")
                j += 1
            i = j
        i += 1
    if starts:
        starts.sort()
        top_ordered = [st for st in starts if st[4] == "ordered"]
        if len(top_ordered) >= 2:
            # "1. Title" lines with loose bullets after each: the numbers start items, the bullets are their bodies.
            starts = [st for st in starts if st[4] != "bullet"]
        for k, (line, iend, title, secs, kind) in enumerate(starts):
            ordered = kind == "ordered"
            nxt = starts[k + 1][0] if k + 1 < len(starts) else end
            # Unindented paragraphs after a one-line numbered note belong to it (plain numbered notes).
            stop = max(iend, nxt) if iend <= nxt else iend
            out.append(_Raw(title, line + 1, min(stop, end), secs, line, "list", ordered))
        return
    # Indented blocks of "Label:" lines (markdown turns them into code blocks): one item per top-level label.
    for tk in toks:
        if tk.level == 0 and tk.type == "code_block" and tk.map and start <= tk.map[0] < end:
            rows = [(i, doc.lines[i]) for i in range(tk.map[0], min(tk.map[1], len(doc.lines))) if doc.lines[i].strip()]
            indent = min((len(r) - len(r.lstrip()) for _, r in rows), default=0)
            labels = [i for i, r in rows if len(r) - len(r.lstrip()) == indent and r.rstrip().endswith(":")
                      and len(r.split()) <= 10]
            for k, i in enumerate(labels):
                stop = labels[k + 1] if k + 1 < len(labels) else tk.map[1]
                out.append(_Raw(doc.lines[i].strip(), i + 1, stop, sections, i, "list"))
    if len(out) > before or not prose:
        return
    # Prose: one item per paragraph that reads like a failure statement.
    for tk_i, tk in enumerate(toks):
        if tk.level == 0 and tk.type == "paragraph_open" and tk.map and start <= tk.map[0] < end:
            content = toks[tk_i + 1].content.strip()
            if len(content) >= 40 and _FAILURE_HINT_RE.search(content):
                first = re.split(r"(?<=[.!?])\s|\n", content, maxsplit=1)[0]
                out.append(_Raw(first[:160], tk.map[0], tk.map[1], sections, tk.map[0], "prose"))


_FAILURE_HINT_RE = re.compile(
    r"\b(miss(ing|es)?|lacks?|fail(s|ed|ure)?|error|incorrect|wrong\w*|not|never|cannot|\w+n't|invalid|not (defined|declared|set|configured|supported"
    r"|included|provided)|no\b|without|hard-?coded|deprecated|insecure|broken|truncated|undefined|unused|should)\b",
    re.I,
)


def _list_item(doc: _Doc, toks: list, j: int, sections: list[str], starts: list, ordered: bool) -> None:
    tk = toks[j]
    s, e = tk.map
    first = doc.lines[s] if s < len(doc.lines) else ""
    label = re.sub(r"^\s*(?:[-*+•]|\d+[.)])\s+", "", first)
    # Nested list items directly under this one.
    nested = []
    depth = 0
    k = j + 1
    while k < len(toks) and not (toks[k].type == "list_item_close" and toks[k].level == 1):
        t = toks[k]
        if t.type == "list_item_open" and t.level == 3:
            nested.append(k)
        depth += 1
        k += 1
    words = len(_clean_inline(label).split())
    labelish = label.rstrip().endswith(":") or words <= 8
    if nested and labelish and not _FAILURE_DETAIL_RE.search(label):
        for k in nested:
            ns, ne = toks[k].map
            ntitle = re.sub(r"^\s*(?:[-*+•]|\d+[.)])\s+", "", doc.lines[ns])
            starts.append((ns, ne, ntitle, sections + [_clean_inline(label)], "nested"))
    else:
        starts.append((s, e, label, sections, "ordered" if ordered else "bullet"))


_FAILURE_DETAIL_RE = re.compile(r"`|\b(is|are|was|were|has|have|does|do|not)\b", re.I)


# Terraform's wrapper lines around the real error say nothing about the failure.
_WRAPPER_ERROR_RE = re.compile(r"encountered problems|exited with code|^terraform (init|plan|apply) failed", re.I)


def _error_items(doc: _Doc) -> list[_Raw]:
    """Reports that are only pasted terraform output: one item per distinct error/warning message."""
    hits = []
    seen = set()
    for i, line in enumerate(doc.lines):
        m = _ERROR_LINE_RE.match(line)
        if m and m.group(2).strip() not in seen and not _WRAPPER_ERROR_RE.search(m.group(2)):
            seen.add(m.group(2).strip())
            hits.append(i)
    return [
        _Raw(doc.lines[i], i + 1, hits[k + 1] if k + 1 < len(hits) else len(doc.lines), [], i, "error_log")
        for k, i in enumerate(hits)
    ]


def _fallback_title(doc: _Doc, raw: _Raw) -> str:
    """Title for a bare marker ("Flaw 3"): the first error message under it, else its first line of text."""
    first = ""
    for i in range(raw.start, min(raw.end, len(doc.lines))):
        line = doc.lines[i]
        m = _ERROR_LINE_RE.match(line)
        if m and not _WRAPPER_ERROR_RE.search(m.group(2)):
            return _clean_inline(f"{m.group(1)}: {m.group(2)}")
        if not first and line.strip() and not line.strip().startswith(("```", "~~~")) and re.search(r"[A-Za-z]{3}", line):
            first = _clean_inline(re.sub(r"^[\s│|>╷╵]+", "", line))
    return first[:160] or _clean_inline(raw.raw_title)


def _snippets(doc: _Doc, start: int, end: int) -> tuple[str | None, str | None]:
    model: list[str] = []
    ideal: list[str] = []
    side = None
    fences = {s: (e, c) for s, e, c in doc.fences}
    i = start
    while i < end:
        if i in fences:
            e, content = fences[i]
            if side == "model":
                model.append(content.rstrip("\n"))
            elif side == "ideal":
                ideal.append(content.rstrip("\n"))
            i = max(e, i + 1)
            continue
        line = doc.lines[i].strip()
        if line:
            lab = _clean_inline(re.sub(r"^(#+|[-*+]|\d+[.)])\s*", "", line))
            head = lab.split(":", 1)[0] if ":" in lab[:60] else lab
            if len(head) <= 60 and (line.startswith("#") or line.startswith("**") or ":" in lab[:60] or len(lab) <= 40):
                if _MODEL_LABEL_RE.match(head):
                    side = "model"
                elif _IDEAL_LABEL_RE.match(head):
                    side = "ideal"
                elif line.startswith("#") or (line.startswith("**") and _is_part(head)):
                    side = None
        i += 1
    return ("\n\n".join(model) or None), ("\n\n".join(ideal) or None)


# ---------------------------------------------------------------------------------------------------------------
# Summary tables


def _tables(doc: _Doc) -> list[tuple[str, str]]:
    """(row key, severity word) for table rows that carry a severity cell."""
    rows: list[tuple[str, str]] = []
    toks = doc.tokens
    i = 0
    while i < len(toks):
        if toks[i].type == "tr_open":
            cells = []
            j = i + 1
            while toks[j].type != "tr_close":
                if toks[j].type == "inline":
                    cells.append(toks[j].content)
                j += 1
            sev = None
            for c in cells[1:]:
                m = re.fullmatch(r"[\s*_`]*" + _EMOJI + r"?[\s*_`]*" + _SEV + r"[\s*_`]*(?:[-–(].*)?", c, flags=re.I)
                if m:
                    sev = m.group(2)
                    break
            if sev and cells:
                rows.append((cells[0], sev))
            i = j
        i += 1
    return rows


def _words(s: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", _norm_title(s)) if w not in {"the", "and", "of", "in", "a", "to", "for"}}


def _table_match(key: str, index: int, title: str) -> bool:
    k = _clean_inline(key)
    m = re.match(r"^#?\s*(\d+)\b", k)
    if m:
        return int(m.group(1)) == index
    kw, tw = _words(k), _words(title)
    if not kw or not tw:
        return False
    inter = len(kw & tw)
    return inter == len(kw) or inter / len(kw | tw) >= 0.6


# ---------------------------------------------------------------------------------------------------------------
# Entry points

_PLACEHOLDER_RE = re.compile(
    r"^\W*(insert here|placeholder|todo|tbd|n/?a|none|nothing to report)\b|\b(no|zero) (\w+ )?(failures|issues|errors|problems)\b"
    r"|successfully|without (any )?(issues|errors|failures|problems)",
    re.I,
)


def _to_text(text) -> str:
    if text is None:
        return ""
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return ""
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def is_placeholder(text: str | bytes | None) -> bool:
    """True for empty reports and template placeholders / one-line "no failures" notes."""
    t = _to_text(text).strip()
    if not t:
        return True
    return len(t) < 200 and bool(_PLACEHOLDER_RE.search(_clean_inline(t)))


def parse_report(text: str | bytes | None) -> list[ReportItem]:
    """Items of one failure report, in document order. Never raises; unparseable input gives ``[]``."""
    try:
        return _parse(_to_text(text))[0]
    except Exception:  # noqa: BLE001 - a report must never break a batch run
        return []


SHAPES = (
    "empty", "reference_template", "severity_line", "title_tag", "table", "section", "flaw_markers",
    "numbered_notes", "bullets_prose", "headings_no_severity",
)


def report_shape(text: str | bytes | None) -> str:
    """Which of the known report shapes a report has (for benchmarks and corpus statistics)."""
    try:
        items, raws = _parse(_to_text(text))
    except Exception:  # noqa: BLE001
        return "empty"
    if not items:
        return "empty"
    sources = {it.severity_source for it in items}
    kinds = {r.kind for r in raws}
    if "impact_level" in sources:
        return "reference_template"
    if "severity_line" in sources:
        return "severity_line"
    if sources & {"title_tag", "emoji"}:
        return "title_tag"
    if "table" in sources:
        return "table"
    if "section" in sources:
        return "section"
    if "marker" in kinds:
        return "flaw_markers"
    if kinds == {"list"} and all(r.ordered for r in raws):
        return "numbered_notes"
    if kinds <= {"list", "prose"}:
        return "bullets_prose"
    return "headings_no_severity"


def _parse(text: str) -> tuple[list[ReportItem], list[_Raw]]:
    from drdata.corpus.report_mapping import map_category

    if is_placeholder(text):
        return [], []
    # A whole report wrapped in one ```markdown fence: read what is inside.
    m = re.fullmatch(r"\s*(```|~~~)\s*(?:markdown|md)\s*\n(.*?)(?:\n\1\s*)?", text, flags=re.S)
    if m:
        text = m.group(2)
    lines = text.split("\n")
    tokens = _MD.parse(text)
    fence_lines: set[int] = set()
    fences = []
    for tk in tokens:
        if tk.type == "fence" and tk.map:
            fence_lines.update(range(tk.map[0], tk.map[1]))
            fences.append((tk.map[0], tk.map[1], tk.content))
    doc = _Doc(lines, tokens, fence_lines, fences)
    raws: list[_Raw] = []
    root = _outline(doc)
    _visit(doc, root, [], raws)
    if not raws:  # everything sat under "Summary"-like headings: read those too, but never strengths etc.
        _visit(doc, root, [], raws, relaxed=True)
    if not raws:
        raws = _error_items(doc)
    legend = _emoji_legend(text)
    table_rows = _tables(doc)
    items: list[ReportItem] = []
    for raw in raws:
        title = _clean_title(raw.raw_title) or _fallback_title(doc, raw)
        if not title:
            continue
        body = _text(doc, raw.start, raw.end)
        body_lines = body.split("\n")
        sev_word = source = None
        lab = _label_severity(body_lines)
        if lab:
            source, sev_word = lab
        if not sev_word:
            sev_word = _title_tag(raw.raw_title)
            source = "title_tag" if sev_word else None
        if not sev_word:
            emo = _title_emoji(raw.raw_title, legend)
            if emo:
                sev_word, source = emo, "emoji"
        if not sev_word:
            for key, word in table_rows:
                if _table_match(key, len(items) + 1, title):
                    sev_word, source = word, "table"
                    break
        if not sev_word:
            for sec in reversed(raw.sections):
                w = _section_severity(sec)
                if w:
                    sev_word, source = w, "section"
                    break
        severity = legend.get(sev_word) if source == "emoji" else norm_severity(sev_word)
        if severity is None:
            sev_word = source = None
        elif source != "emoji":
            sev_word = sev_word.strip()
        model_snip, ideal_snip = _snippets(doc, raw.start, raw.end)
        section = _clean_title(raw.sections[-1]) if raw.sections else None
        items.append(
            ReportItem(
                index=len(items) + 1,
                title=title,
                severity=severity,
                severity_raw=sev_word,
                severity_source=source,
                body=body.strip(),
                model_snippet=model_snip,
                ideal_snippet=ideal_snip,
                category=map_category(title, body, section),
                section=section or None,
            )
        )
    return items, raws


def report_items_frame(items_by_task: dict[str, list[ReportItem]]) -> pd.DataFrame:
    """One row per item with its ``task_id``, sorted by (task_id, index)."""
    rows = [{"task_id": tid, **asdict(it)} for tid in sorted(items_by_task) for it in items_by_task[tid]]
    df = pd.DataFrame(rows, columns=ITEM_COLUMNS)
    df["index"] = df["index"].astype("int64")
    return df.reset_index(drop=True)
