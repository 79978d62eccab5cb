"""Each request of the teacher-answers pipeline as a pure prompt builder and a pure reply parser.

The answer prompts are Alpaca's (tatsu-lab/stanford_alpaca, train.py PROMPT_DICT): the one
with an input when the input is not "", the other without, exactly as Alpaca chose. GPT-4-LLM
answered with GPT-4 at temperature 1.0, top_p 1.0 and 512 tokens; that is the default here.
Chinese (GPT-4-LLM's second set): the instruction and the input are translated first, each on
its own request, then answered with the Chinese versions of Alpaca's prompts.

A completion model continues the prompt's pattern: after its answer it may write the
template's next section ("### Instruction:" of a new task). Completion requests stop at the
templates' section headings, and the parsers end a reply at any of them and drop one a chat
model echoes at the start; the whole reply stays in the run's records. Chat requests get no
stop sequence: GPT-4-LLM's decoding has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from analysis.errors import Errors, WorkbenchError
from generation import templates
from generation.prompt_versions import apply_versions
from generation.templates import Template

PIPELINE_NAME = "teacher answers"
EN = "en"
ZH = "zh"
LANGS = (EN, ZH)

#: Template roles: Alpaca's two prompts and the translation.
WITH_INPUT = "prompt_input"
WITHOUT_INPUT = "prompt_no_input"
TRANSLATION = "translation"

#: role -> template file, per answer language.
TEMPLATE_FILES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        EN: {WITH_INPUT: templates.ANSWER_INPUT, WITHOUT_INPUT: templates.ANSWER_NO_INPUT},
        ZH: {
            WITH_INPUT: templates.ANSWER_ZH_INPUT,
            WITHOUT_INPUT: templates.ANSWER_ZH_NO_INPUT,
            TRANSLATION: templates.TRANSLATE_ZH,
        },
    }
)

#: GPT-4-LLM's decoding of the answers.
ANSWER_PARAMS = MappingProxyType({"temperature": 1.0, "top_p": 1.0, "max_tokens": 512})
#: A translation is one faithful text: greedy, with room for Chinese, which takes more tokens
#: than the English it translates (GPT-4-LLM does not say how ChatGPT was asked).
TRANSLATION_PARAMS = MappingProxyType({"temperature": 0.0, "top_p": 1.0, "max_tokens": 1024})

HEADING_START = "###"
_HEADING = re.compile(r"^###[^\S\n]+\S.*$", re.MULTILINE)
#: Labels a model may put before a translation ("Translation:", "中文：").
_TRANSLATION_LABEL = re.compile(
    r"^\s*(?:#+\s*)?(?:chinese translation|chinese|translation|中文翻译|中文|翻译|译文)\s*[:：]\s*",
    re.IGNORECASE,
)
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "'": "'"}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise WorkbenchError(
            Errors.E032.format(what="language", name=lang, choices=", ".join(LANGS))
        )
    return lang


def load_templates(
    lang: str, folder: str | Path | None = None, versions: Iterable[str] = ()
) -> dict[str, Template]:
    """role -> template for a language: the one place the pipeline loads its prompts. A file
    in `folder` replaces the bundled one of its name, and each saved version named in
    `versions` (generation.prompt_versions) the template it is a version of."""
    loaded = {
        role: templates.load_template(name, folder)
        for role, name in TEMPLATE_FILES[check_lang(lang)].items()
    }
    return apply_versions(loaded, versions, PIPELINE_NAME)


def headings(template: Template) -> tuple[str, ...]:
    """The template's section headings ("### Instruction:", ...), in order."""
    return tuple(match.group(0).strip() for match in _HEADING.finditer(template.text))


def completion_stops(used: Sequence[Template]) -> list[str]:
    """Stop sequences for completion requests: the templates' section headings on a new line,
    where the parsers would cut anyway (a completion model goes on to write the next task)."""
    return list(dict.fromkeys(f"\n{mark}" for template in used for mark in headings(template)))


def cut_at_headings(text: str, marks: tuple[str, ...], echoed: str | None = None) -> str:
    """The reply up to the first line that starts with one of `marks`, without the heading the
    prompt ended with (`echoed`, default the last mark) when the reply repeats it first."""
    text = text.strip()
    echoed = echoed or (marks[-1] if marks else None)
    if echoed and text.startswith(echoed):
        text = text[len(echoed) :].lstrip()
    ends = [m.start() for m in _HEADING.finditer(text) if m.group(0).startswith(marks)]
    return text[: min(ends)].rstrip() if ends else text


@dataclass(frozen=True)
class Answer:
    """Alpaca's prompt for one instruction (with its input), and the answer in the reply."""

    with_input: Template
    without_input: Template

    @classmethod
    def from_templates(cls, loaded: Mapping[str, Template]) -> Answer:
        return cls(loaded[WITH_INPUT], loaded[WITHOUT_INPUT])

    @staticmethod
    def role(input: str) -> str:
        """Alpaca's choice: the prompt with an input unless the input is ""."""
        return WITH_INPUT if input != "" else WITHOUT_INPUT

    def template(self, input: str) -> Template:
        return self.with_input if self.role(input) == WITH_INPUT else self.without_input

    def format_input(self, instruction: str, input: str) -> str:
        return self.template(input).fill(instruction=instruction, input=input)

    def format_output(self, text: str, input: str) -> str | None:
        """The answer; None when the reply holds none."""
        return cut_at_headings(text, headings(self.template(input))) or None


@dataclass(frozen=True)
class Translation:
    """The request translating one text (an instruction or an input) into Chinese."""

    template: Template

    def format_input(self, text: str) -> str:
        return self.template.fill(text=text)

    def marks(self, source: str) -> tuple[str, ...]:
        """Where a reply stops being the translation: any "### " heading line when the source
        has none (a model may go on with "### English translation:", "### Notes:" ...), else
        the template's own headings."""
        return (HEADING_START,) if not _HEADING.search(source) else headings(self.template)

    def completion_stops(self, source: str) -> list[str]:
        return [f"\n{mark}" for mark in self.marks(source)]

    def format_output(self, reply: str, source: str) -> str | None:
        """The translation: the reply up to the first heading the source does not explain,
        without a label ("Translation:") or the quotes around it that the source does not have
        itself; None when nothing is left."""
        text = cut_at_headings(reply, self.marks(source), headings(self.template)[-1])
        if not _TRANSLATION_LABEL.match(source):
            text = _TRANSLATION_LABEL.sub("", text, count=1).strip()
        close = _QUOTES.get(text[:1])
        if close and len(text) > 1 and text.endswith(close) and source.strip()[:1] not in _QUOTES:
            text = text[1:-1].strip()
        return text or None
