"""The requests of a run in their stable order, and the contract row of each reply."""

from __future__ import annotations

from generation.client import Choice, Reply, Usage
from generation.errors import RequestFailed
from generation.judge.answers import AlignedQuestion, Question
from generation.judge.plan import ORIGINAL, SWAPPED, build_requests, judgment_row
from generation.judge.steps import PAIRWISE, SINGLE, TWO_SCORE, step_for

PARAMS = {"temperature": 0.0, "max_tokens": 2048}
NAMES = ["m1", "m2", "m3"]
ITEMS = [
    AlignedQuestion(Question("q1", "Name a color.", category="generic"), ("red", "blue", "")),
    AlignedQuestion(
        Question("q2", "What is 2+2?", category="math", reference="4"), ("4", "5", "four")
    ),
]
CONTRACT_KEYS = [
    "question_id",
    "category",
    "question",
    "mode",
    "models",
    "order",
    "reference",
    "raw",
    "finish_reason",
    "failure",
    "parsed",
    "scores",
    "winner",
    "judge_model",
    "template_sha256",
]


def _reply(text: str, finish_reason: str = "stop") -> Reply:
    return Reply((Choice(text, finish_reason),), Usage(10, 5), "judge", "key", None)


def test_judge_plan_single_asks_each_answer_once_per_question():
    planned = build_requests(ITEMS, NAMES, step_for(SINGLE), PARAMS)
    assert [(p.question_id, p.models, p.order) for p in planned] == [
        ("q1", ("m1",), ORIGINAL),
        ("q1", ("m2",), ORIGINAL),
        ("q1", ("m3",), ORIGINAL),
        ("q2", ("m1",), ORIGINAL),
        ("q2", ("m2",), ORIGINAL),
        ("q2", ("m3",), ORIGINAL),
    ]
    assert planned[3].reference and not planned[0].reference  # math, with the question's "4"
    assert "[The Start of Reference Answer]\n4\n" in planned[3].request.prompt[1]["content"]
    assert dict(planned[0].request.params) == PARAMS and planned[0].request.kind == "chat"


def test_judge_plan_pairwise_asks_every_pair_in_both_orders():
    planned = build_requests(ITEMS[:1], NAMES, step_for(PAIRWISE), PARAMS)
    assert [(p.models, p.order) for p in planned] == [
        (("m1", "m2"), ORIGINAL),
        (("m2", "m1"), SWAPPED),
        (("m1", "m3"), ORIGINAL),
        (("m3", "m1"), SWAPPED),
        (("m2", "m3"), ORIGINAL),
        (("m3", "m2"), SWAPPED),
    ]
    original, swapped = (p.request.prompt[1]["content"] for p in planned[:2])
    assert original.index("red") < original.index("blue")
    assert swapped.index("blue") < swapped.index("red")


def test_judge_plan_reference_model_answers_are_the_reference():
    planned = build_requests(ITEMS, NAMES, step_for(PAIRWISE), PARAMS, reference_model="m3")
    math = [p for p in planned if p.question_id == "q2"]
    assert all(p.reference for p in math)
    assert all("Reference Answer]\nfour\n" in p.request.prompt[1]["content"] for p in math)
    assert not any(p.reference for p in planned if p.question_id == "q1")


def test_judge_plan_two_score_never_uses_a_reference():
    planned = build_requests(ITEMS, NAMES[:2], step_for(TWO_SCORE), PARAMS, reference_model="m1")
    assert len(planned) == 4 and not any(p.reference for p in planned)


def test_judge_plan_rows_follow_the_contract():
    step = step_for(PAIRWISE)
    planned = build_requests(ITEMS[:1], NAMES[:2], step, PARAMS)
    swapped = judgment_row(planned[1], _reply("Better.\n[[A]]"), step, "judge-model")
    assert list(swapped) == CONTRACT_KEYS
    assert swapped["models"] == ["m2", "m1"] and swapped["order"] == SWAPPED
    assert swapped["winner"] == "m2" and swapped["scores"] is None and swapped["parsed"]
    assert swapped["raw"] == "Better.\n[[A]]" and swapped["failure"] is None
    tie = judgment_row(planned[0], _reply("[[C]]"), step, "judge-model")
    assert tie["winner"] == "tie"


def test_judge_plan_rows_of_failures_and_unparsed_replies_have_no_verdict():
    step = step_for(TWO_SCORE)
    planned = build_requests(ITEMS[:1], NAMES[:2], step, PARAMS)
    failure = RequestFailed(endpoint="e", model="judge", cause="HTTP 500: oops", attempts=3)
    failed = judgment_row(planned[0], failure, step, "judge")
    assert failed["raw"] is None and failed["failure"] == "HTTP 500: oops"
    assert not failed["parsed"] and failed["scores"] is None and failed["winner"] is None
    cut = judgment_row(planned[0], _reply("7 3\nAssistant 1", "length"), step, "judge")
    assert cut["raw"] == "7 3\nAssistant 1" and cut["finish_reason"] == "length"
    assert not cut["parsed"] and cut["scores"] is None
    scored = judgment_row(planned[1], _reply("7 3\nok"), step, "judge")
    assert scored["scores"] == [7, 3] and scored["models"] == ["m2", "m1"]
