"""The papers' instruction and instance filters, each with the reason it records."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from analysis.paths import REPO_ROOT
from generation.self_instruct import filters
from generation.self_instruct.filters import Instance, filter_instances, instruction_rejection

SI = filters.SELF_INSTRUCT_BLACKLIST


def test_self_instruct_filters_blacklists_match_the_papers():
    assert len(SI) == 13 and len(filters.ALPACA_BLACKLIST) == 18
    assert set(filters.ALPACA_BLACKLIST) - set(SI) == {
        "video",
        "audio",
        "music",
        "flowchart",
        "diagram",
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Sort the list.", filters.TOO_SHORT),  # 3 words: dropped
        ("Write a haiku.", filters.TOO_SHORT),
        ("Draw a picture of a cat sleeping.", filters.BLACKLISTED),
        ("Plot the sales figures for the last year.", filters.BLACKLISTED),
        ("Go to the nearest store and buy milk.", filters.BLACKLISTED),
        ("Describe the IMAGE below in detail.", filters.BLACKLISTED),  # any case
        ("Write a program to compute the sum of integers from k to n.", filters.WRITE_A_PROGRAM),
        ('"Translate this sentence into French please."', filters.LEADING_PUNCTUATION),
        ("- Give three tips for staying healthy.", filters.LEADING_PUNCTUATION),
        ("Ériger une liste de trois fruits rouges.", filters.NON_ASCII_START),
    ],
)
def test_self_instruct_filters_rejects_with_the_first_failing_rule(text, reason):
    assert instruction_rejection(text, SI)[0] == reason


@pytest.mark.parametrize(
    "text",
    [
        "Give three tips for staying healthy.",  # 5 words
        "Sort the list ascendingly.",  # 4 words: the shortest kept
        "Explain what a mapping between two sets is.",  # "map" only as a whole word
        "Summarize the profile of the given candidate.",  # "file" only as a whole word
        "Write a python program that reverses a string.",  # only "Write a program" at start
    ],
)
def test_self_instruct_filters_keeps_ordinary_instructions(text):
    assert instruction_rejection(text, SI) is None


def test_self_instruct_filters_word_limits_are_the_papers():
    assert instruction_rejection(" ".join(["word"] * 150), SI) is None
    assert instruction_rejection(" ".join(["word"] * 151), SI) == (filters.TOO_LONG, "151 words")
    assert instruction_rejection("one two three", SI) == (filters.TOO_SHORT, "3 words")


def test_self_instruct_filters_blacklist_detail_names_the_word():
    assert instruction_rejection("Create a flowchart of the hiring process.", SI) is None
    rejected = instruction_rejection(
        "Create a flowchart of the hiring process.", filters.ALPACA_BLACKLIST
    )
    assert rejected == (filters.BLACKLISTED, "flowchart")


def test_self_instruct_filters_multilingual_run_keeps_non_ascii_start():
    text = "翻译下面的句子成英文 please do it"
    assert instruction_rejection(text, SI)[0] == filters.NON_ASCII_START
    assert instruction_rejection(text, SI, multilingual=True) is None


def _reasons(instances):
    return [item.reason for item in instances]


def test_self_instruct_filters_instance_rules():
    judged, dropped = filter_instances(
        [
            Instance("2 + 2", "4"),
            Instance("same", "same"),
            Instance("", ""),
            Instance("Sentence: it rains", "Label:"),
            Instance("List:", "1, 2"),
            Instance("2 + 2", "4"),
        ],
        random.Random(0),
    )
    assert dropped is None
    assert _reasons(judged) == [
        None,
        filters.INPUT_EQUALS_OUTPUT,
        filters.INPUT_EQUALS_OUTPUT,  # empty in and out: the first rule that fails
        filters.ENDS_WITH_COLON,
        filters.ENDS_WITH_COLON,
        filters.DUPLICATE,
    ]


def test_self_instruct_filters_empty_output_is_dropped():
    judged, dropped = filter_instances([Instance("a question", "")], random.Random(0))
    assert _reasons(judged) == [filters.EMPTY_OUTPUT]
    assert dropped == filters.NONE_VALID


def test_self_instruct_filters_same_input_different_output_drops_the_task():
    judged, dropped = filter_instances(
        [Instance("x = 1", "odd"), Instance("x = 2", "even"), Instance("x = 1", "even")],
        random.Random(0),
    )
    assert dropped == filters.CONFLICTING


def test_self_instruct_filters_empty_inputs_never_conflict():
    _, dropped = filter_instances(
        [Instance("", "Montreal"), Instance("", "Toronto")], random.Random(0)
    )
    assert dropped is None


def test_self_instruct_filters_keeps_at_most_five_instances():
    instances = [Instance(f"input {i}", f"output {i}") for i in range(8)]
    judged, dropped = filter_instances(instances, random.Random(3))
    assert dropped is None
    assert sum(item.kept for item in judged) == 5
    assert _reasons(judged).count(filters.OVER_LIMIT) == 3


def test_self_instruct_filters_no_instances_is_a_task_reason():
    assert filter_instances([], random.Random(0)) == ([], filters.NO_INSTANCES)


def test_self_instruct_filters_cut_instance_keeps_its_mark():
    judged, _ = filter_instances(
        [Instance("a", "b"), Instance("c", "d", filters.CUT_BY_LENGTH)], random.Random(0)
    )
    assert _reasons(judged) == [None, filters.CUT_BY_LENGTH]


def test_self_instruct_filters_import_alone():
    """The pure filters load without the pipeline or the OpenAI SDK (a fresh interpreter)."""
    heavy = ("openai", "generation.self_instruct.pipeline")
    code = f"import sys, generation.self_instruct.filters; print([m for m in {heavy!r} if m in sys.modules])"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    found = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == "[]"
