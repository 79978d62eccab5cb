"""CITING: the teacher's rubrics per category (editable table), then rounds of student answers
revised by the teacher against them; launch, watch, stop, resume, read each round, export;
then the evaluation of a finished run (its own background worker): win rates by round.

The run works in a background process (generation.citing.launcher); this page only reads and
writes its folder (the rubric table), so reruns and page switches never disturb it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.citing_eval import KIND_LABELS
from analysis.embeddings import installed_default
from analysis.errors import WorkbenchError
from analysis.figures.citing import win_rate_figure
from analysis.paths import runs_dir
from app_pages import choice, data
from app_pages.components import failure_log, figure_with_exports, md, text_table
from generation.backend import BACKENDS, LOCAL
from generation.citing import evaluate, launcher, rubrics
from generation.citing import run_folder as rf
from generation.citing.finetune import installed_command, untrained_notes
from generation.citing.records import OUTCOME_WORDS
from generation.citing.run_folder import CitingConfig
from generation.run_status import RunStatus
from generation.usage import cost_text

POLL_SECONDS = 2.0
DEFAULTS = CitingConfig(source="")

st.title("CITING")
st.caption(
    "CITING (Feng et al. 2023): the dataset is split 8:1:1; a teacher groups training "
    "instructions into categories and writes criteria for each (the rubric table below, "
    "editable); then, round after round, the student answers and the teacher revises each "
    "answer against its category's criteria. The teacher's prompts are our reconstruction: the "
    "paper publishes none."
)


def _start(run_dir: Path, config: CitingConfig) -> None:
    try:
        launcher.start(config, run_dir)
    except WorkbenchError as error:
        st.error(md(error))
        return
    st.session_state["citing_show_run"] = run_dir.name
    st.rerun()


def _endpoint(role: str, column) -> tuple[str, str | None, str | None]:
    backend = column.selectbox(
        f"{role.title()} backend",
        BACKENDS,
        index=BACKENDS.index(LOCAL),
        key=f"citing_{role}_backend",
    )
    model = column.text_input(f"{role.title()} model", key=f"citing_{role}_model")
    url = column.text_input(f"{role.title()} endpoint", key=f"citing_{role}_base_url")
    return backend, model.strip() or None, url.strip() or None


with st.expander("New run", expanded=not launcher.list_runs()):
    source = choice.primary_name()
    dataset = data.require(source)
    st.markdown(f"Instructions: **{md(source)}** ({len(dataset.frame):,} rows)")
    columns = st.columns(4)
    rounds = columns[0].number_input("Rounds", 1, 20, DEFAULTS.rounds, key="citing_rounds")
    limit = columns[1].number_input(
        "Instructions per round", 1, 100_000, DEFAULTS.limit, key="citing_limit"
    )
    categories = columns[2].number_input(
        "Categories (at most)", 1, 50, DEFAULTS.categories, key="citing_categories"
    )
    category_sample = columns[3].number_input(
        "Instructions the teacher groups",
        2,
        1000,
        DEFAULTS.category_sample,
        key="citing_category_sample",
    )
    left, right = st.columns(2)
    teacher = _endpoint("teacher", left)
    student = _endpoint("student", right)
    left, middle, right = st.columns(3)
    seed = left.number_input("Split seed", 0, 2**31 - 1, DEFAULTS.seed, key="citing_seed")
    embedding = middle.text_input(
        "Embedding model (assigns the rest; empty: none)",
        installed_default() or "",
        key="citing_embedding_model",
    )
    name = right.text_input("Run name", placeholder="generated", key="citing_name")
    finetune_command = st.text_input(
        "Fine-tuning command between rounds (empty: the student stays the same)",
        installed_command() or "",
        key="citing_finetune_command",
        help="Run after each round but the last, on that round's revisions "
        "(generation/citing/finetune.py says what it is given and must write). The default "
        "trains LoRA on the CPU from the embedded SmolLM2 student and serves the result; for "
        "another student, give your own trainer's command (README, CITING).",
    )
    rubrics_only = st.checkbox(
        "Stop after the rubric table, to edit it before the rounds",
        value=True,
        key="citing_rubrics_only",
    )
    if st.button("Start", key="citing_start", type="primary"):
        try:
            config = CitingConfig(
                source=source,
                rounds=int(rounds),
                limit=int(limit),
                categories=int(categories),
                category_sample=int(category_sample),
                seed=int(seed),
                teacher_backend=teacher[0],
                teacher_model=teacher[1],
                teacher_base_url=teacher[2],
                student_backend=student[0],
                student_model=student[1],
                student_base_url=student[2],
                embedding_model=embedding.strip() or None,
                finetune_command=finetune_command.strip() or None,
                rubrics_only=rubrics_only,
            )
        except WorkbenchError as error:
            st.error(md(error))
        else:
            _start(runs_dir() / launcher.run_name(name, config), config)

runs = [path.name for path in launcher.list_runs()]
if not runs:
    st.info("No runs yet: start one above. The runs live in the workspace's runs/ folder.")
    st.stop()
if "citing_show_run" in st.session_state:
    st.session_state["citing_run"] = st.session_state.pop("citing_show_run")
if st.session_state.get("citing_run") not in runs:
    st.session_state["citing_run"] = runs[0]
run_dir = runs_dir() / st.selectbox("Run", runs, key="citing_run")


def _progress_panel(run_dir: Path, watching: bool) -> None:
    snapshot = launcher.status(run_dir)
    state = snapshot.state
    st.progress(
        min(1.0, state.rounds_done / max(state.rounds, 1)),
        text=f"{snapshot.status} · {state.summary_line()}",
    )
    usage = state.total_usage()
    columns = st.columns(3)
    columns[0].metric("Rounds done", f"{state.rounds_done} / {state.rounds}")
    columns[1].metric("Tokens", f"{usage.total_tokens:,}")
    columns[2].metric("Cost", cost_text(usage))
    command = snapshot.config.finetune_command if snapshot.config else None
    for note in untrained_notes(state.outcomes, state.rounds, command):
        st.warning(md(note))
    if state.error:
        st.error(md(state.error))
    if watching and not snapshot.running:
        st.rerun()


snapshot = launcher.status(run_dir)
config = snapshot.config
st.fragment(_progress_panel, run_every=POLL_SECONDS if snapshot.running else None)(
    run_dir, snapshot.running
)
if snapshot.running:
    if st.button("Stop", key="citing_stop", disabled=snapshot.status is RunStatus.STOPPING):
        launcher.stop(run_dir)
        st.rerun()
elif config is not None and snapshot.status.resumable:
    label = "Start the rounds" if config.rubrics_only else "Resume"
    if st.button(label, key="citing_resume"):
        _start(run_dir, CitingConfig.from_dict({**config.to_dict(), "rubrics_only": False}))
failure_log(run_dir, snapshot.status is RunStatus.FAILED)

st.subheader("Rubric table")
rubric_path = run_dir / rf.RUBRICS_FILE
try:
    table = rubrics.read_rubrics(rubric_path)
except WorkbenchError as error:
    st.error(md(error))
    table = None
st.caption(
    (
        ""
        if table is not None
        else "Not written yet: the teacher writes it first; where its "
        "reply could not be read (a small model's often cannot), write the categories here. "
    )
    + "Criteria and member instructions one per line (members: training instructions, as "
    "written). Saved edits count from the next start of the run; finished rounds keep the "
    "rubrics they used."
)
edited = st.data_editor(
    rubrics.to_frame(table or []),
    num_rows="dynamic",
    width="stretch",
    column_config={name: st.column_config.TextColumn(name) for name in rubrics.COLUMNS},
    key=f"citing_rubrics_{run_dir.name}",
    disabled=snapshot.running,
)
if st.button("Save the rubric table", key="citing_save_rubrics", disabled=snapshot.running):
    try:
        rubrics.write_rubrics(rubric_path, rubrics.from_frame(edited))
    except WorkbenchError as error:
        st.error(md(error))
    else:
        st.success(f"Saved {rubric_path}.")

written = launcher.rounds_written(run_dir)
st.subheader("Rounds")
if not written:
    st.caption("No round finished yet.")
else:
    number = st.selectbox("Round", written, index=len(written) - 1, key="citing_round")
    counts = snapshot.state.outcomes.get(str(number), {})
    st.caption(
        md(", ".join(f"{n} {OUTCOME_WORDS.get(outcome, outcome)}" for outcome, n in counts.items()))
    )
    text_table(
        launcher.round_frame(run_dir, number),
        ["instruction", "student_answer", "revision", "rationale", "detail"],
    )
    folder = rf.round_dir(run_dir, number)
    left, right = st.columns(2)
    for column, file, mime in (
        (left, rf.ALPACA_FILE, "application/json"),
        (right, rf.CHAT_FILE, "application/jsonl"),
    ):
        path = folder / file
        if path.exists():
            column.download_button(
                f"Download {file}",
                path.read_bytes(),
                file_name=f"{run_dir.name}-round_{number}-{file}",
                mime=mime,
                key=f"citing_download_{file}",
            )
    st.caption(md(f"Files in {folder}; the revisions load as a dataset from that folder."))


def _evaluation_panel(run_dir: Path, watching: bool) -> None:
    saved, shown, running = evaluate.status(run_dir)
    step = f" · {md(saved.step)}" if saved and saved.step else ""
    st.caption(f"Evaluation: {shown}{step}")
    if saved and saved.error and not running:
        st.error(md(saved.error))
    if watching and not running:
        st.rerun()


st.subheader("Evaluation")
if snapshot.status is not RunStatus.DONE or snapshot.state.rounds_done < 1:
    st.caption("Once the rounds are done, their students and revisions can be judged here.")
    st.stop()
st.caption(
    "Each round's student answers held-out test instructions; the judge compares round r's "
    "student with round r-1's, and each round's revisions with the answers they revise, in "
    "both orders (a verdict that changes with the order is a tie), on articulation, depth and "
    "comprehensiveness (our reconstruction of CITING's evaluation prompt)."
)
_, eval_status, eval_running = evaluate.status(run_dir)
st.fragment(_evaluation_panel, run_every=POLL_SECONDS if eval_running else None)(
    run_dir, eval_running
)
left, middle, right = st.columns(3)
test_limit = left.number_input("Test instructions", 1, 100_000, 20, key="citing_eval_limit")
max_tokens = middle.number_input(
    "Judge reply limit (tokens)", 16, 8192, evaluate.EvalConfig().max_tokens, key="citing_eval_max"
)
judge = _endpoint("judge", right)
if st.button("Start the evaluation", key="citing_eval_start", disabled=eval_running):
    try:
        evaluate.start(
            run_dir,
            evaluate.EvalConfig(
                test_limit=int(test_limit),
                backend=judge[0],
                model=judge[1],
                base_url=judge[2],
                max_tokens=int(max_tokens),
            ),
        )
    except WorkbenchError as error:
        st.error(md(error))
    else:
        st.rerun()
failure_log(rf.eval_dir(run_dir), eval_status is RunStatus.FAILED)
win_rates = evaluate.read_win_rates(run_dir)
if win_rates is not None:
    shown = win_rates.assign(comparison=win_rates["comparison"].map(KIND_LABELS))
    st.dataframe(shown, hide_index=True, width="stretch")
    figure_with_exports(win_rate_figure(win_rates), win_rates, f"{run_dir.name}-win-rate-by-round")
