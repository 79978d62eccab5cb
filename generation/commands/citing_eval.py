"""python -m generation citing-eval --run DIR [--test-limit N] [judge options]: CITING's
evaluation of a finished run (generation.citing.evaluate).

Each round's student answers the first N held-out test instructions; the judge compares, in
both orders, round r's student with round r-1's and each round's revisions with the student's
answers they revise, on articulation, depth and comprehensiveness; DIR/eval/win_rates.csv gets
the win rates by round and DIR/eval/win_rate_by_round.png and .pdf the figure. Rerunning the
same command resumes.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path

import pandas as pd

from analysis.citing_eval import KIND_LABELS
from analysis.figures.citing import win_rate_figure
from analysis.figures.export import FigureExportError
from analysis.paper_figures import PaperFigure, write_figures
from generation.backend import BACKENDS
from generation.citing import run_folder as rf
from generation.citing.evaluate import CitingEvaluation, EvalConfig

NAME = "citing-eval"
HELP = (
    "CITING's evaluation of a finished run: students of successive rounds and revisions vs "
    "original answers judged pairwise in both orders; win rate by round"
)
DEFAULTS = EvalConfig()
FIGURE_FORMATS = ("png", "pdf")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", required=True, help="the CITING run folder")
    parser.add_argument(
        "--test-limit", type=int, help="answer and judge the first N test instructions (all)"
    )
    parser.add_argument("--backend", choices=BACKENDS, help="judge backend (default: embedded)")
    parser.add_argument("--model", help="judge model name; a .gguf path for local")
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint of the judge")
    parser.add_argument("--concurrency", type=int, help="requests in flight (default: client's)")
    parser.add_argument("--temperature", type=float, default=DEFAULTS.temperature, help="(0)")
    parser.add_argument(
        "--max-tokens", type=int, default=DEFAULTS.max_tokens, help="judge reply limit (2048)"
    )


def config_from_args(args: argparse.Namespace) -> EvalConfig:
    return EvalConfig(
        **{f.name: getattr(args, f.name) for f in fields(EvalConfig) if hasattr(args, f.name)}
    )


def report(run_dir: str | Path, config: EvalConfig) -> int:
    """Evaluate (or resume), print the table and write the figure; the exit code."""
    log = lambda text: print(text, file=sys.stderr)  # noqa: E731
    table = CitingEvaluation(run_dir, config, log=log).run()
    if table is None:
        print("stopped; rerun the same command to resume", file=sys.stderr)
        return 130
    folder = rf.eval_dir(run_dir)
    for row in table.itertuples():
        rate = "-" if pd.isna(row.win_rate) else f"{100 * row.win_rate:.0f}%"
        print(
            f"round {row.round} {KIND_LABELS[row.comparison]}: {row.wins} won, {row.ties} tied, "
            f"{row.losses} lost, {row.unparsed} unparsed, {row.flips} flipped; win rate {rate}",
            file=sys.stderr,
        )
    print(f"win rates: {folder / rf.WIN_RATES_FILE}", file=sys.stderr)
    figure = PaperFigure(rf.WIN_RATE_FIGURE, win_rate_figure(table), table)
    try:
        for path in write_figures([figure], folder, FIGURE_FORMATS):
            print(f"figure: {path}", file=sys.stderr)
    except FigureExportError as error:
        print(f"no figure written: {error}", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    return report(args.run, config_from_args(args))
