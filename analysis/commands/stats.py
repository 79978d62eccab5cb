"""`python -m analysis stats PATH`: Self-Instruct's Table 1 for any dataset."""

from __future__ import annotations

import argparse
import json
import sys

from analysis.datasets import load_dataset, parse_mapping
from analysis.formats import CONVERTERS
from analysis.stats import TABLE1_KEYS, TABLE1_LABELS, table1

NAME = "stats"
HELP = "Table-1 statistics (rows, unique instructions, classification, instances, lengths)."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="dataset file or folder, bundled name, or hub id")
    parser.add_argument("--format", choices=sorted(CONVERTERS), help="force the record format")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="read schema FIELD from the file's COLUMN (repeatable), e.g. --map instruction=question",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--skip-bad-lines", action="store_true", help="skip malformed JSONL lines")


def run(args: argparse.Namespace) -> int:
    dataset = load_dataset(
        args.path,
        format=args.format,
        mapping=parse_mapping(args.map),
        skip_bad_lines=args.skip_bad_lines,
    )
    for warning in dataset.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    stats = table1(dataset.frame)
    if args.json:
        print(json.dumps(stats))
        return 0
    print(f"{dataset.name} ({dataset.format}, fingerprint {dataset.fingerprint})")
    width = max(len(label) for label in TABLE1_LABELS.values())
    for key in TABLE1_KEYS:
        value = stats[key]
        shown = (
            "n/a" if value is None else (f"{value:.2f}" if isinstance(value, float) else str(value))
        )
        print(f"  {TABLE1_LABELS[key]:<{width}}  {shown}")
    return 0
