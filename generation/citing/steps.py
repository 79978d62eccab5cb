"""CITING's requests as pure prompt builders and strict reply parsers.

CITING (Feng et al., 2023, "Citing: Large Language Models Create Curriculum for Instruction
Tuning") has a teacher write evaluation criteria (a rubric) per category of instruction, then
revise the student's answers against its category's rubric. The paper publishes neither code
nor prompts: the two teacher prompts here (generation/prompts/citing_*.txt) are our
reconstruction. The student answers with Alpaca's prompts (generation.answer.steps.Answer).

- categories: a numbered list of training instructions in, one JSON object out:
  {"categories": [{"name", "description", "criteria": [...], "members": [numbers]}]}.
  The parser refuses anything else and says why; nothing is guessed from a broken reply.
- revision: the instruction, its category's description and criteria and the student's
  answer in; "### Revised answer:" and "### Rationale:" sections out, both required.
- judge (the evaluation, generation.citing.evaluate): the judge's pairwise prompt with CITING's
  three aspects (articulation, depth, comprehensiveness) as its system message, read by the
  judge's own strict verdict parser ("[[A]]", "[[B]]", "[[C]]"); also our reconstruction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from generation import templates
from generation.answer.steps import WITH_INPUT, WITHOUT_INPUT, Answer
from generation.judge.steps import question_text
from generation.prompt_versions import apply_versions
from generation.templates import Template

PIPELINE_NAME = "CITING"
CATEGORIES = "categories"
REVISION = "revision"
JUDGE = "judge"

#: role -> template file; every CITING template is loaded by `load_templates`, and only there.
TEMPLATE_FILES: Mapping[str, str] = MappingProxyType(
    {
        CATEGORIES: templates.CITING_CATEGORIES,
        REVISION: templates.CITING_REVISION,
        JUDGE: templates.CITING_JUDGE,
        WITH_INPUT: templates.ANSWER_INPUT,
        WITHOUT_INPUT: templates.ANSWER_NO_INPUT,
    }
)

#: Teacher decoding: one rubric and one revision, as reproducible as the endpoint allows.
CATEGORIES_PARAMS = MappingProxyType({"temperature": 0.0, "top_p": 1.0, "max_tokens": 1024})
REVISION_PARAMS = MappingProxyType({"temperature": 0.0, "top_p": 1.0, "max_tokens": 512})
#: Student decoding: Alpaca's answer prompt, sampled as an instruction-tuned model answers.
STUDENT_PARAMS = MappingProxyType({"temperature": 0.7, "top_p": 0.9, "max_tokens": 256})

REVISED_HEADING = "Revised answer"
RATIONALE_HEADING = "Rationale"
_SECTION = re.compile(r"^[^\S\n]*#{0,4}[^\S\n]*([A-Za-z' ]+?)[^\S\n]*:[^\S\n]*", re.MULTILINE)
_FENCE = re.compile(r"```(?:json)?\s*\n(.*?)```", re.DOTALL)


def load_templates(folder: str | Path | None = None, versions: Iterable[str] = ()) -> dict:
    """role -> template: the one place the pipeline loads its prompts. A file in `folder`
    replaces the bundled one of its name, and each saved version named in `versions`
    (generation.prompt_versions) the template it is a version of."""
    loaded = {role: templates.load_template(name, folder) for role, name in TEMPLATE_FILES.items()}
    return apply_versions(loaded, versions, PIPELINE_NAME)


def student_step(loaded: Mapping[str, Template]) -> Answer:
    return Answer.from_templates(loaded)


@dataclass(frozen=True)
class Category:
    """One row of the rubric table; `members` are instruction texts of the training split."""

    name: str
    description: str
    criteria: tuple[str, ...]
    members: tuple[str, ...] = ()

    def criteria_text(self) -> str:
        return "\n".join(f"{number}. {text}" for number, text in enumerate(self.criteria, 1))


class Unparsed(ValueError):
    """A reply the strict parser refuses; the message says why."""


# --- categories ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Categorize:
    template: Template

    def format_input(self, instructions: Sequence[str], categories: int) -> str:
        listed = "\n".join(
            f"{number}. {' '.join(text.split())}" for number, text in enumerate(instructions, 1)
        )
        return self.template.fill(
            count=str(len(instructions)), categories=str(categories), instructions=listed
        )

    def format_output(self, reply: str, instructions: Sequence[str]) -> list[Category]:
        """The categories with their member instructions; raises Unparsed saying why."""
        data = _json_object(reply)
        items = data.get("categories") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            raise Unparsed('no non-empty "categories" list in the JSON object')
        result, names, owner = [], set(), {}
        for position, item in enumerate(items, 1):
            where = f"category {position}"
            if not isinstance(item, dict):
                raise Unparsed(f"{where} is not an object")
            name = _text(item, "name", where)
            if name.casefold() in names:
                raise Unparsed(f"{where}: the name {name!r} is used twice")
            names.add(name.casefold())
            description = _text(item, "description", where)
            criteria = item.get("criteria")
            if not isinstance(criteria, list) or not criteria:
                raise Unparsed(f"{where}: criteria is not a non-empty list")
            if not all(isinstance(c, str) and c.strip() for c in criteria):
                raise Unparsed(f"{where}: a criterion is not a non-empty text")
            members = item.get("members", [])
            if not isinstance(members, list) or not all(
                isinstance(m, int) and not isinstance(m, bool) for m in members
            ):
                raise Unparsed(f"{where}: members is not a list of instruction numbers")
            for number in members:
                if not 1 <= number <= len(instructions):
                    raise Unparsed(f"{where}: no instruction number {number}")
                if number in owner:
                    raise Unparsed(f"instruction {number} is in {owner[number]} and {where}")
                owner[number] = where
            result.append(
                Category(
                    name,
                    description,
                    tuple(c.strip() for c in criteria),
                    tuple(instructions[m - 1] for m in members),
                )
            )
        return result


def _json_object(reply: str) -> object:
    """The reply's JSON: a fenced block if there is one, else from the first "{" to the last
    "}"; raises Unparsed when that is not JSON."""
    fenced = _FENCE.search(reply)
    text = fenced.group(1) if fenced else reply
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise Unparsed("the reply holds no JSON object")
    try:
        return json.loads(text[start : end + 1])
    except json.JSONDecodeError as error:
        raise Unparsed(f"the reply's JSON is malformed ({error})") from None


def _text(item: dict, key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Unparsed(f"{where}: {key} is not a non-empty text")
    return value.strip()


# --- revision ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revise:
    template: Template

    def format_input(
        self, instruction: str, task_input: str, category: Category, answer: str
    ) -> str:
        return self.template.fill(
            category=category.name,
            description=category.description,
            criteria=category.criteria_text(),
            question=question_text(instruction, task_input),
            answer=answer.strip(),
        )

    def format_output(self, reply: str, cut: bool = False) -> tuple[str, str]:
        """(revised answer, rationale); raises Unparsed when either section is missing or
        empty. Text before the first heading is the revised answer: the prompt ends with that
        heading, so a completion continues it. Once both have text, any heading ends the reply,
        theirs repeated too: small models loop ("### Rationale:" again and again), and what
        follows is not part of the reply asked for. A reply `cut` by the
        length limit is kept only when such a heading closed both before the cut."""
        matches = [
            m for m in _SECTION.finditer(reply) if m.group(1).strip().lower() in _HEADINGS_LOWER
        ]
        lead = reply[: matches[0].start()] if matches else reply
        sections: dict[str, str] = {REVISED_HEADING: lead} if lead.strip() else {}
        closed = False
        for index, match in enumerate(matches):
            heading = _HEADINGS_LOWER[match.group(1).strip().lower()]
            end = matches[index + 1].start() if index + 1 < len(matches) else len(reply)
            body = reply[match.end() : end]
            if all(sections.get(h, "").strip() for h in (REVISED_HEADING, RATIONALE_HEADING)):
                closed = True  # both are written: the rest is the model going on
                break
            if heading in sections and sections[heading].strip():
                if heading == REVISED_HEADING and not body.strip():
                    continue  # a chat model repeated the heading the prompt ended with
                raise Unparsed(f'the reply has two "{heading}" sections')
            sections[heading] = body
        rationale = sections.get(RATIONALE_HEADING, "")
        if not closed and (other := _ANY_HEADING.search(rationale)):
            rationale, closed = rationale[: other.start()], True
        revised, rationale = sections.get(REVISED_HEADING, "").strip(), rationale.strip()
        if not revised:
            raise Unparsed('no "Revised answer" section with text')
        if not rationale:
            raise Unparsed('no "Rationale" section with text')
        if cut and not closed:
            raise Unparsed("the reply was cut by the length limit before it ended")
        return revised, rationale


_HEADINGS_LOWER = {
    REVISED_HEADING.lower(): REVISED_HEADING,
    RATIONALE_HEADING.lower(): RATIONALE_HEADING,
}
_ANY_HEADING = re.compile(r"^#{2,4}[^\S\n]+\S", re.MULTILINE)
