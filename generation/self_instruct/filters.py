"""The papers' filters, as pure functions that say *why* a text is dropped.

Instruction filters follow Self-Instruct's `post_process_gpt3_response` (bootstrap_instructions.py)
and Alpaca's (generate_instruction.py) in the same order, so the first failing rule is the
reason recorded. Instance filters follow Self-Instruct's prepare_for_finetuning.py. The ROUGE-L
novelty filter is analysis.rouge.IncrementalRougeFilter, applied by the pipeline.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, replace

#: Self-Instruct's keyword blacklist: tasks a language model cannot do.
SELF_INSTRUCT_BLACKLIST: tuple[str, ...] = (
    "image",
    "images",
    "graph",
    "graphs",
    "picture",
    "pictures",
    "file",
    "files",
    "map",
    "maps",
    "draw",
    "plot",
    "go to",
)
#: Alpaca's: Self-Instruct's plus five more (18 in all).
ALPACA_BLACKLIST: tuple[str, ...] = SELF_INSTRUCT_BLACKLIST + (
    "video",
    "audio",
    "music",
    "flowchart",
    "diagram",
)
MIN_WORDS_EXCLUSIVE = 3  # "3 words or fewer" is dropped
MAX_WORDS = 150
MAX_INSTANCES = 5

# Reasons, as recorded in candidates.jsonl and tasks.jsonl.
KEPT = "kept"
TRUNCATED = "truncated_response"
MALFORMED = "malformed"
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
BLACKLISTED = "blacklisted_keyword"
WRITE_A_PROGRAM = "write_a_program"
LEADING_PUNCTUATION = "leading_punctuation"
NON_ASCII_START = "non_ascii_start"
TOO_SIMILAR = "too_similar"
SURPLUS = "target_reached"
INSTRUCTION_REASONS: tuple[str, ...] = (
    TRUNCATED,
    MALFORMED,
    TOO_SHORT,
    TOO_LONG,
    BLACKLISTED,
    WRITE_A_PROGRAM,
    LEADING_PUNCTUATION,
    NON_ASCII_START,
    TOO_SIMILAR,
    SURPLUS,
)

INPUT_EQUALS_OUTPUT = "input_equals_output"
EMPTY_OUTPUT = "empty_output"
ENDS_WITH_COLON = "ends_with_colon"
DUPLICATE = "duplicate_instance"
OVER_LIMIT = "over_max_instances"
CUT_BY_LENGTH = "cut_by_length_limit"
# Task-level reasons (no instance survives).
NO_INSTANCES = "no_instances_parsed"
CONFLICTING = "same_input_different_output"
NONE_VALID = "no_valid_instances"
REQUEST_FAILED = "request_failed"

#: The reasons of instances and tasks in words, for the note on why a kept instruction is not
#: in the dataset.
REASON_WORDS = {
    INPUT_EQUALS_OUTPUT: "input equal to its output",
    EMPTY_OUTPUT: "empty output",
    ENDS_WITH_COLON: "output ending with a colon",
    DUPLICATE: "duplicate",
    OVER_LIMIT: "over the instance limit",
    CUT_BY_LENGTH: "cut by the length limit",
    NO_INSTANCES: "no instance could be read from the reply",
    CONFLICTING: "one input with two different outputs",
    NONE_VALID: "no instance passed the filters",
    REQUEST_FAILED: "the request failed",
}


def find_word(word: str, text: str) -> bool:
    """The papers' `find_word_in_string`: the word between word boundaries, any case."""
    return re.search(rf"\b({word})\b", text, flags=re.IGNORECASE) is not None


def instruction_rejection(
    text: str, blacklist: Sequence[str], multilingual: bool = False
) -> tuple[str, str] | None:
    """(reason, detail) for the first heuristic filter the instruction fails, or None.

    `multilingual` lifts the non-ASCII first-character rule, which otherwise drops every
    instruction written in a non-Latin script.
    """
    words = len(text.split())
    if words <= MIN_WORDS_EXCLUSIVE:
        return TOO_SHORT, f"{words} words"
    if words > MAX_WORDS:
        return TOO_LONG, f"{words} words"
    for word in blacklist:
        if find_word(word, text):
            return BLACKLISTED, word
    if text.startswith("Write a program"):
        return WRITE_A_PROGRAM, ""
    if text[0] in string.punctuation:
        return LEADING_PUNCTUATION, text[0]
    if not multilingual and not text[0].isascii():
        return NON_ASCII_START, text[0]
    return None


@dataclass(frozen=True)
class Instance:
    """One parsed input/output pair; `reason` is None while it is kept."""

    input: str
    output: str
    reason: str | None = None

    @property
    def kept(self) -> bool:
        return self.reason is None


def instance_rejection(instance: Instance) -> str | None:
    """Self-Instruct's `filter_invalid_instances`, one rule at a time."""
    if instance.input == instance.output:
        return INPUT_EQUALS_OUTPUT
    if instance.output == "":
        return EMPTY_OUTPUT
    if instance.input.strip().endswith(":") or instance.output.strip().endswith(":"):
        return ENDS_WITH_COLON
    return None


def filter_instances(
    instances: Sequence[Instance], rng: random.Random, max_instances: int = MAX_INSTANCES
) -> tuple[list[Instance], str | None]:
    """Every instance with its verdict, and the reason the whole task is dropped (or None).

    Order of the paper: invalid instances out; if two kept instances share a non-empty input
    but differ in output the task is dropped; exact duplicates out; at most `max_instances`
    sampled. Instances already marked (e.g. cut by the length limit) keep their reason.
    """
    if not instances:
        return [], NO_INSTANCES
    judged = [
        item if not item.kept else replace(item, reason=instance_rejection(item))
        for item in instances
    ]
    valid = [item for item in judged if item.kept]
    outputs_by_input: dict[str, str] = {}
    for item in valid:
        if item.input != "" and outputs_by_input.setdefault(item.input, item.output) != item.output:
            return judged, CONFLICTING
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(judged):
        if item.kept:
            pair = (item.input, item.output)
            if pair in seen:
                judged[index] = replace(item, reason=DUPLICATE)
            seen.add(pair)
    kept = [index for index, item in enumerate(judged) if item.kept]
    if not kept:
        return judged, NONE_VALID
    chosen = set(rng.sample(kept, min(len(kept), max_instances)))
    for index in kept:
        if index not in chosen:
            judged[index] = replace(judged[index], reason=OVER_LIMIT)
    return judged, None
