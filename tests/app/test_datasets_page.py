"""The Datasets page through Streamlit's AppTest: statistics, search, row detail."""

from __future__ import annotations


def shown_range(app) -> str:
    return next(caption.value for caption in app.caption if "rows match" in caption.value)


def test_datasets_page_shows_table1_and_rows(run_app):
    app = run_app()
    assert not app.exception
    assert app.title[0].value == "Datasets"
    stats = app.dataframe[0].value
    assert stats.loc["seed_tasks", "# of classification instructions"] == "26"
    rows = app.dataframe[1].value
    assert len(rows) == 100  # one page
    assert "rows 1–100 of 175" in shown_range(app)


def test_datasets_page_pages_through_the_rows(run_app):
    app = run_app()
    first = app.dataframe[1].value
    app.number_input(key="rows_page").set_value(2).run()
    second = app.dataframe[1].value
    assert "rows 101–175 of 175" in shown_range(app)
    assert len(second) == 75
    assert not set(first["id"]) & set(second["id"])
    app.text_input(key="rows_query").input("the").run()  # a new search starts at page 1
    assert app.number_input(key="rows_page").value == 1


def test_datasets_page_search_filters_rows(run_app):
    app = run_app()
    app.text_input(key="rows_query").input("haiku").run()
    rows = app.dataframe[1].value
    assert 0 < len(rows) < 100
    assert rows.apply(
        lambda r: "haiku" in " ".join(r[["instruction", "input", "output"]]).lower(), axis=1
    ).all()


def test_datasets_page_row_detail_is_plain_text(run_app):
    app = run_app(dataset="predictions/text-davinci-003")
    assert not app.exception
    detail_texts = [element.value for element in app.text]
    first = app.dataframe[1].value.iloc[0]
    assert first["instruction"] in detail_texts and first["output"] in detail_texts


def test_datasets_page_sidebar_switches_dataset(run_app):
    app = run_app()
    app.sidebar.selectbox(key="_dataset_widget").select("vicuna_questions").run()
    assert not app.exception
    assert len(app.dataframe[1].value) == 80


def test_datasets_page_and_lengths_page_agree_on_mean_output_length(run_app):
    app = run_app()
    table1 = app.dataframe[0].value.loc["seed_tasks", "ave. output length"]
    assert "Lengths in words; characters for Chinese" in app.caption[1].value
    app.switch_page("app_pages/lengths.py").run()
    summary = app.dataframe[0].value.set_index("dataset")
    assert f"{summary.loc['seed_tasks', 'mean']:.2f}" == table1 == "43.11"


def test_table1_says_n_a_where_a_statistic_does_not_apply(run_app):
    stats = run_app().dataframe[0].value
    assert stats.loc["vicuna_questions", "ave. output length"] == "n/a"  # questions, no answers
    assert stats.loc["vicuna_questions", "# of classification instructions"] == "n/a"
    assert stats.loc["seed_tasks", "ave. instruction length"] == "12.96"  # two decimals
