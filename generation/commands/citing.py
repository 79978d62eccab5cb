"""python -m generation citing --train PATH --rounds R [--limit N] --out DIR: CITING's rubrics
and revision rounds (`citing PATH ...`, the source as a positional argument, works too).

The dataset is split 8:1:1 (seeded); the teacher groups a sample of training instructions into
categories with criteria (DIR/rubrics.jsonl: edit it and rerun to change them, or write it
before the first run); then in each round the student answers the first N training
instructions and the teacher revises each answer against its category's criteria. With
--eval-limit N the run is then evaluated (generation/commands/citing_eval.py), the teacher
judging. Rerunning
the same command resumes; every request already answered comes from the reply cache.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields

from tqdm import tqdm

from analysis.embeddings import installed_default
from analysis.errors import Errors, WorkbenchError
from generation.backend import BACKENDS
from generation.citing import run_folder as rf
from generation.citing.evaluate import EvalConfig
from generation.citing.finetune import untrained_notes
from generation.citing.pipeline import CitingRun
from generation.citing.records import OUTCOME_WORDS
from generation.citing.run_folder import CitingConfig
from generation.citing.state import CitingState
from generation.client import APIS, AUTO_API
from generation.commands import citing_eval
from generation.run_status import RunStatus

NAME = "citing"
HELP = (
    "CITING: the teacher writes rubrics per category of instruction, then revises the "
    "student's answers against them, round after round; rerun the same command to resume"
)
DEFAULTS = CitingConfig(source="")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--train",
        help="the instructions, split 8:1:1: a registered name, a file, a run folder or a hub id",
    )
    parser.add_argument("source", nargs="?", help="the same as --train")
    parser.add_argument("--out", required=True, help="run folder (created; resumed if it exists)")
    parser.add_argument("--rounds", type=int, default=DEFAULTS.rounds, help="revision rounds (3)")
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULTS.limit,
        help="training instructions answered per round (8; CITING: 1000)",
    )
    parser.add_argument(
        "--categories", type=int, default=DEFAULTS.categories, help="at most this many (4)"
    )
    parser.add_argument(
        "--category-sample",
        type=int,
        default=DEFAULTS.category_sample,
        help="training instructions the teacher groups into categories (40)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed, help="split and sample seed")
    for role in ("teacher", "student"):
        parser.add_argument(
            f"--{role}-backend", choices=BACKENDS, help="default: the embedded model"
        )
        parser.add_argument(f"--{role}-model", help="model name; a .gguf path for local")
        parser.add_argument(f"--{role}-base-url", help="OpenAI-compatible endpoint")
    parser.add_argument("--api", choices=APIS, default=AUTO_API, help="chat or completion")
    parser.add_argument("--concurrency", type=int, help="requests in flight (default: client's)")
    parser.add_argument(
        "--student-max-tokens", type=int, default=DEFAULTS.student_max_tokens, help="(256)"
    )
    parser.add_argument(
        "--student-temperature", type=float, default=DEFAULTS.student_temperature, help="(0.7)"
    )
    parser.add_argument(
        "--revision-max-tokens", type=int, default=DEFAULTS.revision_max_tokens, help="(512)"
    )
    parser.add_argument(
        "--categories-max-tokens", type=int, default=DEFAULTS.categories_max_tokens, help="(1024)"
    )
    embedding_default = installed_default()
    parser.add_argument(
        "--embedding-model",
        type=_embedding_model,
        default=embedding_default,
        help="assign sampled instructions no category lists by sentence embeddings with this "
        f"sentence-transformers model (default: {embedding_default or 'none'}, the bundled "
        "all-MiniLM-L6-v2 where requirements-ml.txt is installed; 'none': leave them out)",
    )
    parser.add_argument(
        "--finetune-command",
        help="shell command run after each round but the last: it fine-tunes the student on "
        "$CITING_ALPACA and writes the next student's endpoint to $CITING_NEXT_STUDENT "
        "(see generation/citing/finetune.py)",
    )
    parser.add_argument(
        "--rubrics-only",
        action="store_true",
        help="stop once DIR/rubrics.jsonl is written: edit it, then rerun without this flag",
    )
    parser.add_argument(
        "--eval-limit",
        type=int,
        metavar="N",
        help="once the rounds are done, evaluate them on the first N test instructions with the "
        "teacher as judge (as citing-eval --run DIR --test-limit N does)",
    )
    parser.add_argument(
        "--templates", help="folder of prompt files replacing the bundled ones of the same name"
    )
    parser.add_argument(
        "--template-version",
        dest="template_versions",
        action="append",
        default=[],
        metavar="NAME",
        help="a saved template version replacing the template it is a version of (repeatable)",
    )


def _embedding_model(value: str) -> str | None:
    return None if value.strip().lower() in {"", "none"} else value.strip()


def config_from_args(args: argparse.Namespace) -> CitingConfig:
    """The settings; the source from --train or the positional argument (exactly one)."""
    if (args.train is None) == (args.source is None):
        raise WorkbenchError(Errors.E126)
    settings = {
        f.name: getattr(args, f.name) for f in fields(CitingConfig) if hasattr(args, f.name)
    }
    return CitingConfig(**{**settings, "source": args.train or args.source})


class ProgressBar:
    """One tqdm bar on stderr per stage: its requests answered."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None
        self.stage: tuple | None = None

    def __call__(self, state: CitingState) -> None:
        stage = (state.round, state.stage, state.step_total)
        if stage != self.stage:
            self.close()
            self.stage = stage
            label = f"round {state.round} {state.stage}" if state.round else str(state.stage)
            self.bar = tqdm(total=state.step_total, desc=label, unit="req", file=sys.stderr)
        self.bar.update(state.step_done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def outcome_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {OUTCOME_WORDS.get(outcome, outcome)}" for outcome, n in counts.items())


def run(args: argparse.Namespace) -> int:
    bar = ProgressBar()
    pipeline = CitingRun(config_from_args(args), args.out, on_progress=bar)
    try:
        state = pipeline.run()
    finally:
        bar.close()
    for number, counts in sorted(state.outcomes.items(), key=lambda item: int(item[0])):
        folder = rf.round_dir(pipeline.out_dir, int(number))
        print(f"round {number}: {outcome_text(counts)} -> {folder}", file=sys.stderr)
    for note in untrained_notes(state.outcomes, state.rounds, pipeline.config.finetune_command):
        print(f"note: {note}", file=sys.stderr)
    usage = state.total_usage()
    print(
        f"{args.out}: {state.status} - {state.rounds_done} of {state.rounds} rounds; "
        f"{usage.requests} requests, {usage.total_tokens:,} tokens, {state.seconds / 60:.1f} min",
        file=sys.stderr,
    )
    if state.status is RunStatus.STOPPED and args.rubrics_only:
        print(
            f"rubrics in {pipeline.out_dir / rf.RUBRICS_FILE}: edit them, then rerun without "
            "--rubrics-only",
            file=sys.stderr,
        )
        return 0
    if state.status is RunStatus.STOPPED:
        print("stopped; rerun the same command to resume", file=sys.stderr)
        return 130
    if args.eval_limit:
        return citing_eval.report(pipeline.out_dir, judged_by_teacher(pipeline.config, args))
    return 0


def judged_by_teacher(config: CitingConfig, args: argparse.Namespace) -> EvalConfig:
    """--eval-limit's evaluation: the teacher judges (its backend, model and endpoint)."""
    return EvalConfig(
        test_limit=args.eval_limit,
        backend=config.teacher_backend,
        model=config.teacher_model,
        base_url=config.teacher_base_url,
        concurrency=config.concurrency,
    )
