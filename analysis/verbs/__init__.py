"""Verb-noun diversity: the root verb of each text and its direct object (Self-Instruct Fig. 2).

Self-Instruct measured how varied its generated instructions are by parsing each one and keeping
the root verb of the first sentence with its direct-object noun; GPT-4-LLM ran the same code on
the outputs. This package extracts that ``(verb, noun)`` pair per row, cached on disk, and the
aggregates the papers drew (the figures are in ``analysis.figures.verbs``).

One module a job: `rules` (the two English rules on parsed Docs), `english` (the spaCy model
and a rule over many texts, parsed by ``analysis.verbs_pipeline``), `chinese` (jieba's tags, an
approximation), `column` (the cached per-row column) and `aggregates` (counts and tables).
Callers import from `analysis.verbs`.
"""

from analysis.verbs.aggregates import (
    coverage_notes,
    pair_counts,
    pairs_above,
    rows_for,
    shown_verbs_note,
    summary,
    summary_labels,
    summary_table,
    top_pairs_comparison,
    top_verb_nouns,
)
from analysis.verbs.chinese import chinese_pair
from analysis.verbs.column import (
    APPROXIMATE_METHODS,
    CHUNK_SIZE,
    WORKERS,
    extract,
    verb_noun_column,
)
from analysis.verbs.english import (
    BATCH_SIZE,
    default_model_name,
    load_english,
    model_id,
    parse_pairs,
)
from analysis.verbs.rules import RULES, Pair, full_rule, paper_rule, stored_lemma

__all__ = [
    "APPROXIMATE_METHODS",
    "BATCH_SIZE",
    "CHUNK_SIZE",
    "RULES",
    "WORKERS",
    "Pair",
    "chinese_pair",
    "coverage_notes",
    "default_model_name",
    "extract",
    "full_rule",
    "load_english",
    "model_id",
    "pair_counts",
    "pairs_above",
    "parse_pairs",
    "paper_rule",
    "rows_for",
    "shown_verbs_note",
    "stored_lemma",
    "summary",
    "summary_labels",
    "summary_table",
    "top_pairs_comparison",
    "top_verb_nouns",
    "verb_noun_column",
]
