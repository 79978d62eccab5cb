"""Generate: launch a Self-Instruct or Alpaca run, watch it, stop or resume it, explore it.

The run works in a background process (generation.self_instruct.launcher); this page only
reads its folder, so reruns, page switches and closed tabs never disturb it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from analysis import registry
from analysis.errors import WorkbenchError
from analysis.paths import runs_dir
from app_pages import backend_panel, choice
from app_pages.components import failure_log, md
from generation import run_files
from generation.backend import BACKENDS, LOCAL
from generation.client import default_concurrency
from generation.prompt_versions import VersionStore
from generation.self_instruct import launcher, report
from generation.self_instruct import run_folder as rf
from generation.self_instruct.run_folder import RunConfig
from generation.self_instruct.state import RunStatus
from generation.self_instruct.variants import VARIANTS
from generation.usage import cost_text

POLL_SECONDS = 2.0

st.title("Generate")
st.caption(
    "Self-Instruct (Wang et al. 2022) or Alpaca's variant on the configured model: every "
    "candidate is kept with its verdict, the filter that rejected it and its nearest instruction."
)


def _current_backend() -> tuple[str, str]:
    """The sidebar's backend choice is this page's default."""
    try:
        config = backend_panel.current_config()
    except WorkbenchError:
        return LOCAL, ""
    return config.kind, config.model


def _start(run_dir: Path, config: RunConfig) -> None:
    try:
        launcher.start(config, run_dir)
    except WorkbenchError as error:
        st.error(md(error))
        return
    backend_panel.remember_run(run_dir)
    st.session_state["gen_show_run"] = run_dir.name  # selected on the rerun, before the widget
    st.rerun()


with st.expander("New run", expanded=not launcher.list_runs()):
    kind, model = _current_backend()
    left, middle, right = st.columns(3)
    template = left.selectbox("Pipeline", list(VARIANTS), key="gen_template")
    backend = middle.selectbox("Backend", BACKENDS, index=BACKENDS.index(kind), key="gen_backend")
    model_name = right.text_input("Model", value=model, key="gen_model")
    base_url = st.text_input(
        "Endpoint (OpenAI-compatible base URL; the API key comes from OPENAI_API_KEY)",
        key="gen_base_url",
    )
    used = set(VARIANTS[template].templates.values())
    versions = [v.name for v in VersionStore().saved() if v.template in used]
    chosen_versions = st.multiselect(
        "Template versions (saved in the Prompt playground; none: the built-in templates)",
        versions,
        key="gen_template_versions",
    )
    left, middle, right = st.columns(3)
    target = left.number_input("Instructions to keep", 1, 100_000, 20, key="gen_target")
    concurrency = middle.number_input(
        "Concurrency", 1, 64, default_concurrency(backend), key="gen_concurrency"
    )
    run_name = right.text_input(
        "Run name", placeholder="generated from the settings", key="gen_name"
    )
    if st.button("Start", key="gen_start", type="primary"):
        config = RunConfig(
            template=template,
            target=int(target),
            backend=backend,
            model=model_name.strip() or None,
            base_url=base_url.strip() or None,
            concurrency=int(concurrency),
            template_versions=tuple(chosen_versions),
        )
        _start(runs_dir() / launcher.run_name(run_name, config), config)

runs = [path.name for path in launcher.list_runs()]
if not runs:
    st.info("No runs yet: start one above. The runs live in the workspace's runs/ folder.")
    st.stop()
if "gen_show_run" in st.session_state:
    st.session_state["gen_run"] = st.session_state.pop("gen_show_run")
if st.session_state.get("gen_run") not in runs:
    st.session_state["gen_run"] = runs[0]
run_dir = runs_dir() / st.selectbox("Run", runs, key="gen_run")


def _progress_panel(run_dir: Path, watching: bool) -> None:
    snapshot = launcher.status(run_dir)
    state = snapshot.state
    done, total = state.stage_progress()
    total = total or state.target
    st.progress(
        min(1.0, done / max(total, 1)),
        text=report.progress_text(state, snapshot.status, snapshot.eta_seconds),
    )
    usage = state.live_usage()
    rejects = state.rejects()
    columns = st.columns(5)
    columns[0].metric("Kept", f"{state.kept} / {state.target}")
    columns[1].metric("Candidates", state.candidates)
    columns[2].metric("Rejected", sum(rejects.values()))
    columns[3].metric("Tokens", f"{usage.total_tokens:,}")
    columns[4].metric("Cost", cost_text(usage))
    tasks = run_files.read_jsonl(run_dir / rf.TASKS_FILE) if snapshot.has_dataset else []
    for note in (report.beyond_target_text(state), report.dropped_text(state, tasks)):
        if note:
            st.caption(md(note))
    if rejects:
        frame = pd.DataFrame({"reason": list(rejects), "candidates": list(rejects.values())})
        st.dataframe(frame, hide_index=True, key="gen_rejects")
    if state.error:
        st.error(md(state.error))
    if state.stop_reason:
        st.warning(md(f"Stopped early: {state.stop_reason}"))
    if watching and not snapshot.running:
        st.rerun()  # the run ended: redraw the whole page (buttons, candidates)


status = launcher.status(run_dir)
config = status.config
st.caption(
    md(
        f"{config.template} · model {config.model or 'default'} · "
        f"backend {config.backend or 'default'} · folder {run_dir}"
    )
)
st.fragment(_progress_panel, run_every=POLL_SECONDS if status.running else None)(
    run_dir, status.running
)

stop_column, resume_column, open_column = st.columns(3)
if status.running:
    stopping = status.status is RunStatus.STOPPING
    if stop_column.button("Stop", key="gen_stop", disabled=stopping):
        launcher.stop(run_dir)
        st.rerun()  # the progress line says "stopping" until the requests in flight are answered
elif status.status.resumable and resume_column.button("Resume", key="gen_resume"):
    _start(run_dir, config)
if status.has_dataset and open_column.button("Open in the workbench", key="gen_open"):
    name = f"runs/{run_dir.name}"
    info = registry.add_user_dataset(name, path=run_dir, replace=True)
    choice.choose(
        info.name, f"{info.name} ({info.rows:,} rows) is now the dataset every page shows."
    )
    st.rerun()
failure_log(run_dir, status.status is RunStatus.FAILED)

st.subheader("Candidates")
frame = launcher.candidates_frame(run_dir)
left, right = st.columns(2)
verdicts = left.multiselect(
    "Verdict", sorted(frame["verdict"].dropna().unique()), key="gen_verdicts"
)
reasons = right.multiselect("Reason", sorted(frame["reason"].dropna().unique()), key="gen_reasons")
shown = launcher.candidates_table(launcher.filter_candidates(frame, verdicts, reasons))
st.caption(f"{len(shown)} of {len(frame)} candidates")
st.dataframe(
    shown,
    hide_index=True,
    key="gen_candidates",
    column_config={
        "max_rougeL": st.column_config.NumberColumn("max ROUGE-L", format="%.3f"),
        "nearest": st.column_config.TextColumn("nearest instruction"),
    },
)
