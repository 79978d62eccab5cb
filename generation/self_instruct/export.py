"""Exports of the kept instances: Alpaca JSON and two fine-tuning formats.

The prompt/completion file follows Self-Instruct's prepare_for_finetuning.py (its random
encoding templates, the colon-prefix removal half of the time, duplicates out, shuffled), with
a seeded RNG so the same run always writes the same file. The chat file is the
OpenAI-style `messages` format most fine-tuning tools read today.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence

Triple = tuple[str, str, str]  # instruction, input, output

END_OF_TEXT = "<|endoftext|>"
TEMPLATES_WITH_INPUT: tuple[tuple[str, str], ...] = (
    ("{instruction}\nInput: {input}\nOutput:", " {output}<|endoftext|>"),
    ("{instruction}\n\nInput: {input}\n\nOutput:", " {output}<|endoftext|>"),
    ("Task: {instruction}\nInput: {input}\nOutput:", " {output}<|endoftext|>"),
    ("{instruction}\n\n{input}\n\nOutput:", " {output}<|endoftext|>"),
    ("{instruction}\n\n{input}\n\n", "{output}<|endoftext|>"),
    ("{instruction}\n{input}\n\n", "{output}<|endoftext|>"),
    ("Task: {instruction}\n\n{input}\n\n", "{output}<|endoftext|>"),
)
TEMPLATES_WITHOUT_INPUT: tuple[tuple[str, str], ...] = (
    ("{instruction} Output:", " {output}<|endoftext|>"),
    ("{instruction}\nOutput:", " {output}<|endoftext|>"),
    ("{instruction}\n\nOutput:", " {output}<|endoftext|>"),
    ("{instruction}\n", "{output}<|endoftext|>"),
    ("{instruction}\n\n", "{output}<|endoftext|>"),
    ("Task: {instruction}\n\n", "{output}<|endoftext|>"),
)


def alpaca_records(instances: Iterable[Triple]) -> list[dict[str, str]]:
    return [{"instruction": i, "input": x, "output": o} for i, x, o in instances]


def _fill(template: str, **values: str) -> str:
    # str.format would choke on braces inside the texts; each field is substituted once.
    return re.sub(r"\{(instruction|input|output)\}", lambda m: values[m.group(1)], template)


def encode_instance(instruction: str, task_input: str, output: str, rng: random.Random) -> dict:
    """One prompt/completion pair with a randomly chosen encoding (the paper's encode_instance)."""
    if task_input.strip() != "":
        prompt, completion = rng.choice(TEMPLATES_WITH_INPUT)
    else:
        prompt, completion = rng.choice(TEMPLATES_WITHOUT_INPUT)
    values = {
        "instruction": instruction.strip(),
        "input": task_input.strip(),
        "output": output.strip(),
    }
    return {"prompt": _fill(prompt, **values), "completion": _fill(completion, **values)}


def prompt_completion_records(instances: Sequence[Triple], seed: int) -> list[dict[str, str]]:
    """The paper's GPT-3 fine-tuning file: inputs lightly varied, duplicates out, shuffled."""
    rng = random.Random(f"{seed}:finetune")
    encoded = []
    for instruction, task_input, output in instances:
        if rng.random() < 0.5:
            colon_words = re.findall(r"(\w+):", task_input)
            # One field name before a colon: the instance has one input; drop the field name.
            if len(set(colon_words)) == 1:
                task_input = task_input.split(":", 1)[1].strip()
            else:
                task_input = task_input.strip()
            task_input = task_input.replace("\n\n", "\n")
        encoded.append(encode_instance(instruction, task_input, output, rng))
    seen: set[tuple[str, str]] = set()
    unique = []
    for record in encoded:
        pair = (record["prompt"], record["completion"])
        if pair not in seen:
            seen.add(pair)
            unique.append(record)
    rng.shuffle(unique)
    return unique


def chat_records(instances: Iterable[Triple]) -> list[dict]:
    """One user turn (instruction, then the input after a blank line) and the answer."""
    records = []
    for instruction, task_input, output in instances:
        user = instruction.strip() + (f"\n\n{task_input.strip()}" if task_input.strip() else "")
        records.append(
            {
                "messages": [
                    {"role": "user", "content": user},
                    {"role": "assistant", "content": output.strip()},
                ]
            }
        )
    return records
