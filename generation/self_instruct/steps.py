"""Each step of Self-Instruct and Alpaca as a pure prompt builder and a pure reply parser.

distilabel's split: `format_input` builds the prompt from plain data, `format_output` parses
the reply text; neither touches the network, so both are tested on recorded replies. The
prompts, the decoding parameters and the parsing mirror the original code
(yizhongw/self-instruct: bootstrap_instructions.py, identify_clf_or_not.py,
generate_instances.py, prepare_for_finetuning.py; tatsu-lab/stanford_alpaca:
generate_instruction.py, prompt.txt).

The papers' decoding parameters are here too, as constants; generation.self_instruct.variants
says which request of which variant uses which.

`chat` marks replies from a chat endpoint: the model answers the prompt instead of continuing
it, so a leading "9." (or "4. Instruction:") that a completion model would never write is
removed before the paper's parsing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

from generation.self_instruct.filters import (
    CUT_BY_LENGTH,
    MALFORMED,
    Instance,
)
from generation.templates import Template

#: Self-Instruct's instruction decoding (bootstrap_instructions.py).
BOOTSTRAP_PARAMS = MappingProxyType(
    {
        "max_tokens": 1024,
        "temperature": 0.7,
        "top_p": 0.5,
        "frequency_penalty": 0,
        "presence_penalty": 2,
        "stop": ["\n\n", "\n16", "16.", "16 ."],
    }
)
#: identify_clf_or_not.py: greedy, three tokens, a yes or a no.
CLASSIFICATION_PARAMS = MappingProxyType(
    {
        "max_tokens": 3,
        "temperature": 0,
        "top_p": 0,
        "frequency_penalty": 0,
        "presence_penalty": 0,
        "stop": ["\n", "Task"],
    }
)
#: generate_instances.py. It gave a whole batch 300 tokens when any task in it was a
#: classification one (the longer prompt) and 350 otherwise; here each prompt gets its own.
_INSTANCE_PARAMS = {
    "temperature": 0,
    "top_p": 0,
    "frequency_penalty": 0,
    "presence_penalty": 1.5,
    "stop": ["Example 6", "Task:"],
}
OUTPUT_FIRST_PARAMS = MappingProxyType({"max_tokens": 300, **_INSTANCE_PARAMS})
INPUT_FIRST_PARAMS = MappingProxyType({"max_tokens": 350, **_INSTANCE_PARAMS})
#: Alpaca's decoding (its logit_bias against GPT-3's <|endoftext|> token id is model-specific
#: and left out).
ALPACA_PARAMS = MappingProxyType(
    {
        "max_tokens": 3072,
        "temperature": 1.0,
        "top_p": 1.0,
        "stop": ["\n20", "20.", "20."],
    }
)
YES = ("Yes", "yes", "YES")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(":")


@dataclass(frozen=True)
class Bootstrap:
    """New instructions from 8 in-context ones: "Come up with a series of tasks:" 1. ... 9."""

    template: Template

    def format_input(self, instructions: Sequence[str]) -> str:
        tasks = "".join(
            f"{number}. {_one_line(text)}\n" for number, text in enumerate(instructions, 1)
        )
        return self.template.fill(tasks=tasks, next=str(len(instructions) + 1))

    def format_output(self, text: str, next_number: int, chat: bool = False) -> list[str]:
        """Candidate instructions in order: split at "\\n<n>. ", whitespace collapsed,
        capitalized (str.capitalize, as the paper: the rest is lowercased), empties dropped."""
        if chat:
            text = re.sub(rf"^\s*{next_number}\s?\.\s", " ", text)
        candidates = []
        for piece in re.split(r"\n\d+\s?\. ", text):
            piece = re.sub(r"\s+", " ", piece).strip().capitalize()
            if piece:
                candidates.append(piece)
        return candidates


@dataclass(frozen=True)
class Classification:
    """Is the task a classification task? The paper's 31-example yes/no prompt."""

    template: Template

    def format_input(self, instruction: str) -> str:
        return self.template.fill(instruction=instruction.strip())

    def format_output(self, text: str) -> bool:
        return text.strip() in YES


