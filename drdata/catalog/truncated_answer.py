"""truncated_answer: the answer is cut off or leaves placeholders instead of code."""

from __future__ import annotations

import re
from collections.abc import Iterator

from drdata.detectors.registry import Category, ReportRule, declare, detector, hit_at
from drdata.extract.markdown import open_braces
from drdata.hcl.model import TerraformConfig

CATEGORY = declare(Category(
    id="truncated_answer",
    number=29,
    theme="code",
    area="syntax",
    title="Truncated or Incomplete Answer",
    severity="Critical",
    rule_set="aws",
    what="The answer stops mid-file (an unclosed code fence or unbalanced braces at the end) or leaves placeholders instead of code (`# ... rest is similar`, `...` as a value, `<your-bucket>`, `# TODO: add`).",
    root_cause="Output-length limits cut long answers; models also abbreviate repetitive parts, assuming the reader fills them in.",
    impact="The configuration is incomplete: it does not parse or lacks resources the rest refers to, so the deployment fails or builds a different system.",
    fix="Write every file in full; split the answer into several files rather than abbreviating, and replace placeholders with variables.",
    report_rules=(
        ReportRule(order=290, strong=(
            r"truncat\w*|\bmid-(resource|block|file|line|configuration|statement)\b|incomplete (\w+ )?(response|answer|output|code|configuration|implementation|file|deliverable|solution|infrastructure|stack|hcl)"
            r"|cut off|cuts off|ends? mid|unfinished|partial (\w+ )?(response|implementation|configuration|code)|missing implementation"
            r"|(missing|absent|omitted|lacks?|no) (\w+ ){0,2}(requirements?|infrastructure|services?|functionality|features?|layers?|architecture|tiers?)"
            r"|(unable|not able|failed|fails) to (generate|provide|give|complete|finish) (the |a )?(full|complete|entire|whole)"
            r"|(multiple|\d+|several) turns|single (turn|go)\b"
            r"|completeness|missing (entire|whole)|(requirements?|scope) (not met|gaps?|missed|coverage)"
            r"|not self-contained"
        ), weak=r"missing (\w+ ){0,2}(resources?|components?)|incomplete|missing (core|required|critical|key|essential|major)|not implemented"),
    ),
    title_rule=(
        r"truncat|cut off|incomplete (response|answer|output|code|file)|ends mid|unterminated"
        r"|placeholder"
    ),
))


# Placeholder lines: an ellipsis standing for code, "rest is similar" comments, fill-in markers.
_PLACEHOLDERS = [
    (re.compile(r"^\s*(\.\.\.|…)\s*,?\s*$"), "`...` stands for omitted code", False),
    (re.compile(r"=\s*(\.\.\.|…)\s*(#.*|//.*)?$"), "`...` used as a value", False),
    (re.compile(r"[\[{(]\s*(\.\.\.|…)\s*[\]})]"), "`...` used as a value", False),
    (re.compile(r"^\s*(#|//)\s*(\.\.\.|…)\s*$"), "`# ...` marks omitted code", True),
    (re.compile(r"^\s*(#|//|/\*)\s*(\.\.\.|…)?\s*\(?\s*(the\s+)?(rest|remaining|other|additional|more|similar|same)\b"
                r"[^\n]*\b(similar|same|above|before|omitted|here|follow|pattern|previous|unchanged|as\b|etc)",
                re.I), "comment says code was left out", True),
    (re.compile(r"^\s*(#|//|/\*)[^\n]*(\.\.\.|…)\s*\(?\s*(existing|previous|same|other|rest|remaining|omitted|"
                r"unchanged|truncated|continue)", re.I), "comment says code was left out", True),
    (re.compile(r"^\s*(#|//|/\*)\s*(same as (above|before)|(code|configuration|content) (omitted|truncated)|"
                r"truncated|omitted for brevity|for brevity)", re.I), "comment says code was left out", True),
    (re.compile(r"^\s*(#|//)\s*TODO\s*:?\s*(add|implement|fill|complete|define|write|configure)\b", re.I),
     "TODO left where code belongs", True),
    (re.compile(r"[\"=]\s*<\s*(your|YOUR|insert|INSERT|replace|REPLACE)[-_ ][^>\n]{1,40}>"),
     "fill-in placeholder `<your-...>`", False),
]


