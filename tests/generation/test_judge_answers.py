"""Answer sets aligned to questions: by row id when ids match, else by instruction and input;
never by ids that merely coincide."""

from __future__ import annotations

import pytest

from analysis.errors import WorkbenchError
from generation.judge.answers import (
    BY_ID,
    BY_TEXT,
    AnswerSet,
    Question,
    align,
    load_inputs,
)
from tests.generation.fixtures import judge_answers as data


def _set(name: str, rows: list[tuple[str, str, str, str]]) -> AnswerSet:
    return AnswerSet(
        name,
        f"{name}.jsonl",
        name,
        tuple({"id": i, "instruction": q, "input": x, "output": o} for i, q, x, o in rows),
    )


QUESTIONS = [Question("1", "Say hi."), Question("2", "Add  2 and 2."), Question("3", "Stop.")]


def test_judge_answers_align_on_ids():
    first = _set("m1", [("2", "Add 2 and 2.", "", "4"), ("1", "Say hi.", "", "hi")])
    second = _set("m2", [("1", "Say hi. ", "", "hello"), ("2", "Add 2 and 2.", "", "four")])
    alignment = align(QUESTIONS, [first, second])
    assert alignment.on == BY_ID and alignment.unaligned == 1
    assert [item.question.question_id for item in alignment.items] == ["1", "2"]
    assert [item.answers for item in alignment.items] == [("hi", "hello"), ("4", "four")]


def test_judge_answers_fall_back_to_text_when_ids_differ():
    first = _set("m1", [("a", "Say hi.", "", "hi"), ("b", "Stop.", "", "ok")])
    second = _set("m2", [("0", "Stop.", "", "halt"), ("1", "Say hi.", "", "hello")])
    alignment = align(QUESTIONS, [first, second])
    assert alignment.on == BY_TEXT
    assert [(i.question.question_id, i.answers) for i in alignment.items] == [
        ("1", ("hi", "hello")),
        ("3", ("ok", "halt")),
    ]


def test_judge_answers_coinciding_ids_of_other_questions_never_align():
    other = _set("m1", [("1", "Write a poem.", "", "roses"), ("2", "Stop.", "", "ok")])
    alignment = align(QUESTIONS[:2], [other])
    assert alignment.items == () and alignment.unaligned == 2


def test_judge_answers_the_input_is_part_of_the_text():
    question = Question("1", "Translate.", "你好")
    wrong = _set("m1", [("x", "Translate.", "再见", "bye")])
    right = _set("m1", [("x", "Translate.", " 你好", "hello")])
    assert align([question], [wrong]).items == ()
    assert align([question], [right]).items[0].answers == ("hello",)


def test_judge_answers_bundled_predictions_align_with_user_oriented_instructions():
    inputs = load_inputs(
        ["predictions/davinci", "predictions/text-davinci-003"], "user_oriented_instructions"
    )
    assert [s.name for s in inputs.sets] == ["davinci", "text-davinci-003"]
    assert inputs.alignment.on == BY_TEXT  # the prediction files' ids are row numbers
    assert len(inputs.alignment.items) == inputs.questions_count == 252
    assert inputs.alignment.items[0].question.question_id == "user_oriented_task_0/0"


def test_judge_answers_bundled_predictions_do_not_answer_vicuna_questions():
    with pytest.raises(WorkbenchError, match="no question of vicuna_questions"):
        load_inputs(["predictions/davinci"], "vicuna_questions")


def test_judge_answers_questions_default_to_the_first_set_with_its_reference(tmp_path):
    inputs = load_inputs(["predictions/davinci", "predictions/text-davinci-001"])
    assert inputs.alignment.on == BY_ID and len(inputs.alignment.items) == 252
    assert inputs.alignment.items[0].question.reference.startswith("If you have any questions")


def test_judge_answers_sets_of_one_model_are_told_apart_by_dataset_name(tmp_path):
    first = data.write_answers(tmp_path / "first.jsonl", "same", {"q1": "2"})
    second = data.write_answers(tmp_path / "second.jsonl", "same", {"q1": "3"})
    inputs = load_inputs([str(first), str(second)])
    assert [s.name for s in inputs.sets] == ["first", "second"]


def test_judge_answers_sets_with_one_name_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = data.write_answers(tmp_path / "a" / "run.jsonl", "same", {"q1": "2"})
    second = data.write_answers(tmp_path / "b" / "run.jsonl", "same", {"q1": "3"})
    with pytest.raises(WorkbenchError, match="both called 'run'"):
        load_inputs([str(first), str(second)])
