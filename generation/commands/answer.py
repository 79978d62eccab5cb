"""python -m generation answer PATH --out DIR [--lang en|zh]: a teacher answers every instruction.

GPT-4-LLM's workflow: Alpaca's prompts, temperature 1.0, top_p 1.0, 512 tokens; in Chinese the
instruction and the input are translated first. Rerunning the same command resumes: rows
already answered are read back from DIR, failed requests are asked again, and every request
already answered comes from the reply cache, so nothing is paid for twice.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields

from tqdm import tqdm

from generation.answer.pipeline import AnswerRun
from generation.answer.report import outcome_text
from generation.answer.run_folder import AnswerConfig
from generation.answer.state import AnswerState
from generation.answer.steps import ANSWER_PARAMS, EN, LANGS, TRANSLATION_PARAMS
from generation.backend import BACKENDS, LOCAL
from generation.client import APIS, AUTO_API
from generation.commands import add_template_version_argument
from generation.run_status import RunStatus

NAME = "answer"
HELP = (
    "have the configured model answer every instruction of a dataset, GPT-4-LLM's way (in "
    "English, or in Chinese after translating it); rerun the same command to resume"
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source", help="the instructions: a registered name, a file, a run folder or a hub id"
    )
    parser.add_argument("--out", required=True, help="run folder (created; resumed if it exists)")
    parser.add_argument(
        "--lang",
        choices=LANGS,
        default=EN,
        help="en: answer as is; zh: translate instruction and input, then answer in Chinese",
    )
    parser.add_argument("--limit", type=int, help="answer the first N rows only")
    parser.add_argument("--backend", choices=BACKENDS, help="default: as `ask` (local if none)")
    parser.add_argument("--model", help="model name (env WORKBENCH_MODEL); a .gguf path for local")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL)")
    parser.add_argument("--concurrency", type=int, help="requests in flight (default: client's)")
    parser.add_argument(
        "--api",
        choices=APIS,
        default=AUTO_API,
        help="chat or completion; auto: completion for the embedded model, chat for remote ones",
    )
    parser.add_argument(
        "--temperature", type=float, default=ANSWER_PARAMS["temperature"], help="(GPT-4-LLM: 1.0)"
    )
    parser.add_argument("--top-p", type=float, default=ANSWER_PARAMS["top_p"], help="(1.0)")
    parser.add_argument(
        "--max-tokens", type=int, default=ANSWER_PARAMS["max_tokens"], help="per answer (512)"
    )
    parser.add_argument(
        "--translation-max-tokens",
        type=int,
        default=TRANSLATION_PARAMS["max_tokens"],
        help="per translated text (1024)",
    )
    parser.add_argument(
        "--templates", help="folder of prompt files replacing the bundled ones of the same name"
    )
    add_template_version_argument(parser)


class ProgressBar:
    """One tqdm bar on stderr: rows done / rows to answer, with the outcome so far."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def __call__(self, state: AnswerState) -> None:
        if self.bar is None:
            self.bar = tqdm(total=state.total, initial=state.done, unit="row", file=sys.stderr)
        self.bar.update(state.done - self.bar.n)
        self.bar.set_postfix_str(state.summary_line())

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def config_from_args(args: argparse.Namespace) -> AnswerConfig:
    """Every AnswerConfig field the command line sets, under the same name."""
    return AnswerConfig(
        **{f.name: getattr(args, f.name) for f in fields(AnswerConfig) if hasattr(args, f.name)}
    )


def run(args: argparse.Namespace) -> int:
    bar = ProgressBar()
    pipeline = AnswerRun(config_from_args(args), args.out, on_progress=bar)
    if pipeline.backend.kind == LOCAL:
        print(f"using the embedded model {pipeline.backend.model} (slow on a CPU)", file=sys.stderr)
    try:
        state = pipeline.run()
    finally:
        bar.close()
    usage = state.total_usage()
    print(
        f"{args.out}: {state.status} - {state.done} of {state.total} rows: {outcome_text(state)}; "
        f"{usage.requests} requests, {usage.total_tokens:,} tokens, {state.seconds / 60:.1f} min",
        file=sys.stderr,
    )
    if state.status is RunStatus.STOPPED:
        print("stopped; rerun the same command to resume", file=sys.stderr)
        return 130
    print(
        f"dataset: {state.answered + state.truncated} answered rows in {args.out}/dataset.jsonl"
        + (
            f"; the others with their causes in {args.out}/failures.jsonl" if state.failures else ""
        ),
        file=sys.stderr,
    )
    return 0
