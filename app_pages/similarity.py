"""Seed similarity: each row's max ROUGE-L to a pool (Self-Instruct Fig. 3) and the rows above."""

from __future__ import annotations

import streamlit as st

from analysis.defaults import DEFAULT_POOL, DEFAULT_THRESHOLD
from analysis.figures.similarity import similarity_histogram
from analysis.rouge import TOKENIZERS, default_tokenizer
from analysis.schema import TEXT_FIELDS
from analysis.similarity import rows_above, similarity_histogram_data
from analysis.wording import counted
from app_pages import data
from app_pages.components import figure_with_exports, text_table

st.title("Similarity to a pool")
dataset = data.primary()
names = data.dataset_names()
controls = st.columns(4)
pool = controls[0].selectbox("Pool", names, index=names.index(DEFAULT_POOL), key="similarity_pool")
field = controls[1].selectbox("Field", TEXT_FIELDS, key="similarity_field")
tokenizer = controls[2].selectbox(
    "Tokenizer",
    TOKENIZERS,
    index=TOKENIZERS.index(default_tokenizer(dataset.frame["lang"])),
    key="similarity_tokenizer",
    help="english: rouge_score's (the papers'); cjk: per character for Chinese, Japanese, Korean; auto: per row",
)
threshold = controls[3].slider(
    "Threshold", 0.0, 1.0, DEFAULT_THRESHOLD, 0.01, key="similarity_threshold"
)

pool_dataset = data.require(pool)
scores = data.similarity(dataset, pool_dataset, field, tokenizer)
if dataset.fingerprint == pool_dataset.fingerprint:
    st.warning("The dataset is its own pool: every row's nearest item is itself (ROUGE-L 1.0).")
above = rows_above(scores, threshold, texts=dataset.frame[field])
histogram = similarity_histogram_data(scores["max_rougeL"])
figure_with_exports(
    similarity_histogram(histogram, threshold=threshold, above=len(above), pool_name=pool),
    scores,
    f"rouge-to-{pool}-{dataset.name}",
)
st.subheader(f"{counted(len(above), 'row')} above {threshold:g}")
text_table(above, ["text", "nearest_text"])
