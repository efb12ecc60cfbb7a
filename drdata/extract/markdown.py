"""Pull Terraform code blocks out of a markdown answer.

Fences are found by a CommonMark parser (markdown-it-py). LLM answers break CommonMark in a few recurring ways,
so the source lines are repaired first, one line at a time, always keeping the line count so that block line
numbers stay lines of the original file:

* a closing fence glued to code (a line ``}`` followed by three backticks) is turned into a bare closing fence; the code part (``}``) is put
  back as the last line of the block;
* a bare fence line inside a heredoc of an HCL block (a README in ``<<EOT``) would close the block early: its
  fence characters are swapped for placeholders and restored in the block text;
* the same for the closing line of an inner fence inside a ``markdown`` fence that uses the same number of
  backticks (CommonMark would close the outer fence there).

Each repair is decided on markdown-it's own tokens (the fence it happens in, its info string and its content),
then the document is parsed again from the top-level block that holds the repaired fence.

Which fences hold Terraform: info ``hcl``, ``hcl2``, ``terraform`` or ``tf`` (any case, any suffix such as
``hcl - main.tf`` or ``hcl title="main.tf"``), and unlabeled fences with a line opening a top-level block
(``resource "x" "y" {``). ``markdown``/``md`` fences are searched recursively. When no fence holds Terraform but
the text outside fences opens top-level blocks, the whole answer is one unfenced block: markdown ``#`` headings
are HCL comments, so it still parses.

The file a block belongs to, first match wins: a file name in the fence info (``hcl - main.tf``); a first-line
comment naming a file (``# main.tf``, ``// File: lib/x.tf``); the nearest line naming a ``.tf``/``.tfvars``/``.hcl``
file between the previous fence and this one, up to the nearest heading (``## main.tf``, ``**provider.tf**``,
``1. **outputs.tf**``, ``Create a `data.tf` file:``); else, when that walk back met a fence before any heading,
the nearest heading further up (several fences under one ``## main.tf``). Otherwise None. A leading ``./`` or ``/`` is dropped, the rest of the path kept as written.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from drdata.extract.blocks import CodeBlock

HCL_LANGS = frozenset({"hcl", "hcl2", "terraform", "tf"})
MARKDOWN_LANGS = frozenset({"markdown", "md"})

MAX_DEPTH = 4  # nested markdown fences followed this deep
# Work bounds, so adversarial input stays around a second. Each repair re-parses the rest of the document and
# scans lines; once either budget (per answer, or twice the answer's size when larger) is spent, the remaining
# malformed fences are left as CommonMark reads them and a problem says so.
MAX_REPAIRS = 2000
MAX_PARSE_CHARS = 2_000_000
MAX_SCAN_LINES = 200_000
# A heredoc holding fence lines is followed at most this many lines past the fence CommonMark closed.
MAX_HEREDOC_LINES = 200

_TOP_KEYWORDS = r"(?:resource|data|variable|output|module|provider|terraform|locals)"
_LABEL = r'(?:"[^"\n]*"|[A-Za-z_][\w-]*)'
# A line that opens a top-level Terraform block.
_TOP_BLOCK_RE = re.compile(
    rf"^[ \t]*(?:(?:resource|data)[ \t]+{_LABEL}[ \t]+{_LABEL}"
    rf"|(?:variable|output|module|provider)[ \t]+{_LABEL}"
    r"|terraform|locals)[ \t]*\{",
    re.MULTILINE,
)
# The info word followed directly by code: "```hclvariable "x" {" or "```hcl# main.tf".
_GLUED_OPEN_RE = re.compile(rf"(hcl2?|terraform|tf)(?=#|//|/\*|{_TOP_KEYWORDS}\b)", re.IGNORECASE)
_INFO_LANG_RE = re.compile(r"\{?\.?([A-Za-z0-9_+]*)")

_FILE = r"(?:/|(?:\.{1,2}/)+)?[\w.-]*\w(?:/[\w.-]+)*\.(?:tf|tfvars|hcl)(?:\.example|\.sample)?"
_FILE_RE = re.compile(rf"(?<![\w./-])({_FILE})(?![\w-]|\.json)")
# "# main.tf", "// variables.tf", "# File: lib/tap_stack.tf", "# From: x.tf", "# Example terraform.tfvars file"
_COMMENT_FILE_RE = re.compile(
    rf"^[ \t]*(?:#+|//|/\*)[ \t]*(?:(?:file|filename|from|path)[ \t]*:[ \t]*)?(?:example[ \t]+)?"
    rf"[`\"'*]*({_FILE})[`\"'*]*(?=$|[\s,:(*\-—–])",
    re.IGNORECASE,
)

_HEREDOC_OPEN_RE = re.compile(r"<<(-?)([A-Za-z_][\w-]*)[ \t]*$")
_PLACEHOLDER = {"`": "\ue000", "~": "\ue001"}
_UNPLACEHOLDER = str.maketrans({v: k for k, v in _PLACEHOLDER.items()})


@dataclass
class Extraction:
    blocks: list[CodeBlock]
    truncated: bool = False  # an unterminated last fence: the answer was cut off
    problems: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)  # malformed markdown that was repaired ("glued closing fence…")
    other_files: list[str] = field(default_factory=list)  # files the answer supplies in non-Terraform fences
    quoted: int = 0  # Terraform fences left out: they quote another file of the task (the MODEL answer, ...)
    examples: int = 0  # Terraform fences left out: usage examples inside a README the answer supplies


@dataclass
class _Ctx:
    """State shared by one extraction, nested markdown included."""

    problems: list[str]
    repairs: list[str]
    parse_chars: int
    scan_lines: int
    stopped: bool = False
    other_files: list[str] = field(default_factory=list)
    quoted: int = 0  # Terraform fences left out because they quote another file of the task
    drafts: int = 0  # Terraform fences of a reasoning trace that the final answer supersedes
    examples: int = 0  # Terraform fences of a README the answer supplies (usage examples)

    def spend_lines(self, n: int) -> bool:
        self.scan_lines -= n
        return self.scan_lines >= 0


def _md() -> MarkdownIt:
    # Inline parsing is not needed (file names are searched in raw inline text) and costs a third of the time.
    return MarkdownIt("commonmark").disable("inline")


_MD = _md()

# markdown-it logs a debug record for every block rule it tries; when an application (or pytest) sets the root
# logger to DEBUG that doubles extraction time. Quiet it unless someone configured it on purpose.
_MD_LOGGER = logging.getLogger("markdown_it")
if _MD_LOGGER.level == logging.NOTSET:
    _MD_LOGGER.setLevel(logging.INFO)


# -- line helpers ---------------------------------------------------------------------------

def _fence_run(line: str) -> tuple[str, int, str] | None:
    """(fence char, run length, rest) when ``line`` (container prefixes removed) starts with a fence run."""
    if "```" not in line and "~~~" not in line:
        return None
    body = line.lstrip(" \t>")
    if not body or body[0] not in "`~":
        return None
    ch = body[0]
    n = len(body) - len(body.lstrip(ch))
    return (ch, n, body[n:]) if n >= 3 else None


def _is_closing(line: str, ch: str, n: int) -> bool:
    run = _fence_run(line)
    return run is not None and run[0] == ch and run[1] >= n and not run[2].strip()


def _glued_close(line: str, ch: str, n: int) -> str | None:
    """Code part of a line that ends with a closing fence run (``}`` then backticks), else None."""
    stripped = line.rstrip()
    if not stripped.endswith(ch * n):
        return None
    code = stripped.rstrip(ch)
    if len(stripped) - len(code) < n or not code.strip() or code.strip(" \t>") == "":
        return None
    if ch == "`" and code.rstrip().endswith("`"):
        return None
    return code.rstrip()


def _lang(info: str) -> str:
    m = _INFO_LANG_RE.match(info.strip())
    return m.group(1).lower() if m else ""


def _fence_char_len(tok: Token) -> tuple[str, int]:
    return (tok.markup[:1] or "`"), max(len(tok.markup), 3)


def _closed(tok: Token, lines: list[str]) -> bool:
    """The fence has its own closing line (not closed by the end of the document or of its container)."""
    assert tok.map is not None
    last = tok.map[1] - 1
    ch, n = _fence_char_len(tok)
    return last > tok.map[0] and last < len(lines) and _is_closing(lines[last], ch, n)


def is_hcl_like(text: str) -> bool:
    """Some line opens a top-level Terraform block."""
    return _TOP_BLOCK_RE.search(text) is not None


_EXT_RE = re.compile(r"\.(?:tf|hcl)")
_MAX_PATH = 256


def file_in_text(text: str) -> str | None:
    """First ``.tf``/``.tfvars``/``.hcl`` file named in ``text``."""
    # Run the path regex only just before each extension: on 10 MB of prose, trying it at every word start
    # costs seconds.
    for ext in _EXT_RE.finditer(text):
        m = _FILE_RE.search(text, max(0, ext.start() - _MAX_PATH), ext.end() + 16)
        if m:
            return _norm_file(m.group(1))
    return None


def _norm_file(name: str) -> str:
    # "./main.tf" and "/lib/main.tf" (meaning the project root) name the same files as "main.tf", "lib/main.tf".
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


def file_in_first_line(code: str) -> str | None:
    for line in code.split("\n"):
        if line.strip():
            m = _COMMENT_FILE_RE.match(line)
            return _norm_file(m.group(1)) if m else None
    return None


# -- repair pass ----------------------------------------------------------------------------

@dataclass
class _Repair:
    neutral: list[int]  # 0-based lines whose fence characters become placeholders
    glued: int | None  # 0-based line of a closing fence glued to code
    kind: str  # "heredoc" | "nested" | "" (glued only)
    restart: int  # 0-based line to re-parse from


def _scan_hcl(lines: list[str], first: int, ch: str, n: int, glued_until: int,
              ctx: _Ctx) -> tuple[list[int], int | None]:
    """Walk an HCL fence from its first code line: (closing-fence lines inside heredocs, glued closing line).

    Heredoc lines are only returned when the fence has a real closing line after them; an answer cut off
    inside a heredoc keeps CommonMark's reading.
    """
    in_heredoc: str | None = None
    candidates: list[int] = []
    run = ch * 3
    stop = min(len(lines), glued_until + MAX_HEREDOC_LINES)
    for i in range(first, stop):
        line = lines[i]
        # Substring tests first: most lines hold neither a fence run nor a heredoc.
        if in_heredoc is not None:
            if line.strip() == in_heredoc:
                in_heredoc = None
            elif run in line and _is_closing(line, ch, n):
                candidates.append(i)
            continue
        if run in line:
            if _is_closing(line, ch, n):
                ctx.spend_lines(i - first)
                return candidates, None
            if i < glued_until and _glued_close(line, ch, n) is not None:
                ctx.spend_lines(i - first)
                return candidates, i
        if "<<" in line:
            m = _HEREDOC_OPEN_RE.search(line)
            if m and not line.lstrip().startswith(("#", "//")):
                in_heredoc = m.group(2)
    ctx.spend_lines(stop - first)
    return [], None  # never closed: leave it to CommonMark


def _scan_markdown(lines: list[str], first: int, ch: str, n: int, ctx: _Ctx) -> list[int]:
    """Closing lines of inner fences (inside a markdown fence) that CommonMark would take as the outer close."""
    inner: tuple[str, int] | None = None
    candidates: list[int] = []
    for i in range(first, len(lines)):
        if (i - first) % 1000 == 0 and not ctx.spend_lines(1000):
            return []
        run = _fence_run(lines[i].translate(_UNPLACEHOLDER))  # lines repaired before are inner closings
        if run is None:
            continue
        rch, rn, rest = run
        if inner is None:
            if not rest.strip():
                if rch == ch and rn >= n:
                    return candidates  # the real closing line of the markdown fence
                continue
            if rch == "`" and "`" in rest:
                continue  # a code span, not a fence
            inner = (rch, rn)
        elif rch == inner[0] and rn >= inner[1] and not rest.strip():
            if rch == ch and rn >= n and _fence_run(lines[i]) is not None:  # not repaired yet
                candidates.append(i)
            inner = None
    return []  # never closed: leave it to CommonMark


def _find_repair(tokens: list[Token], lines: list[str], start: int, ctx: _Ctx) -> _Repair | None:
    container_start = start
    for tok in tokens:
        if tok.level == 0 and tok.map is not None and tok.nesting >= 0:
            container_start = tok.map[0]
        if tok.type != "fence" or tok.map is None:
            continue
        ch, n = _fence_char_len(tok)
        lang = _lang(tok.info)
        first, end = tok.map[0] + 1, tok.map[1]
        body_end = end - 1 if _closed(tok, lines) else end
        hcl = lang in HCL_LANGS or (lang == "" and is_hcl_like(tok.content)) or _GLUED_OPEN_RE.match(tok.info)
        if hcl:
            neutral, glued = _scan_hcl(lines, first, ch, n, body_end, ctx)
            if neutral or glued is not None:
                return _Repair(neutral, glued, "heredoc", container_start)
            continue
        if lang in MARKDOWN_LANGS:
            # Prose may end a line with a code span ("tag it ```hcl```"): no glued closings here.
            neutral = _scan_markdown(lines, first, ch, n, ctx)
            if neutral:
                return _Repair(neutral, None, "nested", container_start)
            continue
        ctx.spend_lines(body_end - first)
        run = ch * n
        for i in range(first, body_end):
            if run in lines[i] and _glued_close(lines[i], ch, n) is not None:
                return _Repair([], i, "", container_start)
    return None


def _parse_repaired(lines: list[str], offset: int, ctx: _Ctx) -> tuple[list[Token], dict[int, str], set[int]]:
    """Parse with repairs. Returns block tokens (maps in ``lines``), the glued code per closing line, and the
    lines whose fence characters were swapped for placeholders."""
    glued: dict[int, str] = {}
    neutral: set[int] = set()
    done: list[Token] = []
    start = 0
    while True:  # every pass either returns or adds a repair, and repairs are bounded
        segment = "\n".join(lines[start:])
        ctx.parse_chars -= len(segment)
        toks = _MD.parse(segment)
        for t in toks:
            if t.map is not None:
                t.map = [t.map[0] + start, t.map[1] + start]
        rep = None if ctx.stopped else _find_repair(toks, lines, start, ctx)
        if rep is not None and (len(ctx.repairs) >= MAX_REPAIRS or ctx.parse_chars < 0 or ctx.scan_lines < 0):
            ctx.stopped = True
            ctx.problems.append(f"too many malformed fences ({len(ctx.repairs)} repaired); stopped repairing")
            rep = None
        if rep is None:
            done.extend(toks)
            return done, glued, neutral
        what = "inside a heredoc" if rep.kind == "heredoc" else "closing an inner fence of a markdown fence"
        for i in rep.neutral:
            lines[i] = "".join(_PLACEHOLDER.get(c, c) for c in lines[i])
            neutral.add(i)
            ctx.repairs.append(f"line {offset + i + 1}: fence line {what} kept as text")
        if rep.glued is not None:
            i = rep.glued
            fence = [t for t in toks if t.type == "fence" and t.map and t.map[0] < i][-1]  # the fence it closes
            ch, n = _fence_char_len(fence)
            line = lines[i]
            glued[i] = _glued_close(line, ch, n) or ""
            open_line = lines[fence.map[0]]
            prefix = open_line[: len(open_line) - len(open_line.lstrip(" \t>"))]
            run_len = len(line.rstrip()) - len(line.rstrip().rstrip(ch))
            lines[i] = prefix + ch * run_len
            ctx.repairs.append(f"line {offset + i + 1}: closing fence glued to code")
        done.extend(t for t in toks if t.map is not None and t.map[1] <= rep.restart)
        start = rep.restart


# -- extraction -------------------------------------------------------------------------------

def _content_lines(tok: Token, lines: list[str], glued: dict[int, str], neutral: set[int]) -> list[str]:
    assert tok.map is not None
    out = tok.content.split("\n")
    if out and out[-1] == "":
        out.pop()
    first = tok.map[0] + 1
    out = [line.translate(_UNPLACEHOLDER) if first + k in neutral else line for k, line in enumerate(out)]
    close = tok.map[1] - 1
    if close in glued:
        code = glued[close]
        # Remove the indentation markdown-it removed from the other lines of this fence.
        cut = 0
        for k, text in enumerate(out):
            src = lines[tok.map[0] + 1 + k] if tok.map[0] + 1 + k < len(lines) else ""
            if text.strip() and src.endswith(text):
                cut = len(src) - len(text)
                break
        ws = len(code) - len(code.lstrip(" \t>"))
        out.append(code[min(cut, ws):])
    return out


# Files of other languages an answer may supply (scripts, templates, policies, function code).
_OTHER_FILE_RE = re.compile(
    r"(?<![\w./-])((?:[\w.-]+/)*[\w.-]+\.(?:sh|bash|py|js|mjs|ts|json|ya?ml|tpl|tftpl|tmpl|txt|ps1|cfg|conf|ini|"
    r"sql|html|j2|xml|rb|go|java|toml|env|pem|crt))(?![\w-])")
_OTHER_COMMENT_RE = re.compile(r"^[ \t]*(?:#!.*|#+|//|/\*|--|<!--)?[ \t]*(?:(?:file|filename|path)[ \t]*:[ \t]*)?"
                               r"[`\"'*]*(\S+)")


def other_file_in_text(text: str) -> str | None:
    m = _OTHER_FILE_RE.search(text) if "." in text else None
    return _norm_file(m.group(1)) if m else None


def other_file_in_first_line(code: str) -> str | None:
    for line in code.split("\n"):
        if line.strip():
            if line.startswith("#!"):
                continue  # a shebang names the interpreter, the file name may follow on the next line
            m = _OTHER_COMMENT_RE.match(line)
            if m and line.lstrip()[:1] in "#/-<":
                return other_file_in_text(m.group(1))
            return None
    return None


def _preceding_file(tokens: list[Token], index: int, finder=None) -> str | None:
    """File named in the text between the previous fence and this one (nearest line first), else by the
    nearest heading before it."""
    finder = finder or file_in_text
    heading_seen = False
    for j in range(index - 1, -1, -1):
        tok = tokens[j]
        if tok.type in ("fence", "code_block"):
            break
        if tok.type == "inline":
            for line in reversed(tok.content.split("\n")):
                name = finder(line)
                if name:
                    return name
            if j > 0 and tokens[j - 1].type == "heading_open":
                heading_seen = True
                break
    if heading_seen:
        return None
    # Several fences under one file heading ("## main.tf" then two hcl fences): the heading still names the file.
    for j in range(index - 1, -1, -1):
        tok = tokens[j]
        if tok.type == "inline" and j > 0 and tokens[j - 1].type == "heading_open":
            return finder(tok.content)
    return None


# Another file of the task, named as a heading or a fence's first line: `## File: lib/MODEL_RESPONSE.md`,
# `# PROMPT.md (excerpt)`, `## \`MODEL_FAILURES.md\``. Its code is quoted, not the answer's.
_TASK_FILE_RE = re.compile(r"^[\s#/*`\-]*(?:file\s*:\s*)?[`*]*(?:lib/)?(?:MODEL_RESPONSE|MODEL_FAILURES|PROMPT)\.md\b",
                           re.IGNORECASE)
# The label of a fence that shows the code being corrected: "**Before (Separate Rules):**", "Original code:",
# "**Original Issue** (from MODEL_RESPONSE):", "### Before Optimizations (MODEL_RESPONSE):".
# A short label: the word, at most three more words, an optional parenthetical ("Before (Inline JSON)",
# "Original Code", "Original Issue (from MODEL_RESPONSE)"), nothing that reads as a sentence.
_BEFORE_RE = re.compile(r"^(?:before|original|old|incorrect|wrong|broken|problematic|buggy|previous)"
                        r"(?:\s+[\w-]+){0,3}\s*(?:\([^)]*\))?\s*:?$", re.IGNORECASE)
_FROM_MODEL_RE = re.compile(r"\b(?:from|in|of)\s+(?:the\s+)?(?:MODEL_RESPONSE|model(?:'s)?\s+response)\b|"
                            r"\(MODEL_RESPONSE\)", re.IGNORECASE)
_FIXED_WORDS_RE = re.compile(r"\b(?:after|fix|fixed|fixes|correct|corrected|correction|improv\w*|ideal|updated|"
                             r"new|changes?)\b", re.IGNORECASE)


def _label_text(text: str) -> str:
    return text.strip().strip("*_#`: ").strip()


def quotes_another_file(label: str) -> bool:
    """Whether a fence's label (the paragraph just before it) says it shows the code being corrected."""
    label = _label_text(label)
    if not label or len(label) > 120:
        return False
    if _TASK_FILE_RE.match(label):
        return True
    if len(label) <= 60 and _BEFORE_RE.match(re.sub(r"[*_`]", "", label)):
        return not re.search(r"(?i)\b(?:after|fixed|corrected)\b", label)
    return bool(_FROM_MODEL_RE.search(label)) and not _FIXED_WORDS_RE.search(label)


