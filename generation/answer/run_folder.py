"""A teacher-answers run folder: its settings (config.json), its checkpoint (state.json), and
the files a run writes there. The lock, the stop request and the log are every run folder's
(generation.run_files).

What a finished run holds:
- dataset.jsonl   the answered rows in the record schema, with their source rows' ids, in the
                  source's order; rows without an answer are not in it (see failures.jsonl)
- records.jsonl   one record per source row: the original, the translation (Chinese), the
                  prompt used, the raw reply, every finish reason, the failure and its cause
- failures.jsonl  the rows without an answer, each with its cause
- manifest.json   source, teacher, endpoint, decoding, prompts by sha256, counts, usage
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import Errors, WorkbenchError
from analysis.readers import RUN_DATASET_FILE
from generation import launcher
from generation.answer.state import AnswerState
from generation.answer.steps import ANSWER_PARAMS, EN, TRANSLATION_PARAMS, check_lang
from generation.client import APIS, AUTO_API
from generation.run_files import read_json, write_json

PIPELINE = "answer"
CONFIG_FILE = launcher.CONFIG_FILE
STATE_FILE = launcher.STATE_FILE
DATASET_FILE = RUN_DATASET_FILE
RECORDS_FILE = "records.jsonl"
FAILURES_FILE = "failures.jsonl"
MANIFEST_FILE = "manifest.json"
#: What a finished run produces: an interrupted and resumed run writes these byte for byte.
OUTPUT_FILES = (DATASET_FILE, RECORDS_FILE, FAILURES_FILE)


@dataclass(frozen=True)
class AnswerConfig(launcher.StoredConfig):
    """Everything that decides a run's result, plus how much and how fast (limit, concurrency).

    source: what load_dataset resolves (a registered name, a path, a run folder, a hub id).
    lang: "en" answers as is; "zh" translates the instruction and the input, then answers in
    Chinese. limit: the first N rows only (None: all). Decoding: GPT-4-LLM's by default.
    templates: a folder of prompt files replacing the bundled ones of the same name.
    template_versions: names of saved template versions (generation.prompt_versions), each
    replacing the template it is a version of.
    run_seed: sent to the embedded model only (its sampling is then reproducible).
    """

    source: str
    lang: str = EN
    limit: int | None = None
    backend: str | None = None
    model: str | None = None
    base_url: str | None = None
    api: str = AUTO_API
    concurrency: int | None = None
    temperature: float = ANSWER_PARAMS["temperature"]
    top_p: float = ANSWER_PARAMS["top_p"]
    max_tokens: int = ANSWER_PARAMS["max_tokens"]
    translation_max_tokens: int = TRANSLATION_PARAMS["max_tokens"]
    templates: str | None = None
    template_versions: tuple[str, ...] = ()
    run_seed: int = 42

    PIPELINE = PIPELINE
    #: Settings a resumed run may change without changing any row's answer.
    ADJUSTABLE = ("limit", "concurrency")

    def __post_init__(self):
        # config.json stores a list; a tuple keeps the settings hashable and comparable.
        object.__setattr__(self, "template_versions", tuple(self.template_versions or ()))
        check_lang(self.lang)
        if self.api not in APIS:
            raise WorkbenchError(
                Errors.E032.format(what="API", name=self.api, choices=", ".join(APIS))
            )
        for name in ("limit", "max_tokens", "translation_max_tokens", "concurrency"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise WorkbenchError(Errors.E080.format(name=name, value=value))

    def answer_params(self) -> dict[str, Any]:
        return {"temperature": self.temperature, "top_p": self.top_p, "max_tokens": self.max_tokens}

    def translation_params(self) -> dict[str, Any]:
        return {**TRANSLATION_PARAMS, "max_tokens": self.translation_max_tokens}


def read_state(out_dir: Path) -> AnswerState | None:
    """The folder's checkpoint, or None before the worker's first save."""
    saved = read_json(Path(out_dir) / STATE_FILE)
    return None if saved is None else AnswerState.from_dict(saved)


def write_state(out_dir: Path, state: AnswerState) -> None:
    write_json(Path(out_dir) / STATE_FILE, state.to_dict())
