"""Terraform out of markdown: every rule on small hand-written answers, line numbers exact, then the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drdata.extract import Extraction, extract_code_blocks
from drdata.hcl.model import CodeBlock

FIXTURES = Path(__file__).parent / "fixtures" / "corpus_edge"


def md(*lines: str) -> str:
    """A markdown answer; the n-th argument is line n."""
    return "\n".join(lines) + "\n"


def summary(ex: Extraction) -> list[tuple[int, str | None, str]]:
    return [(b.line, b.file, b.text) for b in ex.blocks]


BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'


# -- which fences hold Terraform ----------------------------------------------------------------------

@pytest.mark.parametrize(("info", "file"), [
    ("hcl", None),
    ("terraform", None),
    ("tf", None),
    ("hcl2", None),
    ("HCL", None),
    ("Terraform", None),
    ("hcl - main.tf", "main.tf"),
    ("hcl -  modules/net/main.tf", "modules/net/main.tf"),
    ('hcl title="storage.tf"', "storage.tf"),
    ("hcl variables.tf", "variables.tf"),
    ("hcl {linenos=true}", None),
])
def test_terraform_fence_info(info: str, file: str | None):
    ex = extract_code_blocks(md(
        "Here is the bucket:",
        "",
        f"```{info}",
        'resource "aws_s3_bucket" "logs" {',
        '  bucket = "logs"',
        "}",
        "```",
    ))
    assert summary(ex) == [(4, file, BUCKET)]
    assert ex.blocks[0].info == info
    assert ex.blocks[0].fenced and not ex.blocks[0].unterminated
    assert not ex.truncated and ex.problems == []


@pytest.mark.parametrize("info", ["bash", "sh", "json", "python", "yaml", "text", "console", "javascript"])
def test_other_languages_are_not_terraform_even_when_they_look_like_it(info: str):
    ex = extract_code_blocks(md(f"```{info}", 'resource "aws_s3_bucket" "logs" {', "}", "```"))
    assert ex.blocks == []
    assert ex.problems == ["no Terraform code found"]


@pytest.mark.parametrize(("code", "found"), [
    ('variable "region" {\n  type = string\n}', True),
    ('data "aws_caller_identity" "me" {}', True),
    ('output "id" {\n  value = 1\n}', True),
    ('module "vpc" {\n  source = "./vpc"\n}', True),
    ("provider aws {\n  region = var.region\n}", True),  # pre-0.12 bare label
    ("terraform {\n  required_version = \">= 1.5\"\n}", True),
    ("locals {\n  env = \"dev\"\n}", True),
    ("  resource \"aws_vpc\" \"v\" {\n  }", True),
    ("lib/\n├── main.tf\n└── outputs.tf", False),  # a file tree
    ("terraform init\nterraform apply", False),
    ('region = "eu-west-1"', False),  # tfvars content alone opens no block
    ("resource_group = {", False),
])
def test_unlabeled_fence_is_terraform_when_a_line_opens_a_top_level_block(code: str, found: bool):
    ex = extract_code_blocks(md("Example:", "```", *code.split("\n"), "```"))
    if found:
        assert summary(ex) == [(3, None, code + "\n")]
        assert ex.blocks[0].info == ""
    else:
        assert ex.blocks == []


def test_tilde_fence():
    ex = extract_code_blocks(md("~~~hcl", 'resource "aws_s3_bucket" "logs" {', '  bucket = "logs"', "}", "~~~"))
    assert summary(ex) == [(2, None, BUCKET)]


def test_crlf_line_endings_keep_line_numbers():
    ex = extract_code_blocks("Intro\r\n\r\n```hcl\r\nlocals {\r\n  a = 1\r\n}\r\n```\r\n")
    assert summary(ex) == [(4, None, "locals {\n  a = 1\n}\n")]


def test_empty_terraform_fence_gives_no_block():
    ex = extract_code_blocks(md("```hcl", "", "```", "", "```hcl", "locals {}", "```"))
    assert summary(ex) == [(6, None, "locals {}\n")]


# -- nested markdown ------------------------------------------------------------------------------------

def test_markdown_fence_with_three_backticks_nests_an_answer():
    ex = extract_code_blocks(md(
        "Save this as the README:",   # 1
        "",                           # 2
        "```markdown",                # 3
        "# Stack",                    # 4
        "",                           # 5
        "```hcl",                     # 6
        'module "vpc" {',             # 7
        '  source = "./vpc"',         # 8
        "}",                          # 9
        "```",                        # 10
        "",                           # 11
        "Run `terraform apply`.",     # 12
        "```",                        # 13
        "",                           # 14
        "```hcl",                     # 15
        'output "vpc_id" {',          # 16
        "  value = module.vpc.id",    # 17
        "}",                          # 18
        "```",                        # 19
    ))
    assert summary(ex) == [
        (7, None, 'module "vpc" {\n  source = "./vpc"\n}\n'),
        (16, None, 'output "vpc_id" {\n  value = module.vpc.id\n}\n'),
    ]
    assert ex.repairs == ["line 10: fence line closing an inner fence of a markdown fence kept as text"]
    assert not ex.truncated


def test_four_backtick_md_fence_and_file_name_inside_it():
    ex = extract_code_blocks(md(
        "````md",
        "## main.tf",
        "```hcl",
        'provider "aws" {}',
        "```",
        "````",
    ))
    assert summary(ex) == [(4, "main.tf", 'provider "aws" {}\n')]
    assert ex.repairs == []


# -- unfenced answers -----------------------------------------------------------------------------------

UNFENCED = md(
    "# main.tf - network",       # a markdown heading, and an HCL comment
    "",
    'variable "cidr" {',
    '  default = "10.0.0.0/16"',
    "}",
    "",
    "# The VPC",
    'resource "aws_vpc" "this" {',
    "  cidr_block = var.cidr",
    "}",
)


def test_unfenced_answer_is_one_block_of_the_whole_text():
    ex = extract_code_blocks(UNFENCED)
    assert len(ex.blocks) == 1
    block = ex.blocks[0]
    assert block == CodeBlock(text=UNFENCED, line=1, file="main.tf", info="", fenced=False, unterminated=False)
    assert ex.problems == []


def test_unfenced_answer_without_a_file_comment():
    text = 'terraform {\n  required_version = ">= 1.6"\n}'
    ex = extract_code_blocks(text)
    assert summary(ex) == [(1, None, text + "\n")]
    assert not ex.blocks[0].fenced


@pytest.mark.parametrize("text", [
    md("# Summary", "", "The model forgot the tags on every resource."),
    md("Insert here the ideal response"),
    "",
    md("```bash", "terraform plan", "```"),
])
def test_prose_only_answers_have_no_block(text: str):
    ex = extract_code_blocks(text)
    assert ex.blocks == []
    assert ex.problems == ["no Terraform code found"]
    assert not ex.truncated


# -- file names --------------------------------------------------------------------------------------------

CODE = ["```hcl", "locals {}", "```"]


@pytest.mark.parametrize(("before", "code_first_line", "file"), [
    (["## main.tf"], None, "main.tf"),
    (["### File: variables.tf"], None, "variables.tf"),
    (["## `outputs.tf`"], None, "outputs.tf"),
    (["**provider.tf**"], None, "provider.tf"),
    (["**`backend.tf`:**"], None, "backend.tf"),
    (["1. **outputs.tf**"], None, "outputs.tf"),
    (["Create a `data.tf` file with:"], None, "data.tf"),
    (["### terraform.tfvars"], None, "terraform.tfvars"),
    (["## File: terraform.tfvars.example"], None, "terraform.tfvars.example"),
    (["## 3. Storage (`/lib/storage.tf`)"], None, "lib/storage.tf"),
    (["## File: ./modules/vpc/main.tf"], None, "modules/vpc/main.tf"),
    (["## outputs.tf", "", "These expose the ids:"], None, "outputs.tf"),  # prose between heading and code
    (["## Files", "", "Save this as `network.tf`:"], None, "network.tf"),  # nearest line beats the heading
    (["## Networking"], None, None),
    (["Here is the code:"], None, None),
    ([], None, None),
    ([], "# main.tf", "main.tf"),
    ([], "// variables.tf", "variables.tf"),
    ([], "# File: lib/tap_stack.tf", "lib/tap_stack.tf"),
    ([], "# ./modules/vpc/main.tf", "modules/vpc/main.tf"),
    ([], "# tap_stack.tf - the whole stack", "tap_stack.tf"),
    ([], "/* security.tf */", "security.tf"),
    ([], "# VPC resources", None),
    ([], "# Uses values from variables.tf", None),  # mentions a file, does not name this one
    (["## main.tf"], "# outputs.tf", "outputs.tf"),  # the code's own comment beats the heading
])
def test_file_name(before: list[str], code_first_line: str | None, file: str | None):
    code = [CODE[0], *([code_first_line] if code_first_line else []), *CODE[1:]]
    ex = extract_code_blocks(md(*before, "", *code))
    assert [b.file for b in ex.blocks] == [file]
    assert ex.blocks[0].line == len(before) + 3


def test_fence_info_file_beats_heading():
    ex = extract_code_blocks(md("## main.tf", "```hcl - variables.tf", 'variable "a" {}', "```"))
    assert summary(ex) == [(3, "variables.tf", 'variable "a" {}\n')]


def test_heading_scope_across_several_fences():
    ex = extract_code_blocks(md(
        "## main.tf",           # 1
        "```hcl",               # 2
        "locals {}",            # 3
        "```",                  # 4
        "And the rest:",        # 5
        "```hcl",               # 6
        'data "aws_region" "r" {}',  # 7
        "```",                  # 8
        "## Networking",        # 9
        "```hcl",               # 10
        'resource "aws_vpc" "v" {}',  # 11
        "```",                  # 12
    ))
    assert [(b.line, b.file) for b in ex.blocks] == [(3, "main.tf"), (7, "main.tf"), (11, None)]


# -- glued fences -------------------------------------------------------------------------------------------

def test_closing_fence_glued_to_code_closes_the_block():
    ex = extract_code_blocks(md(
        "```hcl",                             # 1
        'resource "aws_sqs_queue" "q" {',     # 2
        '  name = "jobs"',                    # 3
        "}```",                               # 4
        "",                                   # 5
        "Then the outputs:",                  # 6
        "",                                   # 7
        "```hcl",                             # 8
        'output "queue_url" {',               # 9
        "  value = aws_sqs_queue.q.url",      # 10
        "}",                                  # 11
        "```",                                # 12
    ))
    assert summary(ex) == [
        (2, None, 'resource "aws_sqs_queue" "q" {\n  name = "jobs"\n}\n'),
        (9, None, 'output "queue_url" {\n  value = aws_sqs_queue.q.url\n}\n'),
    ]
    assert ex.repairs == ["line 4: closing fence glued to code"]
    assert not ex.truncated and ex.problems == []


def test_glued_closing_fence_in_a_list_item():
    ex = extract_code_blocks(md(
        "1. Create main.tf:",   # 1
        "",                     # 2
        "   ```hcl",            # 3
        "   locals {",          # 4
        '     env = "dev"',     # 5
        "   }```",              # 6
        "",                     # 7
        "2. Apply it.",         # 8
        "",                     # 9
        "```hcl",               # 10
        "terraform {}",         # 11
        "```",                  # 12
    ))
    assert summary(ex) == [(4, "main.tf", 'locals {\n  env = "dev"\n}\n'), (11, None, "terraform {}\n")]


def test_glued_closing_fence_in_another_language_does_not_swallow_the_next_block():
    ex = extract_code_blocks(md(
        "```python",
        "def handler(event, context):",
        "    return {}```",
        "",
        "```hcl",
        'variable "x" {}',
        "```",
    ))
    assert summary(ex) == [(6, None, 'variable "x" {}\n')]
    assert ex.repairs == ["line 3: closing fence glued to code"]


def test_code_span_ending_a_line_inside_a_markdown_fence_is_not_a_glued_closing():
    ex = extract_code_blocks(md(
        "```markdown",
        "Tag blocks as ```hcl```",
        "```hcl",
        "locals {}",
        "```",
        "```",
    ))
    assert summary(ex) == [(4, None, "locals {}\n")]
    assert ex.repairs == ["line 5: fence line closing an inner fence of a markdown fence kept as text"]


@pytest.mark.parametrize(("opening", "text", "file"), [
    ('```hclvariable "env" {', 'variable "env" {\n  type = string\n}\n', None),
    ("```hcl# main.tf - all in one", "# main.tf - all in one\n  type = string\n}\n", "main.tf"),
])
def test_code_glued_to_the_opening_fence(opening: str, text: str, file: str | None):
    ex = extract_code_blocks(md(opening, "  type = string", "}", "```"))
    assert summary(ex) == [(1, file, text)]
    assert ex.blocks[0].info == "hcl"


# -- heredocs -----------------------------------------------------------------------------------------------

HEREDOC_ANSWER = md(
    "## docs.tf",                             # 1
    "",                                       # 2
    "```hcl",                                 # 3
    'resource "local_file" "readme" {',       # 4
    '  filename = "README.md"',               # 5
    "  content  = <<-EOT",                    # 6
    "# Usage",                                # 7
    "```bash",                                # 8
    "terraform apply",                        # 9
    "```",                                    # 10
    "Then check the outputs:",                # 11
    "```",                                    # 12
    "terraform output",                       # 13
    "```",                                    # 14
    "  EOT",                                  # 15
    "}",                                      # 16
    "```",                                    # 17
    "",                                       # 18
    "```hcl",                                 # 19
    'output "path" {',                        # 20
    "  value = local_file.readme.filename",   # 21
    "}",                                      # 22
    "```",                                    # 23
)


def test_fence_lines_inside_a_heredoc_stay_in_the_block():
    ex = extract_code_blocks(HEREDOC_ANSWER)
    lines = HEREDOC_ANSWER.split("\n")
    assert summary(ex) == [
        (4, "docs.tf", "\n".join(lines[3:16]) + "\n"),  # lines 4..16 exactly as written, fences included
        (20, "docs.tf", "\n".join(lines[19:22]) + "\n"),
    ]
    assert ex.repairs == [
        "line 10: fence line inside a heredoc kept as text",
        "line 12: fence line inside a heredoc kept as text",
        "line 14: fence line inside a heredoc kept as text",
    ]
    assert "```bash\nterraform apply\n```\n" in ex.blocks[0].text


def test_heredoc_cut_off_keeps_the_commonmark_reading():
    ex = extract_code_blocks(md(
        "```hcl",
        'resource "aws_instance" "web" {',
        "  user_data = <<-EOF",
        "    #!/bin/bash",
        "    yum install -y httpd",
        "```",
        "",
        "That is all.",
    ))
    assert summary(ex) == [(2, None, 'resource "aws_instance" "web" {\n  user_data = <<-EOF\n'
                                     "    #!/bin/bash\n    yum install -y httpd\n")]
    assert ex.repairs == [] and not ex.truncated


def test_heredoc_rule_only_applies_to_terraform_fences():
    ex = extract_code_blocks(md(
        "```bash",
        "cat <<EOF",
        "```",
        "",
        "```hcl",
        "locals {}",
        "```",
        "EOF",
    ))
    assert summary(ex) == [(6, None, "locals {}\n")]


# -- truncation ---------------------------------------------------------------------------------------------

def test_unterminated_last_fence_is_a_truncated_answer():
    ex = extract_code_blocks(md(
        "## main.tf",
        "```hcl",
        'resource "aws_kms_key" "k" {',
        '  description = "logs"',
    ))
    assert summary(ex) == [(3, "main.tf", 'resource "aws_kms_key" "k" {\n  description = "logs"\n')]
    assert ex.blocks[0].unterminated
    assert ex.truncated
    assert ex.problems == ["line 2: fence never closed (answer truncated)"]


def test_unterminated_fence_of_another_language_does_not_truncate_terraform():
    ex = extract_code_blocks(md("```hcl", "locals {}", "```", "", "Deploy with:", "```bash", "terraform ap"))
    assert summary(ex) == [(2, None, "locals {}\n")]
    assert not ex.blocks[0].unterminated and not ex.truncated


def test_unterminated_fence_inside_an_unterminated_markdown_fence():
    ex = extract_code_blocks(md("```markdown", "# Readme", "```hcl", "locals {", "  a = 1"))
    assert summary(ex) == [(4, None, "locals {\n  a = 1\n")]
    assert ex.truncated and ex.blocks[0].unterminated


def test_fence_ended_by_its_list_item_is_not_a_truncation():
    ex = extract_code_blocks(md("- Save as main.tf:", "  ```hcl", "  locals {}", "Next paragraph."))
    assert summary(ex) == [(3, "main.tf", "locals {}\n")]
    assert not ex.truncated and not ex.blocks[0].unterminated


@pytest.mark.parametrize("lines,truncated", [
    # The answer stops right after a fence whose code stops inside a block: cut off, fence closed afterwards.
    (("```hcl", 'resource "aws_kms_key" "k" {', '  policy = jsonencode({', '    Version = "2012-10-17"', "```", ""),
     True),
    # Prose after the fence: the writer went on, so the open block is an excerpt, not a cut.
    (("```hcl", 'resource "aws_kms_key" "k" {', "  # ...", "```", "", "The rest stays as before."), False),
    # Balanced code at the end of the answer.
    (("```hcl", 'resource "aws_kms_key" "k" {', '  description = "logs"', "}", "```"), False),
])
def test_a_closed_last_fence_that_stops_inside_a_block_at_the_end_of_the_answer(lines, truncated):
    ex = extract_code_blocks(md(*lines))
    assert ex.truncated is truncated
    assert any("stops inside a block" in p for p in ex.problems) is truncated


# -- a whole answer written as a fixture file ---------------------------------------------------------------

def test_multi_file_answer_fixture():
    text = (FIXTURES / "multi_file_answer.md").read_text(encoding="utf-8")
    lines = text.split("\n")
    ex = extract_code_blocks(text)
    assert [(b.line, b.file, b.info) for b in ex.blocks] == [
        (9, "versions.tf", "hcl"),
        (22, "variables.tf", "hcl"),
        (35, "main.tf", "terraform"),
        (58, "outputs.tf", "hcl"),
        (67, "terraform.tfvars", "hcl"),
    ]
    for b in ex.blocks:  # every block's first and last lines are where the line numbers say
        body = b.text.rstrip("\n").split("\n")
        assert lines[b.line - 1] == body[0]
        last = lines[b.line - 1 + len(body) - 1]
        assert last == body[-1] or last == body[-1] + "```"
    assert ex.repairs == ["line 52: fence line inside a heredoc kept as text",
                          "line 63: closing fence glued to code"]
    assert ex.truncated and ex.blocks[-1].unterminated


# -- never raises ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    pytest.param(bytes(range(256)).decode("latin-1") * 40_000, id="10MB-binary-junk"),
    pytest.param("{" * 5000, id="5000-braces"),
    pytest.param("```hcl\n" + "{" * 5000 + "\n```\n", id="5000-braces-in-fence"),
    pytest.param("`" * 100_000, id="backticks"),
    pytest.param(">" * 5000 + " x", id="deep-quote"),
    pytest.param("- " * 5000 + "x", id="deep-list"),
    pytest.param("```markdown\n" * 600, id="deep-markdown"),
    pytest.param("```hcl\nlocals {}\n}```\n" * 3000, id="many-glued"),
    pytest.param("```hcl\nx = <<EOF\n```\n" * 2000 + "EOF\n", id="many-heredocs"),
    pytest.param("```markdown\n```bash\n```\n" * 1000 + "```\n", id="many-nested"),
    pytest.param("\x00\ue000```\n\ue001~~~\n" * 100, id="nul-and-placeholders"),
    pytest.param("\r" * 1000 + "```hcl\rlocals {}\r```", id="bare-cr"),
])
def test_never_raises(text: str):
    ex = extract_code_blocks(text)
    assert isinstance(ex, Extraction)
    n_lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert all(1 <= b.line <= n_lines for b in ex.blocks)


def test_not_a_string_is_a_problem_not_an_exception():
    ex = extract_code_blocks(b"```hcl\nlocals {}\n```")  # type: ignore[arg-type]
    assert ex.blocks == [] and ex.problems == ["expected text, got bytes"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([
    "```hcl", "```", "````md", "````", "```markdown", "~~~", "}```", "locals {", "}", "  x = <<EOF", "EOF",
    "## main.tf", "# f.tf", "- item", "> quote", "", 'resource "a" "b" {', "```bash", "text",
]), max_size=40))
def test_random_fence_soup_never_raises_and_lines_point_into_the_text(parts: list[str]):
    text = "\n".join(parts)
    ex = extract_code_blocks(text)
    lines = text.split("\n")
    for b in ex.blocks:
        assert 1 <= b.line <= len(lines)
        assert b.text.count("\n") <= len(lines) - b.line + 1


# -- shared corpus ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_extractions(shared_corpus: Path) -> dict[tuple[str, str], tuple[str, Extraction]]:
    """(task, side) -> (answer text, extraction) for every answer of the shared corpus, extracted once."""
    out = {}
    for path in sorted((shared_corpus / "archive" / "tf-hcl").glob("*/lib/*_RESPONSE.md")):
        text = path.read_bytes().decode("utf-8", errors="replace").replace("\x00", "")
        out[(path.parent.parent.name, path.name.split("_")[0])] = (text, extract_code_blocks(text))
    return out


@pytest.mark.corpus
@pytest.mark.parametrize(("task", "side"), [("Pr1378", "MODEL"), ("Pr1336", "IDEAL")])
def test_unfenced_corpus_answers_give_one_block(corpus_extractions, task: str, side: str):
    text, ex = corpus_extractions[(task, side)]
    assert len(ex.blocks) == 1
    block = ex.blocks[0]
    assert not block.fenced and block.line == 1
    assert 'resource "' in block.text
    assert block.text.rstrip("\n") == text.replace("\r\n", "\n").rstrip("\n")


@pytest.mark.corpus
def test_corpus_block_lines_point_at_their_code(corpus_extractions):
    """Over every answer: no exception, and each block's first line is the markdown line it claims."""
    assert len(corpus_extractions) >= 900
    n_blocks = glued = 0
    for (task, side), (text, ex) in corpus_extractions.items():
        lines = text.replace("\r\n", "\n").split("\n")
        glued += sum("closing fence glued" in r for r in ex.repairs)
        for b in ex.blocks:
            n_blocks += 1
            first = b.text.split("\n")[0]
            source = lines[b.line - 1]
            # Holds for code glued to the opening fence too ("```hclvariable ..." ends with "variable ...").
            assert source.endswith(first), (task, side, b.line)
    assert n_blocks > 5000
    assert glued >= 31  # the corpus has at least the 31 glued closings the issue counted


