"""The one record schema every loader produces and every later module consumes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

#: Columns every dataset has, in this order.
CORE_FIELDS: tuple[str, ...] = ("id", "instruction", "input", "output")
#: Columns a dataset may fill; absent ones are kept as nulls so every frame has the same shape.
OPTIONAL_FIELDS: tuple[str, ...] = (
    "reference",
    "source",
    "model",
    "task_id",
    "is_classification",
    "category",
    "lang",
    "metadata",
)
ALL_FIELDS: tuple[str, ...] = CORE_FIELDS + OPTIONAL_FIELDS
#: Text columns: always strings, empty string where a record has none.
TEXT_FIELDS: tuple[str, ...] = ("instruction", "input", "output")


def make_record(
    *,
    id: str,
    instruction: str,
    input: str = "",
    output: str = "",
    metadata: Mapping[str, Any] | None = None,
    **optional: Any,
) -> dict[str, Any]:
    """Build one record; unknown keyword fields are refused so typos never pass silently."""
    unknown = set(optional) - set(OPTIONAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown record fields: {sorted(unknown)}")
    record: dict[str, Any] = {name: None for name in ALL_FIELDS}
    record.update(
        id=str(id),
        instruction=_text(instruction),
        input=_text(input),
        output=_text(output),
        metadata=dict(metadata) if metadata else None,
    )
    record.update(optional)
    return record


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    return value if isinstance(value, str) else str(value)


def _optional_text(value: Any) -> str | None:
    return (
        None
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))
        else str(value)
    )


def schema_column(name: str, values: Iterable[Any] | None, length: int) -> pd.Series:
    """One schema column with its canonical dtype; `values` None means the column is absent."""
    if values is None:
        missing = {"metadata": None, "is_classification": pd.NA}.get(
            name, "" if name in TEXT_FIELDS else pd.NA
        )
        values = [missing] * length
    if name in TEXT_FIELDS:
        return pd.Series(map(_text, values), dtype="string", index=range(length))
    if name == "id":
        return pd.Series(map(str, values), dtype="string", index=range(length))
    if name == "is_classification":
        return pd.Series(list(values), dtype="boolean", index=range(length))
    if name == "metadata":
        return pd.Series(list(values), dtype=object, index=range(length))
    return pd.Series(map(_optional_text, values), dtype="string", index=range(length))


def columns_frame(columns: dict[str, list[Any]], length: int) -> pd.DataFrame:
    """The canonical frame from per-field value lists, freeing each list once it is converted.

    Converting column by column keeps at most one column in both forms (Python objects and the
    typed array), which is what keeps loading a large file at a few times its size.
    """
    frame = pd.DataFrame(index=range(length))
    for name in ALL_FIELDS:
        frame[name] = schema_column(name, columns.pop(name, None), length)
    return frame


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame back to plain records with None for missing optional values."""
    rows = []
    for row in frame.to_dict(orient="records"):
        rows.append({key: (None if _is_missing(value) else value) for key, value in row.items()})
    return rows


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and pd.isna(value)
