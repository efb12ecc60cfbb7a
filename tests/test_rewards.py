"""drdata.verify and drdata.rewards: verdicts, the certificate, TRL's reward signature, determinism, safety on
any text, bounded time, and the README / docs snippets run as written."""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import subprocess
import sys
import threading
import time
import types
from dataclasses import replace
from pathlib import Path

import pytest

import drdata
from drdata.rewards import (
    DEFAULT,
    RewardConfig,
    completion_text,
    format_reward,
    make_reward,
    penalty,
    prompt_text,
    score,
    terraform_reward,
    verify_completions,
)
from drdata.verify import Verdict, verify

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from tiny_models import have_train_extra  # noqa: E402


def fenced(code: str, file: str | None = None) -> str:
    head = f"# {file}\n" if file else ""
    return f"Here is the configuration.\n\n```hcl\n{head}{code}```\n"


QUEUE = 'resource "aws_sqs_queue" "orders" {\n  name = "orders"\n}\n'
GOOD = fenced('''variable "environment_suffix" {
  description = "Suffix of every name"
  type        = string
}

resource "aws_sqs_queue" "dlq" {
  name              = "orders-dlq-${var.environment_suffix}"
  kms_master_key_id = "alias/aws/sqs"
  tags              = { Environment = var.environment_suffix }
}
''')
BROKEN = fenced('resource "aws_sqs_queue" "q" {\n  name = \n')


# -- the verdict -----------------------------------------------------------------------------

def test_verdict_of_a_flawed_answer():
    v = verify(fenced(QUEUE), "Create an SQS queue for orders.", time_budget=None)  # no clock: a loaded machine
    assert isinstance(v, Verdict) and v.error is None and not v.timed_out
    assert v.parse.code_blocks == 1 and v.parse.resources == 1 and v.parse.clean
    cats = v.by_category()
    assert "messaging_configuration" in cats and "missing_environment_suffix" in cats
    assert sum(v.by_severity().values()) == len(v.problems) > 0
    p = next(p for p in v.problems if p.category == "messaging_configuration")
    assert p.line == 4 and p.address == "aws_sqs_queue.orders" and p.fix and p.title == "Messaging Misconfiguration"
    assert not v.ok and v.schema_valid is True  # flawed, but every argument is one the provider has


@pytest.mark.parametrize("hcl,valid", [
    ('resource "aws_sqs_queue" "q" {\n  name = "q"\n  colour = "blue"\n}\n', False),  # no such argument
    ('resource "aws_sqs_qeue" "q" {\n  name = "q"\n}\n', False),  # no such type
    ('resource "aws_sqs_queue" "q" {\n  name = "q"\n', None),  # cut off: not all of it was read
])
def test_schema_validity_comes_from_the_provider_schema_rules(hcl, valid):
    assert verify(fenced(hcl)).schema_valid is valid


def test_feedback_is_a_short_deterministic_certificate():
    v = verify(fenced(QUEUE), "Create an SQS queue for orders.")
    text = v.feedback()
    assert text == verify(fenced(QUEUE), "Create an SQS queue for orders.").feedback()
    lines = text.splitlines()
    assert lines[0] == "## Verification"
    assert re.fullmatch(r"1 code block\(s\), 1 resource\(s\); \d+ failure\(s\): .+\.", lines[2])
    items = [x for x in lines if x.startswith("- **")]
    assert len(items) == len(v.problems)
    severities = [x.split("**")[1].split(":")[0] for x in items]
    order = ["Critical", "High", "Medium", "Low"]
    assert severities == sorted(severities, key=order.index)  # most severe first
    assert "(line 4)" in text and text.count("  Fix: ") == len(v.by_category())  # one fix hint per category
    short = v.feedback(max_items=2)
    assert short.count("- **") == 2 and f"and {len(v.problems) - 2} more" in short


@pytest.mark.parametrize("text, expected", [
    (None, "No Terraform code found"),
    ("just prose, no code", "No Terraform code found"),
    (BROKEN, "Syntax error"),
])
def test_feedback_on_broken_answers(text, expected):
    assert expected in verify(text).feedback()


def test_prompt_requirements_feed_the_convention_rules():
    answer = fenced('resource "aws_sqs_queue" "q" {\n  name = "orders-queue"\n}\n')
    without = verify(answer)
    with_prompt = verify(answer, "Create an SQS queue named `orders-queue`.")
    suffix = [p for p in without.problems if p.category == "missing_environment_suffix"]
    assert suffix and not [p for p in with_prompt.problems if p.category == "missing_environment_suffix"]


