"""analysis.rouge against the reference, rouge_score, score for score (exact float equality)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer, scoring
from rouge_score import tokenize as reference_tokenize

from analysis import rouge
from analysis.errors import WorkbenchError

SCORER = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)

#: Instruction words plus the tokenizer's hard cases: apostrophes, hyphens, symbols, accents,
#: a capital I with dot and the Kelvin sign (both change length or script when lowercased).
PHRASES = (
    "give write explain the a of to list three ways generate sentence story poem about",
    "classify following text into positive negative 2 10 1999 x y z",
    "n't e-mail C++ co-op don't it's café naïve Straße résumé ÉCOLE İstanbul \u212aelvin",
)
WORDS = [word for phrase in PHRASES for word in phrase.split()]
SEPARATORS = (" ", "  ", ", ", ". ", "! ", "?\n", " - ", "\t", "/", "...", "'", "_", "’")


def reference(target: str, prediction: str) -> float:
    return SCORER.score(target, prediction)["rougeL"].fmeasure


def random_text(rng: random.Random, low: int = 0, high: int = 25) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return "".join(word + rng.choice(SEPARATORS) for word in words)


def near_copy(rng: random.Random, text: str) -> str:
    """A text that shares most tokens, in order, with `text` (a near-duplicate)."""
    words = text.split()
    for _ in range(rng.randint(0, 3)):
        if words and rng.random() < 0.5:
            del words[rng.randrange(len(words))]
        else:
            words.insert(rng.randint(0, len(words)), rng.choice(WORDS))
    return " ".join(words)


def random_corpus(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    texts: list[str] = []
    for _ in range(count):
        if texts and rng.random() < 0.4:
            texts.append(near_copy(rng, rng.choice(texts)))
        else:
            texts.append(random_text(rng, 0, 15))
    return texts


# --- tokenizer and single-pair parity -------------------------------------------------------


ADVERSARIAL = [
    "",
    " ",
    "!!! ... ???",
    "12345 678",
    "1 2 3 4 5 6 7 8 9 10",
    "Café naïve résumé",
    "ÉCOLE école ecole",
    "\u212aelvin kelvin",  # the Kelvin sign lowercases to an ASCII k
    "İstanbul istanbul",
    "don't won't can't",
    "e-mail_address snake_case",
    "请写一首关于春天的诗",
    "日本語のテキスト and English",
    "한국어 텍스트",
    "emoji 🙂 test 🙂",
    "tab\tseparated\nnew lines\r\nwindows",
    "word " * 300,
    " ".join(str(i % 50) for i in range(400)),
]


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_rouge_english_tokenizer_matches_rouge_score(text: str) -> None:
    assert rouge.tokenize_english(text) == reference_tokenize.tokenize(text, None)


@pytest.mark.parametrize(("target", "prediction"), list(itertools.product(ADVERSARIAL, repeat=2)))
def test_rouge_adversarial_pairs_equal_rouge_score(target: str, prediction: str) -> None:
    assert rouge.rouge_l(target, prediction) == reference(target, prediction)


def test_rouge_seeded_random_pairs_equal_rouge_score() -> None:
    rng = random.Random(1234)
    targets, predictions = [], []
    for _ in range(3000):
        target = random_text(rng)
        targets.append(target)
        predictions.append(near_copy(rng, target) if rng.random() < 0.5 else random_text(rng))
    expected = [reference(t, p) for t, p in zip(targets, predictions, strict=True)]
    assert [rouge.rouge_l(t, p) for t, p in zip(targets, predictions, strict=True)] == expected
    # The bulk path scores the same pairs on the matrix diagonal.
    diagonal = np.diag(rouge.rouge_l_matrix(targets[:400], predictions[:400])).tolist()
    assert diagonal == expected[:400]


def test_rouge_long_texts_equal_rouge_score() -> None:
    rng = random.Random(7)
    long_a = random_text(rng, 400, 500)
    long_b = near_copy(rng, long_a) + " " + random_text(rng, 50, 80)
    assert rouge.rouge_l(long_a, long_b) == reference(long_a, long_b)
    assert rouge.rouge_l_matrix([long_a], [long_b, long_a])[0].tolist() == [
        reference(long_a, long_b),
        1.0,
    ]


WORD = st.sampled_from(WORDS)
TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.tuples(WORD, st.sampled_from(SEPARATORS)), max_size=20).map(
        lambda parts: "".join(a + b for a, b in parts)
    ),
)


@settings(max_examples=600, deadline=None)
@given(TEXT, TEXT)
def test_rouge_hypothesis_pairs_equal_rouge_score(target: str, prediction: str) -> None:
    assert rouge.tokenize_english(target) == reference_tokenize.tokenize(target, None)
    assert rouge.rouge_l(target, prediction) == reference(target, prediction)
    assert rouge.rouge_l(target, target + " " + prediction) == reference(
        target, target + " " + prediction
    )


# --- decisions at exactly the threshold ------------------------------------------------------


def _text_pair(len_a: int, len_b: int, lcs: int) -> tuple[str, str]:
    """Two texts with these token counts whose longest common subsequence has length lcs."""
    shared = [f"s{i}" for i in range(lcs)]
    a = shared + [f"a{i}" for i in range(len_a - lcs)]
    b = [f"b{i}" for i in range(len_b - lcs)] + shared
    return " ".join(a), " ".join(b)


def _length_triples(limit: int = 40):
    for len_a in range(1, limit):
        for len_b in range(len_a, limit):
            for lcs in range(1, len_a + 1):
                yield len_a, len_b, lcs


def test_rouge_pairs_at_exactly_threshold_are_kept() -> None:
    exact = [
        t
        for t in _length_triples()
        if scoring.fmeasure(t[2] / t[1], t[2] / t[0]) == 0.7  # rouge_score's arithmetic
    ]
    assert exact, "no (len_a, len_b, lcs) with F exactly 0.7 in the search range"
    for len_a, len_b, lcs in exact:
        pool_text, candidate = _text_pair(len_a, len_b, lcs)
        assert reference(candidate, pool_text) == 0.7
        score, nearest, _ = rouge.IncrementalRougeFilter([pool_text]).check(candidate)
        assert (score, nearest) == (0.7, 0)
        assert rouge.filter_candidates([candidate], [pool_text])["kept"].tolist() == [True]
        assert rouge.near_duplicate_pairs([pool_text, candidate]).empty


def test_rouge_uses_f_arithmetic_where_shortcut_rounds_differently() -> None:
    differing = [
        t
        for t in _length_triples()
        if scoring.fmeasure(t[2] / t[1], t[2] / t[0]) != 2 * t[2] / (t[0] + t[1])
    ]
    assert differing
    around = [t for t in differing if abs(2 * t[2] / (t[0] + t[1]) - 0.7) < 1e-12]
    assert around, "expected pairs where the shortcut flips the decision at 0.7"
    for len_a, len_b, lcs in differing[:200] + around:
        a, b = _text_pair(len_a, len_b, lcs)
        expected = reference(a, b)
        assert rouge.rouge_l(a, b) == expected
        assert rouge.IncrementalRougeFilter([a]).check(b)[0] == expected
        kept = rouge.filter_candidates([b], [a])["kept"].item()
        assert kept == (not expected > 0.7)


# --- CJK --------------------------------------------------------------------------------------

CHINESE = [
    "请写一首关于春天的诗。",
    "请写一首关于夏天的诗。",
    "把下面的句子翻译成英文。",
    "解释一下什么是机器学习。",
    "请写一首关于春天的短诗",
]


def test_rouge_cjk_tokenizer_detects_chinese_near_duplicates() -> None:
    assert rouge.tokenize_cjk("请写 GPT-4 的诗") == ["请", "写", "gpt", "4", "的", "诗"]
    english = rouge.near_duplicate_pairs(CHINESE, tokenizer="english")
    cjk = rouge.near_duplicate_pairs(CHINESE, tokenizer="cjk")
    assert english.empty
    assert [reference(CHINESE[0], other) for other in CHINESE[1:]] == [0.0] * 4
    assert set(zip(cjk["i"], cjk["j"], strict=True)) == {(0, 1), (0, 4), (1, 4)}
    # 9 of 10 characters shared, in order
    assert cjk.loc[(cjk["i"] == 0) & (cjk["j"] == 1), "rougeL"].item() == pytest.approx(0.9)


def test_rouge_auto_tokenizer_picks_per_text_or_by_lang() -> None:
    english_text = "Write a poem about spring, don't rhyme."
    assert rouge.tokenize(english_text, "auto") == rouge.tokenize_english(english_text)
    assert rouge.tokenize(CHINESE[0], "auto") == rouge.tokenize_cjk(CHINESE[0])
    assert rouge.tokenize("kanji-free romaji", "auto", lang="ja") == ["kanji", "free", "romaji"]
    assert rouge.tokenize("请写", "auto", lang="en") == []
    frame = pd.DataFrame(
        {"id": ["a", "b", "c"], "instruction": CHINESE[:2] + ["Write a poem."], "lang": "zh"}
    )
    kept, removed = rouge.deduplicate(frame, tokenizer="auto")
    assert kept["id"].tolist() == ["a", "c"]
    assert removed["id"].tolist() == ["b"]


def test_rouge_unknown_tokenizer_is_a_user_error() -> None:
    with pytest.raises(WorkbenchError, match="unknown tokenizer 'spacy'"):
        rouge.tokenize("text", "spacy")
    with pytest.raises(WorkbenchError, match="unknown tokenizer"):
        rouge.IncrementalRougeFilter(["x"], tokenizer="spacy")


# --- pools, pairs, clusters, the incremental filter -------------------------------------------


def test_rouge_to_pool_equals_brute_force() -> None:
    texts = random_corpus(11, 120)
    pool = random_corpus(12, 40)
    result = rouge.rouge_to_pool(texts, pool)
    for row, text in zip(result.itertuples(), texts, strict=True):
        scores = [reference(text, item) for item in pool]
        assert row.max_rougeL == max(scores)
        assert row.mean_rougeL == pytest.approx(float(np.mean(scores)), rel=1e-12, abs=1e-15)
        if max(scores) > 0:
            assert row.nearest_index == scores.index(max(scores))
            assert row.nearest_text == pool[row.nearest_index]
        else:
            assert row.nearest_index == -1
            assert pd.isna(row.nearest_text)


def test_rouge_to_pool_empty_pool_is_a_user_error() -> None:
    with pytest.raises(WorkbenchError, match="pool is empty"):
        rouge.rouge_to_pool(["a text"], [])


def brute_force_pairs(texts: list[str], threshold: float) -> dict[tuple[int, int], float]:
    pairs = {}
    for i, j in itertools.combinations(range(len(texts)), 2):
        score = reference(texts[i], texts[j])
        if score > threshold:
            pairs[(i, j)] = score
    return pairs


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.7, 0.9])
@pytest.mark.parametrize("block_cells", [rouge.scores.BLOCK_CELLS, 7])
def test_rouge_near_duplicate_pairs_equal_brute_force(
    threshold: float, block_cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rouge.scores, "BLOCK_CELLS", block_cells)
    texts = random_corpus(5, 150) + ["", "!!!", "a", "a"]
    pairs = rouge.near_duplicate_pairs(texts, threshold)
    found = {(i, j): s for i, j, s in zip(pairs["i"], pairs["j"], pairs["rougeL"], strict=True)}
    assert found == brute_force_pairs(texts, threshold)
    assert (pairs["i"] < pairs["j"]).all()


@pytest.mark.parametrize("block_cells", [rouge.scores.BLOCK_CELLS, 7])
def test_rouge_near_duplicate_pairs_never_score_a_row_with_itself(
    block_cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rouge.scores, "BLOCK_CELLS", block_cells)
    scored: list[tuple[list[str], list[str]]] = []

    def counting_lcs(queries, choices, workers, cutoff=0):
        scored.append((list(queries), list(choices)))
        return rouge.scores.lcs_lengths(queries, choices, workers, cutoff)

    monkeypatch.setattr(rouge.duplicates, "lcs_lengths", counting_lcs)
    assert rouge.near_duplicate_pairs(["write " * 5_000]).empty
    assert scored == []  # one row has no pair to score
    texts = [f"write a poem about topic {n}" for n in range(40)]  # one length band
    pairs = rouge.near_duplicate_pairs(texts, 0.7)
    assert sum(len(queries) * len(choices) for queries, choices in scored) == 40 * 39 // 2
    assert not any(set(queries) & set(choices) for queries, choices in scored)
    assert len(pairs) == 40 * 39 // 2  # each pair still found once


def test_rouge_clusters_join_chains_and_keep_first() -> None:
    pairs = pd.DataFrame({"i": [3, 1, 0], "j": [4, 3, 5], "rougeL": [0.8, 0.9, 0.75]})
    assert rouge.clusters_from_pairs(7, pairs).tolist() == [0, 1, 2, 1, 1, 0, 6]


def test_rouge_near_duplicate_clusters_report_the_justifying_row() -> None:
    texts = [
        "write a short poem about the sea",
        "write a short poem about the blue sea",
        "explain how a car engine works",
        "write a long poem about the blue sea today",
        "write a short poem about the sea",
    ]
    by_filter = rouge.near_duplicate_clusters(texts)
    by_cluster = rouge.near_duplicate_clusters(texts, rule="cluster")
    for clusters in (by_filter, by_cluster):
        assert clusters["cluster"].tolist() == [0, 0, 2, 0, 0]
        assert clusters["is_duplicate"].tolist() == [False, True, False, True, True]
        assert clusters["matched_index"].tolist()[:3] == [-1, 0, -1]
        assert clusters["matched_rougeL"].tolist()[4] == 1.0
    # Row 3 is closest to row 1, which is dropped: the filter names the kept row 0 instead.
    assert reference(texts[3], texts[1]) > reference(texts[3], texts[0]) > 0.7
    assert by_filter["matched_index"][3] == 0
    assert by_filter["matched_rougeL"][3] == reference(texts[3], texts[0])
    assert by_cluster["matched_index"][3] == 1
    assert by_cluster["matched_rougeL"][3] == reference(texts[3], texts[1])


def test_rouge_filter_rule_keeps_rows_linked_only_through_a_dropped_row() -> None:
    a = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10"
    b = "w1 w2 x3 w4 w5 w6 w7 x8 w9 w10"
    c = "w1 w2 x3 w4 y5 w6 w7 x8 w9 y10"
    assert reference(a, b) > 0.7 and reference(b, c) > 0.7 and reference(a, c) <= 0.7
    assert rouge.near_duplicate_clusters([a, b, c])["is_duplicate"].tolist() == [
        False,
        True,
        False,
    ]
    by_cluster = rouge.near_duplicate_clusters([a, b, c], rule="cluster")
    assert by_cluster["is_duplicate"].tolist() == [False, True, True]
    with pytest.raises(WorkbenchError, match="unknown near-duplicate rule"):
        rouge.near_duplicate_clusters([a], rule="greedy")


def test_rouge_filter_rule_equals_incremental_filter_over_the_set() -> None:
    texts = random_corpus(8, 300)
    clusters = rouge.near_duplicate_clusters(texts)
    filtered = rouge.filter_candidates(texts, [])
    assert (~clusters["is_duplicate"]).tolist() == filtered["kept"].tolist()
    dropped = clusters["is_duplicate"].to_numpy()
    assert dropped.sum() > 10
    assert clusters["matched_rougeL"][dropped].tolist() == filtered["max_rougeL"][dropped].tolist()


def self_instruct_filter(candidates: list[str], pool: list[str]) -> list[tuple[bool, float]]:
    """The reference: Self-Instruct's loop, every candidate scored by rouge_score."""
    kept_pool = list(pool)
    decisions = []
    for candidate in candidates:
        scores = [SCORER.score(candidate, item)["rougeL"].fmeasure for item in kept_pool]
        best = max(scores, default=0.0)
        keep = not best > 0.7
        if keep:
            kept_pool.append(candidate)
        decisions.append((keep, best))
    return decisions


