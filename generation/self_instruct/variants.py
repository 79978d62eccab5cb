"""Self-Instruct and Alpaca as data: everything that tells one variant from the other.

The pipeline asks the run's Variant for its prompt files, its decoding, how a round's prompt
is built and its reply parsed, its keyword blacklist and whether instances are asked for
afterwards; it never branches on a variant's name. A new variant is one more entry in VARIANTS.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from generation import templates
from generation.self_instruct import filters, steps
from generation.self_instruct.pool import Candidate
from generation.templates import Template

if TYPE_CHECKING:
    from generation.self_instruct.seeds import SeedTask


class Round(Protocol):
    """A variant's bootstrap request: its prompt from sampled examples, candidates from its
    reply; `role` names its template and decoding."""

    role: ClassVar[str]

    def prompt(
        self,
        rng: random.Random,
        seeds: Sequence[SeedTask],
        machine: Sequence[str],
        in_context: int,
        machine_in_prompt: int,
    ) -> str: ...

    def candidates(
        self, text: str, truncated: bool, in_context: int, chat: bool
    ) -> list[Candidate]: ...


@dataclass(frozen=True)
class SelfInstructRound:
    """Up to `machine_in_prompt` instructions kept so far plus seed instructions, `in_context`
    in all, shuffled; the reply continues the numbered list with new instructions."""

    step: steps.Bootstrap
    role: ClassVar[str] = "bootstrap"

    @classmethod
    def from_templates(cls, loaded: Mapping[str, Template]) -> SelfInstructRound:
        return cls(steps.Bootstrap(loaded[cls.role]))

    def prompt(self, rng, seeds, machine, in_context, machine_in_prompt) -> str:
        instructions = rng.sample(machine, min(machine_in_prompt, len(machine)))
        seed_instructions = [seed.instruction for seed in seeds]
        instructions += rng.sample(seed_instructions, in_context - len(instructions))
        rng.shuffle(instructions)
        return self.step.format_input(instructions)

    def candidates(self, text, truncated, in_context, chat) -> list[Candidate]:
        return [Candidate(t) for t in self.step.format_output(text, in_context + 1, chat)]


@dataclass(frozen=True)
class AlpacaRound:
    """`in_context` whole seed tasks (seeds only); the reply holds up to 20 whole tasks."""

    step: steps.Alpaca
    role: ClassVar[str] = "alpaca"

    @classmethod
    def from_templates(cls, loaded: Mapping[str, Template]) -> AlpacaRound:
        return cls(steps.Alpaca(loaded[cls.role]))

    def prompt(self, rng, seeds, machine, in_context, machine_in_prompt) -> str:
        chosen = rng.sample(seeds, in_context)
        return self.step.format_input([(s.instruction, s.input, s.output) for s in chosen])

    def candidates(self, text, truncated, in_context, chat) -> list[Candidate]:
        tasks = self.step.format_output(text, in_context, truncated, chat)
        return [Candidate(t.instruction, t.input, t.output, t.reason) for t in tasks]


@dataclass(frozen=True)
class Variant:
    """name: as in RunConfig.template and the dataset's `source`.
    templates: role -> prompt file; decoding: role -> the paper's request parameters, for the
    round's role and (when `asks_for_instances`) classification and the two instance prompts.
    round: the Round, built from the loaded templates.
    in_context / batch_size: examples per prompt and prompts per round, the papers' defaults.
    drops_truncated_reply: a reply cut by the length limit loses every candidate (Self-Instruct)
    rather than only its last one, which the parser marks (Alpaca).
    asks_for_instances: each kept instruction is then classified and asked for instances
    (Self-Instruct); otherwise the round's candidates are whole tasks already (Alpaca).
    """

    name: str
    templates: Mapping[str, str]
    decoding: Mapping[str, Mapping[str, Any]]
    round: type[SelfInstructRound] | type[AlpacaRound]
    blacklist: tuple[str, ...]
    in_context: int
    batch_size: int
    drops_truncated_reply: bool
    asks_for_instances: bool


SELF_INSTRUCT = Variant(
    name="self-instruct",
    templates={
        "bootstrap": templates.BOOTSTRAP,
        "classification": templates.CLASSIFICATION,
        "instances_input_first": templates.INPUT_FIRST,
        "instances_output_first": templates.OUTPUT_FIRST,
    },
    decoding={
        "bootstrap": steps.BOOTSTRAP_PARAMS,
        "classification": steps.CLASSIFICATION_PARAMS,
        "instances_output_first": steps.OUTPUT_FIRST_PARAMS,
        "instances_input_first": steps.INPUT_FIRST_PARAMS,
    },
    round=SelfInstructRound,
    blacklist=filters.SELF_INSTRUCT_BLACKLIST,
    in_context=8,
    batch_size=5,
    drops_truncated_reply=True,
    asks_for_instances=True,
)
ALPACA = Variant(
    name="alpaca",
    templates={"alpaca": templates.ALPACA},
    decoding={"alpaca": steps.ALPACA_PARAMS},
    round=AlpacaRound,
    blacklist=filters.ALPACA_BLACKLIST,
    in_context=3,
    batch_size=5,
    drops_truncated_reply=False,
    asks_for_instances=False,
)
VARIANTS: dict[str, Variant] = {variant.name: variant for variant in (SELF_INSTRUCT, ALPACA)}


def instances_role(is_classification: bool) -> str:
    """The template and decoding role of a task's instance prompt."""
    return "instances_output_first" if is_classification else "instances_input_first"
