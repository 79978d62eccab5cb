"""analysis.rouge.allpairs finds exactly the pairs brute force finds: every pair, every score."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer, scoring

from analysis import rouge
from analysis.paths import REPO_ROOT
from analysis.rouge import allpairs
from analysis.rouge.codec import encode_together
from analysis.rouge.tokens import tokenize_all

SCORER = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
THRESHOLDS = (0.3, 0.5, 0.7, 0.9)


def brute_force(texts: list[str], threshold: float, tokenizer: str = "english") -> pd.DataFrame:
    """Every pair scored by the exact pairwise scorer (rouge_score parity is test_rouge's job)."""
    scores = rouge.rouge_l_matrix(texts, texts, tokenizer=tokenizer)
    i, j = np.nonzero(np.triu(scores > threshold, k=1))
    return pd.DataFrame({"i": i.astype(np.int64), "j": j.astype(np.int64), "rougeL": scores[i, j]})


def assert_same_pairs(found: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert found["i"].tolist() == expected["i"].tolist()
    assert found["j"].tolist() == expected["j"].tolist()
    assert found["rougeL"].tolist() == expected["rougeL"].tolist()  # bit for bit


def edited(rng: random.Random, text: str) -> str:
    """A light edit: swap, drop or repeat a word, change case or punctuation."""
    words = text.split() or ["x"]
    at = rng.randrange(len(words))
    edit = rng.randrange(4)
    if edit == 0 and len(words) > 1:
        words[at], words[at - 1] = words[at - 1], words[at]
    elif edit == 1 and len(words) > 1:
        del words[at]
    elif edit == 2:
        words.insert(at, words[at])
    else:
        words[at] = words[at].upper() + "!"
    return " ".join(words)


def bundled_corpus(count: int, seed: int) -> list[str]:
    """Real instructions, clauses of two recombined, and light edits of earlier texts."""
    path = REPO_ROOT / "data" / "self_instruct" / "seed_tasks.jsonl"
    with path.open(encoding="utf-8") as handle:
        real = [json.loads(line)["instruction"] for line in handle]
    rng = random.Random(seed)
    texts: list[str] = []
    while len(texts) < count:
        roll = rng.random()
        if texts and roll < 0.35:
            texts.append(edited(rng, rng.choice(texts)))
        elif roll < 0.7:
            texts.append(rng.choice(real))
        else:
            a, b = rng.sample(real, 2)
            texts.append(
                " ".join(a.split()[: len(a.split()) // 2] + b.split()[len(b.split()) // 2 :])
            )
    return texts


def pairs_at_exactly(threshold: float, limit: int = 40) -> list[tuple[str, str]]:
    """Text pairs whose ROUGE-L, in rouge_score's arithmetic, is exactly the threshold, and
    pairs where 2*lcs/(la+lb) equals it but the F arithmetic lands an ulp away."""
    found = []
    for len_a in range(1, limit):
        for len_b in range(len_a, limit):
            for lcs in range(1, len_a + 1):
                f = scoring.fmeasure(lcs / len_b, lcs / len_a)
                if f == threshold or abs(2 * lcs / (len_a + len_b) - threshold) < 1e-12:
                    shared = [f"s{n}" for n in range(lcs)]
                    a = shared + [f"a{n}" for n in range(len_a - lcs)]
                    b = [f"b{n}" for n in range(len_b - lcs)] + shared
                    found.append((" ".join(a), " ".join(b)))
    return found


ADVERSARIAL = [
    "",
    "!!! ...",
    "a",
    "a a",
    "a a a",
    "a a a a a a a a",
    "b a a a",
    "a b a b a b",
    "b a b a b a",
    "one two three four five six",
    "six five four three two one",
    "two one four three six five",
    "One, two; THREE four: five six!",
    "one two three four five six seven",
    "word " * 300,
    "word " * 299 + "other",
    " ".join(str(n % 37) for n in range(500)),
    " ".join(str(n % 37) for n in range(480)),
    " ".join(str((n * 7) % 37) for n in range(500)),
    "the the the the of of of",
    "of the of the of the of",
]


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_allpairs_equal_brute_force_on_bundled_texts(threshold: float) -> None:
    texts = bundled_corpus(400, seed=3)
    assert_same_pairs(rouge.all_pairs_above(texts, threshold), brute_force(texts, threshold))


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_allpairs_equal_brute_force_on_adversarial_texts(threshold: float) -> None:
    rng = random.Random(11)
    texts = ADVERSARIAL + [edited(rng, text) for text in ADVERSARIAL]
    for a, b in pairs_at_exactly(threshold):
        texts += [a, b]
    expected = brute_force(texts, threshold)
    assert len(expected) > 10
    assert_same_pairs(rouge.all_pairs_above(texts, threshold), expected)


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_allpairs_pairs_exactly_at_threshold_are_not_above_it(threshold: float) -> None:
    for a, b in pairs_at_exactly(threshold)[:60]:
        expected = SCORER.score(a, b)["rougeL"].fmeasure
        found = rouge.all_pairs_above([a, b], threshold)
        assert found["rougeL"].tolist() == ([expected] if expected > threshold else [])


def test_allpairs_cjk_tokenizer_equals_brute_force() -> None:
    texts = [
        "请写一首关于春天的诗。",
        "请写一首关于夏天的诗。",
        "请写一首关于春天的短诗",
        "把下面的句子翻译成英文。",
        "把下面的句子翻译成中文。",
        "Write a poem about spring 春天",
        "",
    ]
    for threshold in THRESHOLDS:
        expected = brute_force(texts, threshold, tokenizer="cjk")
        assert_same_pairs(rouge.all_pairs_above(texts, threshold, tokenizer="cjk"), expected)
    assert not brute_force(texts, 0.7, tokenizer="cjk").empty


@pytest.mark.parametrize(
    ("chunk", "shared_keys", "pair_prefix_limit"),
    [(7, 1, 40), (7, 2, 40), (50, 3, 3), (1, 4, 1000), (1_000_000, 3, 0)],
)
def test_allpairs_settings_change_speed_not_pairs(
    chunk: int, shared_keys: int, pair_prefix_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks and probe blocks of any size, any number of shared keys, pair or single-key signatures: the
    filters are exact whatever the settings."""
    monkeypatch.setattr(allpairs, "CHUNK_CANDIDATES", chunk)
    monkeypatch.setattr(allpairs, "PROBE_TEXTS", chunk)
    monkeypatch.setattr(allpairs, "SHARED_KEYS", shared_keys)
    monkeypatch.setattr(allpairs, "PAIR_PREFIX_LIMIT", pair_prefix_limit)
    texts = bundled_corpus(150, seed=5) + ADVERSARIAL
    for threshold in (0.5, 0.7):
        assert_same_pairs(rouge.all_pairs_above(texts, threshold), brute_force(texts, threshold))


def test_allpairs_verify_only_candidates_sharing_prefix_keys() -> None:
    """The filter does prune: far fewer candidates than pairs, yet every pair above is one."""
    texts = bundled_corpus(400, seed=8)
    (encoded,) = encode_together(tokenize_all(texts))[1]
    owner, ranks = allpairs._keys_by_rarity(encoded.codes, encoded.lengths)
    candidates = set()
    for a, b in allpairs.candidate_chunks(encoded.lengths, owner, ranks, 0.7):
        pairs = zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist(), strict=True)
        candidates.update(pairs)
    expected = brute_force(texts, 0.7)
    assert set(zip(expected["i"], expected["j"], strict=True)) <= candidates
    assert len(candidates) < len(texts) * (len(texts) - 1) // 2 // 20


def test_allpairs_empty_and_single_inputs() -> None:
    for texts in ([], [""], ["a"], ["", ""]):
        found = rouge.all_pairs_above(texts, 0.7)
        assert found.empty and list(found.columns) == ["i", "j", "rougeL"]
    assert rouge.all_pairs_above(["a b", "a b"], 0.7)["rougeL"].tolist() == [1.0]
    assert rouge.all_pairs_above(["a b", "a b"], 1.0).empty  # strictly above


VOCABULARY = st.sampled_from(["a", "b", "c", "d", "e", "f", "the", "of", "write", "poem", "1"])
TEXTS = st.lists(
    st.lists(VOCABULARY, max_size=14).map(" ".join) | st.text(max_size=20), min_size=0, max_size=30
)


@settings(max_examples=150, deadline=None)
@given(TEXTS, st.sampled_from(THRESHOLDS) | st.floats(0.01, 1.0))
def test_allpairs_hypothesis_equal_brute_force(texts: list[str], threshold: float) -> None:
    assert_same_pairs(rouge.all_pairs_above(texts, threshold), brute_force(texts, threshold))


def test_near_duplicate_pairs_engines_give_one_dedup(monkeypatch: pytest.MonkeyPatch) -> None:
    """From 2,000 rows dedup runs on the all-pairs engine; it keeps and reports what the
    length-band engine does, for both rules."""
    texts = bundled_corpus(2_100, seed=13)
    frame = pd.DataFrame({"id": [f"r{n}" for n in range(len(texts))], "instruction": texts})
    calls = []
    monkeypatch.setattr(
        rouge.duplicates,
        "all_pairs_above",
        lambda *a, **k: calls.append(1) or allpairs.all_pairs_above(*a, **k),
    )
    for rule in rouge.DEDUP_RULES:
        kept, removed = rouge.deduplicate(frame, 0.7, rule=rule)
        with monkeypatch.context() as banded_only:
            banded_only.setattr(rouge.duplicates, "ALLPAIRS_MIN_ROWS", 10**9)
            kept_banded, removed_banded = rouge.deduplicate(frame, 0.7, rule=rule)
        pd.testing.assert_frame_equal(kept, kept_banded)
        pd.testing.assert_frame_equal(removed, removed_banded)
        assert len(removed) > 100
    assert len(calls) == 2
    pairs = rouge.near_duplicate_pairs(texts, 0.9)
    assert_same_pairs(pairs, rouge.duplicates.banded_pairs(texts, 0.9))
