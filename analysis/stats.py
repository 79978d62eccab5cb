"""Table-1 statistics (Self-Instruct), cached per dataset.

Lengths are counted as everywhere in the workbench (analysis.lengths.length_units): words, or
characters for Chinese, Japanese and Korean text, where whitespace words mean nothing; for
English text that is exactly the paper's word count. The JSON keys keep the paper's names.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.cache import cached_frame
from analysis.lengths import length_units

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
    "avg_instruction_words": "ave. instruction length",
    "avg_nonempty_input_words": "ave. non-empty input length",
    "avg_output_words": "ave. output length",
}
#: What the averages count, said wherever they are shown.
LENGTH_UNIT = "words; characters for Chinese, Japanese and Korean text"


def _mean(values: pd.Series) -> float | None:
    return float(values.mean()) if len(values) else None


def table1(frame: pd.DataFrame) -> dict[str, Any]:
    """Self-Instruct Table 1 for any dataset in the record schema.

    Instruction averages are over unique instructions; input and output averages over instances.
    Classification counts are per unique instruction, and None where the data does not say; an
    average is None where there is nothing to average (a dataset without outputs has no output
    length, not a length of 0).
    """
    unique = frame.drop_duplicates("instruction")
    known = frame.dropna(subset=["is_classification"]).drop_duplicates("instruction")
    nonempty_inputs = frame.loc[frame["input"].str.strip() != "", "input"]
    has_outputs = bool((frame["output"].str.strip() != "").any())
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
        "avg_instruction_words": _mean(length_units(unique["instruction"])),
        "avg_nonempty_input_words": _mean(length_units(nonempty_inputs)),
        "avg_output_words": _mean(length_units(frame["output"])) if has_outputs else None,
    }


def table1_frame(stats_by_dataset: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Several datasets' Table-1 statistics as one table: a row per dataset (fifteen datasets
    read down the page, not sideways), a column per statistic, averages to two decimals."""
    table = pd.DataFrame.from_dict(stats_by_dataset, orient="index", columns=list(TABLE1_KEYS))
    averages = [key for key in TABLE1_KEYS if key.startswith("avg_")]
    table[averages] = table[averages].astype("Float64").round(2)
    counts = [key for key in TABLE1_KEYS if key not in averages]
    table[counts] = table[counts].astype("Int64")
    return table.rename(columns=TABLE1_LABELS)


def table1_text(table: pd.DataFrame) -> pd.DataFrame:
    """`table1_frame` as a reader sees it: counts with thousands separators, averages to two
    decimals, "n/a" where a statistic does not apply (never "None", never a blank)."""

    def shown(value: Any) -> str:
        if pd.isna(value):
            return "n/a"
        return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"

    return table.astype(object).map(shown)


#: Bump when Table 1's definition changes: cached statistics of older versions are not reused.
TABLE1_VERSION = "2"


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
