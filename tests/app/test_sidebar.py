"""Sidebar: adding datasets by path (good and bad), text shown as text, the backend section."""

from __future__ import annotations

import json

from tests.app.conftest import shown


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
    assert "broken.jsonl, line 2, column" in shown(error) and "invalid JSON" in shown(error)
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
    assert "OPENAI_API_KEY" in shown(app.sidebar.error[0])


def write_rows(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_sidebar_shows_the_added_dataset_and_switching_back_works(run_app, tmp_path):
    path = write_rows(tmp_path / "mine.jsonl", [{"instruction": "a"}, {"instruction": "b"}])
    app = add_path(run_app(), path, "mine")
    picker = app.sidebar.selectbox(key="_dataset_widget")
    assert picker.value == "mine"
    assert [shown(s) for s in app.sidebar.success] == ["Added mine (2 rows)."]  # survived rerun
    assert app.sidebar.text_input(key="add_path").value == ""  # the form is emptied
    picker.select("seed_tasks").run()
    assert app.session_state["dataset"] == "seed_tasks"
    assert app.dataframe[1].value["id"].iloc[0] == "seed_task_0/0"  # the first page of its rows
    assert any("rows 1–100 of 175" in caption.value for caption in app.caption)


def test_sidebar_never_offers_a_dataset_as_its_own_comparison(run_app):
    app = run_app()
    assert "seed_tasks" not in app.sidebar.selectbox(key="_compare_widget").options
    app.sidebar.selectbox(key="_compare_widget").select("vicuna_questions").run()
    app.sidebar.selectbox(key="_dataset_widget").select("vicuna_questions").run()
    assert app.session_state["compare"] is None
    assert app.sidebar.selectbox(key="_compare_widget").value == "(none)"


def test_sidebar_maps_columns_and_names_the_unused_one(run_app, tmp_path):
    path = tmp_path / "qa.csv"
    path.write_text("question,reply,score\nWhat is 2+2?,4,5\n", encoding="utf-8")
    app = run_app()
    app.sidebar.text_input(key="add_path").input(str(path)).run()
    assert "Columns found: question, reply, score" in [c.value for c in app.sidebar.caption]
    [output_from] = [s for s in app.sidebar.selectbox if s.label == "output from"]
    output_from.select("reply")
    app.sidebar.text_input(key="add_name").input("qa")
    app.sidebar.button(key="add_button").click().run()
    assert not app.exception and app.session_state["dataset"] == "qa"
    assert app.dataframe[1].value["output"].tolist() == ["4"]
    [warning] = [shown(w) for w in app.warning]
    assert "score" in warning and "qa.csv" in warning and "/datasets/" not in warning


def test_sidebar_error_names_the_chosen_file_and_skipping_reports_lines(run_app, tmp_path):
    path = tmp_path / "malformed.jsonl"
    path.write_text('{"instruction": "a"}\n{"instruction": \n{"instruction": "c"}\n')
    app = add_path(run_app(), path, "malformed")
    [error] = [shown(e) for e in app.sidebar.error]
    assert f"{path}, line 2, column 17: invalid JSON" in error  # the chosen file, not our copy
    app.sidebar.checkbox(key="add_skip").check()
    app.sidebar.button(key="add_button").click().run()
    assert app.session_state["dataset"] == "malformed" and len(app.dataframe[1].value) == 2
    assert any(f"{path}: skipped 1 bad line(s): 2" in shown(w) for w in app.warning)


def test_sidebar_names_are_text_not_markdown(run_app, tmp_path):
    path = write_rows(tmp_path / "x.jsonl", [{"instruction": "a"}])
    app = add_path(run_app(), path, "*star* :red[x]")
    assert not app.exception
    assert app.caption[0].value.startswith(r"**\*star\* \:red\[x\]**")


def test_sidebar_remove_forgets_a_dataset(run_app, tmp_path):
    path = write_rows(tmp_path / "x.jsonl", [{"instruction": "a"}])
    app = add_path(run_app(), path, "gone soon")
    app.sidebar.selectbox(key="remove_name").select("gone soon")
    app.sidebar.button(key="remove_button").click().run()
    assert not app.exception
    assert "gone soon" not in app.sidebar.selectbox(key="_dataset_widget").options
    assert app.session_state["dataset"] == "seed_tasks"


def test_choices_live_in_the_url(run_app):
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    app = AppTest.from_file(str(APP), default_timeout=180)
    app.query_params["dataset"] = "vicuna_questions"
    app.query_params["compare"] = "seed_tasks"
    app.run()
    assert not app.exception and len(app.dataframe[1].value) == 80
    assert app.sidebar.selectbox(key="_compare_widget").value == "seed_tasks"
    app.sidebar.selectbox(key="_dataset_widget").select("user_oriented_instructions").run()
    assert app.query_params["dataset"] == "user_oriented_instructions"


def test_lengths_overlay_follows_the_sidebar(run_app):
    app = run_app("app_pages/lengths.py")
    assert app.multiselect(key="lengths_datasets").value == ["seed_tasks"]
    app.sidebar.selectbox(key="_dataset_widget").select("vicuna_questions").run()
    assert app.multiselect(key="lengths_datasets").value == ["vicuna_questions"]
    app.sidebar.selectbox(key="_compare_widget").select("seed_tasks").run()
    assert app.multiselect(key="lengths_datasets").value == ["vicuna_questions", "seed_tasks"]


def test_sidebar_run_count_survives_a_reload(run_app, isolated_workspace):
    from streamlit.testing.v1 import AppTest

    from analysis.paths import runs_dir
    from tests.app.conftest import APP

    (runs_dir() / "my-run").mkdir()
    app = run_app(session_runs=[str(runs_dir() / "my-run")])
    assert app.query_params["runs"] == "my-run"
    reloaded = AppTest.from_file(str(APP), default_timeout=180)  # a new session, the same URL
    reloaded.query_params["runs"] = ["my-run", "deleted-run"]
    reloaded.run()
    assert reloaded.session_state["session_runs"] == [str(runs_dir() / "my-run")]
    assert "Runs started in this session: 1" in reloaded.sidebar.caption[-1].value
