"""Parse HCL text or a whole markdown answer into one :class:`TerraformConfig`."""

from __future__ import annotations

import re

from drdata.hcl.backends import BACKENDS, DEFAULT_BACKEND, backend_version  # noqa: F401 - re-exported
from drdata.hcl.backends import backend_parser as _backend
from drdata.hcl.model import Block, CodeBlock, ParseError, Resource, TerraformConfig


def assemble(blocks: list[Block], errors: list[ParseError], code_blocks: list[CodeBlock],
             truncated: bool, backend: str) -> TerraformConfig:
    cfg = TerraformConfig(code_blocks=list(code_blocks), errors=list(errors), truncated=truncated, backend=backend)
    dup_locals: list[str] = []
    for b in blocks:
        t = b.type
        if isinstance(b, Resource):
            (cfg.resources if b.mode == "managed" else cfg.data).append(b)
        elif t == "module" and b.labels:
            cfg.modules.append(b)
        elif t == "variable" and b.labels:
            cfg.variables.append(b)
        elif t == "output" and b.labels:
            cfg.outputs.append(b)
        elif t == "provider" and b.labels:
            cfg.providers.append(b)
        elif t == "terraform":
            cfg.terraform.append(b)
        elif t == "locals":
            cfg.locals_blocks.append(b)
            for name, attr in b.attributes.items():
                if name in cfg.locals:
                    dup_locals.append(name)
                cfg.locals[name] = attr
            dup_locals.extend(b.duplicate_attributes)
        else:
            cfg.other_blocks.append(b)
    cfg.duplicate_locals = tuple(sorted(set(dup_locals)))
    return cfg


def parse_hcl(text: str, *, file: str | None = None, line: int = 1,
              backend: str = DEFAULT_BACKEND) -> TerraformConfig:
    """Parse one piece of HCL (e.g. inline test input) into a config. Never raises for bad text."""
    cb = CodeBlock(text=text, line=line, file=file, info="hcl", fenced=False)
    # The guarded path: nesting too deep for the converter is a parse error, as in a whole answer.
    return parse_code_blocks([cb], False, backend)


_STRAY_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[\w+-]*[ \t]*$", re.M)
_HEREDOC_OPEN = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*$")


def _without_stray_fences(text: str) -> str:
    """Blank markdown fence lines left inside code (an answer that opened a new
    fence without closing the last one): they are never HCL. Line numbers stay."""
    if "``" not in text and "~~~" not in text:
        return text
    lines = text.split("\n")
    heredoc: str | None = None
    for i, line in enumerate(lines):
        if heredoc is not None:  # a fence inside a heredoc (a README, user_data) is the heredoc's text
            if line.strip() == heredoc:
                heredoc = None
            continue
        if _STRAY_FENCE.fullmatch(line):
            lines[i] = ""
            continue
        m = _HEREDOC_OPEN.search(line)
        if m and not line.lstrip().startswith(("#", "//")):
            heredoc = m.group(1)
    return "\n".join(lines)


# A line opening a top-level Terraform block: a code block without any is not Terraform (a script or a JSON
# document in an `hcl` fence), and its failure to parse hides nothing a detector reads.
_TOP_BLOCK = re.compile(r"^[ \t]*(?:resource|data|variable|output|module|provider|terraform|locals)\b[^\n=]*\{", re.M)


def parse_code_blocks(code_blocks: list[CodeBlock], truncated: bool = False,
                      backend: str = DEFAULT_BACKEND) -> TerraformConfig:
    """Parse the code blocks of one answer into one config.

    ``truncated``: the extraction found the answer cut off. A last fence that is never closed but whose
    Terraform parses completely is no truncation (the answer simply forgot the closing fence)."""
    parse = _backend(backend)
    blocks: list[Block] = []
    errors: list[ParseError] = []
    cut_short = False
    for cb in code_blocks:
        try:
            b, e = parse(_without_stray_fences(cb.text), cb.file, cb.line)
        except RecursionError:
            b, e = [], [ParseError(cb.file, cb.line, "nesting too deep to parse", text=cb.text)]
        except Exception as exc:  # a backend bug must not lose the other blocks
            b, e = [], [ParseError(cb.file, cb.line, f"parser failed: {type(exc).__name__}: {exc}"[:200],
                                   text=cb.text)]
        if e and not b and not _TOP_BLOCK.search(cb.text):
            e = []  # not Terraform at all: nothing was lost
        cut_short = cut_short or (cb.unterminated and bool(e))
        blocks.extend(b)
        errors.extend(e)
    if truncated and any(cb.unterminated for cb in code_blocks) and not cut_short:
        truncated = False
    return assemble(blocks, errors, code_blocks, truncated, backend)


def parse_answer(markdown: str | None, *, backend: str = DEFAULT_BACKEND, cache: object | None | bool = True
                 ) -> TerraformConfig:
    """Extract every Terraform block of a markdown answer and parse them into one config.

    ``cache``: True uses the default parse cache, False/None bypasses it, or pass a
    :class:`~drdata.hcl.cache.ParseCache`.
    """
    from drdata.hcl.cache import ParseCache, default_cache

    if not markdown:
        return TerraformConfig(backend=backend)
    store: ParseCache | None
    if cache is True:
        store = default_cache()
    elif cache is False or cache is None:
        store = None
    else:
        store = cache  # type: ignore[assignment]
    if store is not None:
        hit = store.get(backend, markdown)
        if hit is not None:
            return hit
    from drdata.extract import extract_code_blocks

    ex = extract_code_blocks(markdown)
    cfg = parse_code_blocks(ex.blocks, ex.truncated, backend)
    cfg.other_files = tuple(ex.other_files)
    if store is not None:
        store.put(backend, markdown, cfg)
    return cfg
