"""Shared CLI machinery for `python -m analysis` and `python -m generation`.

Each sub-command is a module in a `commands` package with NAME, HELP, configure(parser) and
run(args) -> int, discovered here, so adding a command never touches the entry points. Errors
meant for users (WorkbenchError) are printed without a traceback, exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from types import ModuleType

from analysis.errors import WorkbenchError


def build_parser(prog: str, description: str, commands: ModuleType) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    sub = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        # argparse %-formats help strings (not descriptions): "95%" must reach it as "95%%".
        command = sub.add_parser(
            module.NAME, help=module.HELP.replace("%", "%%"), description=module.HELP
        )
        module.configure(command)
        command.set_defaults(handler=module.run)
    return parser


def run_cli(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except WorkbenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def add_dataset_arguments(parser: argparse.ArgumentParser) -> None:
    """The dataset a command reads, and how to read it: the same options on every command."""
    from analysis.formats import CONVERTERS

    parser.add_argument("path", help="dataset file or folder, bundled name, or hub id")
    parser.add_argument(
        "--format", choices=sorted(CONVERTERS), help="force the record format (default: detected)"
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="read schema FIELD from the file's COLUMN (repeatable), e.g. --map instruction=question",
    )
    parser.add_argument(
        "--skip-bad-lines",
        action="store_true",
        help="skip malformed JSONL lines (each is reported)",
    )


def load_dataset_argument(args: argparse.Namespace):
    """The dataset named by :func:`add_dataset_arguments`; its load warnings go to stderr."""
    from analysis.datasets import load_dataset, parse_mapping

    dataset = load_dataset(
        args.path,
        format=args.format,
        mapping=parse_mapping(args.map),
        skip_bad_lines=args.skip_bad_lines,
    )
    report_warnings(dataset)
    return dataset


def report_warnings(*datasets) -> None:
    """What loading skipped or guessed (bad lines, mapped columns), on stderr."""
    for dataset in datasets:
        for warning in dataset.warnings:
            print(f"warning: {warning}", file=sys.stderr)
