"""Judge: an LLM judge's scores and verdicts (a judge run folder or GPT-4-LLM's score file):
per-model means, relative scores, win / tie / loss, each verdict beside the judge's reply, and
the agreement with people's spot-check labels of the same answers.

Every statistic comes from analysis.scores; this page only reads widgets and draws.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.annotations.schemes import all_schemes
from analysis.annotations.store import LabelStore
from analysis.errors import WorkbenchError
from analysis.figures.scores import (
    relative_score_figure,
    score_distribution_figure,
    win_tie_loss_figure,
)
from analysis.figures.style import series_colours
from analysis.judge_runs import SCORE_FILE, JudgeRun, read_scores, run_folders, source_version
from analysis.paths import GPT4_LLM_SCORES_PATH, runs_dir
from analysis.score_agreement import spot_check_agreement
from analysis.scores import (
    INTERVAL,
    pair_outcomes,
    pair_table,
    relative_scores,
    report,
    score_frequencies,
    score_rows,
    score_summary,
    summary_table,
    verdict_table,
    win_tie_loss,
)
from app_pages.components import figure_with_exports, md, text_table

BUNDLED_LABEL = "GPT-4-LLM scores (bundled: GPT-4, GPT-3.5, OPT-IML 1.3B)"
NO_REFERENCE = "(none)"

st.title("Judge")
st.caption(
    "An LLM judge's verdicts on models' answers: scores per model with 95% intervals, scores "
    "relative to a reference model (GPT-4-LLM Fig. 4), and win / tie / loss of pairwise "
    "verdicts given in both orders (a verdict that changes with the order is a tie)."
)


def run_judgment_from_page() -> None:
    """--- Run a judgment from the page: to be wired after merge ---

    The judge pipeline (generation/judge, `python -m generation judge|compare-score`) is
    built on another branch. Once merged, its launcher starts a run here (as the Generate page
    starts Self-Instruct) into a folder under the workspace's runs, which the picker below
    lists. Until then this says how to make a run; it starts nothing.
    """
    with st.expander("Run a judgment"):
        st.caption(
            "Starting a judgment from this page is not wired yet. Run "
            "`python -m generation judge ... --out DIR` (or `compare-score`) on the command "
            "line and open DIR below; a folder under the workspace's runs is listed by itself."
        )


@st.cache_resource(show_spinner="Reading the judge scores…", max_entries=8)
def _read(path: str, version: tuple) -> JudgeRun | str:
    """The run or score file, or why it cannot be read; `version` makes a file that changed
    (a run still writing) read again."""
    try:
        return read_scores(path)
    except WorkbenchError as error:
        return str(error)


def chosen_source() -> str | None:
    folders = {path.name: str(path) for path in run_folders(runs_dir())}
    choices = {**folders, BUNDLED_LABEL: str(GPT4_LLM_SCORES_PATH)}
    left, right = st.columns([2, 3])
    picked = left.selectbox("Judge run or score file", list(choices), key="judge_source")
    typed = right.text_input(
        "…or a path (a run folder, or a JSON file of scores per model)", key="judge_path"
    ).strip()
    return typed or choices.get(picked)


run_judgment_from_page()
path = chosen_source()
if not path:
    st.stop()
if not Path(path).exists():
    st.error(md(f"{path}: no file or folder at this path"))
    st.stop()
loaded = _read(path, source_version(path))
if isinstance(loaded, str):
    st.error(md(loaded))
    st.stop()
judged: JudgeRun = loaded
for warning in judged.warnings:
    st.warning(md(warning))
st.caption(
    md(
        f"{judged.kind}, {judged.mode} mode, {len(judged.verdicts):,} verdicts"
        + (f", judge {judged.judge_model}" if judged.judge_model else "")
    )
)

left, right = st.columns(2)
categories = (
    left.multiselect(
        "Categories (all when none is chosen)", judged.categories, key="judge_categories"
    )
    if judged.categories
    else []
)
reference = None
if judged.mode != "pairwise":
    options = [NO_REFERENCE, *judged.models]
    default = judged.reference_model if judged.reference_model in options else NO_REFERENCE
    picked = right.selectbox(
        "Reference model (relative scores)",
        options,
        index=options.index(default),
        key="judge_reference",
    )
    reference = None if picked == NO_REFERENCE else picked
shown = judged.in_categories(categories)
if shown.verdicts.empty:
    st.info("No verdicts in these categories.")
    st.stop()
colours = series_colours(judged.models)

st.subheader("Per model")
result = report(shown, reference)
st.dataframe(summary_table(result), hide_index=True, width="stretch")
if judged.mode != "pairwise":
    unit = "parsed scores" if judged.kind == SCORE_FILE else "questions with a parsed score"
    st.caption(md(f"n: {unit}; interval: {INTERVAL}."))

if judged.mode != "pairwise":
    rows = score_rows(shown)
    frequencies = score_frequencies(rows)
    st.subheader("Score distribution")
    figure_with_exports(
        score_distribution_figure(frequencies, colours), frequencies, "judge-score-distribution"
    )
    if reference:
        st.subheader("Relative scores")
        relative = relative_scores(rows, reference)
        figure_with_exports(relative_score_figure(relative), relative, "judge-relative-scores")
if judged.mode != "single":
    outcomes = pair_outcomes(shown)
    pairs = pair_table(outcomes)
    st.subheader("Wins, ties and losses")
    figure_with_exports(win_tie_loss_figure(pairs), pairs, "judge-win-tie-loss")
    if judged.mode == "pairwise":
        st.caption(
            md(
                f"{result['flips']} of {result['comparisons']} comparisons changed verdict "
                "with the order the answers were shown in; they count as ties."
            )
        )

if judged.categories:
    st.subheader("Per category")
    by = ("model", "category")
    table = win_tie_loss(outcomes, by) if judged.mode == "pairwise" else score_summary(rows, by)
    st.dataframe(table, hide_index=True, width="stretch")

st.subheader("Verdicts")
if judged.kind == SCORE_FILE:
    st.caption("A score file holds scores only: no questions, answers or judge replies.")
else:
    verdicts = verdict_table(shown)
    text_table(verdicts, ["question", "raw"])
    number = st.number_input("Verdict to read", 1, len(verdicts), 1, key="judge_verdict")
    row = verdicts.iloc[int(number) - 1]
    st.markdown(
        md(
            f"{row['question_id']} · {row['models']} · {row['order']} order · verdict: {row['verdict']}"
        )
    )
    question_column, reply_column = st.columns(2)
    question_column.markdown("**Question**")
    question_column.text(row["question"])
    reply_column.markdown("**Judge's reply**")
    reply_column.text(row["raw"] or "(no reply: the request failed)")

st.subheader("Agreement with spot-check labels")
if not judged.fingerprints:
    st.caption(
        "These scores do not say which answer sets were judged (a score file, or a run with no "
        "manifest yet), so they cannot be matched with people's labels."
    )
else:
    agreement = spot_check_agreement(shown, LabelStore().frame(), all_schemes())
    if agreement.empty:
        st.caption("No spot-check labels of these answers yet (Spot-check page).")
    else:
        st.dataframe(agreement, hide_index=True, width="stretch")
        st.caption(
            "Ratings and yes/no questions: Spearman's rho and Kendall's tau between the judge's "
            "score and the answer. Pairwise questions: percent agreement and Cohen's kappa "
            "between the judge's verdict and each annotator."
        )
