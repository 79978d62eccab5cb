"""The Spot-check page through AppTest: label, resume in a new session, read the summary."""

from __future__ import annotations

from analysis.annotations.store import LabelStore
from tests.app.conftest import shown


def start(run_app, annotator="ann", **state):
    app = run_app("app_pages/spotcheck.py", **state)
    app.text_input(key="spot_annotator").input(annotator).run()
    return app


def button(app, question, value):
    """The answer button of the item on screen (widget keys are per item)."""
    [found] = [b for b in app.button if b.key and b.key.endswith(f"_{question}_{value}")]
    return found


def answer_all(app, value="yes"):
    for question in ("valid_task", "appropriate_input", "acceptable_output"):
        button(app, question, value).click().run()
    return app


def test_spotcheck_page_labels_resume_and_summary(run_app):
    app = start(run_app)
    assert not app.exception
    first = app.text[0].value
    answer_all(app)
    assert not app.exception
    assert (
        app.get("progress")[0].proto.text == "1 of 175 labelled"
    )  # all 175 seed tasks: fewer than the 200 asked
    assert app.text[0].value != first  # the next item, once all three were answered
    labels = LabelStore().frame(annotator="ann")
    assert sorted(labels["question"]) == ["acceptable_output", "appropriate_input", "valid_task"]
    assert set(labels["answer"]) == {"yes"}
    summary = app.dataframe[0].value
    assert (
        summary.set_index("question").loc["Does the instruction describe a valid task?", "n"] == 1
    )

    fresh = start(run_app)  # a closed browser, a new session: the same annotator resumes
    assert fresh.text[0].value == app.text[0].value
    fresh.button(key="spot_back").click().run()
    assert fresh.text[0].value == first  # the last decision is there to edit
    assert button(fresh, "valid_task", "yes").proto.type == "primary"
    button(fresh, "valid_task", "no").click().run()
    assert LabelStore().frame(annotator="ann", question="valid_task")["answer"].tolist() == ["no"]
    assert len(LabelStore().history()) == 1


def test_spotcheck_page_hides_the_model_in_a_rating_study(run_app):
    app = run_app("app_pages/spotcheck.py")
    app.selectbox(key="spot_scheme").select("self-instruct-rating").run()
    app.text_input(key="spot_annotator").input("bob").run()
    assert not app.exception
    assert not any("davinci" in shown(m) for m in app.markdown)
    labels = [b.label for b in app.button if b.key and "_rating_" in b.key]
    assert labels[0].startswith("A:") and len(labels) == 4


def test_spotcheck_an_answer_for_an_item_no_longer_shown_is_not_stored(run_app):
    app = start(run_app)
    shown_item = button(app, "valid_task", "yes")  # on screen: the first item
    app.session_state["spot_position"] = 1  # meanwhile the server moved on (a fast key)
    shown_item.click().run()  # the key lands on the item that was on screen
    assert LabelStore().frame(annotator="ann").empty  # stored on no item
    button(app, "valid_task", "yes").click().run()  # pressed again, on the item now shown
    assert len(LabelStore().frame(annotator="ann")) == 1
