"""The Datasets page through Streamlit's AppTest: statistics, search, row detail."""

from __future__ import annotations


def test_datasets_page_shows_table1_and_rows(run_app):
    app = run_app()
    assert not app.exception
    assert app.title[0].value == "Datasets"
    stats = app.dataframe[0].value
    assert (
        "seed_tasks" in stats.columns
        and stats.loc["# of classification instructions", "seed_tasks"] == 26
    )
    rows = app.dataframe[1].value
    assert len(rows) == 175


def test_datasets_page_search_filters_rows(run_app):
    app = run_app()
    app.text_input(key="rows_query").input("haiku").run()
    rows = app.dataframe[1].value
    assert 0 < len(rows) < 175
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
