"""Every request of a judge run, in a stable order, and the judgments.jsonl row of each.

Order: question by question (the questions' order); within a question, single mode asks for
each answer set in turn, pairwise and two-score for each pair of sets (i < j, in the sets'
order) first in the original order (set i shown as A / Assistant 1), then swapped. The order
never depends on timing, so a resumed run's row n is the uninterrupted run's row n.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from generation.client import Request, Result
from generation.judge.answers import AlignedQuestion
from generation.judge.steps import SINGLE, TWO_SCORE, needs_reference
from generation.judge.verdicts import TIE, Verdict

ORIGINAL = "original"
SWAPPED = "swapped"


@dataclass(frozen=True)
class JudgeRequest:
    question_id: str
    category: str | None
    question: str
    mode: str
    models: tuple[str, ...]  # single: (model,); else (shown first, shown second)
    order: str
    reference: bool
    template_sha256: str
    request: Request


def _reference(
    item: AlignedQuestion, step, names: Sequence[str], reference_model: str | None
) -> str | None:
    """The reference answer a reference-guided prompt gets, or None: only for the categories
    that need one, from the reference model's answer or else the question's own reference."""
    if step.prompts.reference is None or not needs_reference(item.question.category):
        return None
    if reference_model is not None:
        text = item.answers[list(names).index(reference_model)]
    else:
        text = item.question.reference
    return text if text and text.strip() else None


def build_requests(
    items: Sequence[AlignedQuestion],
    names: Sequence[str],
    step,
    params: Mapping,
    reference_model: str | None = None,
) -> list[JudgeRequest]:
    """Every request of the run, in order (see the module docstring)."""
    mode = step.prompts.mode
    planned = []
    for item in items:
        question = item.question
        text = question.text
        reference = _reference(item, step, names, reference_model)
        extra = {} if reference is None else {"reference": reference}
        if mode == SINGLE:
            shown = [((names[i],), ORIGINAL, (item.answers[i],)) for i in range(len(names))]
        else:
            shown = []
            for i, j in combinations(range(len(names)), 2):
                shown.append(((names[i], names[j]), ORIGINAL, (item.answers[i], item.answers[j])))
                shown.append(((names[j], names[i]), SWAPPED, (item.answers[j], item.answers[i])))
        for models, order, answers in shown:
            judged = step.format_input(text, *answers, **extra)
            planned.append(
                JudgeRequest(
                    question_id=question.question_id,
                    category=question.category,
                    question=text,
                    mode=mode,
                    models=models,
                    order=order,
                    reference=judged.reference,
                    template_sha256=judged.template_sha256,
                    request=Request.chat(judged.messages, **params),
                )
            )
    return planned


def _winner(verdict: Verdict, models: Sequence[str]) -> str | None:
    if verdict.winner is None:
        return None
    return TIE if verdict.winner == TIE else models[0 if verdict.winner == "A" else 1]


def judgment_row(planned: JudgeRequest, result: Result, step, judge_model: str) -> dict:
    """The row of one request, as the run-folder contract writes it: the judge's whole reply
    and what the strict pattern found in it, or the failure and no verdict."""
    if result.ok:
        verdict = step.format_output(result.text, result.truncated)
        raw, finish_reason, failure = result.text, result.finish_reason, None
    else:
        verdict, raw, finish_reason, failure = Verdict(), None, None, result.cause
    scores = list(verdict.scores) if verdict.scores is not None else None
    return {
        "question_id": planned.question_id,
        "category": planned.category,
        "question": planned.question,
        "mode": planned.mode,
        "models": list(planned.models),
        "order": planned.order,
        "reference": planned.reference,
        "raw": raw,
        "finish_reason": finish_reason,
        "failure": failure,
        "parsed": verdict.parsed,
        "scores": scores if planned.mode in (SINGLE, TWO_SCORE) else None,
        "winner": _winner(verdict, planned.models),
        "judge_model": judge_model,
        "template_sha256": planned.template_sha256,
    }
