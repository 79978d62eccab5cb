"""The answer sets to judge and the questions they answer, aligned question by question.

An answer set is anything `analysis.datasets.load_dataset` resolves; its model name is its
`model` column when every row agrees, else the dataset's name. The questions are a dataset of
their own (`--questions`, e.g. Vicuna's 80 with categories) or, by default, the first answer
set's rows. A question is judged when every answer set answers it:

- on the row id ("id"): the set has a row with the question's id, and that row's instruction
  and input are the question's (whitespace aside), so that ids that merely coincide (row
  numbers of two different files) never pair unrelated rows;
- else on the instruction and input ("instruction+input"), whitespace aside; the first row of
  a set with that text answers it.
Whichever of the two aligns more questions is used (the id on a tie); the run says which.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.datasets import Dataset, load_dataset
from analysis.errors import Errors, WorkbenchError
from generation.judge.steps import question_text

BY_ID = "id"
BY_TEXT = "instruction+input"


@dataclass(frozen=True)
class Question:
    question_id: str
    instruction: str
    input: str = ""
    category: str | None = None
    reference: str | None = None  # the questions dataset's reference answer, if any

    @property
    def text(self) -> str:
        return question_text(self.instruction, self.input)


@dataclass(frozen=True)
class AnswerSet:
    name: str
    source: str
    fingerprint: str
    rows: tuple[dict, ...]  # {"id", "instruction", "input", "output"}


@dataclass(frozen=True)
class AlignedQuestion:
    question: Question
    answers: tuple[str, ...]  # one per answer set, in the sets' order


@dataclass(frozen=True)
class Alignment:
    items: tuple[AlignedQuestion, ...]
    on: str  # BY_ID or BY_TEXT
    unaligned: int  # questions some answer set does not answer


def _normal(text: str | None) -> str:
    return " ".join((text or "").split())


def _text_key(row: dict) -> tuple[str, str]:
    return _normal(row["instruction"]), _normal(row["input"])


def _optional(value) -> str | None:
    return None if value is None or pd.isna(value) or str(value) == "" else str(value)


def questions_of(dataset: Dataset) -> list[Question]:
    """A dataset's rows as questions, in order; a repeated id keeps its first row."""
    frame = dataset.frame
    seen: set[str] = set()
    questions = []
    for row in frame.to_dict("records"):
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        questions.append(
            Question(
                question_id=str(row["id"]),
                instruction=row["instruction"],
                input=row["input"],
                category=_optional(row.get("category")),
                reference=_optional(row.get("reference")),
            )
        )
    return questions


def _rows(dataset: Dataset) -> tuple[dict, ...]:
    frame = dataset.frame[["id", "instruction", "input", "output"]]
    return tuple(frame.astype(object).to_dict("records"))


def _model_name(dataset: Dataset) -> str:
    models = dataset.frame["model"].dropna().unique()
    return str(models[0]) if len(models) == 1 else dataset.name


def answer_sets(datasets: Sequence[Dataset], sources: Sequence[str]) -> list[AnswerSet]:
    """The sets with their model names; two sets of the same model are told apart by their
    dataset names, and refused when those are the same too."""
    names = [_model_name(dataset) for dataset in datasets]
    repeated = {name for name, count in Counter(names).items() if count > 1}
    names = [d.name if n in repeated else n for n, d in zip(names, datasets, strict=True)]
    clash = [name for name, count in Counter(names).items() if count > 1]
    if clash:
        raise WorkbenchError(Errors.E091.format(name=clash[0], sources=", ".join(sources)))
    return [
        AnswerSet(name, str(source), dataset.fingerprint, _rows(dataset))
        for name, source, dataset in zip(names, sources, datasets, strict=True)
    ]


def _lookup(answer_set: AnswerSet, on: str) -> dict:
    index: dict = {}
    for row in answer_set.rows:
        key = str(row["id"]) if on == BY_ID else _text_key(row)
        index.setdefault(key, row)
    return index


def _aligned(questions: Sequence[Question], sets: Sequence[AnswerSet], on: str) -> list:
    indexes = [_lookup(answer_set, on) for answer_set in sets]
    items = []
    for question in questions:
        text = _text_key({"instruction": question.instruction, "input": question.input})
        key = question.question_id if on == BY_ID else text
        rows = [index.get(key) for index in indexes]
        if any(row is None or _text_key(row) != text for row in rows):
            continue
        items.append(AlignedQuestion(question, tuple(str(row["output"]) for row in rows)))
    return items


def align(questions: Sequence[Question], sets: Sequence[AnswerSet]) -> Alignment:
    """The questions every set answers, in the questions' order (see the module docstring)."""
    by_id = _aligned(questions, sets, BY_ID)
    by_text = _aligned(questions, sets, BY_TEXT)
    items, on = (by_id, BY_ID) if len(by_id) >= len(by_text) else (by_text, BY_TEXT)
    return Alignment(tuple(items), on, len(questions) - len(items))


@dataclass(frozen=True)
class Inputs:
    """What a judge run reads: the answer sets, the questions' source, the alignment."""

    sets: tuple[AnswerSet, ...]
    questions_source: str
    questions_fingerprint: str
    questions_count: int
    alignment: Alignment


def load_inputs(answer_sources: Sequence[str], questions: str | None = None) -> Inputs:
    """Load every answer set (and the questions when they are a dataset of their own) and
    align them; refuses when no question is answered by every set."""
    datasets = [load_dataset(source) for source in answer_sources]
    sets = answer_sets(datasets, answer_sources)
    question_data = load_dataset(questions) if questions else datasets[0]
    listed = questions_of(question_data)
    alignment = align(listed, sets)
    if not alignment.items:
        raise WorkbenchError(
            Errors.E093.format(
                questions=questions or answer_sources[0], count=len(listed), sets=len(sets)
            )
        )
    return Inputs(
        tuple(sets),
        str(questions or answer_sources[0]),
        question_data.fingerprint,
        len(listed),
        alignment,
    )