def _quoted_fences(tokens: list[Token]) -> set[int]:
    """Indexes of fence tokens that quote another file of the task: under a heading naming one (until a
    heading of the same or a higher level), labelled as the code being corrected, or naming one in their
    first line."""
    out: set[int] = set()
    quoting_level: int | None = None
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and i > 0:  # the document's own title names itself, not a quote
            level = int(tok.tag[1:])
            title = tokens[i + 1].content if i + 1 < len(tokens) else ""
            if quoting_level is not None and level <= quoting_level:
                quoting_level = None
            if quoting_level is None and _TASK_FILE_RE.match(_label_text(title) or title):
                quoting_level = level
            continue
        if tok.type != "fence":
            continue
        first = next((x for x in tok.content.split("\n") if x.strip()), "")
        label = tokens[i - 2].content if i >= 2 and tokens[i - 1].type in ("paragraph_close", "heading_close") else ""
        if quoting_level is not None or _TASK_FILE_RE.match(first) or quotes_another_file(label.split("\n")[-1]):
            out.add(i)
    return out


_REASONING_RE = re.compile(r"(?i)^(?:reasoning(?:\s+trace)?|thinking|thought\s+process|scratch\s*pad|draft)\b")
_ANSWER_RE = re.compile(r"(?i)^(?:final\s+)?(?:answer|solution|response|implementation)\b")


