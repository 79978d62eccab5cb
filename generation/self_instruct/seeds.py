"""The seed pool: one (instruction, first instance) per task of any loadable dataset."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.datasets import load_dataset


@dataclass(frozen=True)
class SeedTask:
    instruction: str
    input: str
    output: str
    is_classification: bool | None


def load_seed_tasks(source: str | Path) -> tuple[list[SeedTask], str]:
    """The seed tasks and the dataset's fingerprint.

    `source` is a path or a bundled name ("seed_tasks": Self-Instruct's 175). A task is a
    task_id (or, without one, an instruction); Alpaca's prompts show its first instance.
    """
    dataset = load_dataset(source)
    frame = dataset.frame
    key = frame["task_id"].fillna(frame["instruction"])
    first = frame[~key.duplicated()]
    tasks = [
        SeedTask(
            instruction=row.instruction,
            input=row.input,
            output=row.output,
            is_classification=None
            if pd.isna(row.is_classification)
            else bool(row.is_classification),
        )
        for row in first.itertuples(index=False)
    ]
    return tasks, dataset.fingerprint
