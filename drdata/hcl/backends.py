"""The two parser backends by name: their parse functions and versions (the parse cache keys on the version)."""

from __future__ import annotations

from collections.abc import Callable

from drdata.hcl.model import Block, ParseError

BACKENDS = ("treesitter", "hcl2")
DEFAULT_BACKEND = "treesitter"


def backend_parser(name: str) -> Callable[..., tuple[list[Block], list[ParseError]]]:
    if name == "treesitter":
        from drdata.hcl.treesitter import parse_blocks
    elif name == "hcl2":
        from drdata.hcl.hcl2_backend import parse_blocks
    else:
        raise ValueError(f"unknown parser backend {name!r}: choose one of {', '.join(BACKENDS)}")
    return parse_blocks


def backend_version(name: str) -> str:
    if name == "treesitter":
        from drdata.hcl.treesitter import version
    elif name == "hcl2":
        from drdata.hcl.hcl2_backend import version
    else:
        raise ValueError(f"unknown parser backend {name!r}")
    return version()
