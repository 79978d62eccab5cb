"""Annotation schemes are data: JSON files, the bundled three beside this module and the user's
own in the workspace (`annotation_schemes/`), so a study is added without code (Argilla's
"questions as data").

A scheme has questions; a question has answers, each with the value stored, the label shown
and the key that gives it. `kind` says which summary fits: `quality` (yes/no questions, share
of yes, Self-Instruct Table 2), `rating` (an ordered scale per response, Self-Instruct Fig. 6)
or `pairwise` (two responses to one instruction, GPT-4-LLM Fig. 3). Pairwise answers are
stored as `first`/`tie`/`second` of the pair's dataset order; the page shows the two at random
left and right.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import Errors, WorkbenchError
from analysis.paths import workspace_dir

BUNDLED_DIR = Path(__file__).resolve().parent / "schemes"
KINDS = ("quality", "rating", "pairwise")
#: Keys Streamlit keeps for itself (rerun, clear cache), and the page's own navigation keys.
RESERVED_KEYS = frozenset({"c", "r", "left", "right"})


@dataclass(frozen=True)
class Answer:
    value: str
    label: str
    key: str


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    answers: tuple[Answer, ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(answer.value for answer in self.answers)


@dataclass(frozen=True)
class Scheme:
    name: str
    title: str
    kind: str
    questions: tuple[Question, ...]
    items: str = "row"  # "row": one dataset row; "pair": the same row of two datasets
    note: bool = True
    hide_source: bool = False  # the model or dataset behind a response is not shown

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        known = ", ".join(q.id for q in self.questions)
        raise WorkbenchError(Errors.E050.format(what="question", name=question_id, known=known))

    @property
    def ordinal(self) -> bool:
        """Ratings are ordered (A better than B ...); yes/no and pairwise answers are not."""
        return self.kind == "rating"


def user_schemes_dir() -> Path:
    return workspace_dir() / "annotation_schemes"


def scheme_from_json(data: dict, where: str) -> Scheme:
    """A scheme from its JSON, checked: known kind, unique question ids, unique usable keys."""
    try:
        questions = tuple(
            Question(q["id"], q["text"], tuple(Answer(**answer) for answer in q["answers"]))
            for q in data["questions"]
        )
        scheme = Scheme(
            name=data["name"],
            title=data.get("title", data["name"]),
            kind=data["kind"],
            questions=questions,
            items=data.get("items", "row"),
            note=data.get("note", True),
            hide_source=data.get("hide_source", False),
        )
    except (KeyError, TypeError) as error:
        raise WorkbenchError(Errors.E051.format(where=where, problem=f"missing {error}")) from None
    keys = [answer.key.lower() for q in scheme.questions for answer in q.answers]
    problems = [
        f"kind {scheme.kind!r} is not one of {', '.join(KINDS)}"
        if scheme.kind not in KINDS
        else "",
        "two questions share an id" if len({q.id for q in questions}) != len(questions) else "",
        "two answers share a key" if len(set(keys)) != len(keys) else "",
        f"keys {sorted(set(keys) & RESERVED_KEYS)} are reserved"
        if set(keys) & RESERVED_KEYS
        else "",
        "items must be row or pair" if scheme.items not in ("row", "pair") else "",
    ]
    problems = [p for p in problems if p]
    if problems:
        raise WorkbenchError(Errors.E051.format(where=where, problem="; ".join(problems)))
    return scheme


def all_schemes() -> dict[str, Scheme]:
    """Bundled schemes, then the user's (a user scheme of the same name replaces a bundled one),
    in the papers' order: quality, then ratings, then pairwise."""
    schemes = {}
    folders = [BUNDLED_DIR, user_schemes_dir()]
    for path in (p for folder in folders if folder.is_dir() for p in sorted(folder.glob("*.json"))):
        scheme = scheme_from_json(json.loads(path.read_text(encoding="utf-8")), str(path))
        schemes[scheme.name] = scheme
    return dict(sorted(schemes.items(), key=lambda item: (KINDS.index(item[1].kind), item[0])))


def get_scheme(name: str) -> Scheme:
    schemes = all_schemes()
    if name not in schemes:
        raise WorkbenchError(Errors.E050.format(what="scheme", name=name, known=", ".join(schemes)))
    return schemes[name]
