"""Cached access to datasets for pages: Streamlit's caches around the one resolver.

Every cache here is keyed by content: a dataset by its source's version (a file's size and
modification time, so a replaced file is read again), every derived table by the dataset's
fingerprint plus its parameters; a name is never a key on its own, only a label beside one.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import compare, registry, semantic_space
from analysis.datasets import Dataset, Source, resolve
from analysis.datasets import load_dataset as _load_dataset
from analysis.diversity import diversity
from analysis.embeddings import DEFAULT_MODEL
from analysis.errors import WorkbenchError
from analysis.lengths import length_columns
from analysis.rouge import max_rouge_to_pool_cached
from analysis.semantic_pairs import semantic_pairs
from analysis.stats import table1_cached
from analysis.verbs import column as verbs_column
from analysis.verbs import verb_noun_column
from app_pages import choice
from app_pages.components import md, progress_bar


@st.cache_resource(show_spinner="Loading dataset…", max_entries=32)
def _load(version: str, _source: Source) -> Dataset | str:
    """The dataset, or the message of why it cannot be loaded (failures are cached too, so an
    offline hub id does not make every rerun wait for the network).

    A resource, not data: every page reads the same object instead of unpickling a copy of each
    dataset on every rerun (Table 1 needs them all). Pages and analysis functions only read it.
    """
    try:
        return _load_dataset(_source)
    except WorkbenchError as error:
        return str(error)


def try_load(name: str) -> Dataset | WorkbenchError:
    """A registered name, a path or a hub id; the error instead of raising it."""
    try:
        source = resolve(name)
        version = repr(source.version())
    except (WorkbenchError, OSError) as error:
        return error if isinstance(error, WorkbenchError) else WorkbenchError(str(error))
    loaded = _load(version, source)
    return WorkbenchError(loaded) if isinstance(loaded, str) else loaded


def load(name: str) -> Dataset:
    loaded = try_load(name)
    if isinstance(loaded, WorkbenchError):
        raise loaded
    return loaded


def load_many(names: list[str]) -> dict[str, Dataset]:
    """Datasets by name; each one that cannot be loaded is named in a warning and left out."""
    loaded = {}
    for name in names:
        dataset = try_load(name)
        if isinstance(dataset, WorkbenchError):
            st.warning(md(f"{name} is left out: {dataset}"))
        else:
            loaded[name] = dataset
    return loaded


def require(name: str) -> Dataset:
    """The dataset, or its error shown on the page (with a way to remove it) and the page stops."""
    dataset = try_load(name)
    if isinstance(dataset, WorkbenchError):
        st.error(md(f"{name} cannot be loaded: {dataset}"))
        choice.removal_button(name)
        st.stop()
    return dataset


def dataset_names() -> list[str]:
    return [info.name for info in registry.all_datasets()]


def primary() -> Dataset:
    return require(choice.primary_name())


def comparison() -> Dataset | None:
    name = choice.compared_name()
    return require(name) if name else None


def group_members(group: str) -> list[str]:
    return [info.name for info in registry.all_datasets() if info.group == group]


@st.cache_data(max_entries=64)
def _stats(fingerprint: str, _dataset: Dataset) -> dict:
    return table1_cached(_dataset)


def stats(dataset: Dataset) -> dict:
    return _stats(dataset.fingerprint, dataset)


@st.cache_data(show_spinner=False, max_entries=32)
def _verb_nouns(fingerprint: str, field: str, rule: str, _dataset: Dataset) -> pd.DataFrame:
    return verb_noun_column(_dataset, field=field, rule=rule)


def verb_nouns(dataset: Dataset, field: str, rule: str) -> pd.DataFrame:
    """The verb-noun column; a first parse shows its progress (outside the cached function,
    whose elements Streamlit would replay on every later call)."""
    if not verbs_column.is_cached(dataset, field, rule):
        with progress_bar(f"Parsing the verbs and nouns of {dataset.name}'s {field}s") as report:
            verb_noun_column(dataset, field=field, rule=rule, progress=report)
    return _verb_nouns(dataset.fingerprint, field, rule, dataset)


@st.cache_data(
    show_spinner="Computing ROUGE-L to the pool (cached on disk after the first run)…",
    max_entries=32,
)
def _similarity(
    fingerprint: str, pool_fingerprint: str, field: str, tokenizer: str, _dataset, _pool
) -> pd.DataFrame:
    return max_rouge_to_pool_cached(_dataset, _pool, field, tokenizer)


def similarity(dataset: Dataset, pool: Dataset, field: str, tokenizer: str) -> pd.DataFrame:
    return _similarity(dataset.fingerprint, pool.fingerprint, field, tokenizer, dataset, pool)


def _labelled(datasets: dict[str, Dataset]) -> tuple[tuple[str, str], ...]:
    """The cache key of a labelled set of datasets: (label, fingerprint) pairs in order."""
    return tuple((name, dataset.fingerprint) for name, dataset in datasets.items())


@st.cache_data(show_spinner="Scoring outputs against the references…", max_entries=16)
def _rouge_to_reference(key: tuple, _datasets: dict[str, Dataset]) -> pd.DataFrame:
    return compare.rouge_to_reference(
        {name: compare.reference_rouge_cached(dataset) for name, dataset in _datasets.items()}
    )


def rouge_to_reference(datasets: dict[str, Dataset]) -> pd.DataFrame:
    return _rouge_to_reference(_labelled(datasets), datasets)


@st.cache_data(max_entries=64)
def _lengths(fingerprint: str, _dataset: Dataset) -> pd.DataFrame:
    return length_columns(_dataset)


def lengths(dataset: Dataset) -> pd.DataFrame:
    return _lengths(dataset.fingerprint, dataset)


@st.cache_resource(max_entries=8)
def _side_by_side(key: tuple, _datasets: dict[str, Dataset]) -> pd.DataFrame:
    """A resource, not data: at a million rows the table is 400 MB, which st.cache_data would
    copy on every rerun; the page only reads one row of it."""
    return compare.side_by_side({name: dataset.frame for name, dataset in _datasets.items()})


def side_by_side(datasets: dict[str, Dataset]) -> pd.DataFrame:
    return _side_by_side(_labelled(datasets), datasets)


@st.cache_data(
    show_spinner="Projecting and clustering (cached on disk after the first run)…", max_entries=8
)
def _semantic_map(key: tuple, field: str, _datasets: dict[str, Dataset]) -> pd.DataFrame:
    return semantic_space.semantic_map(_datasets, field)


def semantic_map(datasets: dict[str, Dataset], field: str) -> pd.DataFrame:
    """The datasets' map together (analysis.semantic_space); a first embedding shows progress."""
    if not semantic_space.is_cached(datasets, field, DEFAULT_MODEL):
        with progress_bar("Embedding the rows") as report:
            semantic_space.vectors(datasets, field, progress=report)
    return _semantic_map(_labelled(datasets), field, datasets)


