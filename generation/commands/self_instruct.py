"""python -m generation self-instruct --seed PATH --target N --out DIR: Self-Instruct or Alpaca.

Rerunning the same command resumes: finished rounds are read back from DIR, and requests
already answered come from the reply cache, so nothing is paid for twice.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields

from tqdm import tqdm

from generation.backend import BACKENDS
from generation.self_instruct import progress
from generation.self_instruct.pipeline import SelfInstructRun
from generation.self_instruct.run_folder import APIS, VARIANTS, RunConfig

NAME = "self-instruct"
HELP = (
    "generate an instruction dataset with Self-Instruct (or Alpaca's variant) on the configured "
    "model; rerun the same command to resume"
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed",
        default="seed_tasks",
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
        choices=VARIANTS,
        default=VARIANTS[0],
        help="self-instruct (the paper) or alpaca (each request writes up to 20 whole tasks)",
    )
    parser.add_argument(
        "--templates", help="folder of prompt files replacing the bundled ones of the same name"
    )
    parser.add_argument(
        "--api",
        choices=APIS,
        default="auto",
        help="completion (the papers') or chat; auto: completion for the embedded model, "
        "chat for remote endpoints",
    )
    parser.add_argument(
        "--batch-size", type=int, default=5, help="prompts per round (the papers' 5)"
    )
    parser.add_argument("--run-seed", type=int, default=42, help="seed of the in-context sampling")
    parser.add_argument(
        "--multilingual",
        action="store_true",
        help="keep instructions starting with a non-ASCII character; CJK-aware ROUGE-L",
    )
    parser.add_argument(
        "--patience", type=int, default=20, help="stop after this many rounds keeping nothing"
    )


class ProgressBars:
    """One tqdm bar per stage on stderr: kept / target, then requests done / total."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar: tqdm | None = None

    def __call__(self, state: dict) -> None:
        stage = state["stage"]
        if stage == "done":
            self.close()
            return
        if stage == "bootstrap":
            done, total, unit = state["kept"], state["target"], "instr"
        else:
            done, total, unit = state["step"]["done"], state["step"]["total"], "req"
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, initial=done, desc=stage, unit=unit, file=sys.stderr)
        self.bar.total = total
        self.bar.update(done - self.bar.n)
        self.bar.set_postfix_str(progress.summary_line(state))

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
    if pipeline.backend.kind == "local":
        print(f"using the embedded model {pipeline.backend.model} (slow on a CPU)", file=sys.stderr)
    try:
        state = pipeline.run()
    finally:
        bars.close()
    usage = progress.total_usage(state)
    minutes = sum(state["seconds"].values()) / 60
    print(
        f"{args.out}: {state['status']} - {state['kept']} kept of {state['candidates']} "
        f"candidates in {state['rounds_done']} rounds; {progress.summary_line(state)}; "
        f"{usage.requests} requests, {minutes:.1f} min",
        file=sys.stderr,
    )
    if state.get("stop_reason"):
        print(f"stopped early: {state['stop_reason']}", file=sys.stderr)
    if state["status"] == "stopped":
        print("stopped; rerun the same command to resume", file=sys.stderr)
        return 130
    print(
        f"dataset: {state['instances']} instances of {state['tasks_with_instances']} tasks "
        f"in {args.out}/dataset.jsonl",
        file=sys.stderr,
    )
    return 0
