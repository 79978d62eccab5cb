"""Map: every row a point of the semantic map (UMAP of sentence embeddings, HDBSCAN clusters),
a lasso or box selection listed and exported; with several datasets, coverage and diversity."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import semantic_space
from analysis.annotations.store import LabelStore
from analysis.defaults import DEFAULT_POOL
from analysis.diversity import coverage
from analysis.figures.export import table_bytes
from analysis.figures.semantic_map import coverage_bars, map_figure
from analysis.figures.style import series_colours
from analysis.rouge import default_tokenizer
from analysis.schema import TEXT_FIELDS
from analysis.semantic_pairs import DEFAULT_COSINE
from analysis.semantic_space import cluster_sizes
from analysis.wording import counted
from app_pages import choice, data
from app_pages.components import figure_with_exports, md, on_screen, text_table

st.title("Semantic map")
primary = data.primary()
names = [name for name in data.dataset_names() if name != primary.name]
compared = choice.compared_name()
controls = st.columns([3, 1, 1])
others = controls[0].multiselect(
    "Map together with",
    names,
    default=[compared] if compared in names else [],
    key="map_others",
    help="Datasets mapped in one space: their clusters are shared, so coverage can be compared.",
)
field = controls[1].selectbox("Field", TEXT_FIELDS, key="map_field")
cosine = controls[2].slider(
    "Paraphrase cosine",
    0.5,
    1.0,
    DEFAULT_COSINE,
    0.01,
    key="map_cosine",
    help="Two rows at this cosine or more are semantic near-duplicates.",
)
whole = {primary.name: primary, **data.load_many(others)}
largest = max(len(dataset) for dataset in whole.values())
rows_mapped = largest
if largest > semantic_space.PAGE_ROWS:
    rows_mapped = st.number_input(
        "Rows mapped per dataset",
        4,
        largest,
        semantic_space.PAGE_ROWS,
        1_000,
        key="map_rows",
        help="A larger dataset is mapped by a seeded sample of this many rows (embedding runs "
        "at some hundred rows a second on a CPU). `python -m analysis map` maps every row.",
    )
datasets = {name: semantic_space.sample(d, rows_mapped) for name, d in whole.items()}
frame = data.semantic_map(datasets, field)
texts = pd.concat([d.frame[field] for d in datasets.values()], ignore_index=True)


def _verdicts() -> pd.Series | None:
    """Each row's latest spot-check answer ("question: answer"), None when no row has one."""
    labels = pd.concat(
        [
            LabelStore().frame(fingerprint=d.fingerprint).assign(dataset=n)
            for n, d in whole.items()  # labels hang on the whole dataset's fingerprint
        ]
    )
    if labels.empty:
        return None
    latest = labels.sort_values("time").drop_duplicates(["dataset", "row_id"], keep="last")
    verdict = latest["question"] + ": " + latest["answer"]
    by_row = dict(zip(zip(latest["dataset"], latest["row_id"], strict=True), verdict, strict=True))
    return pd.Series(
        [by_row.get(key, "") for key in zip(frame["dataset"], frame["id"], strict=True)]
    )


def _stacked(column) -> pd.Series:
    """One value per map row: `column(dataset)` of each dataset, in the map's order."""
    return pd.concat([column(d) for d in datasets.values()], ignore_index=True)


ROUGE_COLOURING = f"max ROUGE-L to {DEFAULT_POOL}"
models = _stacked(lambda d: d.frame["model"])
verdicts = _verdicts()
options = ["cluster"] + ["dataset"] * (len(datasets) > 1) + ["model"] * bool(models.notna().any())
options += ["verb", ROUGE_COLOURING] + ["spot-check verdict"] * (verdicts is not None)
colour_by = st.radio("Colour by", options, horizontal=True, key="map_colour")
if colour_by == "verb":  # the derived columns only when asked for (parsed and cached once)
    values = _stacked(lambda d: data.verb_nouns(d, field, "paper")["verb"])
elif colour_by == ROUGE_COLOURING:
    pool = data.require(DEFAULT_POOL)
    values = _stacked(
        lambda d: data.similarity(d, pool, field, default_tokenizer(d.frame["lang"]))["max_rougeL"]
    )
else:
    values = {"model": models, "spot-check verdict": verdicts}.get(colour_by)
figure = map_figure(frame, texts, colour_by, values)
event = st.plotly_chart(
    on_screen(figure),
    width="stretch",
    key="map_chart",
    on_select="rerun",
    selection_mode=("lasso", "box"),
)
clusters = cluster_sizes(frame)
st.caption(
    md(
        f"{counted(len(frame), 'row')}, {counted(int((clusters['cluster'] >= 0).sum()), 'cluster')}; "
        "hover a point for its text, draw a lasso or a box to list the rows."
        + "".join(f" {line}." for line in semantic_space.sampled_notes(whole, datasets))
    )
)

positions = sorted(
    {
        int(
            point["customdata"][0] if isinstance(point["customdata"], list) else point["customdata"]
        )
        for point in (event.selection.points if event else [])
        if "customdata" in point
    }
)
if positions:
    selected = frame.iloc[positions][["dataset", "id", "cluster", "label"]].assign(
        text=texts.iloc[positions].to_numpy()
    )
    st.subheader(f"{counted(len(selected), 'selected row')}")
    text_table(selected, ["text"])
    st.download_button(
        "Selected rows (CSV)",
        data=table_bytes(selected),
        file_name="map-selection.csv",
        mime="text/csv",
        key="map_selection_csv",
    )
    st.caption(
        "The spot-check draws its sample from whole datasets with a seed (analysis/annotations/"
        "sampling.py) and takes no hand-picked rows: export the selection to label it elsewhere."
    )

st.subheader("Clusters")
st.dataframe(clusters, hide_index=True, width="stretch")  # short labels: one line a row

if len(datasets) > 1:
    st.subheader("Coverage")
    table = coverage(frame)
    gaps = table[table["gap_in"] != ""]
    st.caption(
        md(
            f"{counted(len(gaps), 'cluster')} where one dataset has at least 5 rows and another "
            "under a tenth of its share (gap_in names the latter)."
        )
    )
    st.dataframe(table, hide_index=True, width="stretch")
    shown = (gaps if not gaps.empty else table).head(20)
    figure_with_exports(
        coverage_bars(shown, list(datasets), series_colours(datasets)), table, "map-coverage"
    )

st.subheader("Diversity")
st.dataframe(data.diversity_table(datasets, field, frame, cosine), hide_index=True)
st.caption(
    "clusters: clusters with at least one row; entropy in bits over clusters (noise left out); "
    "mean cosine distance of a seeded sample of up to 1,000 rows with a 95% bootstrap interval; "
    "near_duplicate_share: rows with another row of the same dataset at the paraphrase cosine."
)

st.subheader("Semantic near-duplicates")
pairs = data.paraphrase_pairs(datasets, field, cosine)
st.caption(
    md(
        f"{counted(len(pairs), 'pair')} at cosine ≥ {cosine:g} that ROUGE-L (≤ 0.7) does not flag: "
        "the same request in other words."
    )
)
text_table(pairs, [c for c in pairs.columns if c.endswith("_text")])
