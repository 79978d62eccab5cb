"""python -m generation self-instruct --seed PATH --target N --out DIR: Self-Instruct or Alpaca.

Rerunning the same command resumes: finished rounds are read back from DIR, and requests
already answered come from the reply cache, so nothing is paid for twice.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields

from tqdm import tqdm

from analysis.defaults import DEFAULT_POOL
from generation.backend import BACKENDS, LOCAL
from generation.commands import add_template_version_argument
from generation.self_instruct.pipeline import SelfInstructRun
from generation.self_instruct.run_folder import APIS, AUTO_API, RunConfig
from generation.self_instruct.state import RunState, RunStatus, Stage
from generation.self_instruct.variants import SELF_INSTRUCT, VARIANTS

NAME = "self-instruct"
HELP = (
    "generate an instruction dataset with Self-Instruct (or Alpaca's variant) on the configured "
    "model; rerun the same command to resume"
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed",
        default=DEFAULT_POOL,
        help="seed tasks: a dataset path or bundled name (default: Self-Instruct's 175)",
    )
    parser.add_argument(
        "--target", type=int, required=True, help="instructions to keep (the bootstrap's goal)"
    )
    parser.add_argument("--out", required=True, help="run folder (created; resumed if it exists)")
    parser.add_argument("--backend", choices=BACKENDS, help="default: as `ask` (local if none)")
    parser.add_argument("--model", help="model name (env WORKBENCH_MODEL); a .gguf path for local")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL)")
    parser.add_argument("--concurrency", type=int, help="requests in flight (default: client's)")
    parser.add_argument(
        "--template",
        choices=list(VARIANTS),
        default=SELF_INSTRUCT.name,
        help="self-instruct (the paper) or alpaca (each request writes up to 20 whole tasks)",
    )
    parser.add_argument(
        "--templates", help="folder of prompt files replacing the bundled ones of the same name"
    )
    parser.add_argument(
        "--api",
        choices=APIS,
        default=AUTO_API,
        help="completion (the papers') or chat; auto: completion for the embedded model, "
        "chat for remote endpoints",
    )
    parser.add_argument("--batch-size", type=int, help="prompts per round (default: the papers' 5)")
    parser.add_argument("--run-seed", type=int, default=42, help="seed of the in-context sampling")
    parser.add_argument(
        "--multilingual",
        action="store_true",
        help="keep instructions starting with a non-ASCII character; CJK-aware ROUGE-L",
    )
    parser.add_argument(
        "--patience", type=int, default=20, help="stop after this many rounds keeping nothing"
    )
    add_template_version_argument(parser)


class ProgressBars:
    """One tqdm bar per stage on stderr: kept / target, then requests done / total."""

    def __init__(self) -> None:
        self.stage: Stage | None = None
        self.bar: tqdm | None = None

    def __call__(self, state: RunState) -> None:
        stage = state.stage
        if stage is Stage.DONE:
            self.close()
            return
        done, total = state.stage_progress()
        if stage != self.stage:
            self.close()
            self.stage = stage
            unit = "instr" if stage is Stage.BOOTSTRAP else "req"
            self.bar = tqdm(total=total, initial=done, desc=stage, unit=unit, file=sys.stderr)
        self.bar.total = total
        self.bar.update(done - self.bar.n)
        self.bar.set_postfix_str(state.summary_line())

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """Every RunConfig field the command line sets, under the same name."""
    return RunConfig(
        **{f.name: getattr(args, f.name) for f in fields(RunConfig) if hasattr(args, f.name)}
    )


def run(args: argparse.Namespace) -> int:
    bars = ProgressBars()
    pipeline = SelfInstructRun(config_from_args(args), args.out, on_progress=bars)
    if pipeline.backend.kind == LOCAL:
        print(f"using the embedded model {pipeline.backend.model} (slow on a CPU)", file=sys.stderr)
    try:
        state = pipeline.run()
    finally:
        bars.close()
    minutes = sum(state.seconds.values()) / 60
    print(
        f"{args.out}: {state.status} - {state.kept} kept of {state.candidates} "
        f"candidates in {state.rounds_done} rounds; {state.summary_line()}; "
        f"{state.total_usage().requests} requests, {minutes:.1f} min",
        file=sys.stderr,
    )
    if state.stop_reason:
        print(f"stopped early: {state.stop_reason}", file=sys.stderr)
    if state.status is RunStatus.STOPPED:
        print("stopped; rerun the same command to resume", file=sys.stderr)
        return 130
    print(
        f"dataset: {state.instances} instances of {state.tasks_with_instances} tasks "
        f"in {args.out}/dataset.jsonl",
        file=sys.stderr,
    )
    return 0
