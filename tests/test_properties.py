"""Property tests (hypothesis): random and mutated answers never make extraction, parsing or labeling raise,
and labeling is deterministic.

Mutations start from a few hand-written answers shaped like real ones (several files, headings, heredocs with
fences inside, nested markdown, glued fences) and cut them, drop braces, shuffle fences, repeat lines and inject
bytes. ``DRDATA_PROPERTY_EXAMPLES`` raises the number of examples for a longer local run.
"""

from __future__ import annotations

import os

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drdata.extract import extract_code_blocks
from drdata.hcl import parse_answer, parse_hcl
from drdata.hcl.model import TerraformConfig
from drdata.labeling import label_pair
from tests.factory import BUCKET_IDEAL, BUCKET_MODEL

settings.register_profile(
    "drdata-properties",
    max_examples=int(os.environ.get("DRDATA_PROPERTY_EXAMPLES", "250")),
    deadline=None,  # a slow example is not a failure; CI machines are shared
    derandomize=True,  # the same examples on every run: CI results do not flicker
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile("drdata-properties")
FEWER = settings(PROFILE, max_examples=max(20, PROFILE.max_examples * 4 // 5))  # labeling runs every detector

WEB_TIER = '''I'll build the web tier in three files.

## variables.tf

```hcl
variable "environment_suffix" {
  type        = string
  description = "Suffix for every name"
}

variable "allowed_cidrs" {
  type    = list(string)
  default = ["10.20.0.0/16"]
}
```

## main.tf

```hcl
locals {
  name = "web-${var.environment_suffix}"
  tags = {
    Project = "storefront"
    Owner   = "platform"
  }
}

resource "aws_security_group" "web" {
  name   = local.name
  vpc_id = aws_vpc.main.id

  dynamic "ingress" {
    for_each = var.allowed_cidrs
    content {
      from_port   = 443
      to_port     = 443
      protocol    = "tcp"
      cidr_blocks = [ingress.value]
    }
  }
  tags = merge(local.tags, { Name = local.name })
}

resource "aws_iam_role_policy" "app" {
  name = "${local.name}-app"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "${aws_s3_bucket.assets.arn}/*"
    }]
  })
}

resource "aws_instance" "web" {
  count         = 2
  ami           = data.aws_ami.linux.id
  instance_type = "t3.micro"
  user_data     = <<-EOT
    #!/bin/bash
    echo "serving ${local.name}" > /var/www/index.html
  EOT
}
```

## outputs.tf

```hcl
output "web_ids" {
  value = aws_instance.web[*].id
}
```
'''

RUNBOOK = '''Here is the document with its README embedded, and a usage example.

```terraform
resource "aws_ssm_document" "restart" {
  name          = "restart-${var.environment_suffix}"
  document_type = "Command"
  content       = <<DOC
# Restart
```bash
sudo systemctl restart app
```
DOC
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/${var.environment_suffix}"
  retention_in_days = 14
}
```

````markdown
Usage:

```hcl
module "runbook" {
  source             = "./modules/runbook"
  environment_suffix = "dev"
}
```
````

```
resource "aws_sns_topic" "alerts" {
  name = "alerts"
}
```
'''

GLUED = '''```hclresource "aws_sqs_queue" "jobs" {
  name                      = "jobs"
  message_retention_seconds = 86400
}```

~~~tf
resource "aws_sqs_queue" "dead" {
  name = "jobs-dead"
}
~~~

* A list item holding code:

  ```hcl
  resource "aws_sqs_queue_policy" "jobs" {
    queue_url = aws_sqs_queue.jobs.id
    policy    = data.aws_iam_policy_document.jobs.json
  }
  ```
'''

SEEDS = [BUCKET_MODEL, BUCKET_IDEAL, WEB_TIER, RUNBOOK, GLUED]

# Pieces that matter to the extractor and the parser, mixed into random text.
TOKENS = ["```", "```hcl", "````markdown", "~~~", "\n", "{", "}", "[", "]", "(", ")", '"', "=", "<<EOF", "EOF",
          "<<-EOT", "EOT", "${", "%{", "#", "//", "/*", "*/", "resource", 'resource "aws_s3_bucket" "b" {',
          "variable", "locals {", "  ", "\t", ">", "- ", "\\", "\x00", "\ufffd", "\r\n", "é"]
random_text = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=80).map("".join)


# -- mutations --------------------------------------------------------------------------------------------------

@st.composite
def cut(draw, text: str) -> str:
    return text[: draw(st.integers(0, len(text)))]


@st.composite
def drop_braces(draw, text: str) -> str:
    """Remove every brace, or only some of them (picked by position)."""
    at = [i for i, c in enumerate(text) if c in "{}"]
    if not at:
        return text
    gone = set(draw(st.lists(st.sampled_from(at), max_size=len(at)))) if draw(st.booleans()) else set(at)
    return "".join(c for i, c in enumerate(text) if i not in gone)


@st.composite
def shuffle_fences(draw, text: str) -> str:
    lines = text.split("\n")
    at = [i for i, line in enumerate(lines) if line.lstrip().startswith(("```", "~~~"))]
    for i, line in zip(at, draw(st.permutations([lines[i] for i in at])), strict=True):
        lines[i] = line
    return "\n".join(lines)


@st.composite
def duplicate_lines(draw, text: str) -> str:
    lines = text.split("\n")
    a = draw(st.integers(0, len(lines)))
    b = draw(st.integers(a, min(len(lines), a + 30)))
    return "\n".join(lines[:b] + lines[a:b] * draw(st.integers(1, 3)) + lines[b:])


@st.composite
def inject_bytes(draw, text: str) -> str:
    """Random bytes as the reader would hand them over (decoded with replacement, NULs kept)."""
    junk = draw(st.binary(min_size=1, max_size=40)).decode("utf-8", "replace")
    at = draw(st.integers(0, len(text)))
    return text[:at] + junk + text[at:]


MUTATIONS = [cut, drop_braces, shuffle_fences, duplicate_lines, inject_bytes]


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(SEEDS))
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        text = draw(mutation(text))
    return text


answers = st.one_of(mutated(), random_text)


# -- properties -------------------------------------------------------------------------------------------------

def _line_count(text: str) -> int:
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


@PROFILE
@given(answers)
def test_extraction_never_raises_and_blocks_point_into_the_answer(text):
    ex = extract_code_blocks(text)
    # The extractor's own safety net would hide a bug: it must never be needed.
    assert not [p for p in ex.problems if p.startswith("extraction failed")]
    n_lines = _line_count(text)
    for block in ex.blocks:
        assert block.text.strip()
        assert 1 <= block.line <= n_lines
    assert ex.truncated == any(b.unterminated for b in ex.blocks)


@PROFILE
@given(answers)
def test_hcl_parsing_never_raises_and_lines_stay_in_the_text(text):
    cfg = parse_hcl(text, file="main.tf", line=10)
    assert not [e for e in cfg.errors if e.reason.startswith("parser failed")]
    last = 10 + text.count("\n")
    for block in cfg.all_blocks():
        assert 10 <= block.line <= block.end_line <= last
    for err in cfg.errors:
        assert 10 <= err.line <= last


@PROFILE
@given(answers)
def test_parse_answer_never_raises_and_is_deterministic(text):
    cfg = parse_answer(text, cache=False)
    assert isinstance(cfg, TerraformConfig)
    assert not [e for e in cfg.errors if e.reason.startswith("parser failed")]
    assert 0 <= cfg.blocks_parsed <= cfg.blocks_total
    assert parse_answer(text, cache=False) == cfg


def _frames(labels) -> tuple[pd.DataFrame, pd.DataFrame]:
    return labels.labels_frame(), labels.findings_frame()


@FEWER
@given(model=answers, ideal=st.one_of(st.sampled_from(SEEDS), mutated()))
def test_labeling_never_raises_and_is_deterministic(model, ideal):
    first = label_pair(model, ideal, cache=False, task_id="T")
    second = label_pair(model, ideal, cache=False, task_id="T")
    for a, b in zip(_frames(first), _frames(second), strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert first.faults == second.faults
    assert set(first.labels_frame()["status"]) <= {"fixed", "persisting", "introduced", "absent", "unknown"}


@FEWER
@given(st.sampled_from(SEEDS), st.data())
def test_a_cut_answer_is_never_judged_clear_where_the_whole_one_fires(seed, data):
    """Cutting an answer can hide a failure, but the cut side must then say unknown, not absent."""
    whole = label_pair(seed, seed, cache=False)
    text = data.draw(cut(seed))
    part = label_pair(text, text, cache=False)
    for cat, label in whole.categories.items():
        if label.status == "persisting" and part.status(cat) == "absent":
            cfg = part.model
            # Absent after a cut is only right when the cut kept a complete, untruncated config.
            assert cfg.complete, (cat, text[-80:])
