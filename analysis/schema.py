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


def records_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Turn records into the canonical DataFrame: every schema column, in order, typed."""
    frame = pd.DataFrame.from_records(list(records), columns=list(ALL_FIELDS))
    return normalize_frame(frame)


def normalize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a frame exactly the schema's columns and dtypes (extra columns are dropped)."""
    out = pd.DataFrame(index=range(len(frame)))
    for name in ALL_FIELDS:
        column = frame[name].reset_index(drop=True) if name in frame else None
        if name in TEXT_FIELDS:
            out[name] = (
                column.map(_text).astype("string")
                if column is not None
                else pd.Series([""] * len(frame), dtype="string")
            )
        elif name == "id":
            out[name] = column.map(str).astype("string")
        elif name == "is_classification":
            out[name] = (
                column.astype("boolean")
                if column is not None
                else pd.Series([pd.NA] * len(frame), dtype="boolean")
            )
        elif name == "metadata":
            out[name] = (
                column if column is not None else pd.Series([None] * len(frame), dtype=object)
            )
        else:
            out[name] = (
                column.map(
                    lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
                ).astype("string")
                if column is not None
                else pd.Series([pd.NA] * len(frame), dtype="string")
            )
    return out


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
