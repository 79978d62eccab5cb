"""Lengths: instruction, input and output length distributions, overlaid (GPT-4-LLM Fig. 1d)."""

from __future__ import annotations

import streamlit as st

from analysis.figures.lengths import length_figure
from analysis.lengths import (
    SUMMARY_LABELS,
    length_histogram_data,
    length_summary,
    length_table,
)
from app_pages import choice, data, url_state
from app_pages.components import figure_with_exports, share_toggle

st.title("Lengths")
names = data.dataset_names()
sidebar_choice = [n for n in (choice.primary_name(), choice.compared_name()) if n]
# The overlay starts from the sidebar's datasets (or the URL's) and follows the sidebar when
# its choice changes; in between, the person's own selection stands.
st.session_state.setdefault("_lengths_follows", sidebar_choice)
url_state.restore("lengths_datasets", names, multi=True)
if (
    "lengths_datasets" not in st.session_state
    or st.session_state["_lengths_follows"] != sidebar_choice
):
    st.session_state["lengths_datasets"] = [n for n in sidebar_choice if n in names]
st.session_state["_lengths_follows"] = sidebar_choice
chosen = st.multiselect("Datasets or models to overlay", names, key="lengths_datasets")
url_state.save("lengths_datasets", chosen)
field = st.radio(
    "Field", ["instruction", "input", "output"], index=2, horizontal=True, key="lengths_field"
)
max_length = st.slider(
    "Cut off at (words)",
    32,
    2048,
    512,
    step=32,
    key="lengths_max",
    help="The axis ends at the longest text or here, whichever is shorter; longer texts fall "
    "in the last bin.",
)
options = st.columns(2)
share = share_toggle(options[0], "lengths_share")
log_y = options[1].checkbox("Log scale", key="lengths_log")

datasets = data.load_many(chosen)
if not datasets:
    st.info("Choose at least one dataset.")
    st.stop()
lengths = length_table({name: data.lengths(d) for name, d in datasets.items()}, field)
histogram = length_histogram_data(lengths, max_length=max_length)
figure_with_exports(
    length_figure(histogram, field, log_y, share=share), histogram, f"{field}-lengths"
)
st.caption(
    "Words for alphabetic text, characters for Chinese/Japanese/Korean; longer texts fall in the last bin."
)
st.dataframe(
    length_summary(lengths).rename(columns=SUMMARY_LABELS).round(2),
    hide_index=True,
    width="stretch",
)
