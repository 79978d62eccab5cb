"""Row search and filters for the dataset table (pure, so pages stay thin)."""

from __future__ import annotations

import pandas as pd

SEARCH_FIELDS: tuple[str, ...] = ("instruction", "input", "output")
#: Optional categorical columns that may get a filter, and the most values a filter lists.
FILTER_COLUMNS: tuple[str, ...] = ("model", "category", "source", "lang")
MAX_FILTER_VALUES = 50


def search_rows(
    frame: pd.DataFrame,
    query: str = "",
    fields: tuple[str, ...] = SEARCH_FIELDS,
    classification: bool | None = None,
    empty_input: bool | None = None,
    column_values: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Rows whose fields contain `query` (case-insensitive, plain text, not a regex) and filters."""
    mask = pd.Series(True, index=frame.index)
    if query:
        needle = query.lower()
        hit = pd.Series(False, index=frame.index)
        for field in fields:
            hit |= frame[field].str.lower().str.contains(needle, regex=False, na=False)
        mask &= hit
    if classification is not None:
        mask &= frame["is_classification"].fillna(not classification) == classification
    if empty_input is not None:
        mask &= (frame["input"].str.strip() == "") == empty_input
    for column, values in (column_values or {}).items():
        if values:
            mask &= frame[column].isin(values)
    return frame[mask]


def filterable_columns(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Optional categorical columns worth a filter: present and with few distinct values."""
    columns = {}
    for column in FILTER_COLUMNS:
        values = frame[column].dropna().unique()
        if 1 < len(values) <= MAX_FILTER_VALUES:
            columns[column] = sorted(map(str, values))
    return columns
