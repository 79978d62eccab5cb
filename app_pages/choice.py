"""Which datasets every page shows: the session's choice, and the ways to change it."""

from __future__ import annotations

import streamlit as st

from analysis import registry
from app_pages.components import md

#: session_state keys shared by every page.
PRIMARY_KEY = "dataset"
COMPARE_KEY = "compare"
NOTICE_KEY = "_sidebar_notice"
DEFAULT_DATASET = "seed_tasks"


def primary_name() -> str:
    return st.session_state.get(PRIMARY_KEY) or DEFAULT_DATASET


def compared_name() -> str | None:
    return st.session_state.get(COMPARE_KEY)


def choose(name: str, notice: str | None = None) -> None:
    """Make `name` the dataset of every page; `notice` is shown (in the sidebar) on the next run,
    so it survives the rerun that shows the new choice."""
    st.session_state[PRIMARY_KEY] = name
    if compared_name() == name:
        st.session_state[COMPARE_KEY] = None
    if notice:
        st.session_state[NOTICE_KEY] = notice


def remove(name: str) -> None:
    """Forget a user dataset; a page that showed it falls back to the default."""
    registry.remove_user_dataset(name)
    if st.session_state.get(PRIMARY_KEY) == name:
        choose(DEFAULT_DATASET)
    if compared_name() == name:
        st.session_state[COMPARE_KEY] = None
    st.session_state[NOTICE_KEY] = f"Removed {name}."


def removal_button(name: str) -> None:
    """Offer to remove a user dataset that cannot be loaded (bundled ones cannot be removed)."""
    entry = registry.lookup(name)
    if entry is None or entry.kind == registry.BUNDLED:
        return
    if st.button(f"Remove {md(name)} from the workbench", key=f"remove_{name}"):
        remove(name)
        st.rerun()
