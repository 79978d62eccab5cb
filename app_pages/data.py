"""Cached access to datasets for pages (Streamlit's cache wraps the pure registry)."""

from __future__ import annotations

import streamlit as st

from analysis import registry
from analysis.datasets import Dataset, load_dataset
from analysis.stats import table1

#: session_state keys shared by every page.
PRIMARY_KEY = "dataset"
COMPARE_KEY = "compare"
DEFAULT_DATASET = "seed_tasks"


@st.cache_data(show_spinner="Loading dataset…", max_entries=32)
def load(name: str) -> Dataset:
    """A registered dataset (bundled or user) or, failing that, a path or hub id."""
    names = {info.name for info in registry.all_datasets()}
    return registry.load(name) if name in names else load_dataset(name)


@st.cache_data(max_entries=64)
def stats(name: str) -> dict:
    return table1(load(name).frame)


def dataset_names() -> list[str]:
    return [info.name for info in registry.all_datasets()]


def primary() -> Dataset:
    return load(st.session_state.get(PRIMARY_KEY, DEFAULT_DATASET))


def compare() -> Dataset | None:
    name = st.session_state.get(COMPARE_KEY)
    return load(name) if name else None
