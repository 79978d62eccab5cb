"""The Teacher answers page through AppTest: start a run on the current dataset against the
fake endpoint, watch it, read its failures, stop and resume it, open its dataset."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from analysis import registry
from analysis.datasets import load_dataset
from analysis.paths import runs_dir
from generation.answer import launcher
from generation.answer.steps import EN, Answer, load_templates
from generation.self_instruct import launcher as self_instruct_launcher
from generation.testing.fake_openai import FakeOpenAI
from tests.app.conftest import shown
from tests.generation.fixtures import canned_answers as canned

PAGE = "app_pages/teacher.py"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "workspace"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "WORKBENCH_MODEL", "WORKBENCH_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "workspace"


def _start(app: AppTest, url: str, limit: int, name: str, lang: str = EN, **state) -> AppTest:
    app.selectbox(key="teacher_lang").select(lang)
    app.number_input(key="teacher_limit").set_value(limit)
    app.selectbox(key="teacher_backend").select("openai")
    app.number_input(key="teacher_concurrency").set_value(state.get("concurrency", 4))
    app.text_input(key="teacher_model").input("fake-teacher")
    app.text_input(key="teacher_base_url").input(url)
    app.text_input(key="teacher_name").input(name)
    return app.button(key="teacher_start").click().run()


def _metric(app: AppTest, label: str) -> str:
    [value] = [metric.value for metric in app.metric if metric.label == label]
    return value


def test_teacher_page_without_runs_invites_a_first_run(home, run_app):
    app = run_app(page=PAGE)
    assert not app.exception
    assert app.title[0].value == "Teacher answers"
    assert "No runs yet" in app.info[0].value
    assert "seed_tasks" in shown(app.markdown[0])  # the sidebar's dataset is the source


def test_teacher_page_runs_lists_failures_and_opens_the_dataset(home, run_app):
    source = load_dataset("user_oriented_instructions").frame
    step = Answer.from_templates(load_templates(EN))
    with FakeOpenAI(responder=canned.reply) as fake:
        fake.script(step.format_input(source["instruction"][1], source["input"][1]), "400")
        app = run_app(page=PAGE, dataset="user_oriented_instructions")
        app = _start(app, fake.url, limit=6, name="six")
        assert not app.exception
        run_dir = runs_dir() / "six"
        assert app.selectbox(key="teacher_run").value == "six"
        status = launcher.wait(run_dir, timeout=120)
    assert status.status == "done" and status.state.answered == 5
    app.run()
    assert not app.exception
    assert app.get("progress")[0].proto.text.startswith("done · 6 / 6 rows")
    assert (_metric(app, "Answered"), _metric(app, "Failed")) == ("5", "1")
    failures = app.dataframe[-1].value
    assert failures["id"].tolist() == [source["id"][1]]
    assert failures["failure"].tolist() == ["answer_failed"]
    assert failures["detail"][0].startswith("HTTP 400")
    assert app.button(key="teacher_resume").label == "Ask the failed requests again"
    assert app.sidebar.caption[-1].value.startswith("Runs started in this session: 1,")
    app.button(key="teacher_open").click().run()
    assert not app.exception
    info = registry.lookup("runs/six")
    frame = load_dataset(info.name).frame
    assert info.rows == len(frame) == 5 and set(frame["model"]) == {"fake-teacher"}
    assert app.session_state["dataset"] == "runs/six"
    assert [path.name for path in self_instruct_launcher.list_runs()] == []  # not Generate's


def test_teacher_page_stops_and_resumes(home, run_app):
    with FakeOpenAI(responder=canned.reply, latency=0.3) as fake:
        app = _start(run_app(page=PAGE), fake.url, limit=40, name="slow", concurrency=2)
        run_dir = runs_dir() / "slow"
        deadline = time.monotonic() + 60
        while launcher.status(run_dir).state.step.done < 1:
            assert time.monotonic() < deadline, "no reply came"
            time.sleep(0.1)
        app.run()
        assert app.get("progress")[0].proto.text.startswith("running · 0 / 40 rows · rows 1-16")
        app.button(key="teacher_stop").click().run()
        assert not app.exception
        assert app.get("progress")[0].proto.text.startswith("stopping")
        status = launcher.wait(run_dir, timeout=60)
        assert status.status == "stopped" and status.state.done < 40
        app.run()
        app.button(key="teacher_resume").click().run()
        assert not app.exception
        status = launcher.wait(run_dir, timeout=180)
    assert status.status == "done" and status.state.sessions == 2
    assert status.state.answered == 40 and max(fake.paid.values()) == 1
