"""Texts of the bundled datasets for the benchmarks, read through the workbench's own loader."""

from __future__ import annotations

from analysis.datasets import load_dataset


def texts(name: str, field: str = "instruction") -> list[str]:
    """Distinct non-empty values of `field`, stripped, in dataset order."""
    values = load_dataset(name).frame[field].str.strip()
    return values[values != ""].drop_duplicates().tolist()
