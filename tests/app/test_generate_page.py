"""The Generate page through AppTest: start a run on the fake endpoint, watch, stop, resume,
filter its candidates and open its dataset in the workbench."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from analysis import registry
from analysis.datasets import load_dataset
from analysis.paths import REPO_ROOT, runs_dir
from generation.testing.fake_openai import FakeOpenAI
from tests.app.conftest import shown
from tests.generation.fixtures import canned_self_instruct as canned

PAGE = "app_pages/generate.py"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A workspace of its own: runs and registered datasets stay out of other page tests."""
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "workspace"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "WORKBENCH_MODEL", "WORKBENCH_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "workspace"


@pytest.fixture
def open_page(run_app):
    """The page inside app.py once it is in the navigation, else on its own."""

    def open_() -> AppTest:
        if PAGE in (REPO_ROOT / "app.py").read_text():
            return run_app(page=PAGE)
        app = AppTest.from_file(str(REPO_ROOT / PAGE), default_timeout=60)
        return app.run()

    return open_


def _start(app: AppTest, url: str, target: int, name: str, concurrency: int = 8) -> AppTest:
    app.selectbox(key="gen_backend").select("openai")
    app.number_input(key="gen_concurrency").set_value(concurrency)
    app.text_input(key="gen_model").input("fake-model")
    app.text_input(key="gen_base_url").input(url)
    app.number_input(key="gen_target").set_value(target)
    app.text_input(key="gen_name").input(name)
    return app.button(key="gen_start").click().run()


def _wait_until_running(launcher, run_dir, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not launcher.status(run_dir).running:
        assert time.monotonic() < deadline, "the run never started"
        time.sleep(0.1)


def test_generate_page_without_runs_invites_a_first_run(home, open_page):
    app = open_page()
    assert not app.exception
    assert app.title[0].value == "Generate"
    assert "No runs yet" in app.info[0].value


def test_generate_page_runs_filters_and_opens_a_dataset(home, open_page):
    from generation.self_instruct import launcher

    with FakeOpenAI(responder=canned.reply) as fake:
        app = _start(open_page(), fake.url, target=6, name="tiny")
        assert not app.exception
        run_dir = runs_dir() / "tiny"
        assert app.selectbox(key="gen_run").value == "tiny"
        status = launcher.wait(run_dir, timeout=120)
    assert status.status == "done" and status.state.kept == 6
    app.run()
    assert not app.exception
    assert "done" in app.get("progress")[0].proto.text
    tokens = status.state.total_usage().total_tokens
    assert tokens > 0
    assert app.sidebar.caption[-1].value.startswith(
        f"Runs started in this session: 1, {tokens:,} tokens"
    )
    candidates = app.dataframe[-1].value
    assert len(candidates) == status.state.candidates
    app.multiselect(key="gen_reasons").select("too_similar").run()
    similar = app.dataframe[-1].value
    assert len(similar) and set(similar["reason"]) == {"too_similar"}
    assert similar["nearest"].str.len().gt(0).all() and (similar["max_rougeL"] > 0.7).all()
    app.button(key="gen_open").click().run()
    assert not app.exception
    info = registry.lookup("runs/tiny")
    assert info.rows == len(load_dataset(info.name).frame) > 0
    assert app.session_state["dataset"] == "runs/tiny"


def test_generate_page_stops_and_resumes(home, open_page):
    from generation.self_instruct import launcher

    # Slow enough (about 10 s in all) for the stop to land before the end.
    with FakeOpenAI(responder=canned.reply, latency=0.5) as fake:
        app = _start(open_page(), fake.url, target=60, name="slow", concurrency=4)
        run_dir = runs_dir() / "slow"
        _wait_until_running(launcher, run_dir)
        app.run()
        app.button(key="gen_stop").click().run()
        status = launcher.wait(run_dir, timeout=60)
        assert status.status == "stopped"
        app.run()
        app.button(key="gen_resume").click().run()
        assert not app.exception
        status = launcher.wait(run_dir, timeout=180)
    assert status.status == "done" and status.state.sessions == 2
    assert status.state.kept == 60


def test_generate_page_shows_a_run_the_endpoint_refused_as_failed(home, open_page, monkeypatch):
    from generation.self_instruct import launcher

    key = "sk-page-4b1c9e2f7a3d"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    with FakeOpenAI(refuse=401) as fake:  # its message repeats the key
        app = _start(open_page(), fake.url, target=5, name="refused")
        status = launcher.wait(runs_dir() / "refused", timeout=60)
    assert status.status == "failed"
    app.run()
    assert not app.exception
    assert app.get("progress")[0].proto.text.startswith("failed")
    [error] = [shown(element) for element in app.error]
    assert f"request to {fake.url} (model fake-model) refused" in error
    assert "Incorrect API key provided: ***" in error and key not in error


def _metric(app: AppTest, label: str) -> str:
    [value] = [metric.value for metric in app.metric if metric.label == label]
    return value


def test_generate_page_shows_progress_inside_a_round_then_stopping(home, open_page):
    from generation.self_instruct import launcher

    # One request at a time, two seconds each: a round of five takes ten.
    with FakeOpenAI(responder=canned.reply, latency=2.0) as fake:
        app = _start(open_page(), fake.url, target=60, name="slow", concurrency=1)
        run_dir = runs_dir() / "slow"
        deadline = time.monotonic() + 60
        while launcher.status(run_dir).state.step.done < 1:  # a reply of round 1 is in
            assert time.monotonic() < deadline, "no reply came"
            time.sleep(0.1)
        app.run()
        text = app.get("progress")[0].proto.text
        assert text.startswith("running · bootstrap: 0 / 60 instructions kept · round 1: ")
        assert _metric(app, "Tokens") != "0"  # counted as replies come, not at round ends
        app.button(key="gen_stop").click().run()
        assert not app.exception
        assert app.get("progress")[0].proto.text.startswith("stopping")
        assert app.button(key="gen_stop").disabled
        status = launcher.wait(run_dir, timeout=60)
    assert status.status == "stopped"


def test_generate_page_says_what_a_finished_run_left_out(home, open_page):
    from generation.self_instruct import launcher

    cut: list[str] = []

    def responder(prompt, body):
        if body.get("stop") == ["Example 6", "Task:"] and not cut:  # one instance, cut short
            cut.append(prompt)
            return "Class label: Yes\nInput: a\nOutput: b", "length"
        return canned.reply(prompt)

    with FakeOpenAI(responder=responder) as fake:
        app = _start(open_page(), fake.url, target=6, name="done")
        status = launcher.wait(runs_dir() / "done", timeout=120)
    assert status.status == "done" and status.state.beyond_target() > 0
    app.run()
    assert not app.exception
    state = status.state
    assert _metric(app, "Rejected") == str(sum(state.rejects().values()))
    notes = [shown(caption) for caption in app.caption]
    assert any(f"{state.beyond_target()} more candidate(s) passed every filter" in n for n in notes)
    assert any(
        f"holds {state.tasks_with_instances} of the 6 kept instructions" in note
        and "cut by the length limit" in note
        for note in notes
    )
    table = app.dataframe[-1].value
    assert "input" not in table.columns and "output" not in table.columns
