"""The fast pipeline annotates exactly as the stock spaCy pipeline does."""

from __future__ import annotations

import json

import numpy as np
import pytest
import spacy
from spacy.tokens import Doc

from analysis import verbs, verbs_pipeline
from analysis.paths import DATA_DIR

SEED_LINES = (DATA_DIR / "self_instruct" / "seed_tasks.jsonl").read_text("utf-8").splitlines()
#: How far tok2vec's floats may move with the order BLAS sums in: spaCy's own tensors for one
#: text move by up to 3e-6 between batch sizes 1000 and 7 (AMD EPYC, OpenBLAS' Zen kernels).
TENSOR_ATOL = 1e-5
EDGE_TEXTS = [
    "There is a cat.\n\nThey gon na go. Y'all ain't ready, let's see",
    "  spaced   out\ttext\n",
    "Is there anything I can eat?",
    "",
]


def bundled_texts() -> list[str]:
    """The bundled instructions and 300 long multi-sentence model outputs."""
    texts = []
    for name in ("seed_tasks.jsonl", "user_oriented_instructions.jsonl"):
        with (DATA_DIR / "self_instruct" / name).open(encoding="utf-8") as handle:
            texts += [json.loads(line)["instruction"] for line in handle]
    outputs = DATA_DIR / "self_instruct" / "predictions" / "text-davinci-003.jsonl"
    with outputs.open(encoding="utf-8") as handle:
        texts += [json.loads(line)["response"] for line in handle][:300]
    return texts


def signature(doc: Doc, lemma) -> list[tuple]:
    return [
        (t.tag_, t.pos_, str(t.morph), lemma(t), t.dep_, t.head.i, t.is_sent_start) for t in doc
    ]


def stock_and_fast(texts: list[str], batch_size: int = 16):
    """Docs of the stock pipeline (without NER) and of ``annotate``, on a freshly loaded model."""
    name = verbs.default_model_name()
    stock = spacy.load(name, exclude=list(verbs_pipeline.EXCLUDED_COMPONENTS))
    fast = verbs_pipeline.load(name)
    ours = list(verbs_pipeline.annotate(fast, texts, batch_size))
    return list(stock.pipe(texts)), ours, fast


@pytest.mark.slow
def test_verbs_pipeline_matches_the_stock_pipeline_token_by_token():
    texts = bundled_texts() + EDGE_TEXTS
    theirs, ours, fast = stock_and_fast(texts)
    lemma = verbs_pipeline.lemma_reader(fast)
    assert [signature(doc, lemma) for doc in ours] == [
        signature(doc, verbs.stored_lemma) for doc in theirs
    ]
    # The cached embedding gives tok2vec's floats up to rounding (on the same numpy ops).
    same_ops = verbs_pipeline.load(verbs.default_model_name())
    for mine, stock in zip(ours, same_ops.pipe(texts), strict=True):
        np.testing.assert_allclose(mine.tensor, stock.tensor, rtol=0, atol=TENSOR_ATOL)


def test_verbs_pipeline_compiled_parse_loop_is_built_for_this_spacy():
    """`make test` builds it (setup.py); without it the parser runs spaCy's slower loop."""
    module = verbs_pipeline.compiled_parse_module()
    assert module is not None, "run `make test` (or pip install --no-build-isolation -e .)"
    assert verbs_pipeline.compiled_against() == module.BUILT_AGAINST


@pytest.mark.slow
def test_verbs_pipeline_falls_back_to_spacys_parse_loop_when_built_for_another_spacy(
    monkeypatch,
):
    monkeypatch.setattr(verbs_pipeline, "compiled_against", lambda: "spacy==0.0.0;thinc==0.0.0")
    verbs_pipeline.compiled_parse_module.cache_clear()
    try:
        assert verbs_pipeline.compiled_parse_module() is None
        texts = [json.loads(line)["instruction"] for line in SEED_LINES[:40]]
        theirs, ours, fast = stock_and_fast(texts)
        assert verbs_pipeline.fast_component(fast, "parser") is None
        assert verbs_pipeline.fast_component(fast, "tok2vec") is not None
        lemma = verbs_pipeline.lemma_reader(fast)
        assert [signature(d, lemma) for d in ours] == [
            signature(d, verbs.stored_lemma) for d in theirs
        ]
    finally:
        verbs_pipeline.compiled_parse_module.cache_clear()


