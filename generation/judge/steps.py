"""Each judging mode as a pure prompt builder (format_input) and a pure verdict parser
(format_output), around one chat request of a system and a user message, as FastChat sends it.

- single: MT-bench's single-answer grading, "single-v1" (a 1-10 rating as "[[rating]]"), and
  its reference-guided form "single-math-v1";
- pairwise: MT-bench's "pair-v2" ("[[A]]", "[[B]]" or "[[C]]" for a tie) and its
  reference-guided form "pair-math-v1"; every pair is asked in both orders (generation.judge.plan);
- two-score: the Vicuna evaluation's reviewer prompt (general), which GPT-4-LLM used: both
  answers scored 1-10 on the first line of the reply.

The reference-guided forms are used, as FastChat does, for questions of the categories that
need a reference (math, reasoning, coding) when there is one. Vicuna's own review used other
prompts for coding and math questions; its math prompt asks for a Python tuple at the end, which
the first-line rule cannot read, so two-score uses the general prompt for every question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from generation import templates as t
from generation.judge.verdicts import (
    Verdict,
    parse_pair_verdict,
    parse_rating,
    parse_two_scores,
)
from generation.prompt_versions import apply_versions
from generation.templates import Template, load_template

SINGLE = "single"
PAIRWISE = "pairwise"
TWO_SCORE = "two-score"
MODES = (SINGLE, PAIRWISE, TWO_SCORE)
#: FastChat's NEED_REF_CATS (less its arena-hard-200 benchmark name).
REFERENCE_CATEGORIES = frozenset({"math", "reasoning", "coding"})

#: Each mode's prompts: role -> template file. A "reference" prompt is the reference-guided
#: form; two-score has none. Every judge template is loaded by `load_prompts`, and only there.
TEMPLATE_FILES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        SINGLE: {
            "system": t.JUDGE_SINGLE_SYSTEM,
            "user": t.JUDGE_SINGLE,
            "reference_system": t.JUDGE_SINGLE_SYSTEM,
            "reference_user": t.JUDGE_SINGLE_REFERENCE,
        },
        PAIRWISE: {
            "system": t.JUDGE_PAIR_SYSTEM,
            "user": t.JUDGE_PAIR,
            "reference_system": t.JUDGE_PAIR_REFERENCE_SYSTEM,
            "reference_user": t.JUDGE_PAIR_REFERENCE,
        },
        TWO_SCORE: {"system": t.JUDGE_REVIEW_SYSTEM, "user": t.JUDGE_REVIEW},
    }
)
#: FastChat's judging decoding (temperature 0, 2048 tokens; Vicuna's review had 0.2 and 1024).
DEFAULT_TEMPERATURE = 0.0
DEFAULT_MAX_TOKENS = 2048


def question_text(instruction: str, task_input: str = "") -> str:
    """The question as the judge sees it: the instruction, then its input after a blank line."""
    instruction, task_input = instruction.strip(), (task_input or "").strip()
    return f"{instruction}\n\n{task_input}" if task_input else instruction


def needs_reference(category: str | None) -> bool:
    return category in REFERENCE_CATEGORIES


@dataclass(frozen=True)
class Prompt:
    """A system message and a user template."""

    system: Template
    user: Template

    def messages(self, **values: str) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.system.text},
            {"role": "user", "content": self.user.fill(**values)},
        ]


@dataclass(frozen=True)
class JudgePrompts:
    """A mode's prompt, and its reference-guided form (None for two-score)."""

    mode: str
    general: Prompt
    reference: Prompt | None
    files: Mapping[str, Template]  # role -> template, as the manifest records them


def load_prompts(
    mode: str, folder: str | Path | None = None, versions: Iterable[str] = ()
) -> JudgePrompts:
    """The judge templates of `mode`, from `folder` where it holds a file of the same name,
    else the bundled ones; each saved version named in `versions` (generation.prompt_versions)
    replaces the template it is a version of."""
    loaded = {role: load_template(name, folder) for role, name in TEMPLATE_FILES[mode].items()}
    files = apply_versions(loaded, versions, f"the judge's {mode} mode")
    reference = None
    if "reference_user" in files:
        reference = Prompt(files["reference_system"], files["reference_user"])
    return JudgePrompts(mode, Prompt(files["system"], files["user"]), reference, files)


@dataclass(frozen=True)
class Judged:
    """A built request: its messages, whether the reference-guided form was used, and the
    sha256 of its user template."""

    messages: list[dict[str, str]]
    reference: bool
    template_sha256: str


def _pick(prompts: JudgePrompts, reference: str | None) -> tuple[Prompt, dict[str, str]]:
    if reference is not None and prompts.reference is not None:
        return prompts.reference, {"ref_answer_1": reference}
    return prompts.general, {}


def _judged(prompt: Prompt, values: dict[str, str], reference: bool) -> Judged:
    return Judged(prompt.messages(**values), reference, prompt.user.sha256)


@dataclass(frozen=True)
class SingleGrading:
    prompts: JudgePrompts

    def format_input(self, question: str, answer: str, reference: str | None = None) -> Judged:
        prompt, values = _pick(self.prompts, reference)
        return _judged(prompt, {"question": question, "answer": answer, **values}, bool(values))

    def format_output(self, text: str, truncated: bool = False) -> Verdict:
        return parse_rating(text, truncated)


@dataclass(frozen=True)
class PairwiseGrading:
    prompts: JudgePrompts

    def format_input(
        self, question: str, answer_a: str, answer_b: str, reference: str | None = None
    ) -> Judged:
        prompt, values = _pick(self.prompts, reference)
        filled = {"question": question, "answer_a": answer_a, "answer_b": answer_b, **values}
        return _judged(prompt, filled, bool(values))

    def format_output(self, text: str, truncated: bool = False) -> Verdict:
        return parse_pair_verdict(text, truncated)


@dataclass(frozen=True)
class TwoScoreReview:
    prompts: JudgePrompts

    def format_input(self, question: str, answer_a: str, answer_b: str) -> Judged:
        filled = {"question": question, "answer_1": answer_a, "answer_2": answer_b}
        return _judged(self.prompts.general, filled, False)

    def format_output(self, text: str, truncated: bool = False) -> Verdict:
        return parse_two_scores(text, truncated)


STEPS = {SINGLE: SingleGrading, PAIRWISE: PairwiseGrading, TWO_SCORE: TwoScoreReview}


def step_for(mode: str, folder: str | Path | None = None, versions: Iterable[str] = ()):
    """The mode's builder and parser over its templates."""
    return STEPS[mode](load_prompts(mode, folder, versions))
