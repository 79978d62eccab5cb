"""Sidebar: adding datasets by path (good and bad), text shown as text, the backend section."""

from __future__ import annotations

import json


def add_path(app, path, name):
    app.sidebar.text_input(key="add_path").input(str(path))
    app.sidebar.text_input(key="add_name").input(name)
    app.sidebar.button(key="add_button").click().run()
    return app


def test_sidebar_adds_local_dataset_and_shows_markup_as_text(run_app, tmp_path):
    path = tmp_path / "mine.jsonl"
    rows = [{"instruction": "<b>Bold?</b> <script>alert(1)</script>", "output": "**not markdown**"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    app = add_path(run_app(), path, "markup-test")
    assert not app.exception
    assert app.session_state["dataset"] == "markup-test"
    texts = [element.value for element in app.text]
    assert rows[0]["instruction"] in texts and rows[0]["output"] in texts
    assert not any("<script>" in element.value for element in app.markdown)


def test_sidebar_bad_dataset_shows_located_error(run_app, tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"instruction": "a"}\n{"instruction": \n')
    app = add_path(run_app(), path, "broken")
    assert not app.exception
    [error] = app.sidebar.error
    assert "broken.jsonl, line 2, column" in error.value and "invalid JSON" in error.value
    assert app.session_state["dataset"] == "seed_tasks"


def test_sidebar_adds_a_hub_dataset_that_a_new_session_still_lists(run_app, serve_hub):
    serve_hub("tatsu-lab/alpaca", [{"instruction": "Name a prime.", "output": "7"}])
    app = add_path(run_app(), "tatsu-lab/alpaca", "alpaca")
    assert not app.exception
    assert app.session_state["dataset"] == "alpaca"
    fresh = run_app()
    assert "alpaca" in fresh.sidebar.selectbox[0].options


def test_sidebar_backend_section_reports_embedded_model(run_app, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("WORKBENCH_BACKEND", raising=False)
    app = run_app()
    assert any("embedded llama.cpp" in element.value for element in app.sidebar.text)
    app.sidebar.button(key="backend_check").click().run()
    assert app.sidebar.success and "ready" in app.sidebar.success[0].value
    assert app.sidebar.caption[-1].value == "Runs started in this session: none yet."


def test_sidebar_backend_openai_without_key_explains(run_app, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    app = run_app()
    app.sidebar.selectbox(key="backend_kind_widget").select("openai").run()
    assert not app.exception
    assert "OPENAI_API_KEY" in app.sidebar.error[0].value
