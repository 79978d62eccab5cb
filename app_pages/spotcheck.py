"""Spot-check: people label a reproducible sample, one item at a time, from the keyboard.

Every answer is stored the moment it is given (analysis.annotations.store); the page only
wires widgets to the study, the store and the summaries.
"""

from __future__ import annotations

import streamlit as st

from analysis.annotations import sampling, summary
from analysis.annotations.agreement import agreement
from analysis.annotations.schemes import all_schemes
from analysis.annotations.store import Label, LabelStore
from analysis.annotations.study import (
    Study,
    complete,
    done_count,
    next_open,
    shown_answer,
    stored_answer,
)
from analysis.figures.annotations import pairwise_figure, quality_figure, rating_figure
from app_pages import choice, data
from app_pages.components import figure_with_exports, md

PREDICTIONS_GROUP = "user-oriented predictions"
POSITION_KEY = "spot_position"

st.title("Spot-check")
schemes = all_schemes()
names = data.dataset_names()

with st.expander("Study", expanded="spot_annotator" not in st.session_state):
    left, middle, right = st.columns(3)
    scheme = schemes[left.selectbox("Scheme", list(schemes), key="spot_scheme")]
    st.caption(md(scheme.title))
    defaults = {
        "quality": [choice.primary_name()],
        "rating": data.group_members(PREDICTIONS_GROUP),
        "pairwise": data.group_members(PREDICTIONS_GROUP)[-2:],
    }[scheme.kind]
    chosen = middle.multiselect(
        "Datasets" + (" (two: first, second)" if scheme.items == "pair" else ""),
        names,
        default=[name for name in defaults if name in names],
        key=f"spot_datasets_{scheme.name}",
    )
    annotator = right.text_input("Your name", key="spot_annotator").strip()
    size_column, seed_column, stratum_column, share_column = st.columns(4)
    size = size_column.number_input("Sample size", 1, 100_000, 200, key="spot_size")
    seed = seed_column.number_input("Seed", 0, 2**31 - 1, 0, key="spot_seed")
    stratum = stratum_column.selectbox("Stratified by", sampling.STRATA, key="spot_stratum")
    per_item = share_column.number_input(
        "Annotators per item (0: all)", 0, 20, 0, key="spot_per_item"
    )
    team = (
        st.text_input("Annotators sharing the items (comma-separated)", key="spot_team")
        if per_item
        else ""
    )

if not annotator:
    st.info("Enter your name to start: your labels are stored under it.")
    st.stop()
datasets = data.load_many(chosen)
if not datasets or (scheme.items == "pair" and len(datasets) != 2):
    st.info(
        "Choose two datasets for a pairwise study."
        if scheme.items == "pair"
        else "Choose a dataset."
    )
    st.stop()
study = Study(
    scheme,
    tuple(datasets.values()),
    int(size),
    int(seed),
    stratum,
    tuple(n.strip() for n in team.split(",") if n.strip()),
    int(per_item) or None,
)
queue = study.queue(annotator)
store = LabelStore()
if POSITION_KEY not in st.session_state or st.session_state[POSITION_KEY] >= len(queue):
    opened = next_open(queue, store.answered(scheme.name, annotator), scheme)
    st.session_state[POSITION_KEY] = opened or 0


def _move(step: int) -> None:
    st.session_state[POSITION_KEY] = (st.session_state[POSITION_KEY] + step) % len(queue)


def _answer(item, question_id: str, value: str) -> None:
    """Store an answer to the item on screen. A key pressed before the next item had shown
    belongs to the item the annotator was looking at, which is done: it is dropped, never
    stored on an item nobody has read."""
    if queue[st.session_state[POSITION_KEY]] != item:
        st.toast("That key came before the next item showed: press it again.")
        return
    note = st.session_state.get(f"spot_note_{item.fingerprint}_{item.row_id}") or None
    store.save(
        Label(item.fingerprint, item.row_id, annotator, scheme.name, question_id, value, note)
    )
    given = store.answered(scheme.name, annotator)
    if complete(scheme, given.get((item.fingerprint, item.row_id))):
        following = next_open(queue, given, scheme, st.session_state[POSITION_KEY])
        if following is not None:
            st.session_state[POSITION_KEY] = following


