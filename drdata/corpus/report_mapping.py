"""Map a report item to one taxonomy category with keyword rules kept as data.

The title decides first: the first rule (in ``RULES`` order) whose *strong*
pattern matches the title wins. A title that only matches a *weak* pattern
("Missing Critical Resources" could mean an undefined reference or a truncated
answer) lets the body overrule it when the body clearly points elsewhere. With
no title match the body (code already stripped) decides by counting matches per
category, then the enclosing section heading. Otherwise ``other``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drdata.detectors.registry import all_categories

OTHER = "other"
TOPICS = "--topics--"  # marker in RULES: rules after it are topic nouns, decided by position in the title


@dataclass(frozen=True)
class Rule:
    category: str
    strong: str  # regex; a title match decides
    weak: str | None = None  # regex; a title match decides only if the body does not point elsewhere


# Not code failures: tests, documentation, process. Title only, and only when the title starts with it
# ("Deletion Protection Enabled (Testing Blocker)" stays a code failure). It runs before every category's rules.
_OTHER_RULE = Rule(
    OTHER,
    r"^\W*(?:(?:missing|no|inadequate|incomplete|insufficient|wrong|incorrect|failing|comprehensive|lack|of|and|poor"
    r"|limited|weak|broken|placeholder|basic|proper|complete)\W+){0,3}(unit tests?|integration tests?|tests?( suite| coverage"
    r"| files?| cases?)?|testing|jest|readme|documentation|docs|comments|explanations?|turns?|reasoning|code quality)\b"
    r"|^\W*(?:[\w-]+\W+){0,4}(documentation|docs|comments|readme)\W*$",  # separators required: linear time
)


def _rules() -> tuple[tuple[Rule, ...], frozenset[str]]:
    """Every category's report rules in one sequence: the ``other`` rule, the specific rules by order, the
    marker, the topic rules by order; and the categories whose topic rules name a kind of failure."""
    cats = all_categories()
    placed = sorted((r.topic, r.order, c.id, r) for c in cats for r in c.report_rules)
    if len({(topic, order) for topic, order, _c, _r in placed}) != len(placed):
        raise ValueError("two report rules share an order: give each its own place")
    specific = [Rule(cid, r.strong, r.weak) for topic, _o, cid, r in placed if not topic]
    topics = [Rule(cid, r.strong, r.weak) for topic, _o, cid, r in placed if topic]
    kinds = frozenset(c.id for c in cats for r in c.report_rules if r.kind_topic)
    return (_OTHER_RULE, *specific, Rule(TOPICS, ""), *topics), kinds


# The category ids the rules may produce: every category but the opt-in ones, in the categories' number order.
CATEGORY_IDS: tuple[str, ...] = tuple(c.id for c in all_categories() if not c.opt_in)
# Order matters for titles: more specific rules come before the broad ones they overlap with. The rules are
# declared with their categories (drdata/catalog/<id>.py, ``report_rules``).
RULES, KIND_TOPICS = _rules()  # KIND_TOPICS: "Security group naming" is about naming, not security groups

_SPLIT = next(i for i, r in enumerate(RULES) if r.category == TOPICS)


def _compile(rules: tuple[Rule, ...]) -> tuple:
    # Rules are written in lower case and matched against lower-cased text: the same matches as re.I,
    # 2.5x faster (the body vote runs ~50 patterns over every item body).
    return tuple((r.category, re.compile(r.strong), re.compile(r.weak) if r.weak else None) for r in rules)


# Specific rules: the first (in order) that matches the title wins. Topic rules: the match nearest the start of
# the title wins ("Multi-AZ only partially implemented in 2 AZs" is about availability, not hard-coded AZs).
_SPECIFIC = _compile(RULES[:_SPLIT])
_TOPIC = _compile(RULES[_SPLIT + 1:])
_COMPILED = _SPECIFIC + _TOPIC


def known_category_ids() -> list[str]:
    """The ids the mapping may produce, in the categories' number order (the 12 reference ones first)."""
    return list(CATEGORY_IDS)


def _strip_code(text: str) -> str:
    text = re.sub(r"```.*?(```|$)", " ", text, flags=re.S)
    return text


def map_title(title: str) -> tuple[str | None, str | None]:
    """(strong category, weak category) for a title; either may be None. ``other`` is a decision, too."""
    title = title.lower()
    weak = None
    for cid, strong_rx, weak_rx in _SPECIFIC:
        if cid == OTHER:
            if strong_rx.search(title):
                return OTHER, None
            continue
        if strong_rx.search(title):
            return cid, None
        if weak is None and weak_rx is not None and weak_rx.search(title):
            weak = cid
    best = None
    for i, (cid, strong_rx, _weak) in enumerate(_TOPIC):
        m = strong_rx.search(title)
        if m:
            key = (cid not in KIND_TOPICS, m.start(), i)
            if best is None or key < best[0]:
                best = (key, cid)
    return (best[1] if best else None), weak


def _body_vote(body: str) -> tuple[str | None, int]:
    body = body.lower()
    scores: dict[str, int] = {}
    order: dict[str, int] = {}
    for i, (cid, strong_rx, _weak) in enumerate(_COMPILED):
        if cid == OTHER:
            continue
        # Specific rules name a failure; topic rules only name a service, so they count half.
        n = len(strong_rx.findall(body)) * (2 if i < len(_SPECIFIC) else 1)
        if n:
            scores[cid] = scores.get(cid, 0) + n
            order.setdefault(cid, i)
    if not scores:
        return None, 0
    best = max(scores, key=lambda c: (scores[c], -order[c]))
    return best, scores[best]


MAX_TITLE_CHARS = 400
MAX_BODY_CHARS = 20_000


def map_category(title: str, body: str = "", section: str | None = None) -> str:
    """One category id for a report item, or ``"other"``."""
    # Some rules backtrack on very long runs of word characters; no real title or body needs more than this.
    title = (title or "")[:MAX_TITLE_CHARS]
    body = (body or "")[:MAX_BODY_CHARS]
    section = section[:MAX_TITLE_CHARS] if section else section
    strong, weak = map_title(title)
    if strong:
        return strong
    body_best, count = _body_vote(_strip_code(body or ""))
    if weak:
        return body_best if body_best and body_best != weak and count >= 4 else weak
    if body_best:
        return body_best
    if section:
        s_strong, s_weak = map_title(section)
        if s_strong or s_weak:
            return s_strong or s_weak
    return OTHER
