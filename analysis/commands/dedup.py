"""`python -m analysis dedup PATH --out DIR`: remove near-duplicates by ROUGE-L.

A row goes when its ROUGE-L to an earlier kept row is strictly above the threshold (Self-
Instruct's filter; `--rule cluster` instead keeps only the first row of each union-find cluster).
Writes DIR/deduplicated.jsonl (record schema), DIR/removed.csv (each removed row, its
cluster's first row, the row it matched and the score) and DIR/pairs.csv (every pair of rows
above the threshold: 0-based row positions i < j and their ROUGE-L).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.atomic import atomic_write_text
from analysis.cli import add_dataset_arguments, load_dataset_argument
from analysis.datasets import save_jsonl
from analysis.defaults import DEFAULT_THRESHOLD
from analysis.engines import add_engine_arguments, engine_argument
from analysis.rouge import (
    DEDUP_RULES,
    ENGLISH,
    TOKENIZERS,
    deduplicate,
    frame_near_duplicate_pairs,
)
from analysis.schema import TEXT_FIELDS

NAME = "dedup"
HELP = "remove near-duplicate rows (ROUGE-L above a threshold), keeping the first occurrence."
KEPT_FILE = "deduplicated.jsonl"
REPORT_FILE = "removed.csv"
PAIRS_FILE = "pairs.csv"


def _threshold(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"the threshold must be between 0 and 1, not {value}")
    return number


def configure(parser: argparse.ArgumentParser) -> None:
    add_dataset_arguments(parser)
    parser.add_argument("--threshold", type=_threshold, default=DEFAULT_THRESHOLD)
    parser.add_argument("--field", default="instruction", choices=TEXT_FIELDS)
    parser.add_argument("--tokenizer", default=ENGLISH, choices=TOKENIZERS)
    parser.add_argument("--rule", default=DEDUP_RULES[0], choices=DEDUP_RULES)
    parser.add_argument("--out", required=True, type=Path, help="folder to write into")
    add_engine_arguments(parser)


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset_argument(args)
    with engine_argument(args) as engine:
        pairs = frame_near_duplicate_pairs(
            dataset.frame, args.threshold, args.field, args.tokenizer, verify=engine.verify
        )
    kept, removed = deduplicate(
        dataset.frame, args.threshold, args.field, args.tokenizer, args.rule, pairs=pairs
    )
    args.out.mkdir(parents=True, exist_ok=True)
    save_jsonl(kept, args.out / KEPT_FILE)
    atomic_write_text(args.out / REPORT_FILE, removed.to_csv(index=False))
    atomic_write_text(args.out / PAIRS_FILE, pairs.to_csv(index=False))
    print(
        f"{dataset.name}: kept {len(kept)} of {len(dataset)} rows, removed {len(removed)} "
        f"near-duplicates (ROUGE-L > {args.threshold:g}) -> {args.out}"
    )
    return 0
