"""The sidebar's model-backend section: endpoint and model in use, whether it answers, usage.

The choice lives in session_state (never on disk); the API key is read from the environment
only (OPENAI_API_KEY) and never shown.
"""

from __future__ import annotations

import streamlit as st

from generation.backend import BACKENDS, LOCAL, BackendConfig, backend_status, resolve_backend
from generation.client import UsageTotals
from generation.errors import BackendError

BACKEND_KEY = "backend_kind"
MODEL_KEY = "backend_model"
BASE_URL_KEY = "backend_base_url"
USAGE_KEY = "llm_usage"


def current_config() -> BackendConfig:
    """The backend the pages should use (raises BackendError when it is misconfigured)."""
    return resolve_backend(
        st.session_state.get(BACKEND_KEY) or None,
        st.session_state.get(MODEL_KEY) or None,
        st.session_state.get(BASE_URL_KEY) or None,
    )


def session_usage() -> UsageTotals:
    """Tokens and cost of every request this browser session made (pages add theirs here)."""
    return st.session_state.setdefault(USAGE_KEY, UsageTotals())


def record_usage(totals: UsageTotals) -> None:
    usage = session_usage()
    for field in (
        "replies",
        "cached",
        "failed",
        "truncated",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "unpriced",
    ):
        setattr(usage, field, getattr(usage, field) + getattr(totals, field))


def render() -> None:
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
            st.error(str(error))
            return
        st.text(f"{config.endpoint}\nmodel: {config.model}")
        if st.button("Check connection", key="backend_check"):
            status = backend_status(config)
            if status["reachable"] and not status["error"]:
                st.success("answers" if config.kind != LOCAL else "ready (starts on first request)")
            else:
                st.error(status["error"] or "not reachable")
        usage = session_usage()
        cost = f"${usage.cost:.4f}" + (f" (+{usage.unpriced} unpriced)" if usage.unpriced else "")
        st.caption(
            f"This session: {usage.replies} replies ({usage.cached} cached), {usage.total_tokens} tokens, {cost}"
        )


def _keep_backend() -> None:
    value = st.session_state[BACKEND_KEY + "_widget"]
    st.session_state[BACKEND_KEY] = None if value == "(automatic)" else value
