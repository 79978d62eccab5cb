"""`python -m analysis stats PATH`: Self-Instruct's Table 1 for any dataset."""

from __future__ import annotations

import argparse
import json

from analysis.cli import add_dataset_arguments, load_dataset_argument
from analysis.stats import LENGTH_UNIT, TABLE1_KEYS, TABLE1_LABELS, table1

NAME = "stats"
HELP = "Table-1 statistics (rows, unique instructions, classification, instances, lengths)."


def configure(parser: argparse.ArgumentParser) -> None:
    add_dataset_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset_argument(args)
    stats = table1(dataset.frame)
    if args.json:
        print(json.dumps(stats))
        return 0
    print(f"{dataset.name} ({dataset.format}, fingerprint {dataset.fingerprint})")
    print(f"  (lengths in {LENGTH_UNIT})")
    width = max(len(label) for label in TABLE1_LABELS.values())
    for key in TABLE1_KEYS:
        value = stats[key]
        shown = (
            "n/a" if value is None else (f"{value:.2f}" if isinstance(value, float) else str(value))
        )
        print(f"  {TABLE1_LABELS[key]:<{width}}  {shown}")
    return 0
