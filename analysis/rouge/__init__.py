"""Exact ROUGE-L F-measure (rouge_score parity) on a bit-parallel LCS core, CJK-aware.

Self-Instruct and Alpaca keep a generated instruction only if its ROUGE-L to every instruction in
the pool is at most 0.7, computed with `rouge_score` (a pure-Python LCS, ~40 us a pair). Here
each distinct token becomes one code point, so a text becomes a short str and rapidfuzz's
bit-parallel (SIMD, multi-threaded) LCS compares thousands of them per call; the F-measure is
then computed with rouge_score's own float arithmetic, so every score, and every decision at
exactly 0.7, is bit-identical. Large comparisons run in row blocks: no N x N matrix is ever held.

One module a job: `tokens` (the tokenizers), `codec` (tokens as code points), `scores` (LCS and
the F-measure), `pool` (texts against a pool), `duplicates` (pairs and clusters within a set), `allpairs`
(the same pairs among a million texts, by prefix filtering),
`index` and `incremental` (the novelty filter, one candidate at a time), `frames` (record-schema
frames: the cached similarity column, deduplication). Callers import from `analysis.rouge`.
"""

from analysis.rouge.allpairs import all_pairs_above
from analysis.rouge.codec import encode_together
from analysis.rouge.duplicates import (
    DEDUP_RULES,
    clusters_from_pairs,
    near_duplicate_clusters,
    near_duplicate_pairs,
)
from analysis.rouge.frames import (
    deduplicate,
    frame_near_duplicate_pairs,
    max_rouge_to_pool_cached,
    similarity_to_pool,
)
from analysis.rouge.incremental import IncrementalRougeFilter, filter_candidates
from analysis.rouge.pool import rouge_to_pool
from analysis.rouge.scores import f_measure, rouge_l, rouge_l_matrix
from analysis.rouge.tokens import (
    AUTO,
    ENGLISH,
    TOKENIZERS,
    default_tokenizer,
    tokenize,
    tokenize_cjk,
    tokenize_english,
)

__all__ = [
    "AUTO",
    "DEDUP_RULES",
    "ENGLISH",
    "TOKENIZERS",
    "IncrementalRougeFilter",
    "all_pairs_above",
    "clusters_from_pairs",
    "default_tokenizer",
    "deduplicate",
    "encode_together",
    "f_measure",
    "filter_candidates",
    "frame_near_duplicate_pairs",
    "max_rouge_to_pool_cached",
    "near_duplicate_clusters",
    "near_duplicate_pairs",
    "rouge_l",
    "rouge_l_matrix",
    "rouge_to_pool",
    "similarity_to_pool",
    "tokenize",
    "tokenize_cjk",
    "tokenize_english",
]
