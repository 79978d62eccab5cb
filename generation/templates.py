"""Prompt templates as files: the bundled ones in generation/prompts/, or a user's folder.

A template file is used byte for byte (no trailing newline is added or removed: the
bootstrap prompt must end exactly at "9." for the model to continue the list). Placeholders
are `{name}` and are filled in one pass, so braces in the inserted text are left alone; a
`{word}` in a template that nothing fills is refused (it would reach the model as written).
A run records each template's sha256, so a dataset always says which prompts made it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import Errors, WorkbenchError
from analysis.paths import BUNDLED_PROMPTS_DIR

BOOTSTRAP = "self_instruct_bootstrap.txt"
CLASSIFICATION = "self_instruct_classification.txt"
INPUT_FIRST = "self_instruct_instances_input_first.txt"
OUTPUT_FIRST = "self_instruct_instances_output_first.txt"
ALPACA = "alpaca_prompt.txt"
# The judges' prompts (generation.judge.prompts says which mode uses which); FastChat's
# placeholder names are kept, digits included.
JUDGE_SINGLE_SYSTEM = "judge_single_system.txt"
JUDGE_SINGLE = "judge_single_v1.txt"
JUDGE_SINGLE_REFERENCE = "judge_single_math_v1.txt"
JUDGE_PAIR_SYSTEM = "judge_pair_v2_system.txt"
JUDGE_PAIR = "judge_pair_v2.txt"
JUDGE_PAIR_REFERENCE_SYSTEM = "judge_pair_math_v1_system.txt"
JUDGE_PAIR_REFERENCE = "judge_pair_math_v1.txt"
JUDGE_REVIEW_SYSTEM = "judge_vicuna_review_system.txt"
JUDGE_REVIEW = "judge_vicuna_review_general.txt"
ANSWER_INPUT = "alpaca_answer_input.txt"
ANSWER_NO_INPUT = "alpaca_answer_no_input.txt"
ANSWER_ZH_INPUT = "answer_zh_input.txt"
ANSWER_ZH_NO_INPUT = "answer_zh_no_input.txt"
TRANSLATE_ZH = "translate_to_chinese.txt"
# CITING (our reconstruction: the paper publishes no prompts); the student answers with
# Alpaca's answer prompts above.
CITING_CATEGORIES = "citing_categories.txt"
CITING_REVISION = "citing_revision.txt"
#: CITING's evaluation: the pairwise judge's system message on articulation, depth and
#: comprehensiveness, in pair-v2's verdict form (it replaces pair-v2's system message).
CITING_JUDGE = "citing_judge_pair_system.txt"

#: The placeholders each template must contain.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    BOOTSTRAP: ("tasks", "next"),
    CLASSIFICATION: ("instruction",),
    INPUT_FIRST: ("instruction",),
    OUTPUT_FIRST: ("instruction",),
    ALPACA: ("tasks", "next"),
    JUDGE_SINGLE_SYSTEM: (),
    JUDGE_SINGLE: ("question", "answer"),
    JUDGE_SINGLE_REFERENCE: ("question", "ref_answer_1", "answer"),
    JUDGE_PAIR_SYSTEM: (),
    JUDGE_PAIR: ("question", "answer_a", "answer_b"),
    JUDGE_PAIR_REFERENCE_SYSTEM: (),
    JUDGE_PAIR_REFERENCE: ("question", "ref_answer_1", "answer_a", "answer_b"),
    JUDGE_REVIEW_SYSTEM: (),
    JUDGE_REVIEW: ("question", "answer_1", "answer_2"),
    ANSWER_INPUT: ("instruction", "input"),
    ANSWER_NO_INPUT: ("instruction",),
    ANSWER_ZH_INPUT: ("instruction", "input"),
    ANSWER_ZH_NO_INPUT: ("instruction",),
    TRANSLATE_ZH: ("text",),
    CITING_CATEGORIES: ("count", "categories", "instructions"),
    CITING_REVISION: ("category", "description", "criteria", "question", "answer"),
    CITING_JUDGE: (),
}

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Template:
    name: str
    text: str
    source: str  # "bundled" or the file's path

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def fill(self, **values: str) -> str:
        """The prompt: every known placeholder replaced once; unknown `{...}` left as written."""
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.text)

    def describe(self) -> dict:
        return {"file": self.name, "sha256": self.sha256, "source": self.source}


def check_placeholders(name: str, text: str, source: str) -> None:
    """Refuse a template before anything is sent: every placeholder `name` needs must be
    there, and no `{word}` may be there that nothing fills (it would reach the model as is)."""
    needed = PLACEHOLDERS.get(name, ())
    found = set(_PLACEHOLDER.findall(text))
    missing = [f"{{{p}}}" for p in needed if p not in found]
    if missing:
        raise WorkbenchError(
            Errors.E028.format(
                path=source, missing=", ".join(missing), name=name, bundled=BUNDLED_PROMPTS_DIR
            )
        )
    unknown = sorted(f"{{{p}}}" for p in found - set(needed))
    if unknown:
        raise WorkbenchError(
            Errors.E068.format(
                path=source,
                unknown=", ".join(unknown),
                name=name,
                known=", ".join(f"{{{p}}}" for p in needed),
            )
        )


def load_template(name: str, folder: str | Path | None = None) -> Template:
    """The template `name` from `folder` when it holds one, else the bundled one."""
    path = Path(folder) / name if folder else None
    if path is not None and path.is_file():
        template = Template(name, path.read_text(encoding="utf-8"), str(path))
    else:
        template = Template(
            name, (BUNDLED_PROMPTS_DIR / name).read_text(encoding="utf-8"), "bundled"
        )
    check_placeholders(name, template.text, template.source)
    return template


def describe_all(templates: Mapping[str, Template]) -> dict[str, dict]:
    return {role: template.describe() for role, template in templates.items()}
