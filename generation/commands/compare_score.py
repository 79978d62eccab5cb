"""python -m generation compare-score ANSWERS_A ANSWERS_B [...] --out DIR: GPT-4-LLM's
comparison data.

Every answer is graded 1-10 by the judge (MT-bench's single-answer grading); the rows go to
DIR/judgments.jsonl, then DIR/comparison_data_v2.json (GPT-4-LLM's layout) and
DIR/reward_pairs.jsonl (TRL's reward-trainer pairs) are written, ties and answers without a
score left out and counted. Rerunning the same command resumes.
"""

from __future__ import annotations

import argparse
import sys

from generation.commands.judge import (
    add_answer_arguments,
    add_model_arguments,
    config_from_args,
    run_judge,
)
from generation.judge.export import exports_lines
from generation.judge.run_folder import COMPARE_SCORE
from generation.judge.steps import SINGLE

NAME = "compare-score"
HELP = (
    "grade every answer set's response to each instruction 1-10 with the judge, then write "
    "GPT-4-LLM's comparison data and TRL reward-model pairs; rerun the same command to resume"
)


def configure(parser: argparse.ArgumentParser) -> None:
    add_answer_arguments(parser)
    add_model_arguments(parser)


def run(args: argparse.Namespace) -> int:
    code, pipeline = run_judge(config_from_args(args, COMPARE_SCORE, mode=SINGLE), args.out)
    if pipeline.exports is not None:
        for line in exports_lines(pipeline.exports):
            print(line, file=sys.stderr)
    return code
