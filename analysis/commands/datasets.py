"""`python -m analysis datasets list|add|remove`: the registry the sidebar uses, from the shell."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis import registry
from analysis.cli import add_dataset_arguments, report_warnings
from analysis.datasets import HUB, load_dataset, parse_mapping, resolve
from analysis.errors import WorkbenchError
from analysis.precompute import precompute

NAME = "datasets"
HELP = "List, add or remove the datasets the workbench knows (the same list as the sidebar's)."


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="every registered dataset, loadable or not")
    listing.add_argument("--json", action="store_true", help="one JSON list of objects")
    add = actions.add_parser("add", help="register a file, a folder or a hub id under a name")
    add_dataset_arguments(add)
    add.add_argument("--name", help="the name to list it under (default: the file's stem)")
    add.add_argument("--replace", action="store_true", help="replace a dataset of that name")
    remove = actions.add_parser("remove", help="forget a user dataset (and its stored copy)")
    remove.add_argument("name")
    ahead = actions.add_parser(
        "precompute", help="compute the columns the pages open with (default: bundled datasets)"
    )
    ahead.add_argument("names", nargs="*", help="registered names (default: every bundled one)")


def run(args: argparse.Namespace) -> int:
    actions = {"list": _list, "add": _add, "remove": _remove, "precompute": _precompute}
    return actions[args.action](args)


def describe(info: registry.DatasetInfo) -> dict:
    """One registry entry as the list shows it: loaded, or with the reason it cannot be."""
    row = {"name": info.name, "kind": info.kind, "source": info.source or info.description}
    try:
        dataset = load_dataset(info.name)
    except WorkbenchError as error:
        return {**row, "rows": None, "fingerprint": None, "error": str(error)}
    return {**row, "rows": len(dataset), "fingerprint": dataset.fingerprint, "error": None}


def _list(args: argparse.Namespace) -> int:
    rows = [describe(info) for info in registry.all_datasets()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        state = row["error"] and f"error: {row['error']}"
        state = state or f"{row['rows']:>7} rows  {row['fingerprint']}"
        print(f"{row['name']:<{width}}  {row['kind']:<7}  {state}")
    return 0


def _add(args: argparse.Namespace) -> int:
    source = args.path
    if not Path(source).expanduser().exists() and resolve(source).kind == HUB:
        info = registry.add_hub_dataset(source, args.name or "", replace=args.replace)
    else:
        info = registry.add_user_dataset(
            args.name or Path(source).stem,
            path=source,
            format=args.format,
            mapping=parse_mapping(args.map),
            skip_bad_lines=args.skip_bad_lines,
            replace=args.replace,
        )
    dataset = load_dataset(info.name)
    print(f"added {info.name}: {len(dataset)} rows, fingerprint {dataset.fingerprint}")
    report_warnings(dataset)
    return 0


def _remove(args: argparse.Namespace) -> int:
    registry.remove_user_dataset(args.name)
    print(f"removed {args.name}")
    return 0


def _precompute(args: argparse.Namespace) -> int:
    names = args.names or [info.name for info in registry.bundled()]
    precompute(names, report=lambda line: print(f"ready: {line}", flush=True))
    return 0
