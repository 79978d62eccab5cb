"""`python -m analysis similarity PATH --pool POOL`: each row's max ROUGE-L to a pool.

Self-Instruct's Fig. 3 measure (pool: the 175 seed tasks), exact to rouge_score; the CSV keeps
every score at full float precision so decisions at a threshold can be re-checked.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.atomic import atomic_write_text
from analysis.cli import add_dataset_arguments, load_dataset_argument, report_warnings
from analysis.datasets import load_dataset
from analysis.defaults import DEFAULT_POOL, DEFAULT_THRESHOLD
from analysis.engines import add_engine_arguments, engine_argument
from analysis.rouge import TOKENIZERS, default_tokenizer, similarity_to_pool
from analysis.schema import TEXT_FIELDS
from analysis.similarity import count_above

NAME = "similarity"
HELP = "max and mean ROUGE-L of each row to a pool (default: the seed tasks), as CSV."


def configure(parser: argparse.ArgumentParser) -> None:
    add_dataset_arguments(parser)
    parser.add_argument(
        "--pool", default=DEFAULT_POOL, help=f"pool dataset (default: {DEFAULT_POOL})"
    )
    parser.add_argument("--field", default="instruction", choices=TEXT_FIELDS)
    parser.add_argument(
        "--tokenizer",
        choices=TOKENIZERS,
        help="default: english (the papers'), auto for a dataset with rows tagged zh, ja or ko",
    )
    parser.add_argument("--out", required=True, type=Path, help="CSV file to write")
    add_engine_arguments(parser)


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset_argument(args)
    pool = load_dataset(args.pool)
    report_warnings(pool)
    tokenizer = args.tokenizer or default_tokenizer(dataset.frame["lang"])
    with engine_argument(args) as engine:
        result = similarity_to_pool(
            dataset.frame, pool.frame, args.field, tokenizer, score=engine.rouge_to_pool
        )
    atomic_write_text(args.out, result.to_csv(index=False))  # floats round-trip (repr)
    above = count_above(result["max_rougeL"], DEFAULT_THRESHOLD)
    print(
        f"{len(result)} rows of {dataset.name} against {pool.name}: "
        f"mean max ROUGE-L {result['max_rougeL'].mean():.4f}, {above} above {DEFAULT_THRESHOLD} -> {args.out}"
    )
    return 0
