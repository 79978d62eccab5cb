"""The rubric table (rubrics.jsonl): one category per line, {"category", "description",
"criteria": [...], "members": [...]} (members: instruction texts of the training split).

The teacher writes it once per run; it is the user's to edit before the rounds start: the CLI
run re-reads the file every time it is started, the page edits it as a table
(`to_frame` / `from_frame`, criteria and members one per line). A file that is not a rubric
table is refused naming its line and what is wrong there (E121), never half read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.errors import Errors, WorkbenchError
from generation.citing.steps import Category
from generation.run_files import write_jsonl

COLUMNS = ("category", "description", "criteria", "members")


def to_lines(categories: Sequence[Category]) -> list[dict]:
    """The table as rubrics.jsonl holds it: one object per category."""
    return [
        {
            "category": c.name,
            "description": c.description,
            "criteria": list(c.criteria),
            "members": list(c.members),
        }
        for c in categories
    ]


def write_rubrics(path: Path, categories: Sequence[Category]) -> None:
    write_jsonl(path, to_lines(categories))


def from_lines(
    items: Sequence[tuple[int, object]], path: Path | str, unit: str = "line"
) -> list[Category]:
    """The categories of a rubric table's (number, object) pairs, the number being the
    object's `unit` (a file's line, a table's row); raises E121 naming it and what is wrong."""

    def refuse(why: str) -> WorkbenchError:
        return WorkbenchError(Errors.E121.format(path=path, why=why))

    if not items:
        raise refuse("it holds no category")
    categories, names = [], set()
    for number, item in items:
        where = f"{unit} {number}"
        if not isinstance(item, dict):
            raise refuse(f"{where} is not a JSON object")
        texts = {}
        for key in ("category", "description"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                raise refuse(f"{where}: {key} is not a non-empty text")
            texts[key] = value.strip()
        if texts["category"].casefold() in names:
            raise refuse(f"{where}: the category {texts['category']!r} is named twice")
        names.add(texts["category"].casefold())
        lists = {}
        for key, required in (("criteria", True), ("members", False)):
            value = item.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise refuse(f"{where}: {key} is not a list of texts")
            value = [v.strip() for v in value if v.strip()]
            if required and not value:
                raise refuse(f"{where}: no criteria")
            lists[key] = tuple(value)
        categories.append(
            Category(texts["category"], texts["description"], lists["criteria"], lists["members"])
        )
    return categories


def read_rubrics(path: Path) -> list[Category] | None:
    """The table in `path`; None when there is no such file. Blank lines are skipped; a line
    that is not JSON is refused with its number."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            raise WorkbenchError(
                Errors.E121.format(path=path, why=f"line {number}: malformed JSON ({error})")
            ) from None
    return from_lines(items, path)


def to_frame(categories: Sequence[Category]) -> pd.DataFrame:
    """The table for st.data_editor: one row per category, lists one item per line."""
    return pd.DataFrame(
        [
            {
                "category": c.name,
                "description": c.description,
                "criteria": "\n".join(c.criteria),
                "members": "\n".join(c.members),
            }
            for c in categories
        ],
        columns=list(COLUMNS),
    )


def from_frame(frame: pd.DataFrame, path: Path | str = "the edited table") -> list[Category]:
    """The edited table back to categories, checked as a file is (E121, naming the row)."""
    rows = frame.astype(object).where(frame.notna(), "").to_dict(orient="records")
    items = [
        (
            number,
            {
                "category": str(row["category"]),
                "description": str(row["description"]),
                "criteria": str(row["criteria"]).splitlines(),
                "members": str(row["members"]).splitlines(),
            },
        )
        for number, row in enumerate(rows, 1)
    ]
    return from_lines(items, path, unit="row")
