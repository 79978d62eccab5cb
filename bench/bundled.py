"""Texts of the bundled datasets for the benchmarks, read through the workbench's own loader."""

from __future__ import annotations

from analysis import registry


def texts(name: str, field: str = "instruction") -> list[str]:
    """Distinct non-empty values of `field`, stripped, in dataset order."""
    values = registry.load(name).frame[field].str.strip()
    return values[values != ""].drop_duplicates().tolist()