def test_verbs_pipeline_move_kinds_follow_the_move_names():
    parser = verbs_pipeline.load(verbs.default_model_name()).get_pipe("parser")
    kinds = verbs_pipeline.compiled_parse_module().move_kinds(parser)
    names = [parser.moves.get_class_name(i) for i in range(parser.moves.n_moves)]
    assert len(kinds) == len(names)
    assert [kind for kind in kinds] == ["SDLRB".index(name[0]) for name in names]


@pytest.mark.slow
def test_verbs_pipeline_embedding_cache_gives_stock_floats_for_new_rows_and_after_a_reset(
    monkeypatch,
):
    name = verbs.default_model_name()
    stock, fast = verbs_pipeline.load(name), verbs_pipeline.load(name)  # the same numpy ops
    tok2vec = verbs_pipeline.CachedEmbeddingTok2Vec(fast.get_pipe("tok2vec"))
    warm = [json.loads(line)["instruction"] for line in SEED_LINES[:50]]
    # Texts with one or two rows the table has not seen, alone in their batch.
    few_new = [warm[0] + " Zebrafish.", "Zebrafish quokka.", warm[1]]
    docs = stock.get_pipe("tok2vec").pipe(stock.make_doc(text) for text in warm + few_new)
    reference = {doc.text: doc.tensor for doc in docs}
    monkeypatch.setattr(verbs_pipeline, "EMBED_MAX_ROWS", 300)  # forces resets on the way
    table_sizes = []
    for batch in (warm[:25], warm[25:], few_new[:1], few_new[1:2], few_new, warm):
        for doc in tok2vec([fast.make_doc(text) for text in batch]):
            np.testing.assert_allclose(doc.tensor, reference[doc.text], rtol=0, atol=TENSOR_ATOL)
        table_sizes.append(len(tok2vec._rows))
    assert table_sizes != sorted(table_sizes)  # the table started afresh on the way


def ruler_pipeline(patterns: list[dict]):
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add_patterns(patterns)
    return nlp


def tagged_doc(nlp, words: list[str], tags: list[str], deps: list[str]) -> Doc:
    return Doc(nlp.vocab, words=words, tags=tags, deps=deps, heads=[0] * len(words))


PATTERNS = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN", "MORPH": "Number=Sing"}},
    {"patterns": [[{"LOWER": {"IN": ["is", "are"]}}]], "attrs": {"LEMMA": "be"}},
    {"patterns": [[{"LOWER": {"REGEX": "^n'?t$"}}]], "attrs": {"POS": "PART"}},
    {"patterns": [[{"DEP": "expl"}, {"LOWER": "is"}]], "attrs": {"POS": "VERB"}, "index": 1},
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"TAG": "_SP", "POS": "SPACE"}},
    {"patterns": [[{"TAG": "VBZ"}]], "attrs": {"POS": "AUX"}},
    # Pair patterns setting either token, by positive and negative index, over earlier sets.
    {"patterns": [[{"TAG": "DT"}, {"TAG": "NN"}]], "attrs": {"MORPH": "Definite=Def"}},
    {"patterns": [[{"TAG": "DT"}, {"TAG": "NN"}]], "attrs": {"POS": "PROPN"}, "index": -1},
    {"patterns": [[{"TAG": "VBZ"}, {"TAG": "DT"}]], "attrs": {"LEMMA": "is-a"}, "index": -2},
]


def test_verbs_pipeline_cached_ruler_equals_the_ruler_on_every_pattern_kind():
    nlp = ruler_pipeline(PATTERNS)
    ruler = nlp.get_pipe("attribute_ruler")
    assert verbs_pipeline.CachedAttributeRuler.supports(ruler)
    examples = [
        (["there", "is", "a", "cat", "n't", "\n"], ["EX", "VBZ", "DT", "NN", "RB", "SP"]),
        (["it", "is", "nt", "cats"], ["PRP", "VBZ", "RB", "NNS"]),
        (["there", "are", "dogs"], ["EX", "VBP", "NNS"]),
        # Words no LOWER test names share cache entries with "cat", "dogs", "\n": still exact.
        (["there", "was", "a", "dog", "n't", "\t"], ["EX", "VBZ", "DT", "NN", "RB", "SP"]),
        (["There", "IS", "the", "Cat", "nt", "  "], ["EX", "VBZ", "DT", "NN", "RB", "SP"]),
    ]
    assert_cached_ruler_is_exact(nlp, examples)


