"""What a task's PROMPT explicitly asks for, read from its text.

Convention categories (environment suffix, tagging, region, file layout) must not fire where the prompt
prescribes the opposite, and should use the prompt's own requirements where it states them. This module is the
one place that reads those requirements out of PROMPT.md; detectors see the result on the configuration
(``cfg.requirements``) and never parse prompts themselves.

It extracts only what is stated literally and checkably:

- ``names``: physical names the prompt prescribes (``a table named `terraform-state-lock```,
  ``Name: `webhook-transactions```, ``called 'payment-api'``): names with a dash, or CamelCase;
- ``tag_keys``: tag keys every resource must carry (``Tag all resources with `Environment` and `Owner```,
  ``tagged with 'Environment: Production'``, ``tags: Environment=Production, CostCenter=1234``);
- ``regions``: AWS regions named in a sentence about deploying or the region;
- ``files``: the Terraform file names the prompt mentions, and ``single_file`` when it asks for one file;
- ``engine_versions``: database engine versions asked for (``PostgreSQL 14.7``, ``MySQL 8.0.35``);
- ``naming_patterns``: naming conventions with placeholders (``{environment}-{region}-{service}``,
  ``prod-<resource>-<id>``, ``${var.name}-${var.env}-<component>``), and ``naming_suffix_words``: their
  placeholders that differ per deployment (``id``, ``suffix``, ``environment_suffix``), if any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTED = r"[`\"'‘’“”]"
_NAME = r"[A-Za-z][A-Za-z0-9_.:/-]{2,62}"
# `named X`, `called X`, `name: X`, `Name = X`, `identifier X`: the X in quotes or backticks.
_NAMED_RE = re.compile(rf"(?:\b([A-Za-z]+)\s+)?\b(?:named|called|name[sd]?|identifier)\b\s*"
                       rf"(?:[:=]|of|is|should be|must be|as)?\s*\*{{0,2}}{_QUOTED}({_NAME}){_QUOTED}", re.IGNORECASE)
# Nouns of AWS objects: "a table named 'payment_transactions'" prescribes a name of any shape.
_OBJECT_NOUNS = {"table", "bucket", "queue", "topic", "function", "role", "cluster", "repository", "stream",
                 "group", "secret", "alarm", "database", "instance", "policy", "user", "vpc", "subnet",
                 "alias", "trail", "pipeline", "project", "domain", "service", "api", "rule", "schedule", "workgroup",
                 "dashboard", "layer", "distribution", "certificate", "vault", "plan", "crawler", "job"}
_FILE_NAME_RE = re.compile(r"\.(tf|tfvars|py|js|json|ya?ml|zip|sh|md|txt|hcl)$", re.IGNORECASE)
_TAG_SENTENCE_RE = re.compile(r"\btag(?:s|ged|ging)?\b", re.IGNORECASE)
# Key = value / Key: value / Key=value inside a tagging sentence.
_KEY_VALUE_RE = re.compile(rf"({_QUOTED}?)\b([A-Za-z][A-Za-z0-9_-]{{1,40}})\b{_QUOTED}?\s*[:=]\s*(?![\s:=])"
                           rf"{_QUOTED}?([A-Za-z0-9_.-]*)")
_QUOTED_WORD_RE = re.compile(rf"{_QUOTED}([A-Za-z][A-Za-z0-9_-]{{1,40}}){_QUOTED}")
# "with owner, environment, and ManagedBy" / "tags: Environment, Project, Owner"
_LIST_RE = re.compile(r"(?:\bwith|\btags?\b\s*(?:[:(]|like|such as|including|include|e\.g\.,?)|\bthese tags:?)\s*"
                      r"((?:\*{0,2}[A-Za-z][A-Za-z0-9_-]*\*{0,2}(?:\s*=\s*\S+)?\s*(?:,|and|&)\s*)+"
                      r"(?:and\s+)?\*{0,2}[A-Za-z][A-Za-z0-9_-]*)", re.IGNORECASE)
_NOT_KEYS = {
    "all", "and", "the", "with", "resources", "resource", "every", "each", "tag", "tags", "tagged", "tagging",
    "consistent", "consistently", "appropriate", "proper", "standard", "required", "common", "following", "etc",
    "for", "cost", "allocation", "management", "must", "should", "include", "including", "apply", "use", "using",
    "set", "to", "a", "an", "of", "on", "in", "be", "are", "is", "key", "keys", "value", "values", "e.g", "eg",
    "like", "such", "as", "these", "them", "it", "that", "where", "applicable", "names", "name", "locals",
    "block", "merge", "merged", "var", "local", "tracking", "production", "prod", "staging", "dev", "true", "false",
    "terraform", "aws", "s3", "ec2", "rds", "iam", "vpc", "http", "https", "note", "example", "or", "at", "least",
    "uniform", "descriptive", "meaningful", "relevant", "identification", "governance", "billing", "also",
    "everything", "naming", "metadata", "map", "default", "identity", "ensure", "make", "sure", "please", "add",
}
_REGION_RE = re.compile(r"\b((?:us|eu|ap|sa|ca|me|af|il|mx)-(?:gov-)?(?:north|south|east|west|central|northeast|"
                        r"northwest|southeast|southwest)-\d)\b")
_REGION_SENTENCE_RE = re.compile(r"\b(region|deploy(?:ed|ment|s)?|located|hosted|provision(?:ed)?)\b", re.I)
_TF_FILE_RE = re.compile(r"(?<![\w./-])((?:\./)?(?:lib/)?[\w-]+\.tf)\b")
_SINGLE_FILE_RE = re.compile(r"\b(single|one)\s+(?:terraform\s+|hcl\s+|\.tf\s+)?file\b|\beverything\b[^.]{0,40}\bin\s+"
                             r"(?:one|a single)\b", re.I)
_ENGINE_RE = re.compile(r"\b(aurora[ -]postgres(?:ql)?|aurora[ -]mysql|postgres(?:ql)?|mysql|mariadb|redis|"
                        r"valkey|memcached)\b[^.\n]{0,25}?\bv?(\d+(?:\.\d+){1,2})\b", re.I)
_NAMING_SENTENCE_RE = re.compile(r"\bnam(?:e|es|ed|ing)\b", re.I)
# Bounded pieces: an unbounded [\w.-]* retried at every start of a long word is quadratic (a 400k one-word
# prompt took minutes).
_PATTERN_RE = re.compile(r"[`'\"]?((?:[\w.-]{0,80}(?:\{[\w.-]{1,60}\}|<[\w.-]{1,60}>|\$\{[\w.-]{1,60}\})[\w.-]{0,80})+)[`'\"]?")
_PLACEHOLDER_RE = re.compile(r"\{([\w.-]+)\}|<([\w.-]+)>")
# Placeholders whose value differs per deployment: a suffix, an id, a random value, a PR number.
_DEPLOYMENT_WORDS = re.compile(r"(?i)suffix|^(?:unique[_-]?)?id(?:entifier)?$|^resource[_-]?id$|unique|random|uuid|"
                               r"^pr(?:[_-]?(?:number|id))?$|deployment[_-]?id")
# Lambda runtimes as a prompt writes them ("Node.js 18", "nodejs18.x", "Python 3.9", "Java 11", ".NET 6",
# "Ruby 2.7", "Go 1.x"), turned into runtime identifiers.
_RUNTIME_RE = re.compile(r"(?<![\w.])(node(?:\.?js)?|python|java|ruby|\.net|dotnet|go)\s*v?(\d+(?:\.\d+|\.x)?)", re.I)
_TERRAFORM_VERSION_RE = re.compile(r"\bterraform\b[^.\n]{0,20}?(?:v|version\s*|>=?\s*|~>\s*)(\d+\.\d+)", re.I)
# "AWS provider 5.x", "AWS provider version 5.0 or higher", "hashicorp/aws ~> 5.0", "AWS Provider v5+": the
# number must follow a space, a `v` or an operator, so "AWS provider for us-east-1" names no version.
_PROVIDER_VERSION_RE = re.compile(r"\b(?:(aws|google|azurerm)\s+provider|provider\s+[\"`']?(aws|google|azurerm)\b|"
                                  r"hashicorp/(aws|google|azurerm))[^.\n]{0,25}?(?:[\s`(~>=≥]|\bv)(\d{1,2})"
                                  r"(?:\.(?:\d+|x)|\+|(?![\w-]))", re.I)
_SINGLE_NAT_RE = re.compile(r"\b(?:single|one|1)\s+(?:shared\s+)?nat(?:\s+gateway)?\b(?!s)", re.I)
# "a NAT gateway per AZ", "NAT gateways in each availability zone": the prompt asks for more than one somewhere.
_NAT_PER_AZ_RE = re.compile(r"\bnat(?:\s+gateways?)?\b[^.\n]{0,30}\b(?:per|each|every)\s+(?:az|availability|(?:public\s+)?subnet)",
                            re.I)
_ENGINE_MIN_MAJOR = {"mysql": 5, "mariadb": 10, "postgres": 9, "aurora-postgresql": 9, "aurora-mysql": 2,
                     "redis": 3, "valkey": 7, "memcached": 1}


@dataclass(frozen=True)
class Requirements:
    names: frozenset[str] = frozenset()
    tag_keys: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    single_file: bool = False
    engine_versions: tuple[tuple[str, str], ...] = ()  # (engine, version as written), engine lower-cased
    naming_patterns: tuple[str, ...] = ()
    naming_suffix_words: tuple[str, ...] = ()  # placeholders of the patterns that differ per deployment
    runtimes: tuple[str, ...] = ()  # Lambda runtime identifiers (nodejs18.x, python3.9)
    terraform_versions: tuple[str, ...] = ()  # Terraform versions the prompt names ("0.12", "1.5")
    single_nat: bool = False  # the prompt asks for one NAT gateway (a cost choice, not a gap)
    provider_majors: tuple[tuple[str, int], ...] = ()  # provider majors the prompt asks for (("aws", 5),)

    @property
    def prescribes_names_without_suffix(self) -> bool:
        """The prompt gives a naming convention none of whose placeholders differs per deployment."""
        return bool(self.naming_patterns) and not self.naming_suffix_words

    def __bool__(self) -> bool:
        return bool(self.names or self.tag_keys or self.regions or self.files or self.single_file
                    or self.engine_versions or self.naming_patterns or self.runtimes or self.terraform_versions
                    or self.single_nat or self.provider_majors)

    def prescribes_name(self, name: str) -> bool:
        return name in self.names

    def summary(self) -> str:
        parts = []
        if self.names:
            parts.append("names " + ", ".join(sorted(self.names)[:6]) + (" ..." if len(self.names) > 6 else ""))
        if self.tag_keys:
            parts.append("tags " + ", ".join(self.tag_keys))
        if self.regions:
            parts.append("regions " + ", ".join(self.regions))
        if self.files:
            parts.append(("single file " if self.single_file else "files ") + ", ".join(self.files))
        elif self.single_file:
            parts.append("a single file")
        if self.engine_versions:
            parts.append("engines " + ", ".join(f"{e} {v}" for e, v in self.engine_versions))
        if self.naming_patterns:
            parts.append("naming " + ", ".join(self.naming_patterns[:3]))
        if self.runtimes:
            parts.append("runtimes " + ", ".join(self.runtimes))
        if self.terraform_versions:
            parts.append("terraform " + ", ".join(self.terraform_versions))
        if self.single_nat:
            parts.append("a single NAT gateway")
        if self.provider_majors:
            parts.append("providers " + ", ".join(f"{p} {m}.x" for p, m in self.provider_majors))
        return "; ".join(parts) or "nothing explicit"


def _sentences(text: str) -> list[str]:
    # A line may hold several sentences; a sentence never spans a line break.
    out = []
    for line in text.splitlines():
        out.extend(s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*`'\"])", line) if s.strip())
    return out


def _looks_like_key(word: str, quoted: bool) -> bool:
    """Tag keys are written Capitalised or CamelCase (Environment, CostCenter, DR-Role); a lower-case word
    counts only when the prompt quotes it ('owner'). Identifiers (`common_tags`, `instance_type`) and
    prefixes (`secureApp-`) are not tag keys."""
    if not word or word.lower() in _NOT_KEYS or word.isdigit() or len(word) > 40:
        return False
    if "_" in word or word.endswith("-") or not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", word):
        return False
    return word[0].isupper() or (quoted and word.isalpha() and word.islower())


# A tag map the prompt writes out as code (`common_tags = { Project = ..., Owner = "..." }`): its keys.
_TAG_MAP_RE = re.compile(r"\b\w*tags\s*=\s*(?:merge\(\s*)?\{([^{}]{1,800})\}", re.IGNORECASE)
_MAP_KEY_RE = re.compile(r"^\s*\"?([A-Za-z][A-Za-z0-9_-]{0,40})\"?\s*[=:]", re.MULTILINE)


def _tag_keys(text: str) -> tuple[str, ...]:
    keys: dict[str, None] = {}
    for m in _TAG_MAP_RE.finditer(text):
        for k in _MAP_KEY_RE.findall(m.group(1).replace(",", "\n")):
            if k.lower() not in _NOT_KEYS and k.lower() != "name":
                keys.setdefault(k)
    for s in _sentences(text):
        if not _TAG_SENTENCE_RE.search(s):
            continue
        pairs = [m for m in _KEY_VALUE_RE.finditer(s) if m.group(2).lower() not in _NOT_KEYS]
        values = {m.group(3) for m in pairs}
        found: list[tuple[str, bool]] = [(m.group(2), bool(m.group(1))) for m in pairs]
        found += [(m.group(1), True) for m in _QUOTED_WORD_RE.finditer(s)]
        for m in _LIST_RE.finditer(s):
            found += [(part.split("=")[0], False) for part in re.split(r",|\band\b|&", m.group(1))]
        # In the order the sentence names them.
        found = sorted(found, key=lambda wq: s.find(wq[0].strip("*`'\" ")))
        for word, quoted in found:
            word = word.strip("*`'\" ")
            if word in values:
                continue  # the value of a key (Production), not a key
            if _looks_like_key(word, quoted):
                keys.setdefault(word)
    # A key and its capitalised spelling are the same requirement; keep the first one written.
    seen: set[str] = set()
    out = []
    for k in keys:
        if k.lower() not in seen:
            seen.add(k.lower())
            out.append(k)
    return tuple(out)


def _prescribed_name(name: str, noun: str | None) -> bool:
    """A physical name, not a file, a type, an attribute or a prefix: `orders-table`, `ProdVPC`, or any name
    right after the noun of an AWS object (a table named 'payment_transactions')."""
    if _FILE_NAME_RE.search(name) or name.startswith(("aws_", "var.", "local.")) or name.endswith(("-", "_")):
        return False
    if noun and noun.lower() in _OBJECT_NOUNS:
        return True
    return "-" in name or bool(re.fullmatch(r"[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+", name))


def _runtime_id(language: str, version: str) -> str | None:
    lang = language.lower().replace(".", "")
    major = version.split(".")[0]
    if lang.startswith("node"):
        return f"nodejs{major}.x"
    if lang == "python" and version.count(".") == 1 and not version.endswith(".x"):
        return f"python{version}"
    if lang == "java":
        return f"java{major}"
    if lang in ("net", "dotnet"):
        return f"dotnet{major}"
    if lang == "ruby" and "." in version:
        return f"ruby{version}"
    if lang == "go" and major == "1":
        return "go1.x"
    return None


def extract_requirements(prompt: str | None) -> Requirements:
    """The explicit requirements of a PROMPT (see the module docstring). Never raises; empty for no text."""
    if not prompt or not isinstance(prompt, str):
        return Requirements()
    text = prompt.replace("\r\n", "\n")
    names = {m.group(2).rstrip(".:") for m in _NAMED_RE.finditer(text)
             if _prescribed_name(m.group(2).rstrip(".:"), m.group(1))}
    regions: dict[str, None] = {}
    for s in _sentences(text):
        if _REGION_SENTENCE_RE.search(s):
            for m in _REGION_RE.finditer(s):
                regions.setdefault(m.group(1))
    files = tuple(dict.fromkeys(f.removeprefix("./").removeprefix("lib/") for f in _TF_FILE_RE.findall(text)))
    engines: dict[tuple[str, str], None] = {}
    for e, v in _ENGINE_RE.findall(text):
        engine = re.sub(r"[ -]+", "-", e.lower()).replace("postgresql", "postgres")
        engine = engine.replace("aurora-postgres", "aurora-postgresql")
        if int(v.split(".")[0]) >= _ENGINE_MIN_MAJOR.get(engine, 1):
            engines.setdefault((engine, v))
    patterns: dict[str, None] = {}
    for sentence in _sentences(text):
        # A convention for every resource, not the name of one kind of resource ("a bucket named x-<id>").
        if "{" not in sentence and "<" not in sentence:
            continue  # no placeholder, no convention
        prose = _PATTERN_RE.sub(" ", sentence).lower()
        if _NAMING_SENTENCE_RE.search(sentence) and not (set(re.findall(r"[a-z]+", prose)) & _OBJECT_NOUNS):
            for m in _PATTERN_RE.finditer(sentence):
                skeleton = re.sub(r"\{[\w.-]+\}|<[\w.-]+>|\$\{[\w.-]+\}", "X", m.group(1))
                if "-" in skeleton:
                    patterns.setdefault(m.group(1).rstrip("."))
    words: dict[str, None] = {}
    for pattern in patterns:
        for m in _PLACEHOLDER_RE.finditer(pattern):
            word = (m.group(1) or m.group(2)).split(".")[-1]
            if _DEPLOYMENT_WORDS.search(word):
                words.setdefault(word)
        for m in re.finditer(r"\$\{(?:var\.|local\.)?([\w-]+)\}", pattern):
            if _DEPLOYMENT_WORDS.search(m.group(1)):
                words.setdefault(m.group(1))
    runtimes = tuple(dict.fromkeys(r for r in (_runtime_id(lang, v) for lang, v in _RUNTIME_RE.findall(text)) if r))
    terraform = tuple(dict.fromkeys(_TERRAFORM_VERSION_RE.findall(text)))
    majors = tuple(dict.fromkeys(((a or b or c).lower(), int(v)) for a, b, c, v in _PROVIDER_VERSION_RE.findall(text)))
    return Requirements(frozenset(names), _tag_keys(text), tuple(regions), files,
                        bool(_SINGLE_FILE_RE.search(text)), tuple(engines), tuple(patterns), tuple(words),
                        runtimes, terraform,
                        bool(_SINGLE_NAT_RE.search(text)) and not _NAT_PER_AZ_RE.search(text), majors)
