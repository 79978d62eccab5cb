"""`python -m analysis scores PATH`: a judge run's (or GPT-4-LLM score file's) statistics."""

from __future__ import annotations

import argparse
import json
import sys

from analysis.judge_runs import read_scores
from analysis.scores import INTERVAL, report

NAME = "scores"
HELP = (
    "Judge scores per model: n, mean with a 95% t-interval, unparsed verdicts, relative score; "
    "win/tie/loss and flips for pairwise runs (PATH: a judge run folder or a score file)."
)
#: Columns of the readable table, by mode; the JSON has every statistic.
TABLE_COLUMNS = {
    "single": ("n", "mean", "ci_low", "ci_high", "unparsed", "relative"),
    "two-score": (
        "n",
        "mean",
        "ci_low",
        "ci_high",
        "unparsed",
        "relative",
        *("win", "tie", "loss"),
    ),
    "pairwise": ("win", "tie", "loss", "unparsed", "adjusted_win_rate", "flips"),
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        help="a judge run folder (holding judgments.jsonl) or a score file "
        "({model: [scores]}, as GPT-4-LLM's cmp_data_scores.json)",
    )
    parser.add_argument(
        "--reference-model",
        metavar="NAME",
        help="relative scores against this model (default: the run's reference model, if any)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    judged = read_scores(args.path)
    for warning in judged.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    result = report(judged, args.reference_model)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"{judged.path} ({judged.kind}, {judged.mode}, {result['requests']} verdicts)")
    if result["judge_model"]:
        print(f"  judge: {result['judge_model']}")
    if judged.mode != "pairwise":
        print(f"  interval: {INTERVAL}")
    if result["reference_model"]:
        print(f"  relative scores: percent of {result['reference_model']}'s")
    columns = [
        c for c in TABLE_COLUMNS[judged.mode] if any(c in m for m in result["models"].values())
    ]
    names = list(result["models"])
    width = max(len("model"), *(len(name) for name in names))
    widths = [max(9, len(column)) for column in columns]
    header = "  ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True))
    print(f"  {'model':<{width}}  {header}")
    for name in names:
        values = result["models"][name]
        cells = "  ".join(
            f"{_shown(values.get(c)):>{w}}" for c, w in zip(columns, widths, strict=True)
        )
        print(f"  {name:<{width}}  {cells}")
    if judged.mode == "pairwise":
        share = result["flip_share"]
        print(
            f"  flips: {result['flips']} of {result['comparisons']} comparisons"
            + (f" ({share:.0%})" if share is not None else "")
            + ", counted as ties"
        )
    return 0


def _shown(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f}" if isinstance(value, float) else str(value)
