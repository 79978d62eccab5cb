"""Every analysis page through AppTest: widgets wired, no exceptions, figures equal their aggregates."""

from __future__ import annotations

import json

from analysis import registry
from analysis.compare import reference_rouge, rouge_by_bucket, rouge_to_reference
from analysis.datasets import load_dataset
from analysis.rouge import max_rouge_to_pool_cached
from analysis.verbs import top_verb_nouns, verb_noun_column


def test_verbs_page_sunburst_equals_aggregate(run_app, chart_specs):
    app = run_app(page="app_pages/verbs.py")
    assert not app.exception
    [sunburst] = [s for s in chart_specs(app) if s["data"][0]["type"] == "sunburst"]
    expected = top_verb_nouns(verb_noun_column(load_dataset("seed_tasks"), "instruction", "paper"))
    trace = sunburst["data"][0]
    verbs = expected["verb"].drop_duplicates().tolist()
    assert trace["ids"][: len(verbs)] == verbs
    assert trace["values"][len(verbs) :] == expected["count"].tolist()
    assert app.metric[0].label == "Rows with verb–noun"


def test_verbs_page_says_why_the_sunburst_has_fewer_verbs(run_app, chart_specs):
    app = run_app(page="app_pages/verbs.py")
    app.number_input(key="verbs_min").set_value(2).run()
    assert not app.exception
    [sunburst] = [s for s in chart_specs(app) if s["data"][0]["type"] == "sunburst"]
    shown = sum(1 for parent in sunburst["data"][0]["parents"] if not parent)
    assert 0 < shown < 20
    [note] = [info.value for info in app.info]
    assert note.startswith(f"Showing {shown} verbs of the 20 asked for: ")
    assert "at least 2 times (the minimum count" in note


def test_verbs_page_rule_and_row_selection(run_app, chart_specs):
    app = run_app(page="app_pages/verbs.py")
    paper_unique = app.metric[2].value
    app.selectbox(key="verbs_rule").select("full").run()
    assert not app.exception
    assert int(app.metric[2].value) >= int(paper_unique)
    verb = app.selectbox(key="verbs_pick_verb").value
    rows = app.dataframe[-1].value
    pairs = verb_noun_column(load_dataset("seed_tasks"), "instruction", "full")
    assert set(rows["id"]) == set(pairs.loc[pairs["verb"] == verb, "id"])


def test_verbs_page_compares_two_datasets(run_app, chart_specs):
    app = run_app(page="app_pages/verbs.py", compare="user_oriented_instructions")
    assert not app.exception
    bars = [s for s in chart_specs(app) if s["data"][0]["type"] == "bar"]
    assert len(bars) == 1 and len(bars[0]["data"]) == 2
    table = app.dataframe[-1].value  # the two summaries, under the labels the metrics use
    assert table["dataset"].tolist() == ["seed_tasks", "user_oriented_instructions"]
    assert {metric.label for metric in app.metric} <= set(table.columns) | {"Rows with verb–noun"}
    assert "Rows with verb–noun (%)" in table.columns and "pair_share" not in table.columns


def test_lengths_page_overlays_datasets(run_app, chart_specs):
    app = run_app(page="app_pages/lengths.py", compare="user_oriented_instructions")
    assert not app.exception
    [figure] = chart_specs(app)
    assert [trace["name"] for trace in figure["data"]] == [
        "seed_tasks",
        "user_oriented_instructions",
    ]
    summary = app.dataframe[0].value
    assert summary["rows"].tolist() == [175, 252]
    assert sum(figure["data"][0]["y"]) == 175
    app.checkbox(key="lengths_log").check().run()
    assert chart_specs(app)[0]["layout"]["yaxis"]["type"] == "log"


def test_lengths_page_axis_fits_short_fields_and_offers_shares(run_app, chart_specs):
    app = run_app(page="app_pages/lengths.py", compare="user_oriented_instructions")
    app.radio(key="lengths_field").set_value("instruction").run()
    assert not app.exception
    [figure] = chart_specs(app)
    longest = int(app.dataframe[0].value["longest"].max())
    ends = [
        x + width / 2
        for trace in figure["data"]
        for x, width in zip(trace["x"], trace["width"], strict=True)
    ]
    width = figure["data"][0]["width"][0]
    assert longest < 512 and longest <= max(ends) < longest + width  # ends at the longest one
    app.toggle(key="lengths_share").set_value(True).run()
    [figure] = chart_specs(app)
    assert [round(sum(trace["y"]), 9) for trace in figure["data"]] == [1.0, 1.0]
    assert figure["layout"]["yaxis"]["tickformat"] == ".0%"