@pytest.mark.corpus
def test_corpus_truncated_answer_is_flagged(corpus_extractions):
    # Pr1216's MODEL answer stops in the middle of a string inside its last hcl fence.
    _, ex = corpus_extractions[("Pr1216", "MODEL")]
    assert ex.truncated and ex.blocks[-1].unterminated
    assert not corpus_extractions[("Pr4579", "MODEL")][1].truncated


def test_files_supplied_in_other_languages_are_recorded():
    md = (
        "## main.tf\n\n```hcl\nresource \"aws_instance\" \"web\" {\n"
        "  user_data = file(\"${path.module}/scripts/boot.sh\")\n}\n```\n\n"
        "### scripts/boot.sh\n\n```bash\n#!/bin/bash\necho hello\n```\n\n"
        "```python\n# lambda/handler.py\ndef handler(event, context):\n    return 1\n```\n\n"
        "```json\n{\"no\": \"name\"}\n```\n"
    )
    ex = extract_code_blocks(md)
    assert [b.file for b in ex.blocks] == ["main.tf"]
    assert ex.other_files == ["lambda/handler.py", "scripts/boot.sh"]


def test_a_file_named_by_its_heading_and_otherwise_by_its_first_line_is_supplied_under_both_names():
    # The heading's name is the one the Terraform reads (source_file); the comment spells it differently.
    md = ("### lambda/auto-tagging.py\n\n```python\n# lambda/auto_tagging.py\nimport json\n```\n")
    assert extract_code_blocks(md).other_files == ["lambda/auto-tagging.py", "lambda/auto_tagging.py"]


