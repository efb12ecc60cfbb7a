"""What a CommonMark renderer makes of a generated report: text outside code that came from code.

A generated report may use Markdown for its own structure (``**Impact Level**``, ``*subtask*``), but every
identifier, value and message fragment taken from the answers must sit in a code span or a fenced block; a
``$`` there is MathJax bait in JupyterLab, a ``*`` or ``_`` is emphasis bait everywhere.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

# Words the report template itself writes outside code (file and section names of the reference report).
TEMPLATE_WORDS = re.compile(r"\b(MODEL_RESPONSE|IDEAL_RESPONSE|MODEL_FAILURES)\b")
ALLOWED_STRONG = {"Impact Level", "MODEL_RESPONSE Issue", "IDEAL_RESPONSE Fix", "Root Cause", "Impact",
                  "Total failures categorized", "Critical", "High", "Medium", "Low",
                  "Still present in IDEAL_RESPONSE (not counted)", "Only in IDEAL_RESPONSE (not counted)",
                  "IDEAL_RESPONSE", "Fixed in IDEAL_RESPONSE", "Not repaired in IDEAL_RESPONSE",
                  "Could not be decided", "Detector faults", "Taxonomy"}
BAD = re.compile(r"[$*_]")

_MD = MarkdownIt("commonmark").enable("table")


def leaks(markdown: str, allowed_emphasis: set[str] = frozenset()) -> list[str]:
    """Problems in ``markdown``: ``$``, ``*`` or ``_`` in plain text, raw HTML, emphasis the template did not
    write. Empty when the report renders as intended."""
    problems = []
    for tok in _MD.parse(markdown):
        if tok.type in ("html_block",):
            problems.append(f"raw HTML block: {tok.content[:80]!r}")
        if tok.type != "inline" or not tok.children:
            continue
        children = tok.children
        skip: set[int] = set()  # text inside emphasis the template wrote (task metadata, not code)
        for i, ch in enumerate(children):
            if ch.type == "text" and i not in skip:
                text = TEMPLATE_WORDS.sub("", ch.content)
                if BAD.search(text):
                    problems.append(f"{BAD.search(text).group()!r} outside code in line {tok.map[0] + 1 if tok.map else '?'}: "
                                    f"{tok.content[:160]!r}")
            elif ch.type == "html_inline":
                problems.append(f"raw HTML {ch.content!r} in: {tok.content[:160]!r}")
            elif ch.type in ("strong_open", "em_open"):
                close = ch.type.replace("open", "close")
                inner = []
                for j, nxt in enumerate(children[i + 1:], start=i + 1):
                    if nxt.type == close:
                        break
                    inner.append(nxt.content if nxt.type != "code_inline" else f"`{nxt.content}`")
                    skip.add(j)
                text = "".join(inner)
                if ch.type == "strong_open" and text not in ALLOWED_STRONG:
                    problems.append(f"bold text the template did not write: {text!r}")
                if ch.type == "em_open" and text not in allowed_emphasis:
                    problems.append(f"italics the template did not write: {text!r}")
    return problems
