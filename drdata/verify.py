"""Verify one Terraform answer, offline and in milliseconds: parse health, findings, and a certificate.

``verify(answer_markdown, prompt=None)`` parses the markdown answer (``drdata.hcl.parse_answer``), runs every
detector of the taxonomy on it (``drdata.detectors.registry.run_detector``; the prompt's explicit requirements
feed the convention rules, as when labelling) and returns a :class:`Verdict`. ``Verdict.feedback()`` is a short,
deterministic Markdown certificate (each failure with its line and the fix hint of its category) meant to be
handed back to a model for self-correction; :mod:`drdata.rewards` turns verdicts into scalar rewards.

Safe on any text: ``verify`` never raises (a failure inside becomes ``Verdict.error``) and reads at most
``max_chars`` characters of the answer. Its time is bounded by ``time_budget`` seconds: in the main thread a
timer interrupts a detector that runs past it (one rule on one answer of the shared corpus takes minutes: its
value resolution grows exponentially through module inputs); in other threads the budget is checked between
detectors. The categories not checked are listed in ``Verdict.skipped`` and ``Verdict.timed_out`` is set.
``Verdict.schema_valid`` is the verdict of the provider-schema rules (types, arguments, required arguments, block
limits of the shipped AWS schema): False on any finding, True when all of them ran on a cleanly parsed answer and
could decide, else None.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
import types
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache

from drdata.taxonomy import SEVERITIES, SEVERITY_RANK

MAX_CHARS = 300_000  # longer answers are cut here (and counted as truncated)
MAX_PROMPT_CHARS = 60_000  # the prompt is read up to here (the longest corpus prompt has 35,000)
TIME_BUDGET = 0.5  # seconds per answer; the detectors not run by then are skipped
FEEDBACK_ITEMS = 20


@dataclass(frozen=True)
class Problem:
    """One failure found in the answer."""

    category: str
    title: str
    severity: str
    rule_set: str  # aws | convention
    detector: str
    address: str
    file: str | None
    line: int | None  # line in the answer markdown
    message: str
    fix: str  # how to fix a failure of this category (from the taxonomy)


@dataclass(frozen=True)
class ParseHealth:
    code_blocks: int  # Terraform code blocks found in the markdown
    blocks_parsed: int  # of them, parsed without error
    errors: tuple[tuple[int, str], ...]  # (line, reason) of each parse error
    truncated: bool  # the answer was cut off (unclosed fence, cut mid-block, or longer than max_chars)
    resources: int  # managed resources declared
    objects: int  # every top-level object (resources, data, variables, outputs, modules, locals, ...)

    @property
    def no_terraform(self) -> bool:
        """No Terraform at all: nothing declared and nothing that failed to parse."""
        return self.objects == 0 and not self.errors

    @property
    def clean(self) -> bool:
        return self.objects > 0 and not self.errors and not self.truncated


@dataclass(frozen=True)
class Verdict:
    parse: ParseHealth
    problems: tuple[Problem, ...]
    unknown: tuple[str, ...] = ()  # categories a detector could not decide (a value behind a variable, ...)
    skipped: tuple[str, ...] = ()  # categories not run: the time budget was spent
    schema_valid: bool | None = None  # the provider-schema rules: False on a finding, None when they could not tell
    error: str | None = None  # what went wrong inside verify, if anything (the verdict is then empty)
    timed_out: bool = False  # the time budget ran out: some categories were not checked (see skipped)
    prompt_read: bool = False  # the prompt's requirements were read (False without a prompt, or out of time)
    categories_checked: int = 0
    _meta: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        """Parsed cleanly, every category checked, and no failure found."""
        return self.error is None and self.parse.clean and not self.problems and not self.skipped

    def by_category(self) -> dict[str, int]:
        return dict(sorted(Counter(p.category for p in self.problems).items()))

    def by_severity(self) -> dict[str, int]:
        c = Counter(p.severity for p in self.problems)
        return {s: c.get(s, 0) for s in SEVERITIES}

    def feedback(self, max_items: int = FEEDBACK_ITEMS) -> str:
        """A short Markdown certificate for self-correction: parse problems, then each failure (most severe
        first, then by line) with where it is and how to fix it. The same verdict always gives the same text."""
        p = self.parse
        out = ["## Verification"]
        if self.error:
            return "\n".join(out + ["", f"The answer could not be verified: {self.error}."])
        if p.no_terraform:
            return "\n".join(out + ["", "No Terraform code found: answer with the configuration in ```hcl code "
                                    "blocks, one per file, each starting with a comment naming the file "
                                    "(`# main.tf`)."])
        counts = ", ".join(f"{n} {s}" for s, n in self.by_severity().items() if n)
        head = (f"{p.code_blocks} code block(s), {p.resources} resource(s); "
                + (f"{len(self.problems)} failure(s): {counts}." if self.problems else "no failure found."))
        out += ["", head]
        if p.truncated:
            out += ["", "- **The answer is cut off**: finish every block and close every code fence."]
        for line, reason in p.errors[:5]:
            out += [f"- **Syntax error** (line {line}): {reason}. Fix the HCL so that it parses."]
        if len(p.errors) > 5:
            out += [f"- ... and {len(p.errors) - 5} more syntax errors."]
        shown = sorted(self.problems, key=lambda q: (SEVERITY_RANK.get(q.severity, 9), q.line or 0, q.category,
                                                      q.address, q.message))
        fixes_given: set[str] = set()
        if shown:
            out += [""]
        for q in shown[:max_items]:
            where = f"line {q.line}" if q.line else q.address
            if q.file:
                where = f"{q.file}, {where}"
            item = f"- **{q.severity}: {q.title}** ({where}): {q.message}"
            if q.category not in fixes_given and q.fix:
                item += f"\n  Fix: {q.fix}"
                fixes_given.add(q.category)
            out.append(item)
        if len(shown) > max_items:
            rest = Counter(q.title for q in shown[max_items:])
            out.append(f"- ... and {len(shown) - max_items} more: "
                       + ", ".join(f"{t} ({n})" for t, n in sorted(rest.items(), key=lambda kv: (-kv[1], kv[0]))))
        if self.skipped:
            out += ["", f"Not checked (time budget spent): {', '.join(self.skipped)}."]
        return "\n".join(out)


def _empty(error: str | None = None) -> Verdict:
    return Verdict(ParseHealth(0, 0, (), False, 0, 0), (), error=error)


def _objects(cfg) -> int:
    return (len(cfg.resources) + len(cfg.data) + len(cfg.modules) + len(cfg.variables) + len(cfg.outputs)
            + len(cfg.providers) + len(cfg.terraform) + len(cfg.locals))


def verify(answer_markdown: str | None, prompt: str | None = None, *, taxonomy: str = "full",
           categories: list[str] | None = None, backend: str | None = None, cache: object = False,
           max_chars: int = MAX_CHARS, time_budget: float = TIME_BUDGET) -> Verdict:
    """Verify a markdown answer (``prompt``: the task's prompt, whose explicit requirements the convention
    rules follow). Never raises."""
    try:
        return _verify(answer_markdown, prompt, taxonomy, categories, backend, cache, max_chars, time_budget)
    except Exception as exc:  # never let one odd answer stop a training loop
        return _empty(f"{type(exc).__name__}: {exc}"[:300])


@lru_cache(maxsize=4)
def _warm_up(backend: str) -> None:
    """Load the parser, the markdown reader and every detector once per process."""
    from drdata.detectors.registry import registry
    from drdata.hcl import parse_answer

    registry()
    parse_answer('```hcl\nresource "aws_sqs_queue" "q" {\n  name = "q"\n}\n```\n', backend=backend, cache=False)


@lru_cache(maxsize=512)
def _requirements(prompt: str):
    """The prompt's explicit requirements, worked out once per prompt (a GRPO group scores several completions
    of one prompt)."""
    from drdata.corpus.prompt import extract_requirements

    return extract_requirements(prompt)


class _Timeout(BaseException):
    """Raised by the timer in the middle of a detector; a BaseException so that the detector's own
    ``except Exception`` (run_detector counts a raise as a fault) does not swallow it."""


@contextmanager
def deadline(seconds: float) -> Iterator[bool]:
    """Raise :class:`_Timeout` in this thread once ``seconds`` have passed. Only the main thread can take a
    signal: elsewhere (and where there is no SIGALRM) it yields False and does nothing. A timer already set by
    the caller is put back afterwards."""
    if (seconds is None or seconds <= 0 or threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "setitimer")):
        yield False
        return

    def ring(signum, frame):
        raise _Timeout()

    try:
        old_handler = signal.signal(signal.SIGALRM, ring)
    except ValueError:  # not the main interpreter
        yield False
        return
    started = time.monotonic()
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay > 0:
            signal.setitimer(signal.ITIMER_REAL, max(old_delay - (time.monotonic() - started), 1e-3), old_interval)


# The rules that check the answer against the AWS provider schema shipped with drdata.
SCHEMA_CATEGORIES = ("unknown_resource_type", "unsupported_argument", "missing_required_argument",
                     "nested_block_limits")


def _schema_valid(problems, unknown, checked: set[str], health: ParseHealth) -> bool | None:
    if any(p.category in SCHEMA_CATEGORIES for p in problems):
        return False
    if not set(SCHEMA_CATEGORIES) <= checked or set(unknown) & set(SCHEMA_CATEGORIES) or not health.clean:
        return None  # not all run, undecided, or part of the answer not read
    return True


def _verify(text, prompt, taxonomy, categories, backend, cache, max_chars, time_budget) -> Verdict:
    from drdata.detectors.registry import UNKNOWN, detectors_for, run_detector
    from drdata.hcl import DEFAULT_BACKEND, parse_answer
    from drdata.taxonomy import categories as all_categories
    from drdata.taxonomy import category

    if not isinstance(text, str) or not text.strip():
        return _empty()
    _warm_up(backend or DEFAULT_BACKEND)  # imports and the registry are not the answer's time
    cut = len(text) > max_chars
    if cut:
        text = text[:max_chars]
    start = time.perf_counter()
    try:
        with deadline(time_budget):
            cfg = parse_answer(text, backend=backend or DEFAULT_BACKEND, cache=cache)
    except _Timeout:
        return Verdict(ParseHealth(0, 0, (), True, 0, 0), (), error="time budget spent while parsing",
                       timed_out=True)
    prompt_read = False
    if prompt and isinstance(prompt, str):
        try:
            with deadline(max(time_budget - (time.perf_counter() - start), 0.01) if time_budget else None):
                req = _requirements(prompt[:MAX_PROMPT_CHARS])
            cfg = replace(cfg, requirements=req)  # a copy: the parse may be cached
            prompt_read = True
        except _Timeout:
            pass  # the rules run without the prompt's requirements (prompt_read stays False)
    health = ParseHealth(len(cfg.code_blocks), cfg.blocks_parsed if cfg.code_blocks else 0,
                         tuple((e.line, e.reason) for e in cfg.errors), bool(cfg.truncated or cut),
                         len(cfg.resources), _objects(cfg))
    if health.objects == 0:
        return Verdict(health, (), prompt_read=prompt_read)  # nothing to check (the parse errors are in health)
    wanted = categories or [c.id for c in all_categories(taxonomy)]
    problems: list[Problem] = []
    unknown: list[str] = []
    skipped: list[str] = []
    info: dict[str, tuple[str, str, str]] = {}
    seen = set()
    expired = False
    for det in detectors_for(wanted):
        left = time_budget - (time.perf_counter() - start) if time_budget else None
        if left is not None and left <= 0:
            expired = True
            skipped.append(det.category)
            continue
        try:
            # One runaway rule may not take the whole budget: the rules after it still get their turn.
            with deadline(min(left, time_budget / 2) if left is not None else None):
                outcome = run_detector(det, cfg)
        except _Timeout:
            expired = True
            skipped.append(det.category)
            continue
        if outcome.status == UNKNOWN and outcome.cause in ("cannot_tell", "fault"):
            unknown.append(det.category)
        for f in outcome.findings:
            key = (f.category, f.address, f.line, f.message)
            if key in seen:
                continue
            seen.add(key)
            if f.category not in info:
                try:
                    c = category(f.category)
                    info[f.category] = (c.title, c.rule_set, c.fix)
                except KeyError:
                    info[f.category] = (f.category, "aws", "")
            title, rule_set, fix = info[f.category]
            problems.append(Problem(f.category, title, f.severity, rule_set, f.detector, f.address, f.file,
                                    f.line, f.message, fix))
    problems.sort(key=lambda q: (q.line or 0, q.category, q.address, q.message))
    expired = expired or bool(prompt and isinstance(prompt, str) and not prompt_read)
    checked = set(wanted) - set(skipped)
    return Verdict(health, tuple(problems), tuple(sorted(set(unknown))), tuple(sorted(set(skipped))),
                   _schema_valid(problems, unknown, checked, health),
                   timed_out=expired, prompt_read=prompt_read,
                   categories_checked=len(set(wanted)) - len(set(skipped)))


class _CallableModule(types.ModuleType):
    """``drdata.verify`` is this module once imported; calling it calls :func:`verify`, so that
    ``drdata.verify(answer)`` works whichever of the two the name holds."""

    def __call__(self, *args, **kwargs) -> Verdict:
        return verify(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