def _headings(tokens: list[Token]) -> list[tuple[int, int, str]]:
    """(token index, level, title) of every heading."""
    return [(i, int(t.tag[1:]), _label_text(tokens[i + 1].content if i + 1 < len(tokens) else ""))
            for i, t in enumerate(tokens) if t.type == "heading_open"]


def _draft_fences(tokens: list[Token]) -> set[int]:
    """Fences of a reasoning trace that the answer supersedes: between a `Reasoning Trace` heading and a later
    `Answer` heading of the same or a higher level, when the answer (to the end, or to another reasoning trace)
    itself holds Terraform."""
    heads = _headings(tokens)
    for k, (start, level, title) in enumerate(heads):
        if not _REASONING_RE.match(title):
            continue
        answer = next(((i, lv) for i, lv, t in heads[k + 1:] if lv <= level and _ANSWER_RE.match(t)), None)
        if answer is None:
            return set()
        # The answer runs to the end (its own title headings included), or to another reasoning trace.
        end = next((i for i, _, t in heads if i > answer[0] and _REASONING_RE.match(t)), len(tokens))
        answer_hcl = any(t.type == "fence" and (_lang(t.info) in HCL_LANGS or _lang(t.info) in MARKDOWN_LANGS
                                                or (not _lang(t.info) and is_hcl_like(t.content)))
                         for t in tokens[answer[0]:end])
        if not answer_hcl:
            return set()
        return {i for i in range(start, answer[0]) if tokens[i].type == "fence"}
    return set()


