"""Prompt playground: edit a step's template and decoding, see the exact prompt, try it on a
few seeds, save versions, compare two A/B, and use a version in a real run (Generate page).

The work is generation.playground's and generation.prompt_versions'; this page wires widgets
to them and runs trials in a background thread (app_pages.background) so Cancel works.
Templates and replies are shown as plain text (st.code), never rendered.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from analysis.defaults import DEFAULT_POOL
from analysis.errors import WorkbenchError
from app_pages import backend_panel
from app_pages.background import BackgroundJob
from app_pages.components import md, text_table
from generation import playground as pg
from generation.client import BatchStopped, SyncLLMClient
from generation.prompt_versions import (
    ORIGINAL,
    TemplateVersion,
    VersionStore,
    diff,
    saved_time,
)
from generation.self_instruct.seeds import load_seed_tasks
from generation.templates import Template, check_placeholders
from generation.usage import cost_text

POLL_SECONDS = 1.0
EDITED = "edited (unsaved)"

st.title("Prompt playground")
st.caption(
    "Edit a pipeline step's prompt and decoding, see the exact prompt sent, try it on a few "
    "seeds and compare versions. Each seed picks the in-context examples (and the embedded "
    "model's sampling seed), so two versions tried on the same seeds see the same examples."
)

store = VersionStore()


@st.cache_data(show_spinner=False)
def _seed_tasks(source: str):
    return load_seed_tasks(source)[0]


def _reset_editor() -> None:
    """A new step, or a version restored: the editor and the decoding start from it."""
    step = pg.STEPS[st.session_state["pg_step"]]
    names = [v.name for v in store.versions(step.template)]
    if st.session_state.get("pg_base") not in names:
        st.session_state["pg_base"] = ORIGINAL
    st.session_state["pg_text"] = store.get(st.session_state["pg_base"], step.template).text
    decoding = step.decoding
    for name, *_, api_default in pg.DECODING_FIELDS:
        st.session_state[f"pg_{name}"] = float(decoding.get(name, api_default))
    st.session_state["pg_max_tokens"] = int(decoding.get("max_tokens", 256))
    st.session_state["pg_stop"] = json.dumps(list(decoding.get("stop", [])))


def _on_step() -> None:
    st.session_state["pg_base"] = ORIGINAL
    _reset_editor()


step_key = st.selectbox(
    "Pipeline step",
    list(pg.STEPS),
    format_func=lambda key: pg.STEPS[key].label,
    key="pg_step",
    on_change=_on_step,
)
step = pg.STEPS[step_key]
versions = store.versions(step.template)
if "pg_text" not in st.session_state:
    _reset_editor()
if saved_base := st.session_state.pop("pg_saved_base", None):
    st.session_state["pg_base"] = saved_base  # the editor holds the version just saved

left, right = st.columns([3, 1])
left.selectbox(
    f"Start from a version of {step.template}",
    [v.name for v in versions],
    key="pg_base",
    on_change=_reset_editor,
    help="Choosing a version loads its text into the editor (your unsaved edits are replaced).",
)
right.metric("Saved versions", len(versions) - 1)
text = st.text_area("Template", key="pg_text", height=300)
template = Template(step.template, text, EDITED)

with st.expander("Decoding", expanded=False):
    columns = st.columns(len(pg.DECODING_FIELDS) + 1)
    for column, (name, low, high, stride, _) in zip(columns, pg.DECODING_FIELDS, strict=False):
        column.number_input(name, low, high, step=stride, key=f"pg_{name}")
    columns[-1].number_input("max_tokens", 1, 8192, key="pg_max_tokens")
    st.text_input("stop (a JSON list of strings)", key="pg_stop")


def _decoding() -> dict:
    values = {name: st.session_state[f"pg_{name}"] for name, *_ in pg.DECODING_FIELDS}
    return pg.decoding_from(
        step, values, st.session_state["pg_max_tokens"], st.session_state["pg_stop"]
    )


left, middle, right = st.columns(3)
seed_source = left.text_input("Seed tasks", DEFAULT_POOL, key="pg_seed_source")
count = middle.number_input("Seeds", 1, 20, 3, key="pg_seeds")
first = right.number_input("First seed", 0, 1_000_000, 1, key="pg_first_seed")
seeds = list(range(int(first), int(first) + int(count)))

problem = None
try:
    check_placeholders(step.template, text, "the editor")
    decoding = _decoding()
    seed_tasks = _seed_tasks(seed_source)
except WorkbenchError as error:
    problem = str(error)
    st.error(md(problem))

if problem is None:
    with st.expander(f"The exact prompt for seed {seeds[0]}"):
        st.code(pg.preview(step, template, seeds[0], seed_tasks), language=None, wrap_lines=True)


# --- running ------------------------------------------------------------------------------


def _start(arms: list[pg.Arm], result_key: str) -> None:
    try:
        backend = backend_panel.current_config()
    except WorkbenchError as error:
        st.error(md(error))
        return

    def work(report, stop):
        with SyncLLMClient(config=backend) as client:
            return pg.run_arms(step, arms, seeds, seed_tasks, client, progress=report, stop=stop)

    st.session_state["pg_job"] = (BackgroundJob(work), result_key, step.key)


@st.fragment(run_every=POLL_SECONDS)
def _job_panel() -> None:
    job, result_key, job_step = st.session_state["pg_job"]
    if job.running:
        done, total = job.progress
        st.progress(
            done / total if total else 0.0,
            text=f"{done} of {total or '…'} requests answered"
            + (" — stopping after the requests in flight" if job.cancelled else ""),
        )
        if st.button("Cancel", key="pg_cancel"):
            job.cancel()
        return
    del st.session_state["pg_job"]
    if isinstance(job.error, BatchStopped):
        st.session_state["pg_notice"] = "Cancelled: nothing more was sent."
    elif job.error is not None:
        st.session_state["pg_notice"] = f"The trial failed: {job.error}"
    else:
        st.session_state[result_key] = (job_step, job.result)
    st.rerun()


busy = "pg_job" in st.session_state
if st.button(
    f"Run on {len(seeds)} seed(s)", key="pg_run", type="primary", disabled=busy or bool(problem)
):
    _start([pg.Arm(EDITED, template, decoding)], "pg_result")
    st.rerun()
if "pg_job" in st.session_state:
    _job_panel()
if notice := st.session_state.pop("pg_notice", None):
    st.warning(md(notice))


def _show_trial(trial: pg.Trial, summary: dict, key: str) -> None:
    table = pg.replies_table(trial)
    columns = st.columns(4)
    columns[0].metric("Items kept", f"{summary['kept']} / {summary['items']}")
    columns[1].metric("Replies cut by length", summary["cut by the length limit"])
    columns[2].metric("Completion tokens", f"{summary['completion tokens']:,}")
    columns[3].metric("Cost", cost_text(trial.usage))
    st.markdown(md(pg.verdicts_text(trial)))
    st.dataframe(table, hide_index=True, key=f"{key}_replies")
    items = pg.items_table(trial)
    for reply in trial.replies:
        label = f"Seed {reply.seed}: {reply.finish_reason or 'failed'}, {len(reply.items)} items"
        with st.expander(label):
            if reply.failure:
                st.error(md(reply.failure))
                continue
            st.caption("Raw reply")
            st.code(reply.text, language=None, wrap_lines=True)
            shown = items[items["seed"] == reply.seed].drop(columns="seed")
            text_table(shown, ["text", "input", "output", "nearest"])


if "pg_result" in st.session_state:
    shown_step, results = st.session_state["pg_result"]
    if shown_step == step.key:
        st.subheader("Last trial")
        ((trial, summary),) = results.values()
        _show_trial(trial, summary, "pg_last")


# --- versions -----------------------------------------------------------------------------

st.subheader("Versions")
with st.form("pg_save", clear_on_submit=True, border=False):
    left, right = st.columns([1, 2])
    name = left.text_input("Save the editor as version", key="pg_version_name")
    note = right.text_input("Note", key="pg_version_note")
    if st.form_submit_button("Save version"):
        try:
            saved = store.save(name.strip(), step.template, text, st.session_state["pg_base"], note)
        except WorkbenchError as error:
            st.error(md(error))
        else:
            st.session_state["pg_saved_notice"] = saved.name
            st.session_state["pg_saved_base"] = saved.name
            st.rerun()
if saved_name := st.session_state.pop("pg_saved_notice", None):
    st.success(
        md(
            f"Saved version {saved_name}; the Generate page and `--template-version "
            f"{saved_name}` can use it."
        )
    )

versions = store.versions(step.template)
st.dataframe(
    pd.DataFrame(
        [
            {
                "version": v.name,
                "saved": saved_time(v),
                "parent": v.parent or "",
                "sha256": v.sha256[:12],
                "note": v.note,
            }
            for v in versions
        ]
    ),
    hide_index=True,
    key="pg_versions",
)
names = [v.name for v in versions]
left, right = st.columns(2)
old = left.selectbox("Diff from", [*names, EDITED], key="pg_diff_old")
new = right.selectbox("Diff to", [*names, EDITED], index=len(names), key="pg_diff_new")


def _version(name: str) -> TemplateVersion:
    if name == EDITED:
        return TemplateVersion(EDITED, step.template, text, "", None, None)
    return store.get(name, step.template)


changes = diff(_version(old), _version(new))
st.code(changes or "(no difference)", language="diff")


# --- A/B ----------------------------------------------------------------------------------

st.subheader("A/B")
st.caption(
    "Two versions (the editor counts as one) on the same seeds; B may also change the "
    "temperature. Same seeds, same in-context examples: what differs is the prompt."
)
left, middle, right = st.columns(3)
arm_a = left.selectbox("Version A", [*names, EDITED], key="pg_ab_a")
arm_b = middle.selectbox("Version B", [*names, EDITED], index=len(names), key="pg_ab_b")
temperature_b = right.number_input(
    "B's temperature",
    0.0,
    2.0,
    float(decoding["temperature"]) if not problem else 0.0,
    0.1,
    key="pg_ab_temperature",
)
if st.button("Run A/B", key="pg_ab_run", disabled=busy or bool(problem)):
    decoding_b = {**decoding, "temperature": temperature_b}
    first_name = f"A: {arm_a}"
    second_name = f"B: {arm_b}"
    _start(
        [
            pg.Arm(first_name, _version(arm_a).as_template(), decoding),
            pg.Arm(second_name, _version(arm_b).as_template(), decoding_b),
        ],
        "pg_ab_result",
    )
    st.rerun()
if "pg_ab_result" in st.session_state:
    shown_step, results = st.session_state["pg_ab_result"]
    if shown_step == step.key:
        table = pg.compare({name: summary for name, (_, summary) in results.items()})
        st.dataframe(table.astype(str), key="pg_ab_table")
        for name, (trial, summary) in results.items():
            with st.expander(f"{name}: every reply"):
                _show_trial(trial, summary, f"pg_ab_{name[0]}")