def test_drdata_verify_is_callable_both_ways():
    import drdata.verify as module

    assert drdata.verify(fenced(QUEUE)) == module.verify(fenced(QUEUE))
    assert drdata.Verdict is Verdict


# -- rewards: TRL's signature ----------------------------------------------------------------

def test_reward_signature_plain_and_conversational():
    prompts = ["Create an SQS queue for orders."] * 3
    plain = [fenced(QUEUE), GOOD, "I cannot help with that."]
    rewards = terraform_reward(prompts=prompts, completions=plain, completion_ids=[[1], [2], [3]], trainer_state=None)
    assert len(rewards) == 3 and all(isinstance(r, float) for r in rewards)
    assert rewards[2] == DEFAULT.floor == 0.0
    assert 0 < rewards[0] < rewards[1] <= 1  # the flawed answer below the better one
    chats = [[{"role": "assistant", "content": c}] for c in plain]
    chat_prompts = [[{"role": "system", "content": "You write Terraform."}, {"role": "user", "content": p}]
                    for p in prompts]
    assert terraform_reward(chat_prompts, chats) == rewards
    assert terraform_reward(completions=plain) == terraform_reward(prompts=None, completions=plain)
    assert terraform_reward(prompts=[], completions=[]) == []


def test_format_reward():
    cut_mid_block = fenced(QUEUE)[:-12]
    # a forgotten closing fence after complete code is no cut (the parser's rule), a block cut short is
    assert format_reward(completions=[GOOD, BROKEN, "no code", fenced(QUEUE)[:-4], cut_mid_block]) == [
        1.0, 0.5, 0.0, 1.0, 0.5]


