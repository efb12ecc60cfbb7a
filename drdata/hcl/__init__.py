"""HCL parsing: one model of a Terraform answer, two backends, a parse cache."""

from drdata.hcl.model import (  # noqa: F401
    Attribute,
    Block,
    Call,
    CodeBlock,
    Expr,
    ParseError,
    Ref,
    Resource,
    TerraformConfig,
    is_literal,
)
from drdata.hcl.parse import BACKENDS, DEFAULT_BACKEND, parse_answer, parse_code_blocks, parse_hcl  # noqa: F401