def test_similarity_page_threshold_lists_rows_above(run_app, chart_specs):
    app = run_app(page="app_pages/similarity.py", dataset="user_oriented_instructions")
    assert not app.exception
    app.slider(key="similarity_threshold").set_value(0.3).run()
    scores = max_rouge_to_pool_cached(
        load_dataset("user_oriented_instructions"), load_dataset("seed_tasks")
    )
    above = app.dataframe[0].value
    assert len(above) == int((scores["max_rougeL"] > 0.3).sum()) > 0
    table = app.dataframe[0].proto  # texts wrap (in rows above 4rem), sharing the width
    columns = json.loads(table.columns)
    assert table.row_height > 64
    assert columns["text"]["width"] == columns["nearest_text"]["width"] == "medium"
    assert (above["max_rougeL"] > 0.3).all()
    [histogram] = chart_specs(app)
    assert sum(histogram["data"][0]["y"]) == 252
    [line] = histogram["layout"]["shapes"]  # the threshold, drawn where a reader sees it
    assert line["x0"] == 0.3 and line["line"]["width"] >= 1 and line["opacity"] == 1


def test_compare_page_models_side_by_side(run_app, chart_specs):
    app = run_app(page="app_pages/compare.py")
    assert not app.exception
    rouge_figure = chart_specs(app)[0]
    names = [n for n in registry.all_datasets() if n.group == "user-oriented predictions"]
    expected = rouge_by_bucket(
        rouge_to_reference(
            {info.name: reference_rouge(load_dataset(info.name).frame) for info in names}
        )
    )
    first = expected[expected["model"] == names[0].name]["mean_rougeL"].tolist()
    assert rouge_figure["data"][0]["y"] == first
    verb_table = app.dataframe[1].value
    assert "Rows with verb–noun (%)" in verb_table.columns and "pair_share" not in verb_table
    texts = [element.value for element in app.text]
    instruction = load_dataset("user_oriented_instructions").frame["instruction"].iloc[0]
    assert instruction in texts
    app.number_input(key="compare_row").set_value(5).run()
    assert not app.exception


def test_compare_page_one_colour_per_model_in_every_figure(run_app, chart_specs):
    # chosen in an order that is not alphabetical: no figure may re-order (and re-colour) them
    chosen = ["predictions/text-davinci-003", "predictions/davinci"]
    app = run_app(page="app_pages/compare.py", compare_models=chosen)
    assert not app.exception
    figures = chart_specs(app)
    assert len(figures) == 2
    colours = [{t["name"]: t["marker"]["color"] for t in figure["data"]} for figure in figures]
    assert [list(by_name) for by_name in colours] == [chosen, chosen]  # legends in one order
    assert colours[0] == colours[1] and len(set(colours[0].values())) == 2


def test_compare_page_output_lengths_as_shares_of_each_dataset(run_app, chart_specs):
    """175 seed tasks beside 252 answers: as counts the sets differ in size, as shares each
    dataset's bars sum to one (a million rows beside 175 hid the small set entirely)."""
    chosen = ["seed_tasks", "predictions/davinci"]
    app = run_app(page="app_pages/compare.py", compare_models=chosen)
    assert not app.exception
    [lengths] = [f for f in chart_specs(app) if "output length" in str(f["layout"]["xaxis"])]
    assert [sum(trace["y"]) for trace in lengths["data"]] == [175, 252]
    app.toggle(key="compare_share").set_value(True).run()
    assert not app.exception
    [lengths] = [f for f in chart_specs(app) if "output length" in str(f["layout"]["xaxis"])]
    assert [round(sum(trace["y"]), 9) for trace in lengths["data"]] == [1.0, 1.0]
    assert lengths["layout"]["yaxis"]["tickformat"] == ".0%"
