"""Teacher answers: a teacher model answers the current dataset's instructions (GPT-4-LLM), in
English or in Chinese; launch, watch, stop, resume, read the failures, open the result.

The run works in a background process (generation.answer.launcher); this page only reads its
folder, so reruns, page switches and closed tabs never disturb it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis import registry
from analysis.errors import WorkbenchError
from analysis.paths import runs_dir
from app_pages import backend_panel, choice, data
from app_pages.components import failure_log, md, text_table
from generation.answer import launcher, report
from generation.answer.records import RETRIED
from generation.answer.run_folder import AnswerConfig
from generation.answer.steps import LANGS, TEMPLATE_FILES, ZH
from generation.backend import BACKENDS, LOCAL
from generation.client import default_concurrency
from generation.prompt_versions import VersionStore
from generation.run_status import RunStatus
from generation.usage import cost_text

POLL_SECONDS = 2.0
LANG_NAMES = {"en": "English", ZH: "Chinese (translated first)"}

st.title("Teacher answers")
st.caption(
    "GPT-4-LLM (Peng et al. 2023): a teacher model answers every instruction of a dataset with "
    "Alpaca's prompts (temperature 1.0, top_p 1.0, 512 tokens), in English, or in Chinese after "
    "translating the instruction and its input. Answers cut by the length limit are kept and "
    "flagged; a row without an answer is listed below with its cause."
)


def _current_backend() -> tuple[str, str]:
    """The sidebar's backend choice is this page's default."""
    try:
        config = backend_panel.current_config()
    except WorkbenchError:
        return LOCAL, ""
    return config.kind, config.model


def _start(run_dir: Path, config: AnswerConfig) -> None:
    try:
        launcher.start(config, run_dir)
    except WorkbenchError as error:
        st.error(md(error))
        return
    backend_panel.remember_run(run_dir)
    st.session_state["teacher_show_run"] = run_dir.name  # selected on the rerun, before the widget
    st.rerun()


with st.expander("New run", expanded=not launcher.list_runs()):
    source = choice.primary_name()
    dataset = data.require(source)
    st.markdown(
        f"Instructions: **{md(source)}** ({len(dataset.frame):,} rows; choose another dataset in "
        "the sidebar)"
    )
    kind, model = _current_backend()
    left, middle, right = st.columns(3)
    lang = left.selectbox("Language", LANGS, format_func=LANG_NAMES.get, key="teacher_lang")
    limit = middle.number_input(
        "Rows to answer (the first ones)",
        1,
        len(dataset.frame),
        min(20, len(dataset.frame)),
        key="teacher_limit",
    )
    concurrency = right.number_input(
        "Concurrency", 1, 64, default_concurrency(kind), key="teacher_concurrency"
    )
    left, middle, right = st.columns(3)
    backend = left.selectbox("Backend", BACKENDS, index=BACKENDS.index(kind), key="teacher_backend")
    model_name = middle.text_input("Model (the teacher)", value=model, key="teacher_model")
    run_name = right.text_input(
        "Run name", placeholder="generated from the settings", key="teacher_name"
    )
    base_url = st.text_input(
        "Endpoint (OpenAI-compatible base URL; the API key comes from OPENAI_API_KEY)",
        key="teacher_base_url",
    )
    used = set(TEMPLATE_FILES[lang].values())
    chosen_versions = st.multiselect(
        "Template versions (saved in the Prompt playground; none: the built-in templates)",
        [version.name for version in VersionStore().saved() if version.template in used],
        key="teacher_template_versions",
    )
    if st.button("Start", key="teacher_start", type="primary"):
        try:
            config = AnswerConfig(
                source=source,
                lang=lang,
                limit=int(limit),
                backend=backend,
                model=model_name.strip() or None,
                base_url=base_url.strip() or None,
                concurrency=int(concurrency),
                template_versions=tuple(chosen_versions),
            )
        except WorkbenchError as error:
            st.error(md(error))
        else:
            _start(runs_dir() / launcher.run_name(run_name, config), config)

runs = [path.name for path in launcher.list_runs()]
if not runs:
    st.info("No runs yet: start one above. The runs live in the workspace's runs/ folder.")
    st.stop()
if "teacher_show_run" in st.session_state:
    st.session_state["teacher_run"] = st.session_state.pop("teacher_show_run")
if st.session_state.get("teacher_run") not in runs:
    st.session_state["teacher_run"] = runs[0]
run_dir = runs_dir() / st.selectbox("Run", runs, key="teacher_run")


def _progress_panel(run_dir: Path, watching: bool) -> None:
    snapshot = launcher.status(run_dir)
    state = snapshot.state
    st.progress(
        min(1.0, state.done / max(state.total, 1)),
        text=report.progress_text(state, snapshot.status, snapshot.eta_seconds),
    )
    usage = state.live_usage()
    columns = st.columns(5)
    columns[0].metric("Answered", state.answered)
    columns[1].metric("Truncated", state.truncated)
    columns[2].metric("Failed", state.failures)
    columns[3].metric("Tokens", f"{usage.total_tokens:,}")
    columns[4].metric("Cost", cost_text(usage))
    if state.done:
        st.caption(md(report.outcome_text(state)))
    if state.error:
        st.error(md(state.error))
    if watching and not snapshot.running:
        st.rerun()  # the run ended: redraw the whole page (buttons, failures)


status = launcher.status(run_dir)
config = status.config
if config is not None:
    st.caption(
        md(
            f"{config.source} · {LANG_NAMES[config.lang]} · model {config.model or 'default'} · "
            f"backend {config.backend or 'default'} · folder {run_dir}"
        )
    )
st.fragment(_progress_panel, run_every=POLL_SECONDS if status.running else None)(
    run_dir, status.running
)

stop_column, resume_column, open_column = st.columns(3)
retryable = status.status is RunStatus.DONE and any(c in RETRIED for c in status.state.failed)
if status.running:
    stopping = status.status is RunStatus.STOPPING
    if stop_column.button("Stop", key="teacher_stop", disabled=stopping):
        launcher.stop(run_dir)
        st.rerun()  # the progress line says "stopping" until the requests in flight are answered
elif config is not None and (status.status.resumable or retryable):
    label = "Resume" if status.status.resumable else "Ask the failed requests again"
    if resume_column.button(label, key="teacher_resume"):
        _start(run_dir, config)
if status.has_dataset:
    name = f"runs/{run_dir.name}"
    if open_column.button("Open in the workbench", key="teacher_open"):
        info = registry.add_user_dataset(name, path=run_dir, replace=True)
        choice.choose(
            info.name, f"{info.name} ({info.rows:,} rows) is now the dataset every page shows."
        )
        st.rerun()
    st.caption(
        md(
            f"The answers keep their source rows' ids: on Compare models, choose {name} beside "
            f"{config.source if config else 'the source'}. In a notebook: "
            f'load_dataset("{run_dir}"); on the command line: python -m analysis stats {run_dir}'
        )
    )
failure_log(run_dir, status.status is RunStatus.FAILED)

st.subheader("Rows without an answer")
failures = launcher.failures_frame(run_dir)
if failures.empty:
    st.caption("None so far.")
else:
    st.caption(f"{len(failures)} row(s); a failed request is asked again when the run resumes.")
    text_table(failures, ["detail", "instruction", "input"])
