"""The Judge page through AppTest: a run folder's tables, figures and verdicts (the judge's
reply shown as text, never as HTML or Markdown), the bundled score file, a bad path."""

from __future__ import annotations

from analysis.annotations.store import Label, LabelStore
from tests.analysis.judge_fixtures import PAIRWISE, SINGLE, TWO_SCORE
from tests.app.conftest import shown

PAGE = "app_pages/judge.py"
RAW = "Correct: 84. Shown as <b>bold</b>? No: **not markdown** either.\nRating: [[8]]"


def open_page(run_app, path=None):
    return run_app(PAGE, **({"judge_path": str(path)} if path else {}))


def test_judge_page_single_run_tables_figures_and_raw_text(run_app, chart_specs):
    app = open_page(run_app, SINGLE)
    assert not app.exception
    per_model = app.dataframe[0].value.set_index("model")
    assert per_model.loc["alpaca", ["n", "unparsed"]].tolist() == [3, 1]
    assert per_model.loc["alpaca", "mean"] == 7
    [distribution] = chart_specs(app)
    assert [trace["name"] for trace in distribution["data"]] == [
        "alpaca (n = 3, mean = 7.00)",
        "vicuna (n = 3, mean = 9.33)",
    ]
    verdicts = app.dataframe[2].value  # per model, per category, verdicts
    assert RAW in verdicts["raw"].tolist()
    # the first verdict read in full: its reply as plain text, every character as written
    assert RAW in [element.value for element in app.text]
    assert not any("<b>" in element.value for element in app.markdown)
    assert "q1 · alpaca · original order · verdict: 8" in [shown(m) for m in app.markdown]


def test_judge_page_reference_and_category_filter(run_app, chart_specs):
    app = open_page(run_app, SINGLE)
    app.selectbox(key="judge_reference").select("vicuna").run()
    assert not app.exception
    relative = [s for s in chart_specs(app) if s["data"][0].get("orientation") == "h"]
    assert relative[0]["data"][0]["text"] == ["78% (14 / 18)"]
    app.multiselect(key="judge_categories").select("writing").run()
    per_model = app.dataframe[0].value.set_index("model")
    assert per_model.loc["alpaca", ["n", "unparsed"]].tolist() == [1, 1]  # q2 only, q3 unparsed
    assert set(app.dataframe[-1].value["category"]) == {"writing"}


def test_judge_page_pairwise_and_two_score(run_app, chart_specs):
    app = open_page(run_app, PAIRWISE)
    assert not app.exception
    per_model = app.dataframe[0].value.set_index("model")
    assert per_model.loc["alpaca", ["win", "tie", "loss"]].tolist() == [1, 2, 0]
    [bars] = chart_specs(app)
    assert [trace["name"] for trace in bars["data"]] == ["alpaca wins", "tie", "vicuna wins"]
    assert any("1 of 3 comparisons changed verdict" in shown(c) for c in app.caption)
    app = open_page(run_app, TWO_SCORE)
    assert not app.exception
    assert len(chart_specs(app)) == 3  # distribution, relative to gpt4 (the manifest's), pairs


def test_judge_page_bundled_score_file_and_a_bad_path(run_app, tmp_path):
    app = open_page(run_app)
    assert not app.exception
    assert app.selectbox(key="judge_source").value.startswith("GPT-4-LLM scores")
    assert app.dataframe[0].value["model"].tolist() == ["text-davinci-003", "icm-1.3b", "gpt4"]
    assert any("score file holds scores only" in m.value for m in app.caption)
    bad = tmp_path / "scores.json"
    bad.write_text('{"m": [1, "x"]}')
    app = open_page(run_app, bad)
    assert not app.exception
    assert f"{bad}, line 1: score 'x'" in shown(app.error[0])


def test_judge_page_agreement_with_spot_check_labels(run_app):
    LabelStore().save_many(
        [
            Label("fp-alpaca", row, "ann", "self-instruct-rating", "rating", answer)
            for row, answer in (("q1", "A"), ("q2", "C"), ("q4", "B"))
        ]
    )
    app = open_page(run_app, SINGLE)
    assert not app.exception
    [agreement] = [d.value for d in app.dataframe if "spearman" in d.value.columns]
    assert agreement[["scheme", "annotator", "n"]].values.tolist() == [
        ["self-instruct-rating", "ann", 3]
    ]
    assert agreement.loc[0, "spearman"] == 1.0  # A > B > C as 8 > 7 > 6
