"""python -m generation judge ANSWERS_A [ANSWERS_B ...] --mode MODE --out DIR: LLM-as-judge.

Rerunning the same command resumes: rows already in DIR/judgments.jsonl are kept, requests
whose reply came are answered by the reply cache, failed ones are sent again.
"""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from generation.backend import BACKENDS, LOCAL
from generation.commands import add_template_version_argument
from generation.judge.answers import BY_ID
from generation.judge.pipeline import JudgeRun
from generation.judge.run_folder import JUDGE, JudgeConfig, absolute_source
from generation.judge.state import JudgeState
from generation.judge.steps import DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, MODES
from generation.run_status import RunStatus

NAME = "judge"
HELP = (
    "judge answer sets with the configured model: single-answer grading (1-10), pairwise "
    "(both orders) or Vicuna's two-score review; rerun the same command to resume"
)


def add_answer_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "answers",
        nargs="+",
        metavar="ANSWERS",
        help="answer sets: dataset paths, run folders, bundled names or hub ids; their rows "
        "are matched to the questions by row id, else by instruction and input",
    )
    parser.add_argument("--out", required=True, help="run folder (created; resumed if it exists)")
    parser.add_argument("--limit", type=int, help="judge the first N matched questions only")
    parser.add_argument(
        "--questions",
        help="the questions (a dataset, e.g. vicuna_questions; default: the first answer set's "
        "rows); their category decides reference-guided grading",
    )


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """The judge model's options, as the self-instruct command has them."""
    parser.add_argument("--backend", choices=BACKENDS, help="default: as `ask` (local if none)")
    parser.add_argument("--model", help="judge model name (env WORKBENCH_MODEL); a .gguf for local")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL)")
    parser.add_argument("--concurrency", type=int, help="requests in flight (default: client's)")
    parser.add_argument(
        "--templates", help="folder of prompt files replacing the bundled ones of the same name"
    )
    parser.add_argument("--temperature", type=float, default=DEFAULT_TEMPERATURE)
    parser.add_argument(
        "--max-tokens", type=int, default=DEFAULT_MAX_TOKENS, help="judge reply limit"
    )
    add_template_version_argument(parser)


def configure(parser: argparse.ArgumentParser) -> None:
    add_answer_arguments(parser)
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument(
        "--reference-model",
        help="the answer set (by model name) whose answers are the reference of math, reasoning "
        "and coding questions (default: the questions' reference field, where there is one)",
    )
    add_model_arguments(parser)


def config_from_args(args: argparse.Namespace, pipeline: str = JUDGE, **fixed) -> JudgeConfig:
    return JudgeConfig(
        answers=tuple(absolute_source(source) for source in args.answers),
        questions=absolute_source(args.questions) if args.questions else None,
        pipeline=pipeline,
        limit=args.limit,
        backend=args.backend,
        model=args.model,
        base_url=args.base_url,
        concurrency=args.concurrency,
        templates=args.templates,
        template_versions=tuple(args.template_versions),
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        **fixed,
    )


class ProgressBar:
    """One tqdm bar on stderr: requests answered / total, verdict counts and cost."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def __call__(self, state: JudgeState) -> None:
        if self.bar is None:
            self.bar = tqdm(total=state.total, initial=state.done, unit="req", file=sys.stderr)
        self.bar.update(state.done - self.bar.n)
        self.bar.set_postfix_str(state.summary_line())

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def run_judge(config: JudgeConfig, out: str) -> tuple[int, JudgeRun]:
    """Run (or resume) and say what was judged; the exit code and the run."""
    bar = ProgressBar()
    pipeline = JudgeRun(config, out, on_progress=bar)
    alignment = pipeline.inputs.alignment
    how = "row id" if alignment.on == BY_ID else "instruction and input (the row ids differ)"
    print(
        f"judging {len(pipeline.items)} question(s) matched on {how}, "
        f"{len(pipeline.requests)} request(s); {alignment.unaligned} question(s) some answer "
        f"set does not answer left out; models: {', '.join(pipeline.names)}",
        file=sys.stderr,
    )
    if pipeline.backend.kind == LOCAL:
        print(f"using the embedded model {pipeline.backend.model} (slow on a CPU)", file=sys.stderr)
    try:
        state = pipeline.run()
    finally:
        bar.close()
    print(
        f"{out}: {state.status} - {state.committed} of {state.total} row(s): {state.parsed} "
        f"parsed, {state.unparsed} unparsed ({state.truncated} cut by the length limit), "
        f"{state.failed} failed; {state.usage_line()}",
        file=sys.stderr,
    )
    if state.status is RunStatus.STOPPED:
        print("stopped; rerun the same command to resume", file=sys.stderr)
        return 130, pipeline
    print(f"judgments: {out}/judgments.jsonl", file=sys.stderr)
    return 0, pipeline


def run(args: argparse.Namespace) -> int:
    config = config_from_args(args, mode=args.mode, reference_model=args.reference_model)
    code, _ = run_judge(config, args.out)
    return code
