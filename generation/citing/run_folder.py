"""A CITING run folder: its settings (config.json), its checkpoint (state.json), and the
files a run writes there. The lock, the stop request and the log are every run folder's
(generation.run_files).

What a run holds:
- split.json              the seeded 8:1:1 split: row ids of train, validation and test
- categories_reply.json   the teacher's categories prompt and whole reply
- rubrics.jsonl           the rubric table, one category per line: {"category", "description",
                          "criteria": [...], "members": [...]} (editable; the run re-reads it
                          when started)
- assignments.jsonl       with an embedding model: each validation and test instruction's
                          nearest category and its margin to the runner-up
- round_<r>/              one folder per round r = 1, 2, ... (no zero padding):
  revisions.jsonl         per sampled instruction: category, criteria, student answer,
                          revision, rationale, finish reasons, outcome
  dataset.jsonl           the revised answers in the record schema (loads like any dataset)
  alpaca.json, chat.jsonl the revisions for SFT
  student.json            the student that answered; a fine-tuning command writes the next
                          round's into next_student.json (and its log, finetune.log)
- manifest.json           source, split, teacher and students, prompts by sha256, counts, usage

- eval/                   the evaluation (generation.citing.evaluate), its own worker folder
                          (config.json, state.json, run.log):
  answers_round_<r>.jsonl round r's student's answers to the first N test instructions (record
                          schema); r = R + 1 is the student fine-tuned after the last round
  original_round_<r>.jsonl  the student's answers that round r revised (record schema)
  judge_templates/        the judge's system message (CITING's judge template) for its runs
  students_<r>_vs_<r-1>/  a pairwise judge run folder: round r's student vs round r-1's
  revised_vs_original_<r>/  a pairwise judge run folder: round r's revisions vs the answers
  win_rates.csv           per comparison: wins, ties, losses, unparsed, flips, win rate and
                          its Wilson 95% interval (analysis.citing_eval)
  win_rate_by_round.png, .pdf   the figure (CLI; needs Chromium)

Scripts rely on these names (issue #18).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.errors import Errors, WorkbenchError
from generation import launcher
from generation.backend import LOCAL, BackendConfig, resolve_backend
from generation.citing.state import CitingState
from generation.citing.steps import CATEGORIES_PARAMS, REVISION_PARAMS, STUDENT_PARAMS
from generation.client import APIS, AUTO_API
from generation.run_files import read_json, write_json

PIPELINE = "citing"
CONFIG_FILE = launcher.CONFIG_FILE
STATE_FILE = launcher.STATE_FILE
SPLIT_FILE = "split.json"
CATEGORIES_REPLY_FILE = "categories_reply.json"
RUBRICS_FILE = "rubrics.jsonl"
ASSIGNMENTS_FILE = "assignments.jsonl"
MANIFEST_FILE = "manifest.json"
REVISIONS_FILE = "revisions.jsonl"
DATASET_FILE = "dataset.jsonl"
ALPACA_FILE = "alpaca.json"
CHAT_FILE = "chat.jsonl"
STUDENT_FILE = "student.json"
NEXT_STUDENT_FILE = "next_student.json"


ROUND_PREFIX = "round_"
EVAL_DIR = "eval"
JUDGE_TEMPLATES_DIR = "judge_templates"
WIN_RATES_FILE = "win_rates.csv"
WIN_RATE_FIGURE = "win_rate_by_round"


def eval_dir(out_dir: Path) -> Path:
    return Path(out_dir) / EVAL_DIR


def answers_file(out_dir: Path, number: int) -> Path:
    return eval_dir(out_dir) / f"answers_round_{number}.jsonl"


def original_file(out_dir: Path, number: int) -> Path:
    return eval_dir(out_dir) / f"original_round_{number}.jsonl"


def students_dir(out_dir: Path, number: int) -> Path:
    return eval_dir(out_dir) / f"students_{number}_vs_{number - 1}"


def revised_dir(out_dir: Path, number: int) -> Path:
    return eval_dir(out_dir) / f"revised_vs_original_{number}"


def round_dir(out_dir: Path, number: int) -> Path:
    return Path(out_dir) / f"{ROUND_PREFIX}{number}"


@dataclass(frozen=True)
class CitingConfig(launcher.StoredConfig):
    """Everything that decides a run's result.

    source: what load_dataset resolves. seed: the split's and the samples' seed.
    categories: at most this many categories; category_sample: how many training
    instructions the teacher groups; limit: how many training instructions each round
    answers (CITING: 1,000). rounds: revision rounds (CITING's performance falls from the
    fourth). Teacher and student: each a backend, model and endpoint, both the embedded model
    when none is given. finetune_command: run after each round but the last (see
    generation.citing.finetune); without one the student stays the same model.
    rubrics_only: stop once rubrics.jsonl is written (edit it, then run again without it).
    embedding_model: assigns sampled instructions the teacher did not group to a category by
    sentence embeddings (analysis.embeddings); None: they are left out of the round.
    """

    source: str
    rounds: int = 3
    limit: int = 8
    categories: int = 4
    category_sample: int = 40
    seed: int = 0
    teacher_backend: str | None = None
    teacher_model: str | None = None
    teacher_base_url: str | None = None
    student_backend: str | None = None
    student_model: str | None = None
    student_base_url: str | None = None
    api: str = AUTO_API
    concurrency: int | None = None
    categories_max_tokens: int = CATEGORIES_PARAMS["max_tokens"]
    revision_max_tokens: int = REVISION_PARAMS["max_tokens"]
    student_max_tokens: int = STUDENT_PARAMS["max_tokens"]
    student_temperature: float = STUDENT_PARAMS["temperature"]
    templates: str | None = None
    template_versions: tuple[str, ...] = ()
    embedding_model: str | None = None
    finetune_command: str | None = None
    rubrics_only: bool = False
    run_seed: int = 42

    PIPELINE = PIPELINE
    URL_FIELDS = ("teacher_base_url", "student_base_url")
    #: Settings a resumed run may change without changing a finished round.
    ADJUSTABLE = ("rounds", "concurrency", "finetune_command", "rubrics_only")

    def __post_init__(self):
        object.__setattr__(self, "template_versions", tuple(self.template_versions or ()))
        if self.api not in APIS:
            raise WorkbenchError(
                Errors.E032.format(what="API", name=self.api, choices=", ".join(APIS))
            )
        for name in (
            "rounds",
            "limit",
            "categories",
            "category_sample",
            "concurrency",
            "categories_max_tokens",
            "revision_max_tokens",
            "student_max_tokens",
        ):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise WorkbenchError(Errors.E080.format(name=name, value=value))

    def teacher(self) -> BackendConfig:
        return _backend(self.teacher_backend, self.teacher_model, self.teacher_base_url)

    def student(self) -> BackendConfig:
        return _backend(self.student_backend, self.student_model, self.student_base_url)


def _backend(backend: str | None, model: str | None, base_url: str | None) -> BackendConfig:
    """The embedded model unless a backend, a model or an endpoint is named."""
    if backend is None and model is None and base_url is None:
        backend = LOCAL
    return resolve_backend(backend, model, base_url)


def read_state(out_dir: Path) -> CitingState | None:
    saved = read_json(Path(out_dir) / STATE_FILE)
    return None if saved is None else CitingState.from_dict(saved)


def write_state(out_dir: Path, state: CitingState) -> None:
    write_json(Path(out_dir) / STATE_FILE, state.to_dict())
