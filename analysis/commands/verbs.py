"""`python -m analysis verbs PATH --out OUT.csv`: root verb and direct-object noun per row."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from analysis import verbs
from analysis.atomic import atomic_write_text
from analysis.cli import add_dataset_arguments, load_dataset_argument
from analysis.engines import add_engine_arguments, engine_argument
from analysis.errors import Errors, WorkbenchError
from analysis.schema import TEXT_FIELDS
from analysis.wording import counted

NAME = "verbs"
HELP = (
    "Extract the root verb and its direct-object noun of every row (Self-Instruct Fig. 2), "
    "write id,verb,noun as CSV in row order and print the aggregates."
)


def configure(parser: argparse.ArgumentParser) -> None:
    add_dataset_arguments(parser)
    parser.add_argument(
        "--field",
        choices=TEXT_FIELDS,
        default="instruction",
        help="text to analyse (GPT-4-LLM used output)",
    )
    parser.add_argument("--rule", choices=verbs.RULES, default="paper")
    parser.add_argument("--out", required=True, type=Path, help="CSV to write: id,verb,noun")
    parser.add_argument("--model", default=None, help="spaCy model (default: installed small)")
    parser.add_argument("--top-verbs", type=int, default=20)
    parser.add_argument("--top-nouns", type=int, default=4)
    parser.add_argument("--min-count", type=int, default=1, help="drop smaller pairs from the top")
    parser.add_argument("-k", type=int, default=10, help="report pairs occurring more than k times")
    parser.add_argument(
        "--workers",
        type=int,
        default=verbs.WORKERS,
        help="processes parsing chunks of distinct texts (1: this process only; --engine ray "
        "uses an actor per CPU of the cluster instead)",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=verbs.CHUNK_SIZE,
        help="distinct texts per cached chunk: a killed run loses at most the chunks in flight, "
        "a rerun continues",
    )
    add_engine_arguments(parser)


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset_argument(args)
    if args.workers < 1 or args.chunk_size < 1:
        raise WorkbenchError(Errors.E140.format(workers=args.workers, chunk=args.chunk_size))
    bar = ProgressBar(f"{args.field}s")
    try:
        with engine_argument(args) as engine:
            frame = verbs.verb_noun_column(
                dataset,
                field=args.field,
                rule=args.rule,
                model=args.model,
                progress=bar,
                workers=args.workers,
                chunk_size=args.chunk_size,
                parse_chunks=engine.parse_chunks,
            )
    finally:
        bar.close()
    atomic_write_text(args.out, frame[["id", "verb", "noun"]].to_csv(index=False))
    print(format_report(frame, args), file=sys.stdout)
    return 0


class ProgressBar:
    """One tqdm bar on stderr: distinct texts parsed / all, with the rate and the time left."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, initial=done, desc=self.what, unit="text", file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def format_report(frame: pd.DataFrame, args: argparse.Namespace) -> str:
    stats = verbs.summary(frame, k=args.k)
    facts = [
        ("rows with a verb", f"{stats['rows_with_verb']}"),
        ("with a verb-noun structure", f"{stats['rows_with_pair']} ({stats['pair_share']:.1%})"),
        ("unique verbs", f"{stats['unique_verbs']}"),
        ("unique verb-noun pairs", f"{stats['unique_pairs']}"),
        (f"pairs occurring > {stats['k']} times", f"{stats['pairs_above_k']}"),
    ]
    lines = [f"rule {args.rule}, field {args.field}: {counted(stats['rows'], 'row')}"]
    lines += [f"  {label + ':':<29} {value}" for label, value in facts]
    lines += [f"  {note}" for note in verbs.coverage_notes(stats)]
    top = verbs.top_verb_nouns(
        frame, top_verbs=args.top_verbs, top_nouns=args.top_nouns, min_count=args.min_count
    )
    lines.append(f"top {args.top_verbs} verbs with their top {args.top_nouns} nouns:")
    lines.append(top.to_string(index=False) if len(top) else "  (none)")
    return "\n".join(lines)
