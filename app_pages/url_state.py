"""Choices kept in the page's URL (st.query_params), so a reload or a shared link shows the
same view: restore a key before its widget is drawn, save it after."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st


def restore(key: str, options: Sequence[str], multi: bool = False) -> None:
    """On a session's first run, take `key` from the URL where it names valid options."""
    if key in st.session_state or key not in st.query_params:
        return
    values = st.query_params.get_all(key)
    if multi:
        st.session_state[key] = [value for value in values if value in options]
    elif values and values[0] in options:
        st.session_state[key] = values[0]


def save(key: str, value: str | Sequence[str] | None) -> None:
    """Write the current choice into the URL (nothing when there is none)."""
    if value is None or value == []:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value if isinstance(value, str) else list(value)
