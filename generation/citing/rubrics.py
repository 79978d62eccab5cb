"""The rubric table (rubrics.json): category, description, criteria, member instructions.

The teacher writes it once per run; it is the user's to edit before the rounds start: the CLI
run re-reads the file every time it is started, the page edits it as a table
(`to_frame` / `from_frame`, criteria and members one per line). A file that is not a rubric
table is refused with the reason, never half read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.errors import Errors, WorkbenchError
from generation.citing.steps import Category
from generation.run_files import write_json

COLUMNS = ("category", "description", "criteria", "members")


def to_data(categories: Sequence[Category]) -> dict:
    return {
        "categories": [
            {
                "name": c.name,
                "description": c.description,
                "criteria": list(c.criteria),
                "members": list(c.members),
            }
            for c in categories
        ]
    }


def write_rubrics(path: Path, categories: Sequence[Category]) -> None:
    write_json(path, to_data(categories))


def from_data(data: object, path: Path | str) -> list[Category]:
    """The categories of a rubric table's JSON; raises E121 saying what is wrong."""

    def refuse(why: str) -> WorkbenchError:
        return WorkbenchError(Errors.E121.format(path=path, why=why))

    items = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise refuse('no non-empty "categories" list')
    categories, names = [], set()
    for position, item in enumerate(items, 1):
        where = f"category {position}"
        if not isinstance(item, dict):
            raise refuse(f"{where} is not an object")
        texts = {}
        for key in ("name", "description"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                raise refuse(f"{where}: {key} is not a non-empty text")
            texts[key] = value.strip()
        if texts["name"].casefold() in names:
            raise refuse(f"{where}: the name {texts['name']!r} is used twice")
        names.add(texts["name"].casefold())
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
            Category(texts["name"], texts["description"], lists["criteria"], lists["members"])
        )
    return categories


def read_rubrics(path: Path) -> list[Category] | None:
    """The table in `path`; None when there is no such file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise WorkbenchError(
            Errors.E121.format(path=path, why=f"malformed JSON ({error})")
        ) from None
    return from_data(data, path)


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
    """The edited table back to categories, checked as a file is (E121)."""
    rows = frame.astype(object).where(frame.notna(), "").to_dict(orient="records")
    data = {
        "categories": [
            {
                "name": str(row["category"]),
                "description": str(row["description"]),
                "criteria": str(row["criteria"]).splitlines(),
                "members": str(row["members"]).splitlines(),
            }
            for row in rows
        ]
    }
    return from_data(data, path)
