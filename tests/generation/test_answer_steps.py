"""The teacher-answers prompts and parsers, on the bundled instructions and on Chinese text:
Alpaca's two prompts byte for byte, chosen as Alpaca chooses them; answers and translations
parsed out of what chat and completion models write around them."""

from __future__ import annotations

import pytest

from analysis.datasets import load_dataset
from analysis.errors import WorkbenchError
from analysis.paths import BUNDLED_PROMPTS_DIR
from generation import templates
from generation.answer.steps import (
    EN,
    TRANSLATION,
    WITH_INPUT,
    WITHOUT_INPUT,
    ZH,
    Answer,
    Translation,
    completion_stops,
    headings,
    load_templates,
)

#: tatsu-lab/stanford_alpaca, train.py, PROMPT_DICT (as the file writes it).
ALPACA_PROMPT_DICT = {
    "prompt_input": (
        "Below is an instruction that describes a task, paired with an input that provides "
        "further context. "
        "Write a response that appropriately completes the request.\n\n"
        "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:"
    ),
    "prompt_no_input": (
        "Below is an instruction that describes a task. "
        "Write a response that appropriately completes the request.\n\n"
        "### Instruction:\n{instruction}\n\n### Response:"
    ),
}
SOURCES = ("seed_tasks", "user_oriented_instructions", "generated/self_instruct_smollm2")


@pytest.fixture(scope="module")
def english() -> Answer:
    return Answer.from_templates(load_templates(EN))


@pytest.fixture(scope="module")
def chinese() -> dict:
    return load_templates(ZH)


def test_answer_steps_alpaca_prompt_files_are_byte_exact():
    assert (BUNDLED_PROMPTS_DIR / templates.ANSWER_INPUT).read_bytes() == ALPACA_PROMPT_DICT[
        "prompt_input"
    ].encode()
    assert (BUNDLED_PROMPTS_DIR / templates.ANSWER_NO_INPUT).read_bytes() == ALPACA_PROMPT_DICT[
        "prompt_no_input"
    ].encode()


@pytest.mark.parametrize("source", SOURCES)
def test_answer_steps_prompts_equal_alpacas_formatting(english, source):
    """Every bundled instruction gets the prompt Alpaca's train.py builds for it."""
    frame = load_dataset(source).frame
    with_input = 0
    for row in frame.itertuples(index=False):
        example = {"instruction": row.instruction, "input": row.input}
        key = "prompt_input" if example.get("input", "") != "" else "prompt_no_input"
        assert english.format_input(row.instruction, row.input) == ALPACA_PROMPT_DICT[
            key
        ].format_map(example)
        assert english.role(row.input) == key
        with_input += key == "prompt_input"
    assert 0 < with_input < len(frame)  # both prompts were exercised


def test_answer_steps_braces_in_an_instruction_reach_the_model_as_written(english):
    prompt = english.format_input("Fill in {name} and {input}", "")
    assert "### Instruction:\nFill in {name} and {input}\n\n### Response:" in prompt


def test_answer_steps_answer_parser(english):
    no_input, given = "", "some input"
    assert english.format_output("  Paris is the capital.\n", no_input) == "Paris is the capital."
    # a completion model going on with a new task of the pattern
    reply = "Eat oatmeal with nuts.\n\n### Instruction:\nName a fruit.\n\n### Response:\nApple"
    assert english.format_output(reply, no_input) == "Eat oatmeal with nuts."
    # a chat model echoing the heading the prompt ended with
    assert english.format_output("### Response:\nA short answer.", given) == "A short answer."
    # the answer's own Markdown headings stay
    steps = "### Step 1\nMix.\n### Step 2\nBake."
    assert english.format_output(steps, no_input) == steps
    assert english.format_output(" \n ", no_input) is None
    assert english.format_output("### Response:", no_input) is None


def test_answer_steps_chinese_prompts_on_chinese_text(chinese):
    step = Answer.from_templates(chinese)
    instruction, given = "把下面的句子翻译成法语。", "我喜欢喝茶。"
    prompt = step.format_input(instruction, given)
    assert prompt.endswith(f"### 指令:\n{instruction}\n\n### 输入:\n{given}\n\n### 回答:")
    assert "中文" in prompt
    assert step.format_input(instruction, "").endswith(f"### 指令:\n{instruction}\n\n### 回答:")
    reply = "Je bois du thé.\n\n### 指令:\n写一首诗。"
    assert step.format_output(reply, given) == "Je bois du thé."


def test_answer_steps_templates_per_language(chinese):
    assert set(load_templates(EN)) == {WITH_INPUT, WITHOUT_INPUT}
    assert set(chinese) == {WITH_INPUT, WITHOUT_INPUT, TRANSLATION}
    for role, template in chinese.items():
        assert template.source == "bundled"
        assert set(templates.PLACEHOLDERS[template.name]) <= {"instruction", "input", "text"}, role
    with pytest.raises(WorkbenchError, match="unknown language 'fr'"):
        load_templates("fr")


def test_answer_steps_a_users_template_folder_is_checked(tmp_path):
    (tmp_path / templates.TRANSLATE_ZH).write_text("Translate: {text} into {language}")
    with pytest.raises(WorkbenchError, match=r"\{language\}"):
        load_templates(ZH, tmp_path)


def test_answer_steps_translation_prompt_and_parser(chinese):
    step = Translation(chinese[TRANSLATION])
    source = 'Classify the sentiment of this review: "Great food!"'
    prompt = step.format_input(source)
    assert f"### Text:\n{source}\n\n### Chinese translation:" in prompt
    wanted = "对这条评论的情感进行分类。"
    for reply in (
        wanted,
        f"  {wanted}\n",
        f"Translation: {wanted}",
        f"中文：{wanted}",
        f"### Chinese translation:\n{wanted}",
        f"“{wanted}”",
        f"{wanted}\n\n### Text:\nNext text",
    ):
        assert step.format_output(reply, "Classify the sentiment of this review.") == wanted, reply
    quoted = "“我喜欢这本书。”"
    assert step.format_output(quoted, '"I like this book."') == quoted  # the source was quoted
    assert step.format_output("Translation:", source) is None
    assert step.format_output("", source) is None


def test_answer_steps_completion_stops_are_the_templates_headings(english, chinese):
    assert headings(english.with_input) == ("### Instruction:", "### Input:", "### Response:")
    assert completion_stops([english.with_input, english.without_input]) == [
        "\n### Instruction:",
        "\n### Input:",
        "\n### Response:",
    ]
    step = Translation(chinese[TRANSLATION])
    assert step.completion_stops("Name a colour.") == ["\n###"]
    assert step.completion_stops("### Notes\nbuy milk") == [
        "\n### Text:",
        "\n### Chinese translation:",
    ]


def test_answer_steps_a_translation_ends_at_a_heading_its_source_does_not_have(chinese):
    step = Translation(chinese[TRANSLATION])
    reply = "说你好！\n\n### English translation:\nSay hello!"
    assert step.format_output(reply, "Say hello!") == "说你好！"
    markdown = "### 购物清单\n- 牛奶"
    assert step.format_output(markdown, "### Shopping list\n- milk") == markdown
    assert (
        step.format_output(f"{markdown}\n\n### Text:\nx", "### Shopping list\n- milk") == markdown
    )