def assert_cached_ruler_is_exact(nlp, examples: list[tuple[list[str], list[str]]]):
    ruler = nlp.get_pipe("attribute_ruler")
    cached = verbs_pipeline.CachedAttributeRuler(ruler)
    for words, tags in examples:
        deps = ["expl" if w.lower() == "there" else "dep" for w in words]
        expected, ours = tagged_doc(nlp, words, tags, deps), tagged_doc(nlp, words, tags, deps)
        ruler(expected)
        cached(ours)  # twice: the second time every match comes from the cache
        again = cached(tagged_doc(nlp, words, tags, deps))
        for doc in (ours, again):
            assert [(t.pos_, t.tag_, t.lemma_, str(t.morph)) for t in doc] == [
                (t.pos_, t.tag_, t.lemma_, str(t.morph)) for t in expected
            ]


def test_verbs_pipeline_cached_ruler_keeps_words_apart_where_a_test_tells_unnamed_ones_apart():
    not_in = {"patterns": [[{"LOWER": {"NOT_IN": ["a"]}}]], "attrs": {"MORPH": "Foo=Yes"}}
    fuzzy = {"patterns": [[{"LOWER": {"FUZZY": "cat"}}]], "attrs": {"LEMMA": "cat-like"}}
    examples = [
        (["there", "is", "a", "dog"], ["EX", "VBZ", "DT", "NN"]),
        (["there", "was", "a", "cats"], ["EX", "VBZ", "DT", "NN"]),
    ]
    assert_cached_ruler_is_exact(ruler_pipeline([*PATTERNS, not_in]), examples)
    assert_cached_ruler_is_exact(ruler_pipeline([*PATTERNS, fuzzy]), examples)


def test_verbs_pipeline_cached_ruler_needs_one_entry_for_all_unnamed_words(monkeypatch):
    nlp = ruler_pipeline(PATTERNS)
    cached = verbs_pipeline.CachedAttributeRuler(nlp.get_pipe("attribute_ruler"))
    monkeypatch.setattr(verbs_pipeline, "RULER_MAX_WORDS", 50)  # forgets words on the way
    for start in (0, 200):
        words = [f"word{i}" for i in range(start, start + 200)]
        cached(tagged_doc(nlp, words, ["NN"] * len(words), ["dep"] * len(words)))
    # First, middle and last token: three contexts however many words there are.
    assert len(cached._in_context) == 3
    assert len(cached._shared) <= 250


def test_verbs_pipeline_keeps_the_stock_ruler_for_patterns_it_cannot_cache():
    for pattern, index in (([{"ORTH": "Is"}], 0), ([{"TAG": "NN"}] * 3, 0), ([{"TAG": "NN"}], 1)):
        entry = {"patterns": [pattern], "attrs": {"POS": "X"}, "index": index}
        ruler = ruler_pipeline([entry]).get_pipe("attribute_ruler")
        assert not verbs_pipeline.CachedAttributeRuler.supports(ruler)


@pytest.mark.slow
def test_verbs_pipeline_gives_the_same_annotations_to_threads_sharing_one_model():
    """Streamlit sessions share the loaded model and its caches."""
    from concurrent.futures import ThreadPoolExecutor

    texts = bundled_texts()
    shared = verbs_pipeline.load(verbs.default_model_name())
    lemma = verbs_pipeline.lemma_reader(shared)

    def annotate(part: list[str]) -> list[list[tuple]]:
        return [signature(doc, lemma) for doc in verbs_pipeline.annotate(shared, part, 16)]

    parts = [texts[i::4] for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        concurrent = list(pool.map(annotate, parts))
    alone = verbs_pipeline.load(verbs.default_model_name())
    alone_lemma = verbs_pipeline.lemma_reader(alone)
    for part, result in zip(parts, concurrent, strict=True):
        expected = [signature(d, alone_lemma) for d in verbs_pipeline.annotate(alone, part, 16)]
        assert result == expected