@st.fragment
def labelling() -> None:
    """One item and its questions. A key reruns only this fragment, about a third of a second,
    so a quick annotator's next key finds the next item already shown."""
    answered = store.answered(scheme.name, annotator)
    done = done_count(queue, answered, scheme)
    st.progress(done / len(queue), text=f"{done} of {len(queue)} labelled")
    position = st.session_state[POSITION_KEY]
    item = queue[position]
    nav = st.columns([1, 1, 2, 4])
    nav[0].button("Back", key="spot_back", shortcut="Left", on_click=_move, args=(-1,))
    nav[1].button("Skip", key="spot_skip", shortcut="Right", on_click=_move, args=(1,))
    jump = nav[2].number_input("Item", 1, len(queue), position + 1, key=f"spot_jump_{position}")
    if jump != position + 1:
        st.session_state[POSITION_KEY] = int(jump) - 1
        st.rerun(scope="fragment")
    nav[3].caption(f"Item {position + 1} of {len(queue)}")

    sources = [datasets[name] for name in item.datasets]
    row = sources[0].frame.set_index("id").loc[item.row_id]
    st.markdown("**Instruction**")
    st.text(row["instruction"])
    if row["input"]:
        st.markdown("**Input**")
        st.text(row["input"])
    first_on_left = sampling.shows_first_on_left(item, annotator, study.seed)
    if scheme.items == "pair":
        responses = [d.frame.set_index("id").loc[item.row_id, "output"] for d in sources]
        shown = responses if first_on_left else responses[::-1]
        for column, title, text in zip(st.columns(2), ("Left", "Right"), shown, strict=True):
            column.markdown(f"**{title} response**")
            column.text(text)
    else:
        st.markdown("**Output**" + ("" if scheme.hide_source else f" · {md(item.datasets[0])}"))
        st.text(row["output"])

    given = answered.get((item.fingerprint, item.row_id), {})
    for question in scheme.questions:
        st.markdown(md(question.text))
        current = given.get(question.id)
        if scheme.items == "pair":
            current = shown_answer(current, first_on_left)
        for column, option in zip(st.columns(len(question.answers)), question.answers, strict=True):
            screen = shown_answer(option.value, first_on_left=True)  # the scheme's order
            value = (
                stored_answer(question, screen, first_on_left) if scheme.items == "pair" else screen
            )
            column.button(
                option.label,
                key=f"spot_{item.fingerprint}_{item.row_id}_{question.id}_{option.value}",
                shortcut=option.key,
                type="primary" if current == screen else "secondary",
                on_click=_answer,
                args=(item, question.id, value),
                width="stretch",
            )
    if scheme.note:
        note_key = f"spot_note_{item.fingerprint}_{item.row_id}"
        st.session_state.setdefault(
            note_key, store.notes(scheme.name, annotator).get((item.fingerprint, item.row_id), "")
        )
        st.text_area("Note (saved with your answers)", key=note_key, height=68)


labelling()
st.divider()
st.subheader("Summary")
# Drawn with the page, and again on Enter: a summary refreshed on a timer would rerun while
# the annotator types, and a key pressed during that rerun could be lost.
st.button("Update summary", key="spot_update_summary", shortcut="Enter")


def summary_section() -> None:
    labels = store.frame(scheme=scheme.name)
    labels = labels[labels["fingerprint"].isin({i.fingerprint for i in queue})]
    if labels.empty:
        st.caption("No labels yet.")
        return
    whose = st.radio(
        "Labels of", ["everyone", annotator], horizontal=True, key="spot_summary_whose"
    )
    if whose != "everyone":
        labels = labels[labels["annotator"] == annotator]
    if scheme.kind == "quality":
        table = summary.quality_table(summary.quality_summary(labels, scheme), scheme)
        figure_with_exports(quality_figure(table), table, f"{scheme.name}-quality")
    elif scheme.kind == "rating":
        names_by_fingerprint = {d.fingerprint: name for name, d in datasets.items()}
        table = summary.rating_distribution(labels, scheme, names_by_fingerprint)
        figure_with_exports(rating_figure(table), table, f"{scheme.name}-ratings")
    else:
        table = summary.pairwise_summary(labels, scheme, tuple(datasets))
        figure_with_exports(pairwise_figure(table), table, f"{scheme.name}-pairwise")
    if scheme.kind == "quality":
        table = table[["text", "yes_percent", "yes", "n"]].rename(
            columns={"text": "question", "yes_percent": "yes (95% Wilson interval)"}
        )
    st.dataframe(table, hide_index=True, width="stretch")
    st.markdown("**Agreement between annotators**")
    st.dataframe({q.id: agreement(labels, scheme, q.id) for q in scheme.questions}, width="stretch")


summary_section()
