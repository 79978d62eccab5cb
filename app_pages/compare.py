"""Compare models: the same instructions answered by several models (lengths, verbs, ROUGE-L, reading)."""

from __future__ import annotations

import streamlit as st

from analysis.compare import rouge_by_bucket
from analysis.figures.compare import rouge_by_bucket_figure
from analysis.figures.lengths import length_figure
from analysis.figures.style import series_colours
from analysis.lengths import (
    SUMMARY_LABELS,
    length_histogram_data,
    length_summary,
    length_table,
)
from analysis.verbs import RULES, summary, summary_table
from app_pages import data
from app_pages.components import figure_with_exports, md, share_toggle

PREDICTIONS_GROUP = "user-oriented predictions"

st.title("Compare models")
names = data.dataset_names()
chosen = st.multiselect(
    "Models (datasets answering the same instructions)",
    names,
    default=data.group_members(PREDICTIONS_GROUP),
    key="compare_models",
)
datasets = data.load_many(chosen)
chosen = list(datasets)
if len(chosen) < 2:
    st.info("Choose at least two datasets.")
    st.stop()
frames = {name: dataset.frame for name, dataset in datasets.items()}
colours = series_colours(chosen)  # one colour per model in every figure below

st.subheader("ROUGE-L to the reference output, by reference length")
with_reference = tuple(name for name in chosen if frames[name]["reference"].notna().any())
if with_reference:
    table = rouge_by_bucket(
        data.rouge_to_reference({name: datasets[name] for name in with_reference})
    )
    figure_with_exports(rouge_by_bucket_figure(table, colours), table, "rouge-to-reference")
else:
    st.caption("None of these datasets has reference outputs.")

st.subheader("Output lengths")
options = st.columns(2)
share = share_toggle(options[0], "compare_share")
log_y = options[1].checkbox("Log scale", key="compare_log")
lengths = length_table({name: data.lengths(datasets[name]) for name in chosen}, "output")
histogram = length_histogram_data(lengths)
figure_with_exports(
    length_figure(histogram, "output", log_y, colours, share),
    histogram,
    "output-lengths-by-model",
)
st.dataframe(
    length_summary(lengths).rename(columns=SUMMARY_LABELS).round(2),
    hide_index=True,
    width="stretch",
)

st.subheader("Verb–noun structure of the outputs")
rule = st.selectbox("Rule", RULES, key="compare_rule")
verb_stats = summary_table(
    {name: summary(data.verb_nouns(datasets[name], "output", rule)) for name in chosen}
)
st.dataframe(verb_stats, hide_index=True, width="stretch")

st.subheader("Read side by side")
aligned = data.side_by_side(datasets)
position = st.number_input("Instruction", 1, len(aligned), 1, key="compare_row") - 1
row = aligned.iloc[position]
st.markdown("**Instruction**")
st.text(row["instruction"])
if row["input"]:
    st.markdown("**Input**")
    st.text(row["input"])
columns = st.columns(len(chosen) + (1 if isinstance(row["reference"], str) else 0))
for column, name in zip(columns, chosen, strict=False):
    column.markdown(f"**{md(name)}**")
    column.text(row[name] if isinstance(row[name], str) else "(no answer)")
if isinstance(row["reference"], str):
    columns[-1].markdown("**reference**")
    columns[-1].text(row["reference"])
