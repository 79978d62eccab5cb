"""From a source row and its replies to the run's record, the dataset row and the failure row:
every outcome (answered, cut, each failure) said, nothing turned into an empty output."""

from __future__ import annotations

import pytest

from analysis.datasets import load_dataset
from generation.answer import records as rec
from generation.answer.steps import EN, TRANSLATION, ZH, Answer, Translation, load_templates
from generation.client import Choice, Reply, Usage
from generation.errors import RequestFailed


def reply(text: str, finish_reason: str = "stop", model: str = "teacher-2024") -> Reply:
    return Reply((Choice(text, finish_reason),), Usage(10, 5), model, "key", None)


def failed(cause: str = "HTTP 500: the server broke") -> RequestFailed:
    return RequestFailed(endpoint="http://x/v1", model="teacher", cause=cause, attempts=3)


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    """User-oriented instructions: row 0 has an input, with the reference in `output`."""
    return rec.source_rows(load_dataset("user_oriented_instructions").frame, 3)


@pytest.fixture(scope="module")
def steps() -> tuple[Answer, Translation]:
    loaded = load_templates(ZH)
    return Answer.from_templates(load_templates(EN)), Translation(loaded[TRANSLATION])


def test_answer_records_source_rows_are_plain_values(rows):
    assert rows[0]["id"] == "user_oriented_task_0/0" and rows[0]["input"]
    assert rows[0]["reference"] is None and rows[0]["category"] is None  # not pd.NA


def test_answer_records_an_english_answer_keeps_the_source_row(rows, steps):
    answer, _ = steps
    record = rec.answered(rec.new_record(0, rows[0], EN, 1), reply("  Shorter text.\n"), answer)
    assert record["outcome"] == rec.ANSWERED and record["answer"] == "Shorter text."
    assert record["prompt_role"] == "prompt_input" and record["model"] == "teacher-2024"
    row = rec.dataset_row(record, "user_oriented_instructions")
    assert (row["id"], row["instruction"], row["input"]) == (
        rows[0]["id"],
        rows[0]["instruction"],
        rows[0]["input"],
    )
    assert row["output"] == "Shorter text." and row["model"] == "teacher-2024"
    assert row["reference"] == rows[0]["output"]  # no reference in the source: its output
    assert row["metadata"]["original_output"] == rows[0]["output"]
    assert row["metadata"]["truncated"] is False and row["lang"] is None
    assert rec.failure_row(record) is None


def test_answer_records_a_cut_answer_is_kept_and_flagged(rows, steps):
    answer, _ = steps
    record = rec.answered(rec.new_record(1, rows[1], EN, 1), reply("It was", "length"), answer)
    assert record["outcome"] == rec.TRUNCATED and record["truncated"]
    row = rec.dataset_row(record, "s")
    assert row["output"] == "It was" and row["metadata"]["truncated"] is True
    assert row["metadata"]["finish_reason"] == "length"


@pytest.mark.parametrize(
    ("result", "cause", "detail"),
    [
        (failed(), rec.ANSWER_FAILED, "HTTP 500: the server broke"),
        (reply("### Response:\n"), rec.ANSWER_EMPTY, "the reply holds no answer (stop)"),
    ],
)
def test_answer_records_a_row_without_answer_is_a_failure_not_an_empty_output(
    rows, steps, result, cause, detail
):
    answer, _ = steps
    record = rec.answered(rec.new_record(2, rows[2], EN, 1), result, answer)
    assert (record["outcome"], record["failure"], record["detail"]) == (rec.FAILED, cause, detail)
    assert rec.dataset_row(record, "s") is None
    failure = rec.failure_row(record)
    assert failure["row"] == 3 and failure["id"] == rows[2]["id"] and failure["failure"] == cause


def test_answer_records_a_chinese_row(rows, steps):
    answer, translation = steps
    record = rec.new_record(0, rows[0], ZH, 1)
    record["translation"] = {
        "instruction": rec.translation_entry(
            reply("翻译：把句子改写得更简洁。"), translation, rows[0]["instruction"]
        ),
        "input": rec.translation_entry(reply("如果您有任何问题，请告诉我。"), translation, "x"),
    }
    assert rec.translation_failure(record["translation"]) is None
    assert rec.question(record) == ("把句子改写得更简洁。", "如果您有任何问题，请告诉我。")
    rec.answered(record, reply("有问题请告诉我。"), answer)
    row = rec.dataset_row(record, "user_oriented_instructions")
    assert row["lang"] == ZH and row["id"] == rows[0]["id"]
    assert (row["instruction"], row["input"], row["output"]) == (
        "把句子改写得更简洁。",
        "如果您有任何问题，请告诉我。",
        "有问题请告诉我。",
    )
    assert row["reference"] is None  # an English reference says nothing of a Chinese answer
    assert row["metadata"]["original_instruction"] == rows[0]["instruction"]
    assert row["metadata"]["original_input"] == rows[0]["input"]
    assert record["translation"]["instruction"]["reply"] == "翻译：把句子改写得更简洁。"


@pytest.mark.parametrize(
    ("instruction", "given", "cause", "detail"),
    [
        (
            failed("HTTP 400: bad"),
            reply("好"),
            rec.TRANSLATION_FAILED,
            "instruction: HTTP 400: bad",
        ),
        (reply("把句子"), reply("好", "length"), rec.TRANSLATION_TRUNCATED, "input: cut by"),
        (reply("中文："), reply("好"), rec.TRANSLATION_EMPTY, "instruction: the reply holds"),
    ],
)
def test_answer_records_a_translation_that_cannot_be_answered(
    rows, steps, instruction, given, cause, detail
):
    _, translation = steps
    entries = {
        "instruction": rec.translation_entry(instruction, translation, rows[0]["instruction"]),
        "input": rec.translation_entry(given, translation, rows[0]["input"]),
    }
    found_cause, found_detail = rec.translation_failure(entries)
    assert found_cause == cause and found_detail.startswith(detail)
    assert entries["instruction"]["finish_reason"] == (None if not instruction.ok else "stop")
