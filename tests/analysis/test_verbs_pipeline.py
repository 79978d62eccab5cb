"""The fast pipeline annotates exactly as the stock spaCy pipeline does."""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.tokens import Doc

from analysis import verbs, verbs_pipeline
from analysis.paths import DATA_DIR

EDGE_TEXTS = [
    "There is a cat.\n\nThey gon na go. Y'all ain't ready, let's see",
    "  spaced   out\ttext\n",
    "Is there anything I can eat?",
    "",
]


def bundled_instructions() -> list[str]:
    texts = []
    for name in ("seed_tasks.jsonl", "user_oriented_instructions.jsonl"):
        with (DATA_DIR / "self_instruct" / name).open(encoding="utf-8") as handle:
            texts += [json.loads(line)["instruction"] for line in handle]
    return texts


def signature(doc: Doc, lemma) -> list[tuple]:
    return [
        (t.tag_, t.pos_, str(t.morph), lemma(t), t.dep_, t.head.i, t.is_sent_start) for t in doc
    ]


@pytest.mark.slow
def test_verbs_pipeline_matches_the_stock_pipeline_token_by_token():
    name = verbs.default_model_name()
    stock = spacy.load(name, exclude=list(verbs_pipeline.EXCLUDED_COMPONENTS))
    fast = verbs_pipeline.load(name)
    texts = bundled_instructions() + EDGE_TEXTS
    lemma = verbs_pipeline.lemma_reader(fast)
    ours = [signature(doc, lemma) for doc in verbs_pipeline.annotate(fast, texts, 16)]
    theirs = [signature(doc, verbs.stored_lemma) for doc in stock.pipe(texts)]
    assert ours == theirs


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
]


def test_verbs_pipeline_cached_ruler_equals_the_ruler_on_every_pattern_kind():
    nlp = ruler_pipeline(PATTERNS)
    ruler = nlp.get_pipe("attribute_ruler")
    assert verbs_pipeline.CachedAttributeRuler.supports(ruler)
    cached = verbs_pipeline.CachedAttributeRuler(ruler)
    examples = [
        (["there", "is", "a", "cat", "n't", "\n"], ["EX", "VBZ", "DT", "NN", "RB", "SP"]),
        (["it", "is", "nt", "cats"], ["PRP", "VBZ", "RB", "NNS"]),
        (["there", "are", "dogs"], ["EX", "VBP", "NNS"]),
    ]
    for words, tags in examples:
        deps = ["expl" if w == "there" else "dep" for w in words]
        expected, ours = tagged_doc(nlp, words, tags, deps), tagged_doc(nlp, words, tags, deps)
        ruler(expected)
        cached(ours)  # twice: the second time every match comes from the cache
        again = cached(tagged_doc(nlp, words, tags, deps))
        for doc in (ours, again):
            assert [(t.pos_, t.tag_, t.lemma_, str(t.morph)) for t in doc] == [
                (t.pos_, t.tag_, t.lemma_, str(t.morph)) for t in expected
            ]


def test_verbs_pipeline_keeps_the_stock_ruler_for_patterns_it_cannot_cache():
    for pattern in ([{"ORTH": "Is"}], [{"TAG": "NN"}] * 3):
        ruler = ruler_pipeline([{"patterns": [pattern], "attrs": {"POS": "X"}}]).get_pipe(
            "attribute_ruler"
        )
        assert not verbs_pipeline.CachedAttributeRuler.supports(ruler)
