"""Datasets: Table-1 statistics, a searchable table of rows and a row's full detail."""

from __future__ import annotations

import streamlit as st

from analysis import explorer
from analysis.stats import LENGTH_UNIT, table1_frame, table1_text
from app_pages import data
from app_pages.choice import removal_button
from app_pages.components import md

st.title("Datasets")

dataset = data.primary()
st.caption(
    f"**{md(dataset.name)}** · {len(dataset):,} rows · format `{dataset.format}` · fingerprint `{dataset.fingerprint}`"
)
for warning in dataset.warnings:
    st.warning(md(warning))

st.subheader("Statistics (Self-Instruct Table 1)")
loaded, broken = {}, {}
for name in data.dataset_names():
    outcome = data.try_load(name)
    if isinstance(outcome, Exception):
        broken[name] = outcome
    else:
        loaded[name] = data.stats(outcome)
st.dataframe(table1_text(table1_frame(loaded)), width="stretch")
st.caption(f"Lengths in {LENGTH_UNIT}; n/a where a statistic does not apply.")
for name, error in broken.items():
    error_column, button_column = st.columns([5, 1])
    error_column.error(md(f"{name} cannot be loaded: {error}"))
    with button_column:
        removal_button(name)

st.subheader(f"Rows of {md(dataset.name)}")


@st.cache_resource
def explorer_connection():
    """One DuckDB database for the process; each query takes its own cursor."""
    return explorer.connect()


@st.cache_data(show_spinner="Preparing the rows for search (once per dataset)…", max_entries=32)
def explorer_filters(fingerprint: str, _dataset) -> dict[str, list[str]]:
    return explorer.filter_values(explorer_connection(), explorer.table_path(_dataset))


filter_choices = explorer_filters(dataset.fingerprint, dataset)
table = explorer.table_path(dataset)  # written by the first call above; written again if removed
query_column, filter_column = st.columns([3, 2])
query = query_column.text_input("Search instruction, input and output", key="rows_query")
classification_choice = filter_column.selectbox(
    "Classification", ["all", "classification", "non-classification"], key="rows_classification"
)
column_filters = {
    column: st.multiselect(column.capitalize(), values, key=f"rows_filter_{column}")
    for column, values in filter_choices.items()
}
classification = {"all": None, "classification": True, "non-classification": False}[
    classification_choice
]
row_query = explorer.RowQuery.make(query, classification, column_filters)
if st.session_state.get("rows_last_query") != (dataset.fingerprint, row_query):
    st.session_state["rows_last_query"] = (dataset.fingerprint, row_query)
    st.session_state["rows_page"] = 1  # a new question starts at its first page
found = explorer.page_rows(
    explorer_connection(), table, row_query, st.session_state.get("rows_page", 1) - 1
)
pages = explorer.page_count(found.total)
if st.session_state.get("rows_page", 1) > pages:  # the rows changed under a kept page number
    st.session_state["rows_page"] = pages
    found = explorer.page_rows(explorer_connection(), table, row_query, pages - 1)
page_column, range_column = st.columns([1, 4])
page = page_column.number_input("Page", 1, pages, key="rows_page") - 1
rows = found.rows
range_column.caption(
    f"{explorer.shown_range(page, found.total)} · {found.total:,} of {len(dataset):,} rows "
    f"match · {pages:,} page{'' if pages == 1 else 's'}"
)
shown_columns = ["id", "instruction", "input", "output"] + [
    c
    for c in ("reference", "model", "task_id", "is_classification", "category")
    if dataset.frame[c].notna().any()
]
st.dataframe(rows[shown_columns], width="stretch", hide_index=True)

st.subheader("Row detail")
if len(rows):
    ids = dict(zip(rows[explorer.POSITION].tolist(), rows["id"].tolist(), strict=True))
    position = st.selectbox("Row (of this page)", ids, format_func=ids.get, key="rows_detail")
    row = dataset.frame.iloc[position]
    for field in ("instruction", "input", "output", "reference"):
        value = row[field]
        if isinstance(value, str) and value:
            st.markdown(f"**{field}**")
            st.text(value)  # text, never HTML or markdown: the data is not ours
    meta = {
        k: str(row[k])
        for k in ("model", "task_id", "is_classification", "category", "lang")
        if str(row[k]) not in ("<NA>", "None", "nan")
    }
    if meta or row["metadata"] is not None:
        st.json({**meta, "metadata": row["metadata"]}, expanded=False)
else:
    active = [
        what
        for what, on in (
            ("the search", bool(query)),
            ("the classification filter", classification is not None),
            ("the column filters", any(column_filters.values())),
        )
        if on
    ]
    st.info(f"No rows match {' and '.join(active)}." if active else "This dataset has no rows.")
