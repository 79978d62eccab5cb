"""A judge run folder: its settings, its checkpoint, and the files a run writes there.

The folder follows the judge run-folder contract (config.json, state.json, manifest.json,
judgments.jsonl), read by analysis.scores and the Judge page. aligned.jsonl keeps the questions
and answers the run judges, so a rerun can tell that its inputs changed, and the exports can be
written again from the folder alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.datasets import PATH, resolve
from analysis.errors import Errors, WorkbenchError
from generation import launcher
from generation.judge.state import JudgeState
from generation.judge.steps import DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, MODES, SINGLE
from generation.run_files import read_json, write_json

JUDGE = "judge"
COMPARE_SCORE = "compare-score"
PIPELINES = (JUDGE, COMPARE_SCORE)

CONFIG_FILE = launcher.CONFIG_FILE
STATE_FILE = launcher.STATE_FILE
MANIFEST_FILE = "manifest.json"
JUDGMENTS_FILE = "judgments.jsonl"
ALIGNED_FILE = "aligned.jsonl"
COMPARISON_FILE = "comparison_data_v2.json"
PAIRS_FILE = "reward_pairs.jsonl"


def absolute_source(source: str) -> str:
    """A dataset source as a worker in another folder resolves it the same: a local path made
    absolute; a registered name or a hub id as it is."""
    resolved = resolve(source)
    if resolved.kind == PATH and resolved.entry is None:
        return str(Path(resolved.location).resolve())
    return str(source)


@dataclass(frozen=True)
class JudgeConfig(launcher.StoredConfig):
    """Everything that decides a judge run's rows, plus how fast to go (concurrency).

    answers: the answer sets (sources load_dataset resolves), in the order the rows list them.
    questions: the questions' dataset (None: the first answer set's rows).
    reference_model: the answer set whose answers are the reference of reference-guided
    prompts (None: the questions' own reference field).
    limit: judge the first N aligned questions only.
    """

    answers: tuple[str, ...]
    mode: str = SINGLE
    pipeline: str = JUDGE
    questions: str | None = None
    reference_model: str | None = None
    limit: int | None = None
    backend: str | None = None
    model: str | None = None
    base_url: str | None = None
    concurrency: int | None = None
    temperature: float = DEFAULT_TEMPERATURE
    max_tokens: int = DEFAULT_MAX_TOKENS
    templates: str | None = None
    template_versions: tuple[str, ...] = ()

    ADJUSTABLE = ("concurrency",)

    def __post_init__(self):
        object.__setattr__(self, "answers", tuple(self.answers))
        object.__setattr__(self, "template_versions", tuple(self.template_versions or ()))
        if self.mode not in MODES:
            raise WorkbenchError(
                Errors.E032.format(what="judging mode", name=self.mode, choices=", ".join(MODES))
            )
        if self.pipeline not in PIPELINES:
            raise WorkbenchError(
                Errors.E032.format(
                    what="pipeline", name=self.pipeline, choices=", ".join(PIPELINES)
                )
            )
        needed = 1 if self.mode == SINGLE and self.pipeline == JUDGE else 2
        if len(self.answers) < needed:
            raise WorkbenchError(
                Errors.E090.format(
                    what=self.pipeline if self.pipeline == COMPARE_SCORE else f"{self.mode} mode",
                    needed=needed,
                    count=len(self.answers),
                )
            )
        if self.limit is not None and self.limit < 1:
            raise WorkbenchError(Errors.E095.format(limit=self.limit))

    def params(self) -> dict[str, Any]:
        """Every judge request's decoding parameters."""
        return {"temperature": self.temperature, "max_tokens": self.max_tokens}


def read_state(out_dir: Path) -> JudgeState | None:
    saved = read_json(Path(out_dir) / STATE_FILE)
    return None if saved is None else JudgeState.from_dict(saved)


def write_state(out_dir: Path, state: JudgeState) -> None:
    write_json(Path(out_dir) / STATE_FILE, state.to_dict())


def read_config(out_dir: Path) -> JudgeConfig | None:
    saved = read_json(Path(out_dir) / CONFIG_FILE)
    return None if saved is None else JudgeConfig.from_dict(saved)
