"""The sidebar's model-backend section: endpoint and model in use, whether it answers, usage.

The choice lives in session_state (never on disk); the API key is read from the environment
only (OPENAI_API_KEY) and never shown.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.paths import runs_dir
from app_pages import url_state
from app_pages.components import md
from generation import launcher
from generation.backend import BACKENDS, LOCAL, BackendConfig, backend_status, resolve_backend
from generation.errors import BackendError
from generation.usage import UsageCounter, cost_text

BACKEND_KEY = "backend_kind"
MODEL_KEY = "backend_model"
BASE_URL_KEY = "backend_base_url"
SESSION_RUNS_KEY = "session_runs"
RUNS_PARAM = "runs"


def current_config() -> BackendConfig:
    """The backend the pages should use (raises BackendError when it is misconfigured)."""
    return resolve_backend(
        st.session_state.get(BACKEND_KEY) or None,
        st.session_state.get(MODEL_KEY) or None,
        st.session_state.get(BASE_URL_KEY) or None,
    )


def remember_run(run_dir: Path) -> None:
    """A run this browser session started (or resumed): its usage counts in the sidebar."""
    runs = st.session_state.setdefault(SESSION_RUNS_KEY, [])
    if str(run_dir) not in runs:
        runs.append(str(run_dir))


def _keep_runs_in_url() -> None:
    """The session's runs live in the URL too (by folder name), so a reload keeps the count."""
    if SESSION_RUNS_KEY not in st.session_state and RUNS_PARAM in st.query_params:
        names = st.query_params.get_all(RUNS_PARAM)
        found = [runs_dir() / name for name in names if (runs_dir() / name).is_dir()]
        st.session_state[SESSION_RUNS_KEY] = [str(path) for path in found]
    url_state.save(
        RUNS_PARAM, [Path(run).name for run in st.session_state.get(SESSION_RUNS_KEY, [])]
    )


def session_usage_text() -> str:
    """Tokens and cost of the runs this session started, as their run folders record them."""
    runs = st.session_state.get(SESSION_RUNS_KEY, [])
    if not runs:
        return "Runs started in this session: none yet."
    usages = (launcher.run_usage(Path(run)) for run in runs)
    usage = sum(usages, UsageCounter())
    return (
        f"Runs started in this session: {len(runs)}, {usage.total_tokens:,} tokens, "
        f"cost {cost_text(usage)}"
    )


def render() -> None:
    _keep_runs_in_url()
    with st.sidebar.expander("Model backend"):
        st.selectbox(
            "Backend",
            ["(automatic)", *BACKENDS],
            key=BACKEND_KEY + "_widget",
            on_change=_keep_backend,
        )
        st.text_input("Model", key=MODEL_KEY, placeholder="default")
        st.text_input("Base URL", key=BASE_URL_KEY, placeholder="OPENAI_BASE_URL or api.openai.com")
        st.caption("The API key is read from OPENAI_API_KEY only; it is never shown or saved.")
        try:
            config = current_config()
        except BackendError as error:
            st.error(md(error))
            return
        st.text(f"{config.endpoint}\nmodel: {config.model}")
        if st.button("Check connection", key="backend_check"):
            status = backend_status(config)
            if status["reachable"] and not status["error"]:
                st.success("answers" if config.kind != LOCAL else "ready (starts on first request)")
            else:
                st.error(md(status["error"] or "not reachable"))
        st.caption(session_usage_text())


def _keep_backend() -> None:
    value = st.session_state[BACKEND_KEY + "_widget"]
    st.session_state[BACKEND_KEY] = None if value == "(automatic)" else value
