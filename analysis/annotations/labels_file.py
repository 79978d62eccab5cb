"""Labels to and from files: CSV in (`row_id,annotator,question,answer[,note,time]`), CSV or
JSONL out. An import is checked whole before anything is stored, so a file with one bad line
changes nothing; every error names the file, the line and the value."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pandas as pd

from analysis.annotations.schemes import Scheme
from analysis.annotations.store import COLUMNS, Label
from analysis.atomic import atomic_open
from analysis.errors import DataLoadError, Errors

REQUIRED = ("row_id", "annotator", "question", "answer")
OPTIONAL = ("note", "time")


def read_labels(path: Path, scheme: Scheme, fingerprint: str, row_ids: set[str]) -> list[Label]:
    """Every label of a CSV file, checked against the scheme and the dataset's row ids."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise DataLoadError(path, Errors.E005.format(missing=missing, found=columns), 1)
        labels, first_line = [], {}
        for line, row in enumerate(reader, start=2):
            labels.append(_label(path, line, row, scheme, fingerprint, row_ids))
            key = (row["row_id"], row["annotator"], row["question"])
            if key in first_line:
                raise DataLoadError(
                    path, Errors.E054.format(key=key, first_line=first_line[key]), line
                )
            first_line[key] = line
    return labels


def _label(path, line, row, scheme, fingerprint, row_ids) -> Label:
    question = next((q for q in scheme.questions if q.id == row["question"]), None)
    if question is None:
        known = ", ".join(q.id for q in scheme.questions)
        problem = Errors.E050.format(what="question", name=row["question"], known=known)
        raise DataLoadError(path, problem, line)
    if row["answer"] not in question.values:
        problem = Errors.E055.format(
            value=row["answer"], question=question.id, values=", ".join(question.values)
        )
        raise DataLoadError(path, problem, line)
    if row["row_id"] not in row_ids:
        raise DataLoadError(path, Errors.E056.format(row_id=row["row_id"]), line)
    if not row["annotator"].strip():
        raise DataLoadError(path, Errors.E057, line)
    try:
        stamp = float(row["time"]) if row.get("time") else time.time()
    except ValueError:
        raise DataLoadError(path, Errors.E058.format(value=row["time"]), line) from None
    return Label(
        fingerprint,
        row["row_id"],
        row["annotator"].strip(),
        scheme.name,
        question.id,
        row["answer"],
        row.get("note") or None,
        stamp,
    )


def write_labels(labels: pd.DataFrame, path: Path) -> None:
    """CSV or JSONL by the file's suffix, every column of the store."""
    with atomic_open(path) as handle:
        if path.suffix.lower() == ".jsonl":
            for record in labels[list(COLUMNS)].to_dict("records"):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            labels[list(COLUMNS)].to_csv(handle, index=False)
