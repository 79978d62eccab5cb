"""Cached access to datasets for pages (Streamlit's cache wraps the pure registry)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import compare, registry
from analysis.datasets import Dataset, load_dataset
from analysis.rouge import max_rouge_to_pool_cached
from analysis.stats import length_columns, table1_cached
from analysis.verbs import verb_noun_column

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
    return table1_cached(load(name))


def dataset_names() -> list[str]:
    return [info.name for info in registry.all_datasets()]


def primary() -> Dataset:
    return load(st.session_state.get(PRIMARY_KEY, DEFAULT_DATASET))


def comparison() -> Dataset | None:
    name = st.session_state.get(COMPARE_KEY)
    return load(name) if name else None


@st.cache_data(
    show_spinner="Parsing verbs and nouns (cached on disk after the first run)…", max_entries=32
)
def verb_nouns(name: str, field: str, rule: str) -> pd.DataFrame:
    return verb_noun_column(load(name), field=field, rule=rule)


@st.cache_data(
    show_spinner="Computing ROUGE-L to the pool (cached on disk after the first run)…",
    max_entries=32,
)
def similarity(name: str, pool: str, field: str, tokenizer: str) -> pd.DataFrame:
    return max_rouge_to_pool_cached(load(name), load(pool), field, tokenizer)


def group_members(group: str) -> list[str]:
    return [info.name for info in registry.all_datasets() if info.group == group]


@st.cache_data(show_spinner="Scoring outputs against the references…", max_entries=16)
def rouge_to_reference(names: tuple[str, ...]) -> pd.DataFrame:
    return compare.rouge_to_reference(
        {name: compare.reference_rouge_cached(load(name)) for name in names}
    )


@st.cache_data(max_entries=64)
def lengths(name: str) -> pd.DataFrame:
    return length_columns(load(name))


@st.cache_data(max_entries=16)
def side_by_side(names: tuple[str, ...]) -> pd.DataFrame:
    return compare.side_by_side({name: load(name).frame for name in names})