@st.cache_resource(max_entries=8)
def _vectors(key: tuple, field: str, _datasets: dict[str, Dataset]):
    """A resource, not data: a 52K x 384 matrix is read, never copied on a rerun."""
    return semantic_space.vectors(_datasets, field)


def embedding_vectors(datasets: dict[str, Dataset], field: str):
    return _vectors(_labelled(datasets), field, datasets)


@st.cache_data(show_spinner="Finding paraphrase pairs…", max_entries=16)
def _semantic_pairs(key: tuple, field: str, cosine: float, _datasets) -> pd.DataFrame:
    rows = semantic_space.rows(_datasets, field)
    return semantic_pairs(rows, embedding_vectors(_datasets, field), cosine)


def paraphrase_pairs(datasets: dict[str, Dataset], field: str, cosine: float) -> pd.DataFrame:
    return _semantic_pairs(_labelled(datasets), field, cosine, datasets)


@st.cache_data(show_spinner="Measuring diversity…", max_entries=16)
def _diversity(key: tuple, field: str, cosine: float, _frame, _datasets) -> pd.DataFrame:
    return diversity(_frame, embedding_vectors(_datasets, field), cosine)


def diversity_table(
    datasets: dict[str, Dataset], field: str, frame: pd.DataFrame, cosine: float
) -> pd.DataFrame:
    return _diversity(_labelled(datasets), field, cosine, frame, datasets)
