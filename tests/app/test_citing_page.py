"""The CITING page through AppTest: start a run that stops at the rubric table, edit and save
the table, start the rounds, read a round's records and its exports; evaluate a finished run
in the background and read its win rates and figure."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.citing_eval import KIND_LABELS, REVISED, STUDENTS
from analysis.errors import WorkbenchError
from analysis.paths import runs_dir
from app_pages.components import md
from generation import launcher as workers
from generation.__main__ import main
from generation.citing import launcher, rubrics
from generation.citing import run_folder as rf
from generation.citing.finetune import NOT_TRAINED
from generation.citing.pipeline import citing_run
from generation.run_files import LOG_FILE
from generation.testing.fake_openai import FakeOpenAI
from tests.generation.test_citing_eval import respond
from tests.generation.test_citing_pipeline import Teacher

PAGE = "app_pages/citing.py"


@pytest.fixture(autouse=True)
def no_backend(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "WORKBENCH_MODEL", "WORKBENCH_BACKEND"):
        monkeypatch.delenv(name, raising=False)


def test_citing_page_without_runs_invites_a_first_run(run_app):
    app = run_app(page=PAGE)
    assert not app.exception
    assert app.title[0].value == "CITING"
    assert "No runs yet" in app.info[0].value


def test_citing_page_rubrics_edited_then_rounds(run_app):
    teacher = Teacher()
    with FakeOpenAI(responder=teacher) as fake:
        app = run_app(page=PAGE)
        app.number_input(key="citing_rounds").set_value(1)
        app.number_input(key="citing_limit").set_value(3)
        app.number_input(key="citing_category_sample").set_value(6)
        for role in ("teacher", "student"):
            app.selectbox(key=f"citing_{role}_backend").select("openai")
            app.text_input(key=f"citing_{role}_model").input(f"fake-{role}")
            app.text_input(key=f"citing_{role}_base_url").input(fake.url)
        app.text_input(key="citing_name").input("page-run")
        app = app.button(key="citing_start").click().run()
        assert not app.exception
        run_dir = runs_dir() / "page-run"
        status = launcher.wait(run_dir, timeout=120)
        assert status.status == "stopped" and status.state.rounds_done == 0
        app.run()
        assert not app.exception
        [editor] = app.data_editor
        assert editor.editing_mode == "dynamic"
        table = rubrics.read_rubrics(run_dir / rf.RUBRICS_FILE)
        assert [c.name for c in table] == ["first", "second"]
        pd.testing.assert_frame_equal(editor.value, rubrics.to_frame(table))
        app = app.button(key="citing_save_rubrics").click().run()
        assert not app.exception and app.success[0].value.startswith("Saved")
        assert rubrics.read_rubrics(run_dir / rf.RUBRICS_FILE) == table
        # AppTest cannot type into the editor: the edit is written to the file, as on the CLI.
        frame = rubrics.to_frame(table)
        frame.loc[0, "criteria"] = "Mentions the weather."
        rubrics.write_rubrics(run_dir / rf.RUBRICS_FILE, rubrics.from_frame(frame))
        assert app.button(key="citing_resume").label == "Start the rounds"
        app = app.button(key="citing_resume").click().run()
        assert not app.exception
        status = launcher.wait(run_dir, timeout=120)
        assert status.status == "done" and status.state.rounds_done == 1
        prompts = [body["messages"][-1]["content"] for body in fake.bodies]
    assert any("Mentions the weather." in prompt for prompt in prompts)
    app.run()
    assert not app.exception
    shown = app.dataframe[-1].value
    assert isinstance(shown, pd.DataFrame) and len(shown) == 3
    assert set(shown["outcome"]) == {"revised"}
    assert shown["revision"].str.startswith("Better than answer of fake-student").all()
    labels = [button.label for button in app.get("download_button")]
    assert labels == ["Download alpaca.json", "Download chat.jsonl"]
    exported = json.loads((rf.round_dir(run_dir, 1) / rf.ALPACA_FILE).read_text())
    assert [row["output"] for row in exported] == shown["revision"].tolist()


def test_citing_page_evaluation_of_a_finished_run(run_app):
    with FakeOpenAI(responder=respond) as fake:
        endpoints = {
            f"{role}_{name}": value
            for role in ("teacher", "student")
            for name, value in (("backend", "openai"), ("model", "fake"), ("base_url", fake.url))
        }
        run_dir = runs_dir() / "finished"
        state = citing_run("seed_tasks", run_dir, rounds=2, limit=2, **endpoints)
        assert state.status == "done"
        app = run_app(page=PAGE)
        app.selectbox(key="citing_run").select("finished")
        app.run()
        assert not app.exception and not app.get("download_button")[2:]
        app.number_input(key="citing_eval_limit").set_value(2)
        app.number_input(key="citing_eval_max").set_value(64)
        app.selectbox(key="citing_judge_backend").select("openai")
        app.text_input(key="citing_judge_model").input("fake-judge")
        app.text_input(key="citing_judge_base_url").input(fake.url)
        app = app.button(key="citing_eval_start").click().run()
        assert not app.exception
        workers.wait(rf.eval_dir(run_dir), timeout=120)  # the evaluation's own worker
    app.run()
    assert not app.exception, rf.eval_dir(run_dir).joinpath("run.log").read_text()
    table = app.dataframe[-1].value
    assert table["comparison"].tolist() == [
        KIND_LABELS[REVISED],
        KIND_LABELS[REVISED],
        KIND_LABELS[STUDENTS],
    ]
    assert table["win_rate"].tolist()[:2] == [1.0, 1.0]
    assert table[["wins", "ties", "losses", "unparsed"]].sum(axis=1).tolist() == [2, 2, 2]
    labels = [button.label for button in app.get("download_button")]
    assert labels[-5:] == ["PNG", "SVG", "PDF", "HTML", "CSV"]
    assert "Evaluation: done" in [caption.value for caption in app.caption]


def test_citing_page_says_when_a_round_had_nothing_to_fine_tune_on(run_app, tmp_path, capsys):
    """The teacher writes no usable revision: the fine-tuning command is not run, the next
    round's student is the same, and the page and the command line say so."""

    def refusing_teacher(prompt: str, body: dict) -> str:
        return "I would rather not." if "### Student's answer:" in prompt else respond(prompt, body)

    marker = tmp_path / "trained"
    with FakeOpenAI(responder=refusing_teacher) as fake:
        endpoints = [
            f"--{role}-{name}={value}"
            for role in ("teacher", "student")
            for name, value in (("backend", "openai"), ("model", "fake"), ("base-url", fake.url))
        ]
        run_dir = runs_dir() / "untrained"
        assert main([
            "citing", "--train", "seed_tasks", "--out", str(run_dir), "--rounds", "2",
            "--limit", "2", "--embedding-model", "none", *endpoints,
            "--finetune-command", f"touch {marker}",
        ]) == 0  # fmt: skip
    note = NOT_TRAINED.format(round=1, next=2)
    assert f"note: {note}" in capsys.readouterr().err
    assert not marker.exists()
    app = run_app(page=PAGE)
    app.selectbox(key="citing_run").select("untrained")
    app.run()
    assert not app.exception
    assert [w.value for w in app.warning] == [md(note)]


