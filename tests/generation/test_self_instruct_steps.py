"""Prompt builders and reply parsers, on hand-made inputs and real replies of the embedded model.

fixtures/self_instruct_replies.json holds replies of SmolLM2-135M-Instruct recorded by
fixtures/record_self_instruct_replies.py; the expected parses below were read off those
replies by hand, following the original code's rules.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from analysis.errors import WorkbenchError
from generation.self_instruct import export, filters
from generation.self_instruct.filters import Instance
from generation.self_instruct.steps import Alpaca, AlpacaTask, Bootstrap, Classification, Instances
from generation.templates import (
    ALPACA,
    BOOTSTRAP,
    CLASSIFICATION,
    INPUT_FIRST,
    OUTPUT_FIRST,
    Template,
    load_template,
)

REPLIES = json.loads(
    (Path(__file__).parent / "fixtures" / "self_instruct_replies.json").read_text()
)
BOOTSTRAP_STEP = Bootstrap(load_template(BOOTSTRAP))
CLASSIFICATION_STEP = Classification(load_template(CLASSIFICATION))
INSTANCES_STEP = Instances(load_template(INPUT_FIRST), load_template(OUTPUT_FIRST))
ALPACA_STEP = Alpaca(load_template(ALPACA))


def recorded(step: str) -> list[dict]:
    return [reply for reply in REPLIES if reply["step"] == step]


# --- templates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "original_chars"),
    # Lengths of the original texts (the template strings of self_instruct/templates/*.py and
    # Alpaca's prompt.txt), before the part the original code appended to them.
    [(CLASSIFICATION, 3560), (OUTPUT_FIRST, 6851), (INPUT_FIRST, 5743), (ALPACA, 1749)],
)
def test_self_instruct_steps_bundled_templates_are_the_originals(name, original_chars):
    text = load_template(name).text
    head = text[: text.index("{")]
    suffix = {
        CLASSIFICATION: " ",  # the original added " " + instruction + "\nIs it classification?"
        OUTPUT_FIRST: " ",
        INPUT_FIRST: " ",
        ALPACA: "\n",  # prompt.txt + "\n", then the tasks
    }[name]
    assert len(head) == original_chars + len(suffix)


def test_self_instruct_steps_template_fill_leaves_other_braces():
    template = Template("t.txt", "def f(): {return} {instruction}", "bundled")
    assert template.fill(instruction="Sort {x}.") == "def f(): {return} Sort {x}."


def test_self_instruct_steps_user_template_folder_overrides_by_name(tmp_path):
    (tmp_path / BOOTSTRAP).write_text("Tasks:\n{tasks}{next}.")
    assert load_template(BOOTSTRAP, tmp_path).source == str(tmp_path / BOOTSTRAP)
    assert load_template(CLASSIFICATION, tmp_path).source == "bundled"
    (tmp_path / CLASSIFICATION).write_text("Is this a classification task?")
    with pytest.raises(WorkbenchError, match=r"\{instruction\}"):
        load_template(CLASSIFICATION, tmp_path)


# --- bootstrap ----------------------------------------------------------------------------


def test_self_instruct_steps_bootstrap_prompt_is_the_papers():
    prompt = BOOTSTRAP_STEP.format_input(["Sort the list:", "Write  a\npoem about  cats."])
    assert prompt == (
        "Come up with a series of tasks:\n1. Sort the list\n2. Write a poem about cats.\n3."
    )


def test_self_instruct_steps_bootstrap_prompt_of_eight_ends_at_nine():
    prompt = BOOTSTRAP_STEP.format_input([f"Task number {i} here." for i in range(8)])
    assert prompt.endswith("8. Task number 7 here.\n9.")


RECORDED_BOOTSTRAP = [
    [
        "Tell you what the recipe is.",
        "Ask a friend who has been in your past 2 years to tell you about his family history.",
    ],
    [
        "List all the countries that have a population of 10 million or more.",
        'Create a fictional character based on the theme "immigration" and name it "echo".',
        "Build a custom furniture using recycled materials, including furniture made from "
        "reclaimed wood.",
        "Build a machine that can generate music with its own voice.",
    ],
    [
        "If you are not able to give a gift card, refuse to accept the invitation.",
        "You will be given 2 new tasks. one of them is to solve a puzzle. the other one is to "
        "tell you that your favorite color is blue.",
    ],
    [
        "Tell me whether the following sentence is a lie.",
        'Label the following person as "liar". output 1 for liar, and 2 for non-liar.',
        'Label the following item as "unreliable" or "doubting". output 1 for doubting, and 2 '
        "for unreliable.",
        "Tell me whether the following sentence is a lie.",
        'Label the following person as "specter" or "shadowy". output 1 for specter, and 2 for '
        "shady.",
    ],
]


@pytest.mark.parametrize("number", range(len(RECORDED_BOOTSTRAP)))
def test_self_instruct_steps_bootstrap_parses_recorded_replies(number):
    reply = recorded("bootstrap")[number]
    # str.capitalize, as the paper: the first letter up, every other letter down.
    assert BOOTSTRAP_STEP.format_output(reply["text"], 9) == RECORDED_BOOTSTRAP[number]


def test_self_instruct_steps_bootstrap_number_inside_text_is_no_split():
    reply = recorded("bootstrap")[6]  # "Output 10 for positive, and 9 for negative.\n11. ..."
    parsed = BOOTSTRAP_STEP.format_output(reply["text"], 9)
    assert parsed[0] == (
        "Read a news article about the latest advancements in renewable energy. output 10 for "
        "positive, and 9 for negative."
    )
    assert len(parsed) == 4


def test_self_instruct_steps_bootstrap_truncated_reply_keeps_its_broken_tail():
    reply = recorded("bootstrap")[7]
    assert reply["finish_reason"] == "length"
    # "\n10." without the space after it is no separator: the number stays in the text.
    assert BOOTSTRAP_STEP.format_output(reply["text"], 9) == [
        "Create a new function that takes two arguments, one for the sentence and the other "
        "for the emotion. 10."
    ]


@pytest.mark.parametrize("text", ["", "\n", "  \n\n  "])
def test_self_instruct_steps_bootstrap_empty_reply_has_no_candidates(text):
    assert BOOTSTRAP_STEP.format_output(text, 9) == []


def test_self_instruct_steps_bootstrap_malformed_numbering():
    text = " Name three fruits please.\n10) List two oceans of the world.\n11 . Name a big city."
    # "10)" is no separator (the paper splits only at "\n<n>. " or "\n<n> . ").
    assert BOOTSTRAP_STEP.format_output(text, 9) == [
        "Name three fruits please. 10) list two oceans of the world.",
        "Name a big city.",
    ]


def test_self_instruct_steps_bootstrap_chat_reply_repeating_the_number():
    text = "9. Name three fruits please.\n10. List two oceans of the world."
    assert BOOTSTRAP_STEP.format_output(text, 9, chat=True) == [
        "Name three fruits please.",
        "List two oceans of the world.",
    ]
    assert BOOTSTRAP_STEP.format_output(text, 9)[0] == "9. name three fruits please."


# --- classification ------------------------------------------------------------------------


def test_self_instruct_steps_classification_prompt_is_the_papers():
    prompt = CLASSIFICATION_STEP.format_input("  Tell me a joke about cats.\n")
    assert prompt.startswith(
        "Can the following task be regarded as a classification task with finite output "
        "labels?\n\nTask: Given my personality and the job, tell me if I would be suitable.\n"
    )
    assert prompt.endswith("No\n\nTask: Tell me a joke about cats.\nIs it classification?")
    assert prompt.count("Is it classification?") == 32  # 31 examples and the question


def test_self_instruct_steps_classification_parses_recorded_and_paper_answers():
    assert [CLASSIFICATION_STEP.format_output(r["text"]) for r in recorded("classification")] == [
        False
    ] * 4
    assert [CLASSIFICATION_STEP.format_output(t) for t in (" Yes", "yes", " YES\n")] == [True] * 3
    # Exactly the paper's test: anything but a bare yes is a no.
    assert not CLASSIFICATION_STEP.format_output(" Yes, it")
    assert not CLASSIFICATION_STEP.format_output("")


# --- instances ------------------------------------------------------------------------------


def test_self_instruct_steps_instance_prompts_are_the_papers():
    output_first = INSTANCES_STEP.format_input("Detect spam. ", True)
    input_first = INSTANCES_STEP.format_input("Write a haiku.", False)
    assert output_first.startswith("Given the classification task definition and the class")
    assert output_first.endswith("Class label: (e)\n\nTask: Detect spam.\n")
    assert input_first.startswith("Come up with examples for the following tasks.")
    assert input_first.endswith("[Your Name]\n\nTask: Write a haiku.\n")


def test_self_instruct_steps_input_first_parses_recorded_replies():
    first, second = recorded("instances_input_first")[:2]
    assert INSTANCES_STEP.format_output(first["text"], False, False) == [
        Instance("Temperature: 25Celsius", "37.8F")
    ]
    # "Example 1" without any "Output:": the whole block is the output.
    assert INSTANCES_STEP.format_output(second["text"], False, False) == [
        Instance("", "Rain, rain, on the horizon,\nAwakens the world.")
    ]


def test_self_instruct_steps_input_first_recorded_empty_replies():
    _, _, bare_example, blank = recorded("instances_input_first")
    assert bare_example["text"] == "Example 1\n" and blank["text"] == "\n"  # stopped at "Task:"
    for reply in (bare_example, blank):
        parsed = INSTANCES_STEP.format_output(reply["text"], False, False)
        assert parsed == []
        assert filters.filter_instances(parsed, random.Random(0))[1] == filters.NO_INSTANCES


def test_self_instruct_steps_input_first_paper_shapes():
    text = (
        "Example 1\nList: [3, 1]\nOutput: [1, 3]\nExample 2\nInput 2 - List: [2, 0]\nOutput: [0, 2]"
    )
    assert INSTANCES_STEP.format_output(text, False, False) == [
        Instance("List: [3, 1]", "[1, 3]"),
        Instance("Input 2 - List: [2, 0]", "[0, 2]"),
    ]
    assert INSTANCES_STEP.format_output("Output: 85F = 29.44C", False, False) == [
        Instance("", "85F = 29.44C")
    ]
    assert INSTANCES_STEP.format_output("Input: x\nOutput: y\nInput: z", False, False) == [
        Instance("x", "y")  # a second Input: after the output is cut off
    ]
    assert INSTANCES_STEP.format_output("Just some words.", False, False) == []


def test_self_instruct_steps_output_first_parses_recorded_replies():
    spam, labels = recorded("instances_output_first")
    parsed = INSTANCES_STEP.format_output(spam["text"], True, False)
    email = "Email: This is a company's email."
    assert parsed == [
        Instance(email, "spam"),
        Instance(email, "Not spam"),
        Instance(email, "Spam"),
        Instance(email, "Spam"),
        Instance("", "Spam"),
    ]
    # One input, two labels: the paper drops the whole task.
    assert filters.filter_instances(parsed, random.Random(0))[1] == filters.CONFLICTING
    assert INSTANCES_STEP.format_output(labels["text"], True, False) == [Instance("", "(d)")]


def test_self_instruct_steps_truncated_instances_lose_the_last():
    text = "Example 1\nInput: a\nOutput: b\nExample 2\nInput: c\nOutput: d is cu"
    parsed = INSTANCES_STEP.format_output(text, False, truncated=True)
    assert parsed == [Instance("a", "b"), Instance("c", "d is cu", filters.CUT_BY_LENGTH)]


# --- alpaca ---------------------------------------------------------------------------------


def test_self_instruct_steps_alpaca_prompt_is_alpacas():
    prompt = ALPACA_STEP.format_input([("Name a  fruit:", "", "Apple"), ("Add them.", "2, 3", "5")])
    assert prompt.startswith("You are asked to come up with a set of 20 diverse task instructions.")
    assert prompt.endswith(
        "List of 20 tasks:\n###\n1. Instruction: Name a fruit\n1. Input:\n<noinput>\n"
        "1. Output:\nApple\n###\n2. Instruction: Add them.\n2. Input:\n2, 3\n2. Output:\n5\n"
        "###\n3. Instruction:"
    )


def test_self_instruct_steps_alpaca_parses_tasks():
    text = (
        " Name three primary colors.\n4. Input:\n<noinput>\n4. Output:\nRed, blue, yellow.\n###\n"
        "5. Instruction: Sum the numbers.\n5. Input:\n2, 3\n5. Output:\n5\n###\n"
        "7. Instruction: Wrong number.\n7. Input:\n<noinput>\n7. Output:\nx\n###\n"
    )
    assert ALPACA_STEP.format_output(text, 3, truncated=False) == [
        AlpacaTask("Name three primary colors.", "", "Red, blue, yellow."),
        AlpacaTask("Sum the numbers.", "2, 3", "5"),
        AlpacaTask(
            "7. Instruction: Wrong number. 7. Input: <noinput> 7. Output: x", "", "", "malformed"
        ),
    ]


def test_self_instruct_steps_alpaca_truncated_recorded_reply():
    (reply,) = recorded("alpaca")
    assert reply["finish_reason"] == "length"
    tasks = ALPACA_STEP.format_output(reply["text"], 3, truncated=True)
    assert len(tasks) == 1 and tasks[0].reason == filters.CUT_BY_LENGTH


# --- exports --------------------------------------------------------------------------------

TRIPLES = [
    ("Add the numbers.", "Numbers: 2, 3", "5"),
    ("Name a fruit.", "", "Apple"),
    ("Name a fruit.", "", "Apple"),
]


def test_self_instruct_steps_exports():
    assert export.alpaca_records(TRIPLES[:1]) == [
        {"instruction": "Add the numbers.", "input": "Numbers: 2, 3", "output": "5"}
    ]
    assert export.chat_records(TRIPLES[:2]) == [
        {
            "messages": [
                {"role": "user", "content": "Add the numbers.\n\nNumbers: 2, 3"},
                {"role": "assistant", "content": "5"},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "Name a fruit."},
                {"role": "assistant", "content": "Apple"},
            ]
        },
    ]


def test_self_instruct_steps_prompt_completion_follows_the_paper():
    records = export.prompt_completion_records(TRIPLES, seed=1)
    assert all(r["completion"].endswith("<|endoftext|>") for r in records)
    assert export.prompt_completion_records(TRIPLES, seed=1) == records
    many = export.prompt_completion_records([TRIPLES[0]] * 200, seed=2)
    pairs = [(r["prompt"], r["completion"]) for r in many]
    assert len(pairs) == len(set(pairs))  # duplicates out
    prompts = {r["prompt"] for r in many}
    assert any("Numbers: 2, 3" in p for p in prompts)  # the field name kept half of the time
    assert any("Numbers" not in p and "2, 3" in p for p in prompts)  # and dropped otherwise
    assert len(prompts) <= 2 * len(export.TEMPLATES_WITH_INPUT)