# A heading that names only a README ("## 8. README.md", "### File: `docs/README.md`"): its section is the
# README's text, whose Terraform fences show how to call the module, not the answer's code.
_README_HEADING_RE = re.compile(r"(?i)(?:\d+[.)]\s*)?(?:file:?\s*)?`?(?:[\w.-]+/)*readme[\w.-]*\.(?:md|markdown)`?"
                                r"(?:\s*\([^)]*\))?")
_README_INFO_RE = re.compile(r"(?i)(?:^|[\s:=/\"'])readme[\w.-]*\.(?:md|markdown)\b")


def _readme_fences(tokens: list[Token]) -> set[int]:
    """Fences in the section of a heading that names a README, up to the next heading of the same or a higher
    level."""
    heads = _headings(tokens)
    out: set[int] = set()
    for k, (start, level, title) in enumerate(heads):
        if not _README_HEADING_RE.fullmatch(title):
            continue
        end = next((i for i, lv, _ in heads[k + 1:] if lv <= level), len(tokens))
        out.update(i for i in range(start, end) if tokens[i].type == "fence")
    return out


def _extract(text: str, depth: int, offset: int, ctx: _Ctx, outer_closed: bool,
             quoted: bool = False, example: bool = False) -> tuple[list[CodeBlock], bool]:
    lines = text.split("\n")
    tokens, glued, neutral = _parse_repaired(lines, offset, ctx)
    problems, repairs = ctx.problems, ctx.repairs
    blocks: list[CodeBlock] = []
    truncated = False
    quoting = _quoted_fences(tokens)
    drafts = _draft_fences(tokens) if depth == 0 else set()
    readme = _readme_fences(tokens)
    for i, tok in enumerate(tokens):
        if tok.type != "fence" or tok.map is None:
            continue
        info = tok.info.strip()
        lang = _lang(info)
        body = _content_lines(tok, lines, glued, neutral)
        first_line = tok.map[0] + 2  # 1-based line after the opening fence
        glued_open = _GLUED_OPEN_RE.match(info)
        closed = _closed(tok, lines)
        at_end = all(not rest.strip() for rest in lines[tok.map[1]:])
        unterminated = not closed and at_end and not outer_closed
        if not closed and not at_end:
            problems.append(f"line {offset + tok.map[0] + 1}: fence closed by the end of its list item or quote")
        if lang in MARKDOWN_LANGS:
            if depth >= MAX_DEPTH:
                problems.append(f"line {offset + tok.map[0] + 1}: markdown nested deeper than {MAX_DEPTH}, skipped")
                continue
            inner, inner_trunc = _extract("\n".join(body), depth + 1, offset + tok.map[0] + 1, ctx,
                                          outer_closed=closed or outer_closed, quoted=quoted or i in quoting,
                                          example=example or i in readme or bool(_README_INFO_RE.search(info)))
            blocks.extend(inner)
            truncated = truncated or inner_trunc
            continue
        if glued_open:
            body = [info[glued_open.end():], *body]
            first_line -= 1
            lang = glued_open.group(1).lower()
            info = lang
            repairs.append(f"line {offset + tok.map[0] + 1}: code glued to the opening fence")
        code = "\n".join(body)
        if not (lang in HCL_LANGS or (lang == "" and is_hcl_like(code))) or not code.strip():
            if code.strip():
                # A script or template shown in another language still counts as supplied by the answer,
                # under every name the answer gives it (a `### lambda/a-b.py` heading over `# lambda/a_b.py`).
                named = (other_file_in_text(info) or other_file_in_first_line(code),
                         _preceding_file(tokens, i, other_file_in_text))
                ctx.other_files.extend(n for n in named if n)
            continue
        if quoted or i in quoting:
            ctx.quoted += 1
            continue
        if i in drafts:
            ctx.drafts += 1
            continue
        if example or i in readme:
            ctx.examples += 1
            continue
        file = _info_file(info) or file_in_first_line(code) or _preceding_file(tokens, i)
        if unterminated:
            truncated = True
            problems.append(f"line {offset + tok.map[0] + 1}: fence never closed (answer truncated)")
        if code and not code.endswith("\n"):
            code += "\n"
        blocks.extend(split_files(CodeBlock(text=code, line=offset + first_line, file=file, info=info, fenced=True,
                                            unterminated=unterminated)))
    if not blocks and depth == 0:
        outside = _outside_fences(lines, tokens)
        if is_hcl_like(outside):
            whole = text if text.endswith("\n") else text + "\n"
            blocks.extend(split_files(CodeBlock(text=whole, line=1, file=file_in_first_line(text), info="",
                                                fenced=False)))
    elif depth == 0 and blocks:
        stray = _stray_blocks(lines, tokens, offset)
        if stray:
            repairs.append(f"{len(stray)} Terraform block(s) outside any fence (a fence closed too early or opened "
                           "too late) read as code")
            blocks = sorted([*blocks, *stray], key=lambda b: b.line)
    if depth == 0 and blocks and not truncated and _cut_inside_last_block(blocks[-1], lines):
        truncated = True
        problems.append(f"line {blocks[-1].line + blocks[-1].text.count(chr(10)) - 1}: the answer ends right after a "
                        "code block that stops inside a block (answer truncated)")
    return blocks, truncated


