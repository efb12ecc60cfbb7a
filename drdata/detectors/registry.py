"""Categories and their detectors: declared data plus small pure functions over one parsed answer.

A category module (``drdata/catalog/<id>.py``) declares its :class:`Category` and the detector that labels
it, written like snorkel's ``@labeling_function`` or a tflint rule::

    CATEGORY = declare(Category(id="kms_key_alias_missing", number=12, theme="reference", area="kms", ...))

    @detector(category="kms_key_alias_missing")
    def kms_key_alias_missing(cfg: TerraformConfig):
        \"\"\"Why: ... Fix: ...\"\"\"
        for key in cfg.resources_of("aws_kms_key"):
            if not aliased(key):
                yield hit(key, f"{key.address}: no aws_kms_alias targets it")

It yields :func:`hit` for each failure and :func:`cannot_tell` where it could
not decide (a value behind a variable it cannot resolve, ...). The registry key
is the function name, which must equal its category id.

:func:`run_detector` turns what a detector yields into an :class:`Outcome`:
``fires`` (findings), ``clear``, or ``unknown`` — "could not parse / could not
resolve" is never "clear".
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from drdata.hcl.model import Attribute, Block, Resource, TerraformConfig, block_address, block_kind  # noqa: F401 - re-exported for the rules

FIRES, CLEAR, UNKNOWN = "fires", "clear", "unknown"

SEVERITIES = ("Critical", "High", "Medium", "Low")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}  # 0 = most severe
RULE_SETS = ("aws", "convention")
# reference: the 12 categories of the reference report (Pr4579); services: AWS service configuration and
# security; code: code structure, providers, variables, naming.
THEMES = ("reference", "services", "code")


@dataclass(frozen=True, kw_only=True)
class ReportRule:
    """How a human report's item title names the category (used by :mod:`drdata.corpus.report_mapping`).

    Rules of all categories run in one sequence ordered by ``order``: a *specific* rule names a failure, and
    the first whose ``strong`` pattern matches the title wins (more specific rules take lower numbers than the
    broad ones they overlap with); ``weak`` matches decide only when the body does not point elsewhere.
    ``topic`` rules name a service and come after every specific rule; among them the match nearest the start
    of the title wins, where a ``kind_topic`` (a kind of failure: "naming", "tags") beats a service noun.
    Patterns are lower case: they run on lower-cased text.
    """

    order: int
    strong: str
    weak: str | None = None
    topic: bool = False
    kind_topic: bool = False


@dataclass(frozen=True, kw_only=True)
class Category:
    """One failure category: the one id used by its detector function, the registry, dataset columns and docs."""

    id: str
    number: int  # a stable position: 1-12 are the reference report's categories, in its order
    theme: str  # one of THEMES
    area: str  # service area or concern (kms, s3, database, schema, ...): a tag that groups related checks
    title: str
    severity: str
    rule_set: str  # "aws" (AWS correctness/security) or "convention" (this pipeline's own rules)
    what: str  # what the failure is
    root_cause: str  # why models make it
    impact: str  # what goes wrong when deployed
    fix: str  # how to fix it
    opt_in: bool = False  # labelled only on request (needs an outside tool); not in the named taxonomies
    # A convention of the whole answer (its names, its tags), not a property of single objects: an IDEAL written
    # afresh that follows it repairs it even where it has no object of the failing kind.
    answer_wide: bool = False
    tables: tuple[str, ...] = ()  # the data tables (drdata/catalog/data/<name>.json) its rules read
    report_rules: tuple[ReportRule, ...] = ()  # how report item titles name it (drdata.corpus.report_mapping)
    # A stricter title rule naming the failure itself, for the recall benchmarks' second column and severity
    # evidence (the report mapping is broad on purpose: every item gets a category).
    title_rule: str | None = None

    @property
    def reference(self) -> bool:
        """One of the 12 categories of the reference report (the ``reference`` taxonomy)."""
        return self.theme == "reference"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"category {self.id}: severity {self.severity!r} is not one of {SEVERITIES}")
        if self.rule_set not in RULE_SETS:
            raise ValueError(f"category {self.id}: rule_set {self.rule_set!r} is not one of {RULE_SETS}")
        if self.theme not in THEMES:
            raise ValueError(f"category {self.id}: theme {self.theme!r} is not one of {THEMES}")


_CATEGORIES: dict[str, Category] = {}


def declare(cat: Category) -> Category:
    """Add a category to the known set (called by its module in drdata/catalog at import)."""
    for other in _CATEGORIES.values():
        if other.id != cat.id and other.number == cat.number:
            raise ValueError(f"categories {other.id} and {cat.id} share number {cat.number}")
    if cat.id in _CATEGORIES and _CATEGORIES[cat.id] != cat:
        raise ValueError(f"category {cat.id} declared twice")
    _CATEGORIES[cat.id] = cat
    return cat


def declared_category(cid: str) -> Category:
    """The category of that id (opt-in ones too; loads the category modules)."""
    _load()
    try:
        return _CATEGORIES[cid]
    except KeyError:
        raise KeyError(f"unknown category {cid!r}") from None


def all_categories() -> list[Category]:
    """Every declared category (opt-in ones too), by number (loads the category modules)."""
    _load()
    return sorted(_CATEGORIES.values(), key=lambda c: c.number)


@dataclass(frozen=True, slots=True)
class Finding:
    category: str
    detector: str
    severity: str
    address: str  # resource address (aws_s3_bucket.logs), or var.x / module.m / provider.aws / terraform
    kind: str  # resource type or block kind: used to pair renamed resources across MODEL/IDEAL
    file: str | None
    line: int | None  # line in the answer markdown
    message: str
    evidence: str  # the source lines quoted
    part: str = ""  # what of the address it is about: an attribute, a policy statement, a missing control
    holder: str | None = None  # top-level block holding the evidence, when not ``address`` (a reference's user)

    @property
    def subject(self) -> tuple[str, str, str]:
        """What the finding is about, independent of its wording: (detector, address, part). MODEL and
        IDEAL findings are matched on this (through the pair's correspondence), never on messages."""
        return (self.detector, self.address, self.part)


@dataclass(frozen=True, slots=True)
class Hit:
    """What a detector yields for a failure; the registry adds its metadata."""

    address: str
    kind: str
    file: str | None
    line: int | None
    message: str
    evidence: str
    severity: str | None = None  # override of the category's default, rarely needed
    part: str = ""
    holder: str | None = None


@dataclass(frozen=True, slots=True)
class CannotTell:
    address: str | None
    reason: str


@dataclass(frozen=True)
class Detector:
    id: str
    category: str
    severity: str
    func: Callable[[TerraformConfig], Iterable[Hit | CannotTell]]
    doc: str
    # Words (resource types, block or argument names) the rule reads. When part of an answer did not parse,
    # "clear" still holds if none of them occurs in the lost text; None = it reads everything; () = the rule
    # reads the lost text itself (``cfg.errors[].text``) and says "cannot tell" where it matters.
    reads: tuple[str, ...] | None = None

    def sees_all(self, cfg: TerraformConfig) -> bool:
        """Whether nothing this rule reads hides in what did not parse of ``cfg``."""
        if self.reads is None:
            return False
        if not self.reads:
            return True
        return _reads_pattern(self.reads).search(cfg.lost_text) is None

    @property
    def rule_set(self) -> str:
        return _CATEGORIES[self.category].rule_set


@dataclass
class Outcome:
    detector: str
    category: str
    status: str  # fires | clear | unknown
    findings: list[Finding] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why unknown
    fault: str | None = None  # exception text when the detector raised
    cause: str | None = None  # why unknown, machine-readable: cannot_tell | truncated | parse_errors | no_terraform | fault
    unsure: tuple[str, ...] = ()  # addresses the detector could not decide for (cannot_tell)


_REGISTRY: dict[str, Detector] = {}


@cache
def _reads_pattern(words: tuple[str, ...]) -> re.Pattern:
    # A resource type counts where a block of it is declared (`resource "aws_s3_bucket" "x"`), not where
    # another block refers to one; another word where it is set as an argument or opens a block. Whole names
    # only: aws_s3_bucket must not match aws_s3_bucket_lifecycle_configuration.
    types = [w for w in words if w.startswith(("aws_", "archive_", "local_", "random_", "null_"))]
    names = [w for w in words if w not in types]
    parts = []
    if types:
        parts.append(r'"(?:' + "|".join(map(re.escape, types)) + r')"')
    if names:
        parts.append(r"(?<![\w-])(?:" + "|".join(map(re.escape, names)) + r')(?![\w-])"?\s*[={"]')
    return re.compile("|".join(parts))


def detector(*, category: str, severity: str | None = None, reads: Iterable[str] | None = None) -> Callable:
    """Register a detector function; its name is its id. ``reads``: the resource types and argument / block
    names the rule looks at (see :attr:`Detector.reads`)."""

    def wrap(func: Callable) -> Callable:
        if category not in _CATEGORIES:
            raise ValueError(f"detector {func.__name__}: declare category {category!r} before its detector")
        if func.__name__ != category:
            raise ValueError(f"detector {func.__name__}: name it like its category ({category}): one name everywhere")
        cat = _CATEGORIES[category]
        sev = severity or cat.severity
        if sev not in SEVERITIES:
            raise ValueError(f"detector {func.__name__}: bad severity {sev!r}")
        doc = inspect.getdoc(func) or ""
        if not doc:
            raise ValueError(f"detector {func.__name__} needs a docstring saying why it matters and how to fix it")
        if func.__name__ in _REGISTRY and _REGISTRY[func.__name__].func.__module__ != func.__module__:
            raise ValueError(f"detector {func.__name__} registered twice")
        _REGISTRY[func.__name__] = Detector(func.__name__, category, sev, func, doc,
                                            tuple(sorted(reads)) if reads is not None else None)
        return func

    return wrap


PairRule = Callable[..., list[Finding]]  # (model, ideal, diff) -> extra MODEL findings of its category
_PAIR_RULES: dict[str, PairRule] = {}


def pair_rule(*, category: str) -> Callable[[PairRule], PairRule]:
    """Register a category's rule over both answers of a pair: ``rule(model, ideal, diff)`` returns MODEL
    findings only a comparison reveals (``diff`` is the pair's structural diff: ``diff.counterpart(address)``
    gives the IDEAL object matching a MODEL address). At most one per category."""

    def wrap(func: PairRule) -> PairRule:
        if category not in _CATEGORIES:
            raise ValueError(f"pair rule {func.__name__}: declare category {category!r} before its pair rule")
        if category in _PAIR_RULES and _PAIR_RULES[category].__module__ != func.__module__:
            raise ValueError(f"category {category} has two pair rules")
        _PAIR_RULES[category] = func
        return func

    return wrap


def pair_rules() -> dict[str, PairRule]:
    """Category id -> its pair rule, in the categories' number order (loads the category modules)."""
    _load()
    return {cid: _PAIR_RULES[cid] for cid in sorted(_PAIR_RULES, key=lambda c: _CATEGORIES[c].number)}


# -- what detectors yield -------------------------------------------------------------

def evidence(block: Block, attr: Attribute | None) -> tuple[int, str]:
    """(line, quoted source) of a finding on ``block``: the attribute's lines, else the whole block."""
    if attr is not None:
        first = attr.line - block.line
        lines = block.source.splitlines()[first:first + (attr.end_line - attr.line) + 1]
        return attr.line, "\n".join(lines) if lines else f"{attr.name} = {attr.source}"
    return block.line, block.source


def hit(block: Block | None, message: str, attr: Attribute | str | None = None, *,
        address: str | None = None, severity: str | None = None, part: str | None = None) -> Hit:
    """A failure found on ``block`` (evidence: the attribute's lines, else the whole block).

    ``part`` says what of the block the failure is about (default: the attribute's name), so that the
    labeler can tell a repaired part from a remaining one. ``block`` may be ``None`` for answer-wide
    failures (no backend at all); then pass ``address`` (e.g. ``"terraform"``).
    """
    if block is None:
        return Hit(address or "config", address or "config", None, None, message, "", severity, part or "")
    name = attr if isinstance(attr, str) else (attr.name if attr is not None else "")
    if isinstance(attr, str):
        attr = block.attributes.get(attr)
    line, ev = evidence(block, attr)
    return Hit(address or block_address(block), block_kind(block), block.file, line, message, ev, severity,
               name if part is None else part)


def hit_at(address: str, kind: str, file: str | None, line: int | None, message: str, evidence: str = "",
           severity: str | None = None, *, part: str = "", holder: str | None = None) -> Hit:
    """A failure that is not one block's (a local, a reference inside an expression); ``holder`` is the
    top-level block whose code holds it, when that is not ``address``."""
    return Hit(address, kind, file, line, message, evidence, severity, part, holder)


def cannot_tell(block_or_address: Block | str | None, reason: str) -> CannotTell:
    if isinstance(block_or_address, Block):
        block_or_address = block_address(block_or_address)
    return CannotTell(block_or_address, reason)


# -- running --------------------------------------------------------------------------

def registry() -> dict[str, Detector]:
    """All registered detectors, keyed by id (loads the detector packages)."""
    _load()
    return dict(sorted(_REGISTRY.items()))


def detectors_for(category_ids: Iterable[str]) -> list[Detector]:
    wanted = set(category_ids)
    return [d for d in registry().values() if d.category in wanted]


def run_detector(det: Detector, cfg: TerraformConfig) -> Outcome:
    """Run one detector on one config; never raises (a raise is a counted fault)."""
    findings: list[Finding] = []
    reasons: list[str] = []
    unsure: list[str] = []
    try:
        for item in det.func(cfg) or ():
            if isinstance(item, CannotTell):
                reasons.append(f"{item.address}: {item.reason}" if item.address else item.reason)
                if item.address:
                    unsure.append(item.address)
            elif isinstance(item, Hit):
                findings.append(Finding(det.category, det.id, item.severity or det.severity, item.address,
                                        item.kind, item.file, item.line, item.message, item.evidence,
                                        item.part, item.holder))
            else:
                raise TypeError(f"detector yielded {type(item).__name__}, expected hit() or cannot_tell()")
    except Exception as exc:  # a broken detector must not abort the batch
        return Outcome(det.id, det.category, UNKNOWN, [], reasons, f"{type(exc).__name__}: {exc}", "fault")
    findings = _dedupe(findings)
    unsure_t = tuple(dict.fromkeys(unsure))
    if findings:
        return Outcome(det.id, det.category, FIRES, findings, reasons, unsure=unsure_t)
    if reasons:
        return Outcome(det.id, det.category, UNKNOWN, [], reasons, cause="cannot_tell", unsure=unsure_t)
    if cfg.empty:
        return Outcome(det.id, det.category, UNKNOWN, [], ["no Terraform could be parsed from the answer"],
                       cause="no_terraform")
    if not cfg.complete and not (not cfg.truncated and det.sees_all(cfg)):
        # Something did not parse: the absence of a failure cannot be trusted, unless the lost text holds
        # nothing the rule reads.
        if cfg.truncated:
            return Outcome(det.id, det.category, UNKNOWN, [], ["answer is truncated"], cause="truncated")
        return Outcome(det.id, det.category, UNKNOWN, [], [f"{len(cfg.errors)} parse error(s)"],
                       cause="parse_errors")
    return Outcome(det.id, det.category, CLEAR)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen = set()
    out = []
    for f in sorted(findings, key=lambda f: (f.line or 0, f.address, f.message)):
        key = (f.address, f.line, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


_LOADED: list[bool] = []


def _load() -> None:
    if _LOADED:
        return  # listing the category modules on every call costs more than some detectors
    import importlib
    import pkgutil

    import drdata.catalog as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{mod.name}")
    _LOADED.append(True)