_HEREDOC_OPEN = re.compile(r"<<-?\s*([A-Za-z_]\w*)\s*$")
# Marks of the only lines that can hold a placeholder or open a heredoc: comment starts (when only blanks
# precede them), an ellipsis, a '<' (fill-ins, heredoc openers). Every alternative starts with a literal, so
# the regex engine skips ahead between them: 3x faster than looking at every line in Python.
_MARKS = re.compile(r"#|//|/\*|\.\.\.|…|<")


def _candidate_lines(text: str) -> Iterator[int]:
    """Indices (in ``text.split("\\n")``) of candidate lines, ascending, each once."""
    line, pos, last = 0, 0, -1
    for m in _MARKS.finditer(text):
        start = m.start()
        line += text.count("\n", pos, start)
        pos = start
        if line == last:
            continue
        if m.group()[0] in "#/" and text[text.rfind("\n", 0, start) + 1:start].strip():
            continue  # a comment mark after code: the line counts only for its other marks
        last = line
        yield line


def _cut_statement(line: str) -> bool:
    """The line stops inside a string or right after an operator: the text was cut there."""
    code = line.split(" #", 1)[0].rstrip()
    if not code.strip() or code.lstrip().startswith(("#", "//")):
        return False
    quotes = len(re.findall(r'(?<!\\)"', code))
    return quotes % 2 == 1 or code.endswith(("=", "(", "[", ",", "&&", "||", "?", ":"))


@detector(category="truncated_answer")
def truncated_answer(cfg: TerraformConfig):
    """Flags an unclosed code fence, a last code block ending inside a block, and placeholder code.

    Why: an incomplete configuration does not parse or lacks what the rest refers to.
    Fix: write every file in full; replace placeholders by code or variables.
    """
    if not cfg.code_blocks:
        return
    for cb in cfg.code_blocks:
        if cb.unterminated:
            end = cb.line + cb.text.count("\n")
            yield hit_at(cb.file or "answer", "code_block", cb.file, end,
                         f"{cb.file or 'answer'}: code fence opened at line {cb.line - 1} is never closed",
                         cb.text.strip().split("\n")[-1] if cb.text.strip() else "")
    last = cfg.code_blocks[-1]
    end = last.line + last.text.rstrip().count("\n")
    tail = last.text.rstrip().split("\n")[-1] if last.text.strip() else ""
    unclosed = 0 if last.unterminated else open_braces(last.text)
    if cfg.truncated and not any(cb.unterminated for cb in cfg.code_blocks) and unclosed <= 0:
        yield hit_at("answer", "code_block", None, None, "answer: cut off (marked truncated by extraction)")
    if unclosed > 0:
        yield hit_at(last.file or "answer", "code_block", last.file, end,
                     f"{last.file or 'answer'}: last code block ends with {unclosed} unclosed brace(s)",
                     tail)
    elif _cut_statement(tail):
        yield hit_at(last.file or "answer", "code_block", last.file, end,
                     f"{last.file or 'answer'}: last code block ends mid-statement: `{tail.strip()[:60]}`", tail)
    named = any(cb.file for cb in cfg.code_blocks)
    for cb in cfg.code_blocks:
        if named and not cb.file:
            continue  # answers that name their files quote excerpts in unnamed blocks: "# ..." there is prose
        lines = cb.text.split("\n")
        after_heredoc = -1  # lines up to this index sit inside a heredoc: its text, not code
        for off in _candidate_lines(cb.text):
            if off <= after_heredoc:
                continue
            line = lines[off]
            m = _HEREDOC_OPEN.search(line) if "<<" in line else None
            if m:
                after_heredoc = next((j for j in range(off + 1, len(lines)) if lines[j].strip() == m.group(1)),
                                     len(lines))
            comment = line.lstrip().startswith(("#", "//", "/*"))
            if not comment and "..." not in line and "…" not in line and "<" not in line:
                continue  # every non-comment pattern needs an ellipsis or a <fill-in>
            for rx, why, in_comment in _PLACEHOLDERS:
                if comment and not in_comment:
                    continue
                if rx.search(line):
                    ln = cb.line + off
                    yield hit_at(f"{cb.file or 'answer'}:{ln}", "placeholder", cb.file, ln,
                                 f"{cb.file or 'answer'} line {ln}: {why}: `{line.strip()[:80]}`", line.strip())
                    break
