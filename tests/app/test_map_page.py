"""The Map page through AppTest: a point per row, hover texts shown as written, coverage."""

from __future__ import annotations

import json

import pytest

from analysis import registry
from analysis.datasets import load_dataset

TAGGED = "Explain what <b>bold</b> text means in an email."


def _with_tags(tmp_path) -> str:
    """seed_tasks' instructions with one of them holding HTML tags, registered as a dataset."""
    rows = [
        {"id": row.id, "instruction": row.instruction, "output": row.output}
        for row in load_dataset("seed_tasks").frame.head(60).itertuples()
    ]
    rows[0]["instruction"] = TAGGED
    path = tmp_path / "tagged.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    registry.add_user_dataset("tagged", path=path)
    return "tagged"


@pytest.mark.slow  # embeds and projects (UMAP compiles with numba: about a minute, once)
def test_map_page_hover_shows_tags_literally(run_app, chart_specs, tmp_path):
    name = _with_tags(tmp_path)
    app = run_app(page="app_pages/map.py", dataset=name)
    assert not app.exception
    [chart] = [s for s in chart_specs(app) if s["data"][0]["type"] == "scattergl"]
    hovers = [text for trace in chart["data"] for text in trace["text"]]
    assert sum(len(trace["x"]) for trace in chart["data"]) == 60
    [tagged] = [text for text in hovers if "bold" in text]
    assert "&lt;b&gt;bold&lt;/b&gt;" in tagged and "<b>" not in tagged
    positions = sorted(p for trace in chart["data"] for p in trace["customdata"])
    assert positions == list(range(60))


@pytest.mark.slow
def test_map_page_two_datasets_show_coverage(run_app, chart_specs):
    app = run_app(page="app_pages/map.py", compare="user_oriented_instructions")
    assert not app.exception
    [chart] = [s for s in chart_specs(app) if s["data"][0]["type"] == "scattergl"]
    assert sum(len(trace["x"]) for trace in chart["data"]) == 175 + 252
    app.radio(key="map_colour").set_value("dataset").run()
    assert not app.exception
    [chart] = [s for s in chart_specs(app) if s["data"][0]["type"] == "scattergl"]
    sizes = {trace["name"]: len(trace["x"]) for trace in chart["data"]}
    assert sizes == {"seed_tasks": 175, "user_oriented_instructions": 252}
    app.radio(key="map_colour").set_value("max ROUGE-L to seed_tasks").run()
    assert not app.exception
    [chart] = [s for s in chart_specs(app) if s["data"][0]["type"] == "scattergl"]
    colours = chart["data"][0]["marker"]["color"]
    assert len(colours) == 427 and max(colours[:175]) == 1.0  # the seeds are their own pool
    subheaders = [element.value for element in app.subheader]
    assert "Coverage" in subheaders and "Diversity" in subheaders
    diversity = [frame.value for frame in app.dataframe if "cluster_entropy_bits" in frame.value]
    assert diversity[0]["dataset"].tolist() == ["seed_tasks", "user_oriented_instructions"]


@pytest.mark.slow
def test_map_page_maps_a_seeded_sample_of_a_large_dataset(run_app, chart_specs, monkeypatch):
    """Above PAGE_ROWS the page maps a seeded sample (said under the map, the size a widget);
    spot-check answers still colour the sampled rows, since they hang on the whole dataset."""
    from analysis import semantic_space
    from analysis.annotations.store import Label, LabelStore
    from app_pages.components import md

    monkeypatch.setattr(semantic_space, "PAGE_ROWS", 60)
    seeds = load_dataset("seed_tasks")
    sample = semantic_space.sample(seeds, 60)
    labelled = sample.frame["id"].iloc[0]
    LabelStore().save(Label(seeds.fingerprint, labelled, "ann", "binary", "usable", "yes"))
    app = run_app(page="app_pages/map.py")
    assert not app.exception
    assert app.number_input(key="map_rows").value == 60
    [chart] = [s for s in chart_specs(app) if s["data"][0]["type"] == "scattergl"]
    assert sum(len(trace["x"]) for trace in chart["data"]) == 60
    mapped = sorted(
        int(p) for trace in chart["data"] for p in trace["customdata"]
    )  # positions in the mapped rows
    assert mapped == list(range(60))
    assert any(
        md("seed_tasks: a seeded sample of 60 of its 175 rows.") in element.value
        for element in app.caption
    )
    app.radio(key="map_colour").set_value("spot-check verdict").run()
    assert not app.exception
    [chart] = [s for s in chart_specs(app) if s["data"][0]["type"] == "scattergl"]
    coloured = {trace["name"]: len(trace["x"]) for trace in chart["data"]}
    assert coloured.get("usable: yes") == 1, coloured
    app.number_input(key="map_rows").set_value(175).run()
    assert not app.exception
    [chart] = [s for s in chart_specs(app) if s["data"][0]["type"] == "scattergl"]
    assert sum(len(trace["x"]) for trace in chart["data"]) == 175
    assert not any("of its 175 rows" in element.value for element in app.caption)
