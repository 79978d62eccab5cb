"""The DuckDB row explorer answers what the pandas reference (analysis.explore) answers."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import explorer
from analysis.datasets import load_dataset
from analysis.explore import filterable_columns, search_rows
from analysis.readers import Dataset
from analysis.schema import columns_frame

QUERIES = ["", "haiku", "HAIKU", "%", "_", "'", '"', "'; DROP TABLE x; --", "\\", "the", "写", "诗"]


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def connection():
    return explorer.connect()


def bundled(name: str) -> Dataset:
    return load_dataset(name)


def handmade() -> Dataset:
    """Rows whose text a LIKE pattern or a quote would misread, CJK, and case folding."""
    texts = [
        ("100% sure", "", "Yes"),
        ("1000 sure", "", "no"),
        ("snake_case", "a_b", "x"),
        ("snakeXcase", "aXb", "x"),
        ("It's 'quoted'", 'say "hi"', "\\ back"),
        ("写一首诗", "", "床前明月光"),
        ("ÉCOLE Straße", "", "ΣΊΣΥΦΟΣ"),
    ]
    frame = columns_frame(
        {
            "id": [f"r{i}" for i in range(len(texts))],
            "instruction": [t[0] for t in texts],
            "input": [t[1] for t in texts],
            "output": [t[2] for t in texts],
            "model": ["a", "b", "a", "b", "a", "b", None],
            "is_classification": [True, False, None, True, False, None, True],
        },
        len(texts),
    )
    return Dataset("handmade", frame, "handmade-fingerprint", "", "test")


def reference_ids(dataset: Dataset, query: explorer.RowQuery) -> list[str]:
    rows = search_rows(
        dataset.frame,
        query.text,
        classification=query.classification,
        column_values={column: list(values) for column, values in query.column_values},
    )
    return rows["id"].tolist()


def explorer_ids(dataset: Dataset, query: explorer.RowQuery, connection) -> list[str]:
    path = explorer.table_path(dataset)
    total = explorer.count_rows(connection, path, query)
    pages = [
        explorer.page_rows(connection, path, query, page, page_size=40)
        for page in range(explorer.page_count(total, 40))
    ]
    assert {page.total for page in pages} == {total}
    ids = pd.concat([page.rows for page in pages])["id"].tolist()
    assert len(ids) == total
    return ids


@pytest.mark.parametrize("text", QUERIES + ["école", "STRASSE", "straße", "σίσυφος"])
def test_explorer_search_equals_pandas_reference_on_handmade_rows(text, connection):
    dataset = handmade()
    query = explorer.RowQuery.make(text)
    assert explorer_ids(dataset, query, connection) == reference_ids(dataset, query)


@pytest.mark.parametrize("name", ["seed_tasks", "predictions/text-davinci-003"])
@pytest.mark.parametrize("text", QUERIES)
def test_explorer_search_equals_pandas_reference_on_bundled_data(name, text, connection):
    dataset = bundled(name)
    query = explorer.RowQuery.make(text)
    assert explorer_ids(dataset, query, connection) == reference_ids(dataset, query)


def test_explorer_search_finds_percent_and_underscore_literally(connection):
    dataset = handmade()
    assert explorer_ids(dataset, explorer.RowQuery.make("100%"), connection) == ["r0"]
    assert explorer_ids(dataset, explorer.RowQuery.make("e_c"), connection) == ["r2"]


@pytest.mark.parametrize("classification", [True, False, None])
@pytest.mark.parametrize("models", [[], ["a"], ["a", "b"]])
def test_explorer_filters_equal_pandas_reference(classification, models, connection):
    dataset = handmade()
    query = explorer.RowQuery.make("", classification, {"model": models})
    assert explorer_ids(dataset, query, connection) == reference_ids(dataset, query)


def test_explorer_filters_and_search_combine_on_bundled_data(connection):
    dataset = bundled("seed_tasks")
    query = explorer.RowQuery.make("the", classification=True)
    ids = explorer_ids(dataset, query, connection)
    assert ids == reference_ids(dataset, query)
    searched = explorer_ids(dataset, explorer.RowQuery.make("the"), connection)
    assert 0 < len(ids) <= 26 < len(searched) and set(ids) < set(searched)


def test_explorer_pages_are_in_row_order_with_positions(connection):
    dataset = bundled("seed_tasks")
    path = explorer.table_path(dataset)
    third = explorer.page_rows(connection, path, explorer.RowQuery(), page=2, page_size=50)
    assert third.rows[explorer.POSITION].tolist() == list(range(100, 150))
    assert third.rows["id"].tolist() == dataset.frame["id"].iloc[100:150].tolist()
    last = explorer.page_rows(connection, path, explorer.RowQuery(), page=3, page_size=50)
    assert len(last.rows) == 25
    beyond = explorer.page_rows(connection, path, explorer.RowQuery(), page=4, page_size=50)
    assert beyond.rows.empty and beyond.total == 175
    none = explorer.page_rows(connection, path, explorer.RowQuery.make("zzqqzz"), page=0)
    assert none.rows.empty and none.total == 0


def test_explorer_filter_values_equal_pandas_reference(connection):
    for dataset in (handmade(), bundled("seed_tasks")):
        path = explorer.table_path(dataset)
        assert explorer.filter_values(connection, path) == filterable_columns(dataset.frame)


def test_explorer_rejects_a_column_that_is_not_a_filter():
    with pytest.raises(ValueError, match="not a filterable column"):
        explorer.RowQuery.make("", None, {"instruction; DROP": ["x"]}).where()


def test_explorer_table_is_written_once_per_fingerprint():
    dataset = handmade()
    path = explorer.table_path(dataset)
    written = path.stat().st_mtime_ns
    assert explorer.table_path(handmade()) == path
    assert path.stat().st_mtime_ns == written
    other = Dataset("other", dataset.frame.head(2), "other-fingerprint", "", "test")
    assert explorer.table_path(other) != path


def test_explorer_shown_range_and_page_count():
    assert explorer.shown_range(0, 175) == "rows 1–100 of 175"
    assert explorer.shown_range(1, 175) == "rows 101–175 of 175"
    assert explorer.shown_range(0, 0) == "no rows"
    assert explorer.page_count(0) == 1
    assert explorer.page_count(200) == 2
    assert explorer.page_count(201) == 3