@pytest.mark.parametrize("completion, text", [
    ("plain", "plain"),
    ([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a1"}, {"role": "assistant", "content": "a2"}],
     "a2"),
    ([{"role": "assistant", "content": [{"type": "text", "text": "x"}, {"type": "image"}]}], "x"),
    ({"role": "assistant", "content": "d"}, "d"),
    ([], ""), (None, ""), (42, ""), ([1, 2], ""),
])
def test_completion_text(completion, text):
    assert completion_text(completion) == text


def test_prompt_text():
    assert prompt_text("p") == "p"
    assert prompt_text([{"role": "system", "content": "s"}, {"role": "user", "content": "u"},
                        {"role": "assistant", "content": "a"}]) == "s\n\nu"
    assert prompt_text(None) is None and prompt_text([]) is None


# -- scoring is configurable ------------------------------------------------------------------

def test_scoring_options():
    v = verify(fenced(QUEUE), "Create an SQS queue for orders.")
    base = penalty(v)
    assert penalty(v, RewardConfig(severity_weights={"Critical": 8, "High": 40, "Medium": 2, "Low": 1})) > base
    assert penalty(v, RewardConfig(rule_set_weights={"aws": 1.0, "convention": 0.0})) < base
    cat = v.problems[0].category
    assert penalty(v, RewardConfig(category_weights={cat: 0.0})) < base
    assert penalty(v, RewardConfig(normalise="none")) == pytest.approx(base * math.log(2 + v.parse.objects))
    assert penalty(v, RewardConfig(normalise="objects")) == pytest.approx(base * math.log(2 + v.parse.objects)
                                                                          / v.parse.objects)
    assert score(v, RewardConfig(scale=1000)) > score(v) > score(v, RewardConfig(scale=1))
    nothing = verify("no code")
    assert score(nothing, RewardConfig(floor=-1.0)) == -1.0
    assert -1 < score(v, RewardConfig(floor=-1.0)) < 1
    broken = verify(BROKEN)
    assert penalty(broken) >= DEFAULT.parse_error_penalty
    reward = make_reward(RewardConfig(floor=-0.5), name="my_reward")
    assert reward.__name__ == "my_reward" and reward(completions=["x"]) == [-0.5]


def test_repeat_counts_a_category_sublinearly():
    many = fenced("".join(f'resource "aws_sqs_queue" "q{i}" {{\n  name = "q{i}"\n}}\n' for i in range(8)))
    v = verify(many)
    assert penalty(v, RewardConfig(repeat="count")) > penalty(v) > penalty(v, RewardConfig(repeat="once"))


@pytest.mark.parametrize("kwargs", [{"repeat": "twice"}, {"normalise": "tokens"}, {"scale": 0}, {"floor": 1.0}])
def test_bad_config(kwargs):
    with pytest.raises(ValueError):
        RewardConfig(**kwargs)


# -- determinism, safety, time ---------------------------------------------------------------

def test_rewards_are_the_same_in_every_process():
    # Without the time budget: on a loaded machine the clock, not the scoring, would differ between processes.
    code = ("import sys, json; from drdata.rewards import RewardConfig, make_reward; "
            "print(json.dumps(make_reward(RewardConfig(time_budget=None))([sys.argv[1]], [sys.argv[2]])))")
    outs = set()
    for seed in ("0", "1", "123"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outs.add(subprocess.run([sys.executable, "-c", code, "Create an SQS queue.", fenced(QUEUE)], env=env,
                                capture_output=True, text=True, check=True).stdout.strip())
    assert len(outs) == 1
    reward = make_reward(RewardConfig(time_budget=None))
    assert outs.pop() == f"[{reward(['Create an SQS queue.'], [fenced(QUEUE)])[0]!r}]"


def test_rules_the_time_budget_left_unrun_do_not_count_in_the_answers_favour():
    checked = verify(fenced(QUEUE), time_budget=None)
    half = replace(checked, skipped=("a",) * checked.categories_checked, timed_out=True)
    none = replace(checked, problems=(), skipped=("a",) * 5, categories_checked=0, timed_out=True)
    assert score(half) == pytest.approx(score(checked) / 2)
    assert score(none) == DEFAULT.floor


NASTY = [
    "", " ", "\x00\x01\x02" * 100, "```hcl\n" + "{" * 5000, "```hcl\n" + "resource \"a\" \"b\" {\n" * 3000,
    "```\n```\n```hcl\n```", "```hcl\nresource \"aws_s3_bucket\" \"b\" {\n" + "  x = [" * 400 + "\n```",
    "\ud800 lone surrogate ```hcl\nvariable \"x\" {}\n```", "x" * 400_000, b"bytes".decode(),
    "```hcl\nlocals {\n  a = local.b\n  b = local.a\n}\n```",
]


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_never_raises_on_odd_text(text):
    v = verify(text, prompt=text[:100])
    assert isinstance(v, Verdict)
    assert isinstance(v.feedback(), str)
    r = terraform_reward([text], [text])
    assert len(r) == 1 and math.isfinite(r[0]) and DEFAULT.floor <= r[0] <= 1


@pytest.mark.parametrize("odd", [None, 42, 3.5, object(), ["not", "messages"], {"content": None}])
def test_odd_completion_objects(odd):
    assert terraform_reward(prompts=[odd], completions=[odd]) == [0.0]
    assert format_reward(completions=[odd]) == [0.0]


def test_over_long_answers_are_cut_and_count_as_truncated():
    long = fenced(QUEUE) + "\n" + "words " * 60_000
    v = verify(long, max_chars=10_000)
    assert v.parse.truncated and v.parse.resources == 1


def _slow_detector(monkeypatch, seconds: float):
    import importlib

    reg = importlib.import_module("drdata.detectors.registry")  # `drdata.detectors.registry` is also a function
    real = reg.run_detector

    def slow(det, cfg):
        if det.category == "incomplete_tagging":
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:  # a runaway rule: pure Python, no sleep
                pass
        return real(det, cfg)

    monkeypatch.setattr(reg, "run_detector", slow)


def test_time_is_bounded_in_the_main_thread(monkeypatch):
    verify(fenced(QUEUE))  # warm up imports outside the measurement
    _slow_detector(monkeypatch, 30)
    t0 = time.perf_counter()
    v = verify(fenced(QUEUE), time_budget=0.4)
    took = time.perf_counter() - t0
    assert took < 1.5, took
    assert v.timed_out and "incomplete_tagging" in v.skipped and not v.ok
    assert len(v.skipped) < 5  # only the runaway rule (and what the budget left no time for) is skipped
    assert "Not checked (time budget spent): " in v.feedback()
    assert terraform_reward(completions=[fenced(QUEUE)])[0] > 0  # still scored from what was checked


def test_time_budget_in_another_thread_is_checked_between_rules(monkeypatch):
    verify(fenced(QUEUE))
    _slow_detector(monkeypatch, 0.6)
    out = {}
    th = threading.Thread(target=lambda: out.setdefault("v", verify(fenced(QUEUE), time_budget=0.3)))
    th.start()
    th.join(10)
    v = out["v"]
    assert v.timed_out and v.skipped and v.error is None  # no signal outside the main thread, no crash


def test_verify_completions_gives_the_verdicts():
    verdicts = verify_completions(["p"], [fenced(QUEUE), "none"])
    assert [type(v).__name__ for v in verdicts] == ["Verdict", "Verdict"]
    assert verdicts[1].parse.no_terraform


# -- snippets of the README and docs/rewards.md, run as written ----------------------------------

def snippets(markdown: str) -> list[str]:
    return [m.group(2) for m in re.finditer(r"^(`{3,})python\n(.*?)^\1\s*$", markdown, re.S | re.M)]


def reward_section(path: Path) -> str:
    text = path.read_text()
    if path.name == "README.md":
        return text.split("## Use drdata as your reward", 1)[1].split("\n## ", 1)[0]
    return text


def check_printed(code: str, printed: str) -> None:
    """Each ``print(...)  # -> value`` line printed ``value`` (a trailing ``...`` inside a number is a prefix)."""
    expected = [line.split("# -> ", 1)[1].strip() for line in code.splitlines()
                if line.lstrip().startswith("print(") and "# -> " in line]
    out = printed.splitlines()
    for want in expected:
        pattern = re.escape(want).replace(r"\.\.\.", r"\d*")
        assert any(re.fullmatch(pattern, line.strip()) for line in out), (want, printed[-2000:])


class _StandInGRPO:
    """What TRL's GRPOTrainer does with reward_funcs, without torch: call each with prompts and sampled
    completions (plain, then conversational) and the dataset's other columns, and check the answers."""

    def __init__(self, model, reward_funcs, train_dataset, args):
        self.funcs = reward_funcs if isinstance(reward_funcs, list) else [reward_funcs]
        self.prompts = list(train_dataset["prompt"])

    def train(self):
        samples = [fenced(QUEUE), "no idea", GOOD]
        for func in self.funcs:
            for as_chat in (False, True):
                prompts = [p for p in self.prompts for _ in samples]
                comps = samples * len(self.prompts)
                if as_chat:
                    prompts = [[{"role": "user", "content": p}] for p in prompts]
                    comps = [[{"role": "assistant", "content": c}] for c in comps]
                out = func(prompts=prompts, completions=comps, completion_ids=[[0]] * len(comps))
                assert len(out) == len(comps) and all(isinstance(x, float) and math.isfinite(x) for x in out)


def _stand_in_builtins() -> dict:
    import builtins

    torch = types.ModuleType("torch")
    torch.cuda = types.SimpleNamespace(is_available=lambda: False)
    trl = types.ModuleType("trl")
    trl.GRPOTrainer = _StandInGRPO
    trl.GRPOConfig = lambda **kwargs: types.SimpleNamespace(**kwargs)
    real = builtins.__import__

    def fake(name, globals=None, locals=None, fromlist=(), level=0):
        fakes = {"trl": trl, "torch": torch}
        return fakes[name] if name in fakes else real(name, globals, locals, fromlist, level)

    return {**vars(builtins), "__import__": fake}


REAL = have_train_extra() and not os.environ.get("DRDATA_SNIPPET_STAND_INS")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    if not REAL:
        return "tiny-model"
    from tiny_models import save_tiny

    texts = [QUEUE, GOOD, "Write Terraform for an S3 bucket that stores access logs."] * 20
    return str(save_tiny(texts, tmp_path_factory.mktemp("tiny-grpo") / "model", vocab_size=400))


SNIPPETS = [(doc, i) for doc in ("README.md", "docs/rewards.md")
            for i in range(len(snippets(reward_section(REPO / doc))))]


def test_the_docs_have_the_snippets():
    assert len(snippets(reward_section(REPO / "README.md"))) == 1
    assert len(snippets(reward_section(REPO / "docs/rewards.md"))) == 2


@pytest.mark.parametrize("doc, index", SNIPPETS)
def test_reward_snippet_runs(doc, index, tiny_model, tmp_path, monkeypatch):
    code = snippets(reward_section(REPO / doc))[index]
    monkeypatch.chdir(tmp_path)
    uses_trl = "from trl import" in code
    scope: dict = {}
    if uses_trl:
        code = code.replace('"<your model>"', repr(tiny_model))
        if not REAL:
            scope["__builtins__"] = _stand_in_builtins()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, f"{doc} snippet {index}", "exec"), scope)
    check_printed(code, printed.getvalue())
    if uses_trl and REAL:
        rewards = [e["reward"] for e in scope["trainer"].state.log_history if "reward" in e]
        assert rewards and all(math.isfinite(r) for r in rewards)