def test_citing_page_offers_an_empty_rubric_table_when_the_teacher_wrote_none(run_app):
    """The teacher's categories reply is unreadable (E120): the run fails before any table,
    and the page offers an empty one to write by hand; an empty table is not saved."""

    def unreadable(prompt: str, body: dict) -> str:
        return "Sure! Here are some categories." if "Group them into" in prompt else "ok"

    run_dir = runs_dir() / "no-table"
    with FakeOpenAI(responder=unreadable) as fake:
        endpoints = {
            f"{role}_{name}": value
            for role in ("teacher", "student")
            for name, value in (("backend", "openai"), ("model", "fake"), ("base_url", fake.url))
        }
        with pytest.raises(WorkbenchError, match="categories reply could not be read"):
            citing_run("seed_tasks", run_dir, rounds=1, limit=1, **endpoints)
    (run_dir / LOG_FILE).write_text("error: the teacher's categories reply ...\n")  # a worker's
    app = run_app(page=PAGE)
    app.selectbox(key="citing_run").select("no-table")
    app.run()
    assert not app.exception
    assert any("Not written yet" in caption.value for caption in app.caption)
    assert app.button(key="citing_resume").label == "Resume"
    assert "Worker log (last lines)" in [e.label for e in app.expander]  # not a second error
    app = app.button(key="citing_save_rubrics").click().run()
    assert "holds no category" in app.error[-1].value
    assert not (run_dir / rf.RUBRICS_FILE).exists()
