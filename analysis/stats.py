"""Table-1 statistics (Self-Instruct), cached per dataset."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.cache import cached_frame
from analysis.lengths import word_counts

#: Keys of the Table-1 statistics, in the order the CLI prints them (and the JSON has them).
TABLE1_KEYS: tuple[str, ...] = (
    "rows",
    "unique_instructions",
    "classification",
    "non_classification",
    "instances",
    "empty_inputs",
    "avg_instruction_words",
    "avg_nonempty_input_words",
    "avg_output_words",
)

TABLE1_LABELS: dict[str, str] = {
    "rows": "rows",
    "unique_instructions": "# of unique instructions",
    "classification": "# of classification instructions",
    "non_classification": "# of non-classification instructions",
    "instances": "# of instances",
    "empty_inputs": "# of instances with empty input",
    "avg_instruction_words": "ave. instruction length (in words)",
    "avg_nonempty_input_words": "ave. non-empty input length (in words)",
    "avg_output_words": "ave. output length (in words)",
}


def _mean(values: pd.Series) -> float | None:
    return float(values.mean()) if len(values) else None


def table1(frame: pd.DataFrame) -> dict[str, Any]:
    """Self-Instruct Table 1 for any dataset in the record schema.

    Instruction averages are over unique instructions; input and output averages over instances.
    Classification counts are per unique instruction, and None where the data does not say.
    """
    unique = frame.drop_duplicates("instruction")
    known = frame.dropna(subset=["is_classification"]).drop_duplicates("instruction")
    nonempty_inputs = frame.loc[frame["input"].str.strip() != "", "input"]
    classification = non_classification = None
    if len(known):
        classification = int(known["is_classification"].sum())
        non_classification = int(len(known) - classification)
    return {
        "rows": int(len(frame)),
        "unique_instructions": int(len(unique)),
        "classification": classification,
        "non_classification": non_classification,
        "instances": int(len(frame)),
        "empty_inputs": int((frame["input"].str.strip() == "").sum()),
        "avg_instruction_words": _mean(word_counts(unique["instruction"])),
        "avg_nonempty_input_words": _mean(word_counts(nonempty_inputs)),
        "avg_output_words": _mean(word_counts(frame["output"])),
    }


def table1_frame(stats_by_dataset: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Several datasets' Table-1 statistics as one table (rows = statistics, columns = datasets)."""
    table = pd.DataFrame(stats_by_dataset).reindex(list(TABLE1_KEYS))
    table.index = [TABLE1_LABELS[key] for key in TABLE1_KEYS]
    return table


#: Bump when Table 1's definition changes: cached statistics of older versions are not reused.
TABLE1_VERSION = "1"


def table1_cached(dataset) -> dict[str, Any]:
    """`table1` of a loaded dataset, cached on disk by its fingerprint (the Datasets page lists all)."""
    stored = cached_frame(
        "table1",
        dataset.fingerprint,
        {},
        TABLE1_VERSION,
        lambda: pd.DataFrame([table1(dataset.frame)]),
    )
    row = stored.iloc[0].to_dict()
    return {key: None if pd.isna(row[key]) else _plain(row[key]) for key in TABLE1_KEYS}


def _plain(value: Any) -> int | float:
    return (
        int(value) if float(value).is_integer() and not isinstance(value, float) else float(value)
    )
