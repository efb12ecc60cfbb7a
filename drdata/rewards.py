"""Rewards for RL on Terraform, from :func:`drdata.verify.verify`: offline, deterministic, milliseconds.

The functions follow the call signature TRL's ``GRPOTrainer`` expects for ``reward_funcs``::

    reward(prompts, completions, **kwargs) -> list[float]

Completions may be plain strings or conversations (a list of ``{"role", "content"}`` messages: the last
assistant message is scored); prompts likewise (the user messages are read for the task's requirements).

- :func:`terraform_reward`: the quality reward, in ``[floor, 1]``; 1 is a clean answer.
- :func:`format_reward`: 1 when the answer holds Terraform that parses completely, 0.5 when some of it does
  not parse or the answer is cut off, 0 when there is no Terraform.
- :func:`make_reward` / :func:`make_format_reward`: the same with your :class:`RewardConfig`.

Scoring (:func:`score`), every number configurable in :class:`RewardConfig`:

1. No Terraform that parses (or the verifier failed): ``floor`` (default 0.0).
2. Each category with findings adds ``severity_weight[worst severity] * (1 + ln(findings))``: a category that
   fails once costs its weight, fifty copies of the same failure cost about five times that, not fifty.
   ``rule_set_weights`` scales the AWS rules and drdata's convention rules (naming, suffixes, tags, backend).
3. Normalisation by answer size: the penalty is divided by ``ln(2 + objects)`` (``normalise="log_objects"``,
   the default), by the number of objects (``"objects"``) or not at all (``"none"``). Dividing by the object
   count ranks better on the corpus but pays an answer for padding itself with clean blocks; the logarithm
   keeps most of the gain and little of that incentive.
4. Parse errors add ``parse_error_penalty``, a cut-off answer ``truncated_penalty``.
5. ``reward = floor + (1 - floor) * exp(-penalty / scale)``.

Deterministic (the same text and prompt give the same reward in any process), safe on any input (never raises:
a broken completion scores ``floor``), and bounded in time (``time_budget`` seconds per answer, see
:mod:`drdata.verify`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from drdata.verify import MAX_CHARS, Verdict, verify


@dataclass(frozen=True)
class RewardConfig:
    severity_weights: dict[str, float] = field(
        default_factory=lambda: {"Critical": 8.0, "High": 4.0, "Medium": 2.0, "Low": 1.0})
    rule_set_weights: dict[str, float] = field(default_factory=lambda: {"aws": 1.0, "convention": 1.0})
    category_weights: dict[str, float] = field(default_factory=dict)  # per-category factor (default 1)
    repeat: str = "log"  # findings of one category: "log" (1 + ln n), "count" (n) or "once" (1)
    normalise: str = "log_objects"  # "log_objects", "objects" or "none"
    parse_error_penalty: float = 4.0
    truncated_penalty: float = 4.0
    scale: float = 8.0  # penalty at which the reward falls to floor + (1 - floor) / e
    floor: float = 0.0  # reward of an answer with no Terraform (or that could not be verified)
    use_prompt: bool = True  # read the prompt's explicit requirements (names, regions, files, tag keys)
    time_budget: float = 0.5  # seconds per answer
    max_chars: int = MAX_CHARS

    def __post_init__(self) -> None:
        if self.repeat not in ("log", "count", "once"):
            raise ValueError(f"repeat must be log, count or once, not {self.repeat!r}")
        if self.normalise not in ("log_objects", "objects", "none"):
            raise ValueError(f"normalise must be log_objects, objects or none, not {self.normalise!r}")
        if self.scale <= 0:
            raise ValueError("scale must be positive")
        if not self.floor < 1:
            raise ValueError("floor must be below 1")


DEFAULT = RewardConfig()


def penalty(verdict: Verdict, config: RewardConfig = DEFAULT) -> float:
    """The weighted failure count of a verdict (before the mapping to a reward); 0 for a clean answer."""
    worst: dict[str, float] = {}
    counts: dict[str, int] = {}
    for p in verdict.problems:
        w = (config.severity_weights.get(p.severity, 1.0) * config.rule_set_weights.get(p.rule_set, 1.0)
             * config.category_weights.get(p.category, 1.0))
        worst[p.category] = max(worst.get(p.category, 0.0), w)
        counts[p.category] = counts.get(p.category, 0) + 1
    total = 0.0
    for cat in sorted(worst):  # a fixed order: the same float sum in every process
        n = counts[cat]
        factor = 1.0 + math.log(n) if config.repeat == "log" else (float(n) if config.repeat == "count" else 1.0)
        total += worst[cat] * factor
    objects = verdict.parse.objects
    if config.normalise == "log_objects":
        total /= math.log(2 + objects)
    elif config.normalise == "objects":
        total /= max(1, objects)
    if verdict.parse.errors:
        total += config.parse_error_penalty
    if verdict.parse.truncated:
        total += config.truncated_penalty
    return total


def score(verdict: Verdict, config: RewardConfig = DEFAULT) -> float:
    """Reward of one verdict, in ``[config.floor, 1]``. Rules the time budget left unrun do not count in the
    answer's favour: the reward is scaled by the share of categories checked (an answer that outlasts every
    rule earns the floor, not a clean score)."""
    if verdict.error is not None or verdict.parse.objects == 0:
        return float(config.floor)  # no Terraform, or none that parses: nothing to verify
    run = verdict.categories_checked + len(verdict.skipped)
    coverage = verdict.categories_checked / run if run and verdict.skipped else 1.0
    return float(config.floor + (1.0 - config.floor) * coverage * math.exp(-penalty(verdict, config) / config.scale))


# -- completions and prompts as TRL hands them ---------------------------------------------------

def completion_text(completion: Any) -> str:
    """The text to score: a string as it is; for a conversation, the last assistant message (else the last
    message). Anything else gives ''."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        content = completion.get("content")
        return content if isinstance(content, str) else _content_text(content)
    if isinstance(completion, (list, tuple)) and completion:
        messages = [m for m in completion if isinstance(m, dict)]
        chosen = next((m for m in reversed(messages) if m.get("role") == "assistant"), None)
        if chosen is None and messages:
            chosen = messages[-1]
        return completion_text(chosen) if chosen is not None else ""
    return ""