_HEREDOC_RE = re.compile(r"<<-?[ \t]*\"?([A-Za-z_]\w*)\"?[ \t]*$")


def split_files(block: CodeBlock) -> list[CodeBlock]:
    """One code block that holds several files, each introduced by a comment line naming it at the top level
    (`# variables.tf`, `# lib/modules/vpc/main.tf`): one block per file, so that each declaration is read in
    its own file and module folder. Comments inside a block or a heredoc are not file boundaries."""
    lines = block.text.split("\n")
    cuts: list[tuple[int, str]] = []
    depth, heredoc, seen_code = 0, None, False
    for i, line in enumerate(lines):
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        m = _COMMENT_FILE_RE.match(line) if depth == 0 else None
        if m and seen_code and _norm_file(m.group(1)) != (cuts[-1][1] if cuts else block.file):
            cuts.append((i, _norm_file(m.group(1))))
            seen_code = False
            continue
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "//")):
            seen_code = True
        depth += open_braces(line)
        h = _HEREDOC_RE.search(line)
        if h:
            heredoc = h.group(1)
    # A file heading with no code after it is not a file of its own.
    cuts = [(i, f) for k, (i, f) in enumerate(cuts)
            if any(ln.strip() and not ln.strip().startswith(("#", "//"))
                   for ln in lines[i + 1:(cuts[k + 1][0] if k + 1 < len(cuts) else len(lines))])]
    if not cuts:
        return [block]
    out = []
    bounds = [(0, block.file)] + cuts
    for k, (start, file) in enumerate(bounds):
        end = bounds[k + 1][0] if k + 1 < len(bounds) else len(lines)
        text = "\n".join(lines[start:end])
        if not text.endswith("\n"):
            text += "\n"
        last = k == len(bounds) - 1
        out.append(CodeBlock(text=text, line=block.line + start, file=file, info=block.info, fenced=block.fenced,
                             unterminated=block.unterminated and last))
    return out


