"""The judge prompts, exactly as FastChat builds them.

fixtures/fastchat_judge_prompts.jsonl holds FastChat's own prompt records (MT-bench's
judge_prompts.jsonl entries and the Vicuna review's prompt.jsonl entry); each message built
here must equal FastChat's `prompt_template.format(...)` of the same texts, byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.errors import WorkbenchError
from generation.judge.steps import (
    PAIRWISE,
    SINGLE,
    TEMPLATE_FILES,
    TWO_SCORE,
    load_prompts,
    needs_reference,
    question_text,
    step_for,
)
from generation.templates import JUDGE_SINGLE

FASTCHAT = {
    record.get("name", f"vicuna-{record.get('prompt_id')}"): record
    for record in map(
        json.loads,
        (Path(__file__).parent / "fixtures" / "fastchat_judge_prompts.jsonl")
        .read_text()
        .splitlines(),
    )
}
# Braces, a Chinese question and trailing blanks: filled in once, left as written.
QUESTION = "把 {answer} 翻译成英文：今天天气很好。"
ANSWER_A = "The weather is nice today.\n\n"
ANSWER_B = "It is {sunny}."
REFERENCE = "The weather is good today."


def _fastchat(name: str, **values: str) -> list[dict[str, str]]:
    record = FASTCHAT[name]
    return [
        {"role": "system", "content": record["system_prompt"]},
        {"role": "user", "content": record["prompt_template"].format(**values)},
    ]


def test_judge_steps_single_is_fastchat_single_v1():
    judged = step_for(SINGLE).format_input(QUESTION, ANSWER_A)
    assert judged.messages == _fastchat("single-v1", question=QUESTION, answer=ANSWER_A)
    assert not judged.reference


def test_judge_steps_single_with_reference_is_fastchat_single_math_v1():
    judged = step_for(SINGLE).format_input(QUESTION, ANSWER_A, reference=REFERENCE)
    expected = _fastchat(
        "single-math-v1", question=QUESTION, answer=ANSWER_A, ref_answer_1=REFERENCE
    )
    assert judged.messages == expected and judged.reference
    assert (
        judged.template_sha256 != step_for(SINGLE).format_input(QUESTION, ANSWER_A).template_sha256
    )


def test_judge_steps_pairwise_is_fastchat_pair_v2():
    judged = step_for(PAIRWISE).format_input(QUESTION, ANSWER_A, ANSWER_B)
    expected = _fastchat("pair-v2", question=QUESTION, answer_a=ANSWER_A, answer_b=ANSWER_B)
    assert judged.messages == expected and not judged.reference


def test_judge_steps_pairwise_with_reference_is_fastchat_pair_math_v1():
    judged = step_for(PAIRWISE).format_input(QUESTION, ANSWER_A, ANSWER_B, reference=REFERENCE)
    expected = _fastchat(
        "pair-math-v1",
        question=QUESTION,
        answer_a=ANSWER_A,
        answer_b=ANSWER_B,
        ref_answer_1=REFERENCE,
    )
    assert judged.messages == expected and judged.reference


def test_judge_steps_two_score_is_the_vicuna_general_review():
    judged = step_for(TWO_SCORE).format_input(QUESTION, ANSWER_A, ANSWER_B)
    record = FASTCHAT["vicuna-1"]
    expected = _fastchat(
        "vicuna-1", question=QUESTION, answer_1=ANSWER_A, answer_2=ANSWER_B, **record["defaults"]
    )
    assert judged.messages == expected and not judged.reference
    assert load_prompts(TWO_SCORE).reference is None


def test_judge_steps_question_text_and_reference_categories():
    assert question_text(" Translate. ", "") == "Translate."
    assert question_text("Translate.", " 你好 \n") == "Translate.\n\n你好"
    assert needs_reference("math") and needs_reference("coding") and needs_reference("reasoning")
    assert not needs_reference("writing") and not needs_reference(None)


def test_judge_steps_every_template_is_listed_once_per_role():
    for mode, roles in TEMPLATE_FILES.items():
        prompts = load_prompts(mode)
        assert set(prompts.files) == set(roles)
        assert all(template.source == "bundled" for template in prompts.files.values())


def test_judge_steps_templates_folder_replaces_a_file(tmp_path):
    (tmp_path / JUDGE_SINGLE).write_text("Grade {answer} to {question}; say [[n]].")
    judged = step_for(SINGLE, tmp_path).format_input("Q", "A")
    assert judged.messages[1]["content"] == "Grade A to Q; say [[n]]."
    assert load_prompts(SINGLE, tmp_path).files["user"].source == str(tmp_path / JUDGE_SINGLE)
    assert load_prompts(SINGLE, tmp_path).files["system"].source == "bundled"


@pytest.mark.parametrize(
    "text", ["Grade {answer}.", "Grade {answer} to {question} with {ref_answer_1}."]
)
def test_judge_steps_templates_folder_with_wrong_placeholders_is_refused(tmp_path, text):
    (tmp_path / JUDGE_SINGLE).write_text(text)
    with pytest.raises(WorkbenchError, match=JUDGE_SINGLE):
        step_for(SINGLE, tmp_path)
