"""Streamlit entry point: navigation over app_pages/ and the sidebar dataset picker.

Run with `make run` (binds to 127.0.0.1). Pages only wire widgets to analysis/ and generation/.
"""

from __future__ import annotations

import streamlit as st

from app_pages import backend_panel, sidebar

st.set_page_config(page_title="Instruction-data workbench", layout="wide")

PAGES = [
    st.Page("app_pages/datasets.py", title="Datasets", icon=":material/table:", default=True),
    st.Page("app_pages/verbs.py", title="Verb–noun", icon=":material/donut_large:"),
    st.Page("app_pages/lengths.py", title="Lengths", icon=":material/bar_chart:"),
    st.Page("app_pages/similarity.py", title="Seed similarity", icon=":material/compare_arrows:"),
    st.Page("app_pages/compare.py", title="Compare models", icon=":material/groups:"),
    st.Page("app_pages/generate.py", title="Generate", icon=":material/auto_awesome:"),
]

navigation = st.navigation(PAGES)
sidebar.render()
backend_panel.render()
navigation.run()
