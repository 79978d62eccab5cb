"""Sub-commands of `python -m generation`, one module each (NAME, HELP, configure, run)."""

from __future__ import annotations

import argparse


def add_template_version_argument(parser: argparse.ArgumentParser) -> None:
    """--template-version NAME (repeatable): the same option on every generating command."""
    parser.add_argument(
        "--template-version",
        dest="template_versions",
        action="append",
        default=[],
        metavar="NAME",
        help="a template version saved in the prompt playground, replacing the template it is "
        "a version of (repeat for several templates)",
    )