def test_rouge_incremental_filter_equals_self_instruct_loop() -> None:
    corpus = random_corpus(21, 260)
    pool, candidates = corpus[:60], corpus[60:]
    expected = self_instruct_filter(candidates, pool)
    result = rouge.filter_candidates(candidates, pool)
    assert list(zip(result["kept"], result["max_rougeL"], strict=True)) == expected
    assert 0 < sum(kept for kept, _ in expected) < len(candidates)


def test_rouge_incremental_filter_grows_and_reports_nearest() -> None:
    rouge_filter = rouge.IncrementalRougeFilter(["list three fruits"], threshold=0.7)
    assert rouge_filter.check("tell me a joke") == (0.0, None, None)
    for number in range(1500):  # past the initial length buffer
        rouge_filter.add(f"unrelated text number {number}")
    index = rouge_filter.add("tell me a funny joke about cats")
    score, nearest, text = rouge_filter.check("tell me a joke about cats")
    assert (score, nearest, text) == (
        reference("tell me a joke about cats", "tell me a funny joke about cats"),
        index,
        "tell me a funny joke about cats",
    )
    assert len(rouge_filter) == 1502


def test_rouge_check_with_unseen_words_does_not_grow_vocabulary() -> None:
    rouge_filter = rouge.IncrementalRougeFilter(["alpha beta gamma"])
    size = len(rouge_filter._codec)
    assert rouge_filter.check("delta epsilon delta alpha")[0] == reference(
        "delta epsilon delta alpha", "alpha beta gamma"
    )
    assert len(rouge_filter._codec) == size