def _cut_inside_last_block(last: CodeBlock, lines: list[str]) -> bool:
    """A closed last fence with nothing after it whose code stops inside a block: the answer was cut off and
    the fence closed by whoever saved it."""
    if not last.fenced or last.unterminated:
        return False
    after_close = last.line - 1 + last.text.count("\n") + 1  # 0-based index of the line after the closing fence
    return all(not rest.strip() for rest in lines[after_close:]) and open_braces(last.text) > 0


_TOP_OPEN_RE = re.compile(r'^(?:resource|data)[ \t]+"[\w-]+"[ \t]+"[\w-]+"[ \t]*\{[ \t]*$'
                          r'|^(?:variable|output|module|provider)[ \t]+"[\w-]+"[ \t]*\{[ \t]*$|^(?:terraform|locals)[ \t]*\{[ \t]*$')


def _stray_blocks(lines: list[str], tokens: list[Token], offset: int) -> list[CodeBlock]:
    """Top-level Terraform blocks written between fences, at the start of a line and closed by a balanced
    brace, in an answer that fences its other code: code a misplaced fence left outside (reviewers read it as
    code)."""
    inside: set[int] = set()
    for tok in tokens:
        if tok.map is not None and tok.type in ("fence", "code_block", "html_block"):
            inside.update(range(tok.map[0], tok.map[1]))
    out: list[CodeBlock] = []
    i = 0
    while i < len(lines):
        if i in inside or not _TOP_OPEN_RE.match(lines[i]):
            i += 1
            continue
        depth, j = 0, i
        while j < len(lines) and j not in inside:
            depth += lines[j].count("{") - lines[j].count("}")
            if depth <= 0:
                break
            j += 1
        if depth != 0 or j >= len(lines) or j in inside:
            i += 1
            continue
        # Consecutive stray blocks (and the blank or comment lines between them) make one code block.
        end = j
        k = j + 1
        while k < len(lines) and k not in inside and (not lines[k].strip() or lines[k].lstrip().startswith("#")
                                                      or _TOP_OPEN_RE.match(lines[k])):
            if _TOP_OPEN_RE.match(lines[k]):
                d, m = 0, k
                while m < len(lines) and m not in inside:
                    d += lines[m].count("{") - lines[m].count("}")
                    if d <= 0:
                        break
                    m += 1
                if d != 0 or m >= len(lines) or m in inside:
                    break
                end, k = m, m + 1
                continue
            k += 1
        text = "\n".join(lines[i:end + 1]) + "\n"
        out.append(CodeBlock(text=text, line=offset + i + 1, file=None, info="", fenced=False))
        i = end + 1
    return out


