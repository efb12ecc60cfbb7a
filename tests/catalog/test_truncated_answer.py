import pytest

from tests.catalog._cases import answer, check, run_md

VPC = 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
SUBNET = 'resource "aws_subnet" "a" {\n  vpc_id     = aws_vpc.main.id\n  cidr_block = "10.0.1.0/24"\n}\n'

CASES = [
    ("open-fence", answer({"main.tf": VPC}, tail=""), "fires", "never closed"),
    ("ends-inside-block", answer({"main.tf": VPC + 'resource "aws_subnet" "a" {\n  vpc_id = aws_vpc.main.id\n'}),
     "fires", "unclosed brace"),
    ("ends-mid-string", answer({"main.tf": VPC + 'resource "aws_launch'}), "fires", "mid-statement"),
    ("ellipsis-line", answer({"main.tf": VPC + 'resource "aws_subnet" "b" {\n  ...\n}\n'}), "fires",
     "stands for omitted code"),
    ("ellipsis-value", answer({"main.tf": 'resource "aws_iam_policy" "p" {\n  policy = ...\n}\n'}), "fires",
     "used as a value"),
    ("rest-is-similar", answer({"main.tf": VPC + "# ... the remaining subnets follow the same pattern\n"}), "fires",
     "left out"),
    ("todo", answer({"main.tf": VPC + "# TODO: add the NAT gateways\n"}), "fires", "TODO"),
    ("fill-in", answer({"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "<your-bucket-name>"\n}\n'}),
     "fires", "<your-...>"),
    ("complete", answer({"main.tf": VPC, "subnets.tf": SUBNET}), "clear", None),
    # `...` expands a list into arguments: valid HCL, not a placeholder.
    ("expansion", answer({"main.tf": 'locals {\n  all = merge(local.maps...)\n  maps = [{a = 1}]\n}\n'}),
     "clear", None),
    # A heredoc script saying TODO is the script's business.
    ("heredoc-todo", answer({"main.tf": 'resource "aws_instance" "i" {\n  ami = "x"\n  user_data = <<-EOT\n'
                                        '    # TODO: add monitoring agent\n    echo hi\n  EOT\n}\n'}), "clear", None),
    # Usage notes in comments are not fill-in placeholders in code.
    ("comment-usage", answer({"backend.tf": '# terraform init -backend-config="bucket=<your-state-bucket>"\n'
                                            'terraform {\n  backend "s3" {}\n}\n'}), "clear", None),
    # An unnamed excerpt in an answer whose files are named is prose quoting code.
    ("excerpt-ellipsis", answer([("main.tf", VPC), (None, 'resource "aws_vpc" "main" {\n  # ...\n}\n')]),
     "clear", None),
    ("nothing-parsed", "No code in this answer.\n", "unknown", None),
]


@pytest.mark.parametrize("md,status,fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_truncated_answer(md, status, fragment):
    check(run_md("truncated_answer", md), status, None, fragment)


@pytest.mark.parametrize(
    "text, depth",
    [
        ('resource "a" "b" {\n  x = 1\n}\n', 0),
        ('resource "a" "b" {\n  tags = {\n', 2),
        ('x = "{ not a brace }"\n', 0),
        ('x = "unclosed { on its line\ny = {\n', 1),  # an open quote ends at the line end
        ("# {\n// {\nz = 1 # }\n", 0),
        ('p = <<EOF\n{ "a": {\nEOF\nq = {\n', 1),  # heredoc text does not count, the line after it does
        ('p = <<-POLICY\n  {\n  POLICY\n}\n', -1),
        ("p = <<EOF\n{\n", 0),  # a heredoc that never closes hides the rest
        ('x = "a\\"{"\n', 0),  # an escaped quote stays inside the string
    ],
)
def test_brace_balance_skips_strings_comments_and_heredocs(text, depth):
    from drdata.extract.markdown import open_braces

    assert open_braces(text) == depth