def _content_text(content: Any) -> str:
    # Multimodal-style content: [{"type": "text", "text": "..."}]
    if isinstance(content, list):
        return "\n".join(part.get("text", "") for part in content if isinstance(part, dict)
                         and isinstance(part.get("text"), str))
    return ""


def prompt_text(prompt: Any) -> str | None:
    """The task's text from a prompt: a string, or the user (and system) messages of a conversation."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, (list, tuple)):
        parts = [completion_text(m) for m in prompt if isinstance(m, dict) and m.get("role") in ("user", "system")]
        return "\n\n".join(p for p in parts if p) or None
    return None


def _verdicts(prompts, completions, config: RewardConfig) -> list[Verdict | None]:
    completions = list(completions or [])
    prompts = list(prompts) if prompts is not None else []
    out: list[Verdict | None] = []
    for i, completion in enumerate(completions):
        try:
            prompt = prompt_text(prompts[i]) if config.use_prompt and i < len(prompts) else None
            out.append(verify(completion_text(completion), prompt, max_chars=config.max_chars,
                              time_budget=config.time_budget))
        except Exception:  # verify never raises; this guards the unpacking of odd inputs
            out.append(None)
    return out


def make_reward(config: RewardConfig = DEFAULT, name: str = "terraform_reward") -> Callable[..., list[float]]:
    """A ``reward_funcs`` function scoring with ``config`` (TRL logs it under ``name``)."""

    def reward(prompts: Sequence[Any] | None = None, completions: Sequence[Any] | None = None,
               **kwargs: Any) -> list[float]:
        return [float(config.floor) if v is None else score(v, config)
                for v in _verdicts(prompts, completions, config)]

    reward.__name__ = reward.__qualname__ = name
    reward.__doc__ = f"drdata quality reward ({config})."
    return reward


def make_format_reward(config: RewardConfig = DEFAULT, name: str = "terraform_format_reward"
                       ) -> Callable[..., list[float]]:
    """A ``reward_funcs`` function for the answer's form alone: 1 for Terraform that parses completely, 0.5 when
    some of it does not parse or the answer is cut off, 0 without Terraform."""

    def reward(prompts: Sequence[Any] | None = None, completions: Sequence[Any] | None = None,
               **kwargs: Any) -> list[float]:
        out = []
        for completion in list(completions or []):
            try:
                v = verify(completion_text(completion), None, categories=["hcl_syntax_error"],
                           max_chars=config.max_chars, time_budget=config.time_budget)
            except Exception:
                v = None
            if v is None or v.error is not None or v.parse.no_terraform:
                out.append(0.0)
            else:
                out.append(1.0 if v.parse.clean else 0.5)
        return out

    reward.__name__ = reward.__qualname__ = name
    return reward


terraform_reward = make_reward()
format_reward = make_format_reward()


def verify_completions(prompts, completions, config: RewardConfig = DEFAULT) -> list[Verdict | None]:
    """The verdicts behind the rewards, e.g. to hand ``Verdict.feedback()`` back to the model."""
    return _verdicts(prompts, completions, config)