# -- what is not the answer's own code -----------------------------------------------------------------------

QUEUE_TF = 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
OUTPUT_TF = 'output "queue_url" {\n  value = aws_sqs_queue.q.url\n}\n'


@pytest.mark.parametrize("label", [
    "**Before (Separate Resources):**", "Original code:", "**Original Issue** (from MODEL_RESPONSE):",
    "Before:", "### Before Optimizations (MODEL_RESPONSE):",
])
def test_a_fence_labelled_as_the_code_being_corrected_is_not_the_answers(label):
    fixed = QUEUE_TF.replace('"q"', '"jobs"')
    text = f"{label}\n\n```hcl\n{QUEUE_TF}```\n\n**After:**\n```hcl\n{fixed}```\n"
    ex = extract_code_blocks(text)
    assert [b.text for b in ex.blocks] == [fixed]
    assert ex.quoted == 1 and any("quote another file of the task" in p for p in ex.problems)


@pytest.mark.parametrize("label", ["Before deploying, set these variables:", "Corrected code (from the MODEL_RESPONSE fix):",
                                   "The original request asked for a queue; here it is:"])
def test_ordinary_labels_keep_their_fence(label):
    ex = extract_code_blocks(f"{label}\n```hcl\n{QUEUE_TF}```\n")
    assert len(ex.blocks) == 1 and ex.quoted == 0


