"""Lengths: instruction, input and output length distributions, overlaid (GPT-4-LLM Fig. 1d)."""

from __future__ import annotations

import streamlit as st

from analysis.figures.lengths import length_figure
from analysis.lengths import length_histogram_data, length_summary, length_table
from app_pages import data
from app_pages.components import figure_with_exports

st.title("Lengths")
names = data.dataset_names()
default = [
    n for n in (st.session_state.get(data.PRIMARY_KEY), st.session_state.get(data.COMPARE_KEY)) if n
]
chosen = st.multiselect(
    "Datasets or models to overlay",
    names,
    default=default or [data.DEFAULT_DATASET],
    key="lengths_datasets",
)
field = st.radio(
    "Field", ["instruction", "input", "output"], index=2, horizontal=True, key="lengths_field"
)
max_length = st.slider("Longest length shown (words)", 32, 2048, 512, step=32, key="lengths_max")
log_y = st.checkbox("Log scale", key="lengths_log")

if not chosen:
    st.info("Choose at least one dataset.")
    st.stop()
lengths = length_table({name: data.lengths(name) for name in chosen}, field)
histogram = length_histogram_data(
    lengths, max_length=max_length, bin_width=max(1, max_length // 64)
)
figure_with_exports(length_figure(histogram, field, log_y), histogram, f"{field}-lengths")
st.caption(
    "Words for alphabetic text, characters for Chinese/Japanese/Korean; longer texts fall in the last bin."
)
st.dataframe(length_summary(lengths), hide_index=True, width="stretch")
