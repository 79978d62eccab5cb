"""Streamlit entry point: navigation over app_pages/ and the sidebar dataset picker.

Run with `make run` (binds to 127.0.0.1). Pages only wire widgets to analysis/ and generation/.
"""

from __future__ import annotations

import streamlit as st

from app_pages import sidebar

st.set_page_config(page_title="Instruction-data workbench", layout="wide")

PAGES = [
    st.Page("app_pages/datasets.py", title="Datasets", icon=":material/table:", default=True),
]

navigation = st.navigation(PAGES)
sidebar.render()
navigation.run()