def test_a_section_quoting_the_model_response_is_left_out_until_the_next_heading():
    text = (f"# Ideal answer\n\n## main.tf\n```hcl\n{QUEUE_TF}```\n\n## `MODEL_RESPONSE.md`\n\n"
            f"```markdown\n# Model answer\n```hcl\nmodule \"x\" {{\n  source = \"a/b/c\"\n}}\n```\n```\n\n"
            f"### Its variables\n```hcl\nvariable \"v\" {{}}\n```\n\n## outputs.tf\n```hcl\noutput \"o\" {{\n  value = 1\n}}\n```\n")
    ex = extract_code_blocks(text)
    assert [b.file for b in ex.blocks] == ["main.tf", "outputs.tf"]
    assert ex.quoted == 2


def test_a_document_titled_with_a_task_file_name_is_still_the_answer():
    ex = extract_code_blocks(f"# MODEL_RESPONSE.md\n\n## File: lib/main.tf\n```hcl\n{QUEUE_TF}```\n")
    assert len(ex.blocks) == 1 and ex.quoted == 0


def test_a_reasoning_trace_is_superseded_by_the_answer_that_follows():
    draft = QUEUE_TF.replace('"q"', '"draft"')
    text = (f"### Reasoning Trace\n\nLet me sketch it.\n\n```hcl\n{draft}```\n\n### Answer\n\n"
            f"# The stack\n\n## main.tf\n\n```hcl\n{QUEUE_TF}```\n")
    ex = extract_code_blocks(text)
    assert [b.text for b in ex.blocks] == [QUEUE_TF]
    assert any("reasoning trace left out" in p for p in ex.problems)
    # Without Terraform in the answer section, the trace's code is all there is: it stays.
    only_trace = text.split("### Answer")[0] + "### Answer\n\nSee above.\n"
    assert [b.text for b in extract_code_blocks(only_trace).blocks] == [draft]


