"""Terraform code blocks out of markdown answers (markdown-it-py)."""

from drdata.extract.markdown import Extraction, extract_code_blocks, is_hcl_like

__all__ = ["Extraction", "extract_code_blocks", "is_hcl_like"]
