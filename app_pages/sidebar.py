"""The sidebar: pick one dataset, or two to compare; add or remove datasets.

What the sidebar shows is what the pages show: the pickers are set from the chosen names on
every run (so a dataset chosen elsewhere, by Add or by the Generate page, shows here too), and
the choice is kept in the URL, so a reload or a shared link opens the same view.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis import registry
from analysis.datasets import HUB, resolve
from analysis.errors import Errors, WorkbenchError
from analysis.readers import source_fields
from app_pages import choice, data, url_state
from app_pages.components import md

NO_COMPARISON = "(none)"
MAPPED_FIELDS = ("instruction", "input", "output")
DETECT = "(detect)"
#: Text widgets of the Add form, emptied after a dataset is added.
_ADD_KEYS = {"add_path": "", "add_name": "", "add_replace": False, "add_skip": False}
_UPLOAD_ROUND = "_add_upload_round"
_CLEAR_ADD = "_add_clear"


def _keep(key: str) -> None:
    """Copy a widget's value to a plain session key so it survives page switches."""
    value = st.session_state[f"_{key}_widget"]
    st.session_state[key] = None if value == NO_COMPARISON else value


def render() -> None:
    names = data.dataset_names()
    url_state.restore(choice.PRIMARY_KEY, names)
    url_state.restore(choice.COMPARE_KEY, names)
    st.session_state.setdefault(choice.PRIMARY_KEY, choice.DEFAULT_DATASET)
    current = st.session_state[choice.PRIMARY_KEY]
    if current not in names:
        names.append(current)
    if st.session_state.get(choice.COMPARE_KEY) not in names or (
        st.session_state.get(choice.COMPARE_KEY) == current
    ):  # a dataset compared with itself only doubles every count
        st.session_state[choice.COMPARE_KEY] = None
    compared = st.session_state[choice.COMPARE_KEY]
    # the widgets show the chosen names, however they were chosen
    st.session_state[f"_{choice.PRIMARY_KEY}_widget"] = current
    st.session_state[f"_{choice.COMPARE_KEY}_widget"] = compared or NO_COMPARISON
    with st.sidebar:
        st.selectbox(
            "Dataset",
            names,
            key=f"_{choice.PRIMARY_KEY}_widget",
            on_change=_keep,
            args=(choice.PRIMARY_KEY,),
        )
        st.selectbox(
            "Compare with",
            [NO_COMPARISON] + [name for name in names if name != current],
            key=f"_{choice.COMPARE_KEY}_widget",
            on_change=_keep,
            args=(choice.COMPARE_KEY,),
        )
        url_state.save(choice.PRIMARY_KEY, current)
        url_state.save(choice.COMPARE_KEY, compared)
        # A fixed slot, and keyed expanders: a notice that comes and goes must not move the
        # forms below it, or the browser redraws them closed while a person is using them.
        notice_slot = st.empty()
        notice = st.session_state.pop(choice.NOTICE_KEY, None)
        if notice:
            notice_slot.success(md(notice))
        with st.expander("Add a dataset", key="add_expander"):
            _add_dataset_form()
        user_names = [info.name for info in registry.user_datasets()]
        if user_names:
            with st.expander("Remove a dataset", key="remove_expander"):
                _remove_form(user_names)


def _add_dataset_form() -> None:
    if st.session_state.pop(_CLEAR_ADD, False):
        # set, not deleted: a deleted key leaves the browser showing the old text
        for key, empty in _ADD_KEYS.items():
            st.session_state[key] = empty
        st.session_state[_UPLOAD_ROUND] = st.session_state.get(_UPLOAD_ROUND, 0) + 1
    upload = st.file_uploader(
        "Upload (JSON, JSONL, CSV, Parquet)",
        type=["json", "jsonl", "csv", "parquet"],
        key=f"add_upload_{st.session_state.get(_UPLOAD_ROUND, 0)}",
    )
    path = st.text_input("…or a local path / Hugging Face hub id", key="add_path").strip()
    name = st.text_input("Name", key="add_name").strip()
    mapping = _mapping_choices(upload, path)
    skip = st.checkbox("Skip malformed JSONL lines (each is reported)", key="add_skip")
    replace = st.checkbox("Replace a dataset of this name", key="add_replace")
    if not st.button("Add", key="add_button"):
        return
    try:
        if upload is not None:
            info = registry.add_user_dataset(
                name or Path(upload.name).stem,
                data=upload.getvalue(),
                filename=upload.name,
                mapping=mapping,
                skip_bad_lines=skip,
                replace=replace,
            )
        elif path:
            info = _add_path_or_hub(path, name, mapping, skip, replace)
        else:
            st.warning("Choose a file or enter a path first.")
            return
    except (WorkbenchError, OSError) as error:
        st.error(md(error))
        return
    choice.choose(info.name, f"Added {info.name} ({info.rows:,} rows).")
    st.session_state[_CLEAR_ADD] = True
    st.rerun()


def _mapping_choices(upload, path: str) -> dict[str, str] | None:
    """One choice per schema field among the file's own columns ((detect) keeps detection)."""
    if upload is not None:
        fields, source = source_fields(Path(upload.name), upload.getvalue()), upload.name
    elif path and Path(path).expanduser().is_file():
        fields, source = source_fields(Path(path).expanduser()), path
    else:
        return None
    if not fields:
        return None
    st.caption("Columns found: " + ", ".join(fields))
    mapping = {}
    columns = st.columns(len(MAPPED_FIELDS))
    for column, field in zip(columns, MAPPED_FIELDS, strict=True):
        choice = column.selectbox(
            f"{field} from", [DETECT, *fields], key=f"add_map_{field}_{hash(source)}"
        )
        if choice != DETECT:
            mapping[field] = choice
    return mapping or None


def _add_path_or_hub(
    source: str, name: str, mapping: dict | None, skip: bool, replace: bool
) -> registry.DatasetInfo:
    if Path(source).expanduser().exists():
        return registry.add_user_dataset(
            name or Path(source).stem,
            path=source,
            mapping=mapping,
            skip_bad_lines=skip,
            replace=replace,
        )
    if resolve(source).kind != HUB:  # resolve raises for a path that does not exist
        raise WorkbenchError(Errors.E040.format(name=source))
    return registry.add_hub_dataset(source, name, replace=replace)


def _remove_form(user_names: list[str]) -> None:
    name = st.selectbox("Dataset to remove", user_names, key="remove_name")
    if st.button("Remove", key="remove_button"):
        choice.remove(name)
        st.rerun()