def test_terraform_left_outside_a_misplaced_fence_is_still_read():
    text = (f"## main.tf\n\n```hcl\n{QUEUE_TF}```\n\nThe network:\n\n"
            'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n  tags = {\n    Name = "main"\n  }\n}\n\n'
            "Prose mentions resource blocks like `resource \"x\" \"y\" {` inline, which is not code.\n")
    ex = extract_code_blocks(text)
    assert [b.fenced for b in ex.blocks] == [True, False]
    assert ex.blocks[1].text.startswith('resource "aws_vpc" "main" {') and ex.blocks[1].line == 11
    assert any("outside any fence" in r for r in ex.repairs)


MODULE_CALL = 'module "queues" {\n  source = "./path-to-module"\n}\n'


@pytest.mark.parametrize("readme", [
    # The README as a nested markdown fence under its file heading.
    f"## File: lib/README.md\n\n````markdown\n# Queues\n\n## Usage\n\n```hcl\n{MODULE_CALL}```\n````\n",
    # The same README whose markdown fence the first inner fence closed: its section still runs to the next
    # heading of its level.
    f"## 8. README.md\n\n```markdown\n# Queues\n```\n\n### Complete example\n\n```hcl\n{MODULE_CALL}```\n",
    # Labelled in the fence's info string.
    f"The module's documentation:\n\n```markdown README.md\n## Usage\n\n```hcl\n{MODULE_CALL}```\n```\n",
])
def test_terraform_in_a_readme_the_answer_supplies_is_an_example_not_the_answer(readme):
    text = f"## main.tf\n\n```hcl\n{QUEUE_TF}```\n\n{readme}\n## outputs.tf\n\n```hcl\n{OUTPUT_TF}```\n"
    ex = extract_code_blocks(text)
    assert [b.text for b in ex.blocks] == [QUEUE_TF, OUTPUT_TF]
    assert ex.examples == 1 and any("README" in p for p in ex.problems)