def test_rouge_cached_similarity_reads_the_cache(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis.datasets import Dataset

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    frame = pd.DataFrame({"id": ["1", "2"], "instruction": ["write a poem", "add two numbers"]})
    pool = pd.DataFrame({"id": ["s1"], "instruction": ["write a short poem"]})
    dataset = Dataset("d", frame, "fp-d", "d.jsonl", "alpaca")
    pool_dataset = Dataset("p", pool, "fp-p", "p.jsonl", "alpaca")
    first = rouge.max_rouge_to_pool_cached(dataset, pool_dataset)

    def fail(*args, **kwargs):
        raise AssertionError("recomputed despite a valid cache entry")

    monkeypatch.setattr(rouge.frames, "similarity_to_pool", fail)
    again = rouge.max_rouge_to_pool_cached(dataset, pool_dataset)
    pd.testing.assert_frame_equal(first, again, check_dtype=False)
    assert again["max_rougeL"].tolist() == [reference("write a poem", "write a short poem"), 0.0]
    with pytest.raises(AssertionError, match="recomputed"):
        rouge.max_rouge_to_pool_cached(dataset, pool_dataset, tokenizer="cjk")


def test_rouge_index_lcs_equals_reference_for_short_and_long_texts() -> None:
    from rapidfuzz.distance import LCSseq

    from analysis.rouge.index import LcsIndex

    rng = random.Random(3)
    alphabet = [chr(code) for code in range(300, 330)]  # codes as the codec hands them out
    texts = [
        "".join(rng.choices(alphabet, k=rng.choice([0, 1, 5, 63, 64, 65, 130])))
        for _ in range(1100)
    ]
    index = LcsIndex()
    for number, text in enumerate(texts):
        assert index.add(text) == number  # grows past its initial buffers (1024 texts)
    for _ in range(30):
        query = "".join(rng.choices(alphabet + ["\U0010ffff"], k=rng.choice([1, 10, 64, 90])))
        assert index.lcs(query).tolist() == [LCSseq.similarity(query, text) for text in texts]