def _info_file(info: str) -> str | None:
    rest = info[len(_INFO_LANG_RE.match(info).group(0)):] if _INFO_LANG_RE.match(info) else info
    return file_in_text(rest)


def _outside_fences(lines: list[str], tokens: list[Token]) -> str:
    inside = set()
    for tok in tokens:
        if tok.type == "fence" and tok.map is not None:
            inside.update(range(tok.map[0], tok.map[1]))
    return "\n".join(line for k, line in enumerate(lines) if k not in inside)


# Strings (a line's unclosed quote ends at the line), comments, heredoc openers, braces: one scan of the text.
_TOKEN = re.compile(r'"(?:\\.|[^"\\\n])*"?|#.*|//.*|<<-?[^\S\n]*([A-Za-z_]\w*)|[{}]')


def open_braces(text: str) -> int:
    """Open minus closed braces outside strings, comments and heredocs (approximate, linear)."""
    depth = 0
    pos = 0
    while m := _TOKEN.search(text, pos):
        tok = m.group(0)
        pos = m.end()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif m.group(1):  # a heredoc: skip the rest of its line, its text and the line that closes it
            eol = text.find("\n", pos)
            close = re.compile(rf"^[^\S\n]*{re.escape(m.group(1))}[^\S\n]*$", re.M).search(text, eol + 1) \
                if eol >= 0 else None
            if close is None:
                break
            pos = close.end()
    return depth


