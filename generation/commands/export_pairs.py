"""python -m generation export-pairs DIR: write a single-mode judge folder's comparison data
again (after judgments.jsonl was corrected by hand, or for a `judge --mode single` run).

compare-score writes these itself; this command needs no model, only the folder's
judgments.jsonl and aligned.jsonl.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generation import run_files
from generation.judge import run_folder as rf
from generation.judge.export import exports_lines, require_judge_folder, write_exports

NAME = "export-pairs"
HELP = (
    "write comparison_data_v2.json and reward_pairs.jsonl from a single-mode judge run folder "
    "(ties and answers without a score left out and counted)"
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", help="a judge run folder (judge --mode single, compare-score)")


def run(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    require_judge_folder(folder)
    with run_files.run_lock(folder):
        counts = write_exports(folder)
        manifest = run_files.read_json(folder / rf.MANIFEST_FILE)
        if manifest is not None:
            manifest["counts"]["exports"] = counts
            run_files.write_json(folder / rf.MANIFEST_FILE, manifest)
    for line in exports_lines(counts):
        print(line, file=sys.stderr)
    return 0