@dataclass(frozen=True)
class Instances:
    """Instances for a task: output-first (class label, then input) for classification tasks,
    input-first otherwise."""

    input_first: Template
    output_first: Template

    def format_input(self, instruction: str, is_classification: bool) -> str:
        template = self.output_first if is_classification else self.input_first
        return template.fill(instruction=instruction.strip())

    def format_output(self, text: str, is_classification: bool, truncated: bool) -> list[Instance]:
        """Parsed instances in order; when the length limit cut the reply the last one is
        marked (the paper drops it)."""
        parse = parse_classification_instances if is_classification else parse_input_first
        instances = parse(text)
        if truncated and instances:
            instances[-1] = Instance(instances[-1].input, instances[-1].output, CUT_BY_LENGTH)
        return instances


def parse_input_output(text: str) -> tuple[str, str]:
    """prepare_for_finetuning.parse_input_output: split at "Output:", cut a second "Input:"."""
    if re.findall(r"Output\s*\d*\s*:", text):
        parts = re.split(r"Output\s*\d*\s*:", text)
        instance_input, instance_output = parts[0].strip(), parts[1].strip()
    else:
        instance_input, instance_output = "", text.strip()
    if re.findall(r"Input\s*\d*\s*:", instance_output):
        instance_output = re.split(r"Input\s*\d*\s*:", instance_output)[0].strip()
    instance_input = re.sub(r"^Input\s*\d*\s*:", "", instance_input).strip()
    return instance_input, instance_output


def parse_input_first(text: str) -> list[Instance]:
    """parse_instances_for_generation_task: "Example N" blocks, or one "Output:" pair."""
    text = text.strip()
    if re.findall(r"Example\s?\d*\.?", text):
        blocks = [b.strip() for b in re.split(r"Example\s?\d*\.?", text) if b.strip() != ""]
        pairs = [parse_input_output(block) for block in blocks]
    elif re.findall(r"Output\s*\d*\s*:", text):
        pairs = [parse_input_output(text)]
    else:
        return []
    return [Instance(i.strip(), o.strip()) for i, o in pairs]


def parse_classification_instances(text: str) -> list[Instance]:
    """parse_instances_for_classification_task: each "Class label:" line, then its input."""
    if "Class label:" not in text:
        return []
    instances = []
    for block in text.split("Class label:")[1:]:
        label, _, rest = block.strip().partition("\n")
        instances.append(Instance(rest.strip(), label.strip()))
    return instances


@dataclass(frozen=True)
class AlpacaTask:
    """One parsed Alpaca task; `reason` is MALFORMED or the truncation mark, else None."""

    instruction: str
    input: str
    output: str
    reason: str | None = None


@dataclass(frozen=True)
class Alpaca:
    """Alpaca's single step: prompt.txt, 3 seed tasks, "4. Instruction:"; up to 20 tasks back."""

    template: Template

    def format_input(self, tasks: Sequence[tuple[str, str, str]]) -> str:
        blocks = []
        for number, (instruction, task_input, output) in enumerate(tasks, 1):
            shown_input = "<noinput>" if task_input.lower() == "" else task_input
            blocks.append(
                f"###\n{number}. Instruction: {_one_line(instruction)}\n"
                f"{number}. Input:\n{shown_input}\n{number}. Output:\n{output}\n"
            )
        return self.template.fill(tasks="".join(blocks), next=str(len(tasks) + 1))

    def format_output(
        self, text: str, prompt_tasks: int, truncated: bool, chat: bool = False
    ) -> list[AlpacaTask]:
        """Every "###"-separated block in order. A block that does not split into the three
        numbered fields is MALFORMED (its raw text kept as the instruction); the last block of
        a reply cut by the length limit is marked, as the paper drops it."""
        opening = f"{prompt_tasks + 1}. Instruction:"
        if not (chat and text.lstrip().startswith(opening)):
            text = opening + text
        blocks = re.split("###", text)
        tasks = []
        for index, block in enumerate(blocks):
            cut = truncated and index == len(blocks) - 1
            number = index + prompt_tasks + 1
            parts = re.split(rf"{number}\.\s+(Instruction|Input|Output):", block)
            if len(parts) != 7:
                raw = re.sub(r"\s+", " ", block).strip()
                if raw:  # the blank after a closing "###" is no candidate
                    tasks.append(AlpacaTask(raw, "", "", CUT_BY_LENGTH if cut else MALFORMED))
                continue
            task_input = parts[4].strip()
            task_input = "" if task_input.lower() == "<noinput>" else task_input
            reason = CUT_BY_LENGTH if cut else None
            tasks.append(AlpacaTask(parts[2].strip(), task_input, parts[6].strip(), reason))
        return tasks