def test_a_title_that_mentions_a_readme_among_other_files_is_not_a_readme_section():
    text = f"# Stack: main.tf and README.md\n\n## main.tf\n\n```hcl\n{QUEUE_TF}```\n"
    assert [b.text for b in extract_code_blocks(text).blocks] == [QUEUE_TF]


def test_a_block_holding_several_files_is_split_at_the_comments_naming_them():
    vpc = 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
    text = ("## Code\n\n```hcl\n# lib/modules/vpc/main.tf\n" + vpc + "\n# lib/modules/vpc/variables.tf\n"
            'variable "cidr" {\n  # outputs.tf is where the id goes\n  type = string\n}\n'
            "\n# outputs.tf\n"  # a heading with no code after it is no file of its own
            "```\n")
    blocks = extract_code_blocks(text).blocks
    assert [(b.file, b.line) for b in blocks] == [("lib/modules/vpc/main.tf", 4),
                                                   ("lib/modules/vpc/variables.tf", 9)]
    assert blocks[1].text.startswith("# lib/modules/vpc/variables.tf\nvariable")


def test_a_file_comment_inside_a_heredoc_or_a_block_does_not_split():
    code = ('resource "aws_instance" "a" {\n  user_data = <<EOF\n# setup.tf\necho hi\nEOF\n}\n'
            'locals {\n  # main.tf\n  x = 1\n}\n')
    assert [b.file for b in extract_code_blocks(f"```hcl\n{code}```\n").blocks] == [None]
