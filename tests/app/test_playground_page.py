"""The Prompt playground through AppTest: edit, preview, a trial on canned replies from the
fake endpoint, save a version, diff it, A/B, and the version offered on the Generate page."""

from __future__ import annotations

import time

import pytest

from analysis.paths import prompt_versions_dir
from generation.prompt_versions import original
from generation.templates import BOOTSTRAP
from generation.testing.fake_openai import FakeOpenAI
from tests.app.conftest import shown
from tests.generation.fixtures import canned_self_instruct as canned

PAGE = "app_pages/playground.py"
EDIT = ("Come up with a series of tasks:", "Come up with a series of tasks, <b>new</b>:")


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-playground")
    with FakeOpenAI(responder=canned.reply) as server:
        yield server


@pytest.fixture
def page(run_app, fake):
    return run_app(
        page=PAGE,
        backend_kind="openai",
        backend_model="fake-model",
        backend_base_url=fake.url,
    )


def _wait_for(app, key: str, timeout: float = 180):
    """Rerun (as the page's poll does) until the background trial has left its result."""
    deadline = time.monotonic() + timeout
    while key not in app.session_state:
        assert time.monotonic() < deadline, f"no {key} after {timeout} s"
        time.sleep(0.2)
        app.run()
    return app.run()


def _table(app, column: str):
    """The first table with this column (AppTest does not expose a dataframe's key)."""
    return next(t.value for t in app.dataframe if column in t.value.columns)


def _codes(app) -> list[str]:
    return [code.value for code in app.code]


def test_playground_page_opens_on_the_original_template_and_its_prompt(page):
    assert page.text_area(key="pg_text").value == original(BOOTSTRAP).text
    prompts = [c for c in _codes(page) if c.startswith("Come up with a series of tasks:")]
    assert prompts and prompts[0].endswith("9.")
    assert page.number_input(key="pg_temperature").value == 0.7
    assert page.number_input(key="pg_max_tokens").value == 1024


def test_playground_page_refuses_an_unknown_placeholder_before_running(page, fake):
    page.text_area(key="pg_text").input(original(BOOTSTRAP).text + "{topic}").run()
    assert any("{topic}" in shown(error) for error in page.error)
    assert page.button(key="pg_run").disabled
    assert fake.bodies == []


def test_playground_page_runs_saves_and_diffs(page, fake):
    text = original(BOOTSTRAP).text.replace(*EDIT)
    page.text_area(key="pg_text").input(text).run()
    page.number_input(key="pg_seeds").set_value(3).run()
    page.button(key="pg_run").click().run()
    page = _wait_for(page, "pg_result")
    assert len(fake.bodies) == 3
    assert all("<b>new</b>" in body["messages"][-1]["content"] for body in fake.bodies)
    # The pipeline's decoding as it sends it (2, not 2.0: the same request, the same cache key).
    assert all(type(body["presence_penalty"]) is int for body in fake.bodies)
    replies = _table(page, "finish_reason")
    assert list(replies["seed"]) == [1, 2, 3]
    ((trial, _),) = page.session_state["pg_result"][1].values()
    assert all(reply.text in _codes(page) for reply in trial.replies)  # raw, as text
    verdicts = set()
    for table in page.dataframe:
        if "verdict" in table.value.columns:
            verdicts |= set(table.value["reason"])
    assert {"kept", "too_similar"} <= verdicts

    page.text_input(key="pg_version_name").input("new-tasks")
    page.text_input(key="pg_version_note").input("asks for new tasks")
    page = page.button(key="FormSubmitter:pg_save-Save version").click().run()
    assert any("Saved version new-tasks" in shown(s) for s in page.success)
    assert (prompt_versions_dir() / "new-tasks.json").exists()
    versions = _table(page, "sha256")
    assert list(versions["version"]) == ["original", "new-tasks"]
    assert list(versions["note"]) == ["", "asks for new tasks"]
    assert page.selectbox(key="pg_base").value == "new-tasks"  # the next edit's parent

    page.selectbox(key="pg_diff_old").select("original")
    page = page.selectbox(key="pg_diff_new").select("new-tasks").run()
    changes = [c for c in _codes(page) if c.startswith("--- ")]
    assert changes and f"-{EDIT[0]}" in changes[0] and f"+{EDIT[1]}" in changes[0]

    # The same name again is refused and the saved version is untouched.
    before = (prompt_versions_dir() / "new-tasks.json").read_bytes()
    page.text_input(key="pg_version_name").input("new-tasks")
    page = page.button(key="FormSubmitter:pg_save-Save version").click().run()
    assert any("exists already" in shown(e) for e in page.error)
    assert (prompt_versions_dir() / "new-tasks.json").read_bytes() == before


def test_playground_page_ab_and_generate_offers_the_version(page, fake, run_app):
    text = original(BOOTSTRAP).text.replace(*EDIT)
    page.text_area(key="pg_text").input(text).run()
    page.text_input(key="pg_version_name").input("ab-b")
    page = page.button(key="FormSubmitter:pg_save-Save version").click().run()
    page.selectbox(key="pg_ab_a").select("original")
    page.selectbox(key="pg_ab_b").select("ab-b")
    page.number_input(key="pg_seeds").set_value(2).run()
    page = page.button(key="pg_ab_run").click().run()
    page = _wait_for(page, "pg_ab_result")
    table = next(t.value for t in page.dataframe if "kept share" in t.value.index)
    assert list(table.columns) == ["A: original", "B: ab-b"]
    assert "kept share" in table.index and "mean max ROUGE-L to the pool" in table.index
    assert len(fake.bodies) == 4

    generate = run_app(page="app_pages/generate.py")
    assert generate.multiselect(key="gen_template_versions").options == ["ab-b"]
