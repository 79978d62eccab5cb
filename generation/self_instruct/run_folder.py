"""A Self-Instruct run folder: its settings, its checkpoint, and the files a run writes there.

`state.json` is both the checkpoint (rounds finished, everything counted so far) and what the
Generate page polls; it is replaced atomically, so a reader never sees half a file. The lock,
the stop request and the log are every run folder's (generation.run_files).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from analysis.defaults import DEFAULT_POOL, DEFAULT_THRESHOLD
from analysis.errors import Errors, WorkbenchError
from analysis.readers import RUN_DATASET_FILE
from generation import launcher
from generation.client import APIS, AUTO_API
from generation.run_files import read_json, write_json
from generation.self_instruct.state import RunState
from generation.self_instruct.variants import SELF_INSTRUCT, VARIANTS, Variant

CONFIG_FILE = launcher.CONFIG_FILE
STATE_FILE = launcher.STATE_FILE
CANDIDATES_FILE = "candidates.jsonl"
TASKS_FILE = "tasks.jsonl"
DATASET_FILE = RUN_DATASET_FILE  # the name the dataset readers look for in a run folder
MANIFEST_FILE = "manifest.json"
ALPACA_FILE = "alpaca.json"
PROMPT_COMPLETION_FILE = "finetune_prompt_completion.jsonl"
CHAT_FILE = "finetune_chat.jsonl"
#: What a finished run produces: an interrupted and resumed run must write these byte for byte.
OUTPUT_FILES = (
    DATASET_FILE,
    CANDIDATES_FILE,
    TASKS_FILE,
    ALPACA_FILE,
    PROMPT_COMPLETION_FILE,
    CHAT_FILE,
)


@dataclass(frozen=True)
class RunConfig(launcher.StoredConfig):
    """Everything that decides a run's result, plus how fast to go (target, concurrency).

    template: the variant's name (see variants.VARIANTS).
    prompt_instructions: in-context examples per prompt (None: the variant's; the paper's 8,
    Alpaca's 3).
    machine_in_prompt: how many of them come from the machine pool once it has any (2).
    batch_size: prompts per round (None: the variant's; the papers' request_batch_size, 5).
    templates: a folder of prompt files replacing the bundled ones of the same name.
    template_versions: names of saved template versions (generation.prompt_versions), each
    replacing the template it is a version of.
    patience: stop after this many rounds in a row that keep nothing.
    """

    template: str = SELF_INSTRUCT.name
    target: int = 100
    seed: str = DEFAULT_POOL
    backend: str | None = None
    model: str | None = None
    base_url: str | None = None
    api: str = AUTO_API
    concurrency: int | None = None
    batch_size: int | None = None
    prompt_instructions: int | None = None
    machine_in_prompt: int = 2
    threshold: float = DEFAULT_THRESHOLD
    multilingual: bool = False
    max_instances: int = 5
    run_seed: int = 42
    templates: str | None = None
    template_versions: tuple[str, ...] = ()
    patience: int = 20

    ADJUSTABLE = ("target", "concurrency", "patience")

    def __post_init__(self):
        # config.json stores a list; a tuple keeps the settings hashable and comparable.
        object.__setattr__(self, "template_versions", tuple(self.template_versions or ()))
        if self.template not in VARIANTS:
            raise WorkbenchError(
                Errors.E032.format(what="template", name=self.template, choices=", ".join(VARIANTS))
            )
        if self.api not in APIS:
            raise WorkbenchError(
                Errors.E032.format(what="API", name=self.api, choices=", ".join(APIS))
            )

    @property
    def variant(self) -> Variant:
        return VARIANTS[self.template]

    @property
    def in_context(self) -> int:
        if self.prompt_instructions is not None:
            return self.prompt_instructions
        return self.variant.in_context

    @property
    def prompts_per_round(self) -> int:
        return self.variant.batch_size if self.batch_size is None else self.batch_size

    def resolved(self) -> RunConfig:
        """The settings with the variant's defaults filled in: what the run really uses (a
        resume compares these, so a stored default and the same value given agree)."""
        return replace(self, prompt_instructions=self.in_context, batch_size=self.prompts_per_round)


def read_state(out_dir: Path) -> RunState | None:
    """The folder's checkpoint, or None before the worker's first save."""
    saved = read_json(Path(out_dir) / STATE_FILE)
    return None if saved is None else RunState.from_dict(saved)


def write_state(out_dir: Path, state: RunState) -> None:
    write_json(Path(out_dir) / STATE_FILE, state.to_dict())
