"""`python -m analysis`: every command that reads a dataset reads it the same way."""

from __future__ import annotations

import argparse

import pytest

import generation.commands
from analysis import commands
from analysis.cli import build_parser
from analysis.formats import CONVERTERS

READING_OPTIONS = {"--format", "--map", "--skip-bad-lines"}


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_cli_every_command_takes_the_dataset_reading_options():
    found = subcommands(build_parser("python -m analysis", "test", commands))
    assert set(found) == {
        "annotations",
        "datasets",
        "dedup",
        "embed",
        "figures",
        "map",
        "scores",
        "similarity",
        "stats",
        "verbs",
    }
    # labels hang on a dataset as registered (its fingerprint): other read options would name
    # another dataset, so `annotations` takes names and the registry's options only
    found.pop("annotations")
    found.pop("scores")  # reads judge run folders and score files, not datasets
    found["datasets add"] = subcommands(found.pop("datasets"))["add"]
    for name, parser in found.items():
        options = {option for action in parser._actions for option in action.option_strings}
        assert options >= READING_OPTIONS, name
        args = parser.parse_args(
            ["data.csv", "--format", sorted(CONVERTERS)[0], "--map", "instruction=q"]
            + (["--out", "o"] if "--out" in options else [])
        )
        assert args.path == "data.csv" and args.map == ["instruction=q"], name


def test_cli_help_of_both_entry_points_lists_every_command(capsys):
    """`--help` %-formats each command's help line: a bare "95%" once broke it."""
    for prog, package in (("analysis", commands), ("generation", generation.commands)):
        parser = build_parser(f"python -m {prog}", "test", package)
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(["--help"])
        assert exit_.value.code == 0
        shown = capsys.readouterr().out
        assert all(name in shown for name in subcommands(parser)), prog
