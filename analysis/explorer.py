"""The row table searched, filtered and paged by DuckDB over a parquet copy of the rows.

A page never holds more than one page of rows: the dataset's rows are written once (per content
fingerprint) to a parquet file in the cache, and every search, count and page is a SQL query
over it. Search means what :func:`analysis.explore.search_rows` means: a case-insensitive plain
substring of instruction, input or output. The file stores each searched field lowercased as
pandas lowercases it (Arrow's ``utf8_lower``) beside the field, and the query lowercases with
``str.lower`` as search_rows does, so both fold case alike, and the query uses ``contains``
(no LIKE pattern, so ``%`` and ``_`` are plain characters). User text only
ever travels as a bound parameter; column names come from fixed lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis.atomic import atomic_open
from analysis.cache import cache_key, cache_path
from analysis.explore import FILTER_COLUMNS, MAX_FILTER_VALUES, SEARCH_FIELDS

_NAMESPACE = "explorer"
#: Bump when the file's columns change: older files are then never read.
VERSION = "1"
#: Rows a page shows.
PAGE_SIZE = 100
#: The row's position in the dataset: the table's stable order and the key back to its frame.
POSITION = "position"
#: Columns the table may show, besides the position.
SHOWN_COLUMNS: tuple[str, ...] = (
    "id",
    "instruction",
    "input",
    "output",
    "reference",
    "model",
    "task_id",
    "is_classification",
    "category",
)
_STORED = tuple(dict.fromkeys((*SHOWN_COLUMNS, *FILTER_COLUMNS)))


def _lowered(name: str) -> str:
    return f"{name}__lower"


@dataclass(frozen=True)
class RowQuery:
    """What the table is asked for: search text, the classification filter, column filters."""

    text: str = ""
    classification: bool | None = None
    column_values: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    @classmethod
    def make(
        cls,
        text: str = "",
        classification: bool | None = None,
        column_values: dict[str, list[str]] | None = None,
    ) -> RowQuery:
        chosen = tuple(
            (column, tuple(values))
            for column, values in sorted((column_values or {}).items())
            if values
        )
        return cls(text, classification, chosen)

    def where(self) -> tuple[str, list]:
        """The SQL condition and its bound parameters."""
        conditions, params = ["TRUE"], []
        if self.text:
            needle = self.text.lower()
            hits = [f"coalesce(contains({_lowered(f)}, ?), FALSE)" for f in SEARCH_FIELDS]
            conditions.append("(" + " OR ".join(hits) + ")")
            params += [needle] * len(SEARCH_FIELDS)
        if self.classification is not None:
            conditions.append("is_classification = ?")
            params.append(self.classification)
        for column, values in self.column_values:
            if column not in FILTER_COLUMNS:
                raise ValueError(f"not a filterable column: {column!r}")
            conditions.append(f'list_contains(?, "{column}")')
            params.append(list(values))
        return " AND ".join(conditions), params


def connect() -> duckdb.DuckDBPyConnection:
    """One in-memory database per process; query it through :func:`count_rows` and
    :func:`page_rows`, which take a cursor per query (a cursor is what threads may share)."""
    connection = duckdb.connect(":memory:")
    connection.execute("SET enable_progress_bar = false")  # it would print to the terminal
    return connection


def table_path(dataset) -> Path:
    """The dataset's parquet copy for the explorer, written on first use."""
    path = cache_path(_NAMESPACE, cache_key(_NAMESPACE, dataset.fingerprint, {}, VERSION))
    if not path.exists():
        write_table(dataset.frame, path)
    return path


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """The shown and filtered columns, the searched ones also lowercased, and the position."""
    columns = {POSITION: pa.array(range(len(frame)), pa.int64())}
    for name in _STORED:
        columns[name] = _arrow_column(frame[name])
    for name in SEARCH_FIELDS:
        columns[_lowered(name)] = pc.utf8_lower(columns[name])
    with atomic_open(path, "wb") as handle:
        pq.write_table(pa.table(columns), handle, row_group_size=64 * 1024)


def _arrow_column(series: pd.Series) -> pa.Array:
    if series.name == "is_classification":
        return pa.array(series.astype("boolean"), pa.bool_())
    values = series.astype("object")
    return pa.array(
        [None if value is None or value is pd.NA else str(value) for value in values],
        pa.string(),
    )


def count_rows(connection: duckdb.DuckDBPyConnection, path: Path, query: RowQuery) -> int:
    where, params = query.where()
    sql = f"SELECT count(*) FROM read_parquet(?) WHERE {where}"
    return connection.cursor().execute(sql, [str(path), *params]).fetchone()[0]


@dataclass(frozen=True)
class RowPage:
    """One page of the matching rows (with their positions) and how many rows match in all."""

    rows: pd.DataFrame
    total: int


def page_rows(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    query: RowQuery,
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> RowPage:
    """Rows ``page * page_size`` onwards of the matches, in dataset order, and their count.

    Two queries, measured faster than one on a million rows (bench/bench_explorer.py): the
    search reads only the lowercased fields and the positions and counts in the same pass;
    then only the page's rows are read in full, found by position.
    """
    where, params = query.where()
    cursor = connection.cursor()
    search = (
        f"SELECT {POSITION}, count(*) OVER () FROM read_parquet(?) WHERE {where} "
        f"ORDER BY {POSITION} LIMIT ? OFFSET ?"
    )
    found = cursor.execute(
        search, [str(path), *params, int(page_size), int(page) * int(page_size)]
    ).fetchall()
    if not found:
        total = count_rows(connection, path, query) if page else 0
        return RowPage(_empty_page(), total)
    positions = [position for position, _ in found]
    columns = ", ".join(f'"{name}"' for name in (POSITION, *SHOWN_COLUMNS))
    fetch = (
        f"SELECT {columns} FROM read_parquet(?) WHERE {POSITION} BETWEEN ? AND ? "
        f"AND list_contains(?, {POSITION}) ORDER BY {POSITION}"
    )
    rows = cursor.execute(fetch, [str(path), positions[0], positions[-1], positions]).df()
    return RowPage(rows, found[0][1])


def _empty_page() -> pd.DataFrame:
    return pd.DataFrame(columns=[POSITION, *SHOWN_COLUMNS])


def filter_values(connection: duckdb.DuckDBPyConnection, path: Path) -> dict[str, list[str]]:
    """:func:`analysis.explore.filterable_columns`, counted by DuckDB."""
    columns = {}
    cursor = connection.cursor()
    for column in FILTER_COLUMNS:
        sql = (
            f'SELECT DISTINCT "{column}" FROM read_parquet(?) '
            f'WHERE "{column}" IS NOT NULL LIMIT {MAX_FILTER_VALUES + 1}'
        )
        values = [row[0] for row in cursor.execute(sql, [str(path)]).fetchall()]
        if 1 < len(values) <= MAX_FILTER_VALUES:
            columns[column] = sorted(values)
    return columns


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    """Pages of ``page_size`` rows needed for ``total`` rows (one, empty, when there are none)."""
    return max(1, -(-total // page_size))


def shown_range(page: int, total: int, page_size: int = PAGE_SIZE) -> str:
    """ "rows 101–200 of 1,000,000" for a 0-based page."""
    if total == 0:
        return "no rows"
    first = page * page_size + 1
    last = min(total, (page + 1) * page_size)
    return f"rows {first:,}–{last:,} of {total:,}"
