"""Streamlit entry point: navigation over app_pages/ and the sidebar dataset picker.

Run with `make run` (binds to 127.0.0.1). Pages only wire widgets to analysis/ and generation/.
"""

from __future__ import annotations

import streamlit as st

from app_pages import backend_panel, sidebar

st.set_page_config(page_title="Instruction-data workbench", layout="wide")

PAGES = [
    st.Page("app_pages/datasets.py", title="Datasets", default=True),
    st.Page("app_pages/verbs.py", title="Verb–noun"),
    st.Page("app_pages/map.py", title="Map"),
    st.Page("app_pages/lengths.py", title="Lengths"),
    st.Page("app_pages/similarity.py", title="Seed similarity"),
    st.Page("app_pages/compare.py", title="Compare models"),
    st.Page("app_pages/judge.py", title="Judge"),
    st.Page("app_pages/citing.py", title="CITING"),
    st.Page("app_pages/spotcheck.py", title="Spot-check"),
    st.Page("app_pages/generate.py", title="Generate"),
    st.Page("app_pages/teacher.py", title="Teacher answers"),
    st.Page("app_pages/playground.py", title="Prompt playground"),
]

# No page icons: ":material/...:" icons are fetched from a font host outside the machine, and
# emoji need a colour-emoji font that a lab machine's browser may lack.
navigation = st.navigation(PAGES)
sidebar.render()
backend_panel.render()
navigation.run()