def _normalise(markdown: str) -> str:
    # The same line breaks markdown-it uses, so our line numbers are its line numbers.
    return markdown.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


def extract_code_blocks(markdown: str) -> Extraction:
    """Every Terraform code block of a markdown answer, in document order. Never raises."""
    problems: list[str] = []
    repairs: list[str] = []
    if not isinstance(markdown, str):
        return Extraction([], False, [f"expected text, got {type(markdown).__name__}"])
    try:
        text = _normalise(markdown)
        ctx = _Ctx(problems, repairs, parse_chars=max(MAX_PARSE_CHARS, 2 * len(text)),
                   scan_lines=max(MAX_SCAN_LINES, 2 * text.count("\n")))
        blocks, truncated = _extract(text, 0, 0, ctx, outer_closed=False)
    except Exception as exc:  # never let one odd answer abort a batch
        return Extraction([], False, [f"extraction failed: {type(exc).__name__}: {exc}"], repairs)
    if ctx.drafts:
        problems.append(f"{ctx.drafts} Terraform code block(s) of the reasoning trace left out: the answer section "
                        "that follows supersedes them")
    if ctx.examples:
        problems.append(f"{ctx.examples} Terraform code block(s) of a README the answer supplies left out: usage "
                        "examples, not the answer's code")
    if ctx.quoted:
        problems.append(f"{ctx.quoted} Terraform code block(s) quote another file of the task (the MODEL answer, "
                        "the failure report or the prompt) and are not part of this answer")
    if not blocks:
        problems.append("no Terraform code found")
    return Extraction(blocks, truncated, problems, repairs, sorted(set(ctx.other_files)), ctx.quoted, ctx.examples)
