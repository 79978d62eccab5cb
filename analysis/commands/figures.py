"""`python -m analysis figures PATH [--compare PATH2] --out DIR`: every page figure, paper-ready."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.cli import add_dataset_arguments, load_dataset_argument, report_warnings
from analysis.datasets import load_dataset
from analysis.defaults import DEFAULT_POOL
from analysis.figures.export import ALL_FORMATS
from analysis.paper_figures import build_figures, write_figures
from analysis.verbs import RULES

NAME = "figures"
HELP = "Write every analysis figure of a dataset (PDF, PNG, SVG, CSV, HTML) for a paper."


def _formats(value: str) -> list[str]:
    formats = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(formats) - set(ALL_FORMATS))
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            f"unknown format(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(ALL_FORMATS)}"
        )
    return formats


def configure(parser: argparse.ArgumentParser) -> None:
    add_dataset_arguments(parser)
    parser.add_argument("--compare", help="a second dataset to compare with")
    parser.add_argument(
        "--pool",
        default=DEFAULT_POOL,
        help=f"pool for the similarity histogram (default: {DEFAULT_POOL})",
    )
    parser.add_argument("--rule", choices=RULES, default="paper", help="verb-noun rule")
    parser.add_argument(
        "--formats",
        type=_formats,
        default=list(ALL_FORMATS),
        help="comma-separated subset of " + ",".join(ALL_FORMATS),
    )
    parser.add_argument("--out", required=True, type=Path, help="output folder")


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset_argument(args)
    pool = load_dataset(args.pool)
    other = load_dataset(args.compare) if args.compare else None
    report_warnings(pool, *([other] if other else []))
    figures = build_figures(dataset, pool, other, rule=args.rule)
    written = write_figures(figures, args.out, args.formats)
    for path in written:
        print(path)
    print(f"{len(figures)} figures, {len(written)} files in {args.out}")
    return 0
