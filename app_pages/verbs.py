"""Verb–noun: the sunburst (Self-Instruct Fig. 2), the pair table, rows behind a pair, comparison."""

from __future__ import annotations

import streamlit as st

from analysis.figures.verbs import top_pairs_bars, verb_noun_sunburst
from analysis.verbs import (
    RULES,
    coverage_notes,
    pair_counts,
    rows_for,
    shown_verbs_note,
    summary,
    summary_labels,
    summary_table,
    top_pairs_comparison,
    top_verb_nouns,
)
from app_pages import data
from app_pages.components import figure_with_exports, md, text_table

st.title("Verb–noun structure")
dataset = data.primary()
controls = st.columns(5)
field = controls[0].selectbox("Field", ["instruction", "output"], key="verbs_field")
rule = controls[1].selectbox(
    "Rule",
    RULES,
    key="verbs_rule",
    help="paper: the Self-Instruct notebook rule; full: also finds verbs behind adverbs, 'please', auxiliaries, particles",
)
top_verbs = controls[2].number_input("Verbs", 1, 100, 20, key="verbs_top")
top_nouns = controls[3].number_input("Nouns per verb", 1, 20, 4, key="verbs_nouns")
min_count = controls[4].number_input("Minimum count", 1, 10_000, 1, key="verbs_min")

pairs = data.verb_nouns(dataset, field, rule)
stats = summary(pairs)
labels = summary_labels(stats["k"])
metrics = st.columns(4)
metrics[0].metric(
    labels["pair_share"],
    f"{stats['pair_share']:.1%}",
    help=f"{stats['rows_with_pair']} of {stats['rows']} rows have a root verb with a direct-object noun",
)
for column, key in zip(metrics[1:], ("unique_verbs", "unique_pairs", "pairs_above_k"), strict=True):
    column.metric(labels[key], stats[key])
for note in coverage_notes(stats):
    st.caption(note)

table = top_verb_nouns(pairs, int(top_verbs), int(top_nouns), int(min_count))
note = shown_verbs_note(pairs, table, int(top_verbs), int(min_count))
if note:
    st.info(note)
if not table.empty:
    figure_with_exports(
        verb_noun_sunburst(table, title=f"{dataset.name}: {field}"),
        table,
        f"verb-noun-{dataset.name}-{field}",
    )

st.subheader("Pairs")
counts = pair_counts(pairs)
st.dataframe(counts, hide_index=True, width="stretch", height=260)
choice_columns = st.columns(2)
verbs = counts["verb"].drop_duplicates().tolist()
verb = (
    choice_columns[0].selectbox("Rows behind the verb", verbs, key="verbs_pick_verb")
    if verbs
    else None
)
if verb:
    nouns = ["(any)"] + counts.loc[counts["verb"] == verb, "noun"].tolist()
    noun = choice_columns[1].selectbox("…and the noun", nouns, key="verbs_pick_noun")
    behind = rows_for(pairs, verb, None if noun == "(any)" else noun)
    rows = dataset.frame.loc[behind.index, ["id", "instruction", "input", "output"]]
    st.caption(f"{len(rows)} rows")
    text_table(rows, ["instruction", "input", "output"])

other = data.comparison()
if other is not None:
    st.subheader(f"Compared with {md(other.name)}")
    other_pairs = data.verb_nouns(other, field, rule)
    comparison = top_pairs_comparison(pairs, other_pairs, (dataset.name, other.name), n=25)
    figure_with_exports(
        top_pairs_bars(comparison), comparison, f"top-pairs-{dataset.name}-vs-{other.name}"
    )
    st.dataframe(
        summary_table({dataset.name: stats, other.name: summary(other_pairs)}),
        hide_index=True,
        width="stretch",
    )
