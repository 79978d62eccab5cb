"""Judge: an LLM judge's scores and verdicts (a judge run folder or GPT-4-LLM's score file):
per-model means, relative scores, win / tie / loss, each verdict beside the judge's reply, and
the agreement with people's spot-check labels of the same answers.

Every statistic comes from analysis.scores; this page only reads widgets and draws.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis import registry
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
from app_pages import backend_panel
from app_pages.components import figure_with_exports, md, text_table
from generation.judge import launcher as judge_launcher
from generation.judge.run_folder import COMPARE_SCORE, JUDGE, JudgeConfig
from generation.judge.steps import MODES, SINGLE

BUNDLED_LABEL = "GPT-4-LLM scores (bundled: GPT-4, GPT-3.5, OPT-IML 1.3B)"
NO_REFERENCE = "(none)"
#: Two of the bundled models' answers to the 252 user-oriented instructions.
JUDGE_DEFAULT_ANSWERS = ("predictions/text-davinci-003", "predictions/davinci-self-instruct")

st.title("Judge")
st.caption(
    "An LLM judge's verdicts on models' answers: scores per model with 95% intervals, scores "
    "relative to a reference model (GPT-4-LLM Fig. 4), and win / tie / loss of pairwise "
    "verdicts given in both orders (a verdict that changes with the order is a tie)."
)


def run_judgment_from_page() -> None:
    """Start a judge (or compare-score) run in the background on the sidebar's model backend;
    the run's folder is then in the picker below, and this panel shows its progress."""
    with st.expander("Run a judgment", expanded=not run_folders(runs_dir())):
        names = [info.name for info in registry.all_datasets()]
        defaults = [n for n in JUDGE_DEFAULT_ANSWERS if n in names]
        answers = st.multiselect(
            "Answer sets (datasets answering the same questions)",
            names,
            default=defaults,
            key="judge_new_answers",
        )
        left, middle, right = st.columns(3)
        kind = left.selectbox(
            "What",
            [JUDGE, COMPARE_SCORE],
            key="judge_new_pipeline",
            format_func={JUDGE: "judge", COMPARE_SCORE: "comparison data"}.get,
        )
        mode = middle.selectbox("Mode", MODES, key="judge_new_mode", disabled=kind != JUDGE)
        limit = right.number_input("Questions (0: all)", 0, 100_000, 10, key="judge_new_limit")
        name = st.text_input("Run name", placeholder="made from the settings", key="judge_new_name")
        if st.button("Start judging", key="judge_new_start", type="primary"):
            try:
                backend = backend_panel.current_config()
                config = JudgeConfig(
                    answers=tuple(answers),
                    mode=mode if kind == JUDGE else SINGLE,
                    pipeline=kind,
                    limit=int(limit) or None,
                    backend=backend.kind,
                    model=backend.model,
                    base_url=backend.base_url,
                )
                run_dir = runs_dir() / judge_launcher.run_name(name, config)
                judge_launcher.start(config, run_dir)
            except WorkbenchError as error:
                st.error(md(error))
                return
            backend_panel.remember_run(run_dir)
            st.session_state["judge_watch"] = str(run_dir)
        if watched := st.session_state.get("judge_watch"):
            _watch(Path(watched))


@st.fragment(run_every=2.0)
def _watch(run_dir: Path) -> None:
    snapshot = judge_launcher.status(run_dir)
    state = snapshot.state
    text = f"{run_dir.name}: {snapshot.status}, {state.done} of {state.total or '…'} requests"
    if state.total:
        text += (
            f" ({state.parsed} verdicts parsed, {state.unparsed} unparsed, {state.failed} failed)"
        )
    st.progress(min(1.0, state.done / state.total) if state.total else 0.0, text=md(text))
    if state.error:
        st.error(md(state.error))
    if snapshot.running:
        if st.button("Stop", key="judge_stop"):
            judge_launcher.stop(run_dir)
    elif st.session_state.pop("judge_watch", None):
        st.session_state["judge_pick"] = run_dir.name  # picked on the rerun, before the widget
        st.rerun()  # the run ended: read its verdicts


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
    if (pick := st.session_state.pop("judge_pick", None)) in choices:
        st.session_state["judge_source"] = pick
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
