"""The sidebar: pick one dataset, or two to compare; add a dataset by upload, path or hub id."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis import registry
from analysis.datasets import HUB, resolve
from analysis.errors import Errors, WorkbenchError
from app_pages import data

NO_COMPARISON = "(none)"


def _keep(key: str) -> None:
    """Copy a widget's value to a plain session key so it survives page switches."""
    st.session_state[key] = st.session_state[f"_{key}_widget"]


def render() -> None:
    names = data.dataset_names()
    st.session_state.setdefault(data.PRIMARY_KEY, data.DEFAULT_DATASET)
    current = st.session_state[data.PRIMARY_KEY]
    if current not in names:
        names.append(current)
    with st.sidebar:
        st.selectbox(
            "Dataset",
            names,
            index=names.index(current),
            key=f"_{data.PRIMARY_KEY}_widget",
            on_change=_keep,
            args=(data.PRIMARY_KEY,),
        )
        options = [NO_COMPARISON] + names
        chosen = st.session_state.get(data.COMPARE_KEY) or NO_COMPARISON
        st.selectbox(
            "Compare with",
            options,
            index=options.index(chosen) if chosen in options else 0,
            key=f"_{data.COMPARE_KEY}_widget",
            on_change=_compare_changed,
        )
        with st.expander("Add a dataset"):
            _add_dataset_form()


def _compare_changed() -> None:
    value = st.session_state[f"_{data.COMPARE_KEY}_widget"]
    st.session_state[data.COMPARE_KEY] = None if value == NO_COMPARISON else value


def _add_dataset_form() -> None:
    upload = st.file_uploader(
        "Upload (JSON, JSONL, CSV, Parquet)", type=["json", "jsonl", "csv", "parquet"]
    )
    path = st.text_input("…or a local path / Hugging Face hub id", key="add_path")
    name = st.text_input("Name", key="add_name")
    replace = st.checkbox("Replace a dataset of this name", key="add_replace")
    if st.button("Add", key="add_button"):
        try:
            if upload is not None:
                info = registry.add_user_dataset(
                    name or upload.name,
                    data=upload.getvalue(),
                    filename=upload.name,
                    replace=replace,
                )
            elif path:
                info = _add_path_or_hub(path.strip(), name.strip(), replace)
            else:
                st.warning("Choose a file or enter a path first.")
                return
        except WorkbenchError as error:
            st.error(str(error))
            return
        st.session_state[data.PRIMARY_KEY] = info.name
        st.success(f"Added {info.name} ({info.rows} rows).")
        st.rerun()


def _add_path_or_hub(source: str, name: str, replace: bool) -> registry.DatasetInfo:
    if Path(source).expanduser().exists():
        return registry.add_user_dataset(name or Path(source).stem, path=source, replace=replace)
    if resolve(source).kind != HUB:  # resolve raises for a path that does not exist
        raise WorkbenchError(Errors.E040.format(name=source))
    return registry.add_hub_dataset(source, name, replace=replace)
