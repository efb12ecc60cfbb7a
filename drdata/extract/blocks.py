"""The code blocks the extractor pulls out of a markdown answer: what the HCL parser reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class CodeBlock:
    """One Terraform code block pulled out of a markdown answer."""

    text: str
    line: int  # 1-based line in the markdown where the code starts (after the fence)
    file: str | None
    info: str = ""  # fence info string ("hcl", "terraform", "" for unfenced)
    fenced: bool = True
    unterminated: bool = False  # fence never closed: a truncated answer
