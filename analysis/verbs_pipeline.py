"""The spaCy pipeline the verb-noun rules parse with: stock annotations, half the CPU time.

Measured on 2 shared cores (bench/bench_verbs.py), the stock small English pipeline spends time
in four places this module removes without changing any annotation:

* NER, which the rules never read, is not loaded;
* thinc's default CPU ops multiply matrices with blis, three times slower here than numpy's
  BLAS on tok2vec's shapes; the model is loaded with numpy ops instead (same weights, same
  arithmetic; every token attribute was identical on 4,429 bench and bundled texts);
* the lemmatizer runs on every token, the rules read two lemmas per text: :func:`lemma_reader`
  computes just those, as the lemmatizer would;
* the attribute ruler runs ~180 Matcher patterns at every token, about a third of what is left.
  Every pattern of the English models reads only TAG, DEP, LOWER and IS_SPACE of one or two
  tokens, so its matches are a function of those values: :class:`CachedAttributeRuler` asks the
  ruler's own Matcher once per distinct token (or token pair) and passes the matches, in the
  ruler's order, to the ruler's own ``set_annotations``. A model with any other kind of pattern
  keeps the stock ruler.

tests/analysis/test_verbs_pipeline.py compares every token attribute with the stock pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import AttributeRuler
    from spacy.tokens import Doc, Token

#: The rules read tags, POS, the parse and lemmas; NER is waste.
EXCLUDED_COMPONENTS: tuple[str, ...] = ("ner",)
#: Token attributes the cached ruler understands in a pattern.
_KEY_ATTRS = frozenset({"TAG", "DEP", "LOWER", "IS_SPACE"})

Key = tuple[int, int, int, bool]
Match = tuple[int, int]


def load(name: str) -> Language:
    """The installed model ``name`` without NER, on numpy's BLAS."""
    import spacy
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):
        return spacy.load(name, exclude=list(EXCLUDED_COMPONENTS))


class CachedAttributeRuler:
    """The attribute ruler's exact matches, computed once per distinct token key."""

    def __init__(self, ruler: AttributeRuler):
        from spacy.matcher import Matcher

        self.ruler = ruler
        self.strings = ruler.vocab.strings
        self._single: dict[Key, tuple[Match, ...]] = {}
        self._pair: dict[tuple[Key, Key], tuple[Match, ...]] = {}
        self._starts_pair: dict[Key, bool] = {}
        # First tokens of the two-token patterns: only such tokens can start a pair match.
        self._pair_starts = Matcher(ruler.vocab)
        firsts = [p[0] for e in ruler.patterns for p in e["patterns"] if len(p) == 2]
        if firsts:
            self._pair_starts.add("pair_start", [[first] for first in firsts])

    @staticmethod
    def supports(ruler: AttributeRuler) -> bool:
        """Whether every pattern is one or two tokens reading only the key attributes."""
        for entry in ruler.patterns:
            for pattern in entry["patterns"]:
                if not isinstance(pattern, list) or not 1 <= len(pattern) <= 2:
                    return False
                if any({str(k).upper() for k in token} - _KEY_ATTRS for token in pattern):
                    return False
        return True

    def __call__(self, doc: Doc) -> Doc:
        keys = [(t.tag, t.dep, t.lower, t.is_space) for t in doc]
        matches = []
        for i, key in enumerate(keys):
            single = self._single.get(key)
            if single is None:
                single = self._single[key] = self._oracle((key,))
            matches.extend((attr_id, match_id, i, i + 1) for attr_id, match_id in single)
            if i + 1 < len(keys) and self._can_start_pair(key):
                pair_key = (key, keys[i + 1])
                pair = self._pair.get(pair_key)
                if pair is None:
                    pair = self._pair[pair_key] = self._oracle(pair_key)
                matches.extend((attr_id, match_id, i, i + 2) for attr_id, match_id in pair)
        matches.sort()  # AttributeRuler.match's order: later attribute sets win
        self.ruler.set_annotations(doc, matches)
        return doc

    def _can_start_pair(self, key: Key) -> bool:
        starts = self._starts_pair.get(key)
        if starts is None:
            doc = self._key_doc((key,))
            starts = bool(len(self._pair_starts) and self._pair_starts(doc, allow_missing=True))
            self._starts_pair[key] = starts
        return starts

    def _oracle(self, keys: tuple[Key, ...]) -> tuple[Match, ...]:
        """The ruler's Matcher on a doc of exactly these tokens: matches spanning all of it."""
        doc = self._key_doc(keys)
        found = self.ruler.matcher(doc, allow_missing=True, as_spans=False)
        return tuple(
            sorted(
                (int(self.strings[match_id]), match_id)
                for match_id, start, end in found
                if (start, end) == (0, len(keys))
            )
        )

    def _key_doc(self, keys: tuple[Key, ...]) -> Doc:
        from spacy.tokens import Doc

        doc = Doc(self.ruler.vocab, words=[self.strings[lower] for _, _, lower, _ in keys])
        for token, (tag, dep, _, _) in zip(doc, keys, strict=True):
            token.tag = tag
            token.dep = dep
        return doc


def annotate(nlp: Language, texts: Iterable[str], batch_size: int) -> Iterator[Doc]:
    """``nlp.pipe`` in the pipeline's order, with the cached ruler where the model allows it.

    The lemmatizer does not run: read lemmas through :func:`lemma_reader`, which lemmatizes
    only the tokens a rule returns.
    """
    docs: Iterable[Doc] = (nlp.make_doc(text) for text in texts)
    for name, component in nlp.pipeline:
        if name == "lemmatizer":
            continue
        if name == "attribute_ruler" and CachedAttributeRuler.supports(component):
            docs = map(_cached_ruler(nlp), docs)
        else:
            docs = component.pipe(docs, batch_size=batch_size)
    return iter(docs)


@lru_cache(maxsize=4)
def _cached_ruler(nlp: Language) -> CachedAttributeRuler:
    """One cache per loaded model, shared by every batch it parses."""
    return CachedAttributeRuler(nlp.get_pipe("attribute_ruler"))


def lemma_reader(nlp: Language) -> Callable[[Token], str]:
    """A token's lemma as the stock lemmatizer would set it, computed on demand."""
    if "lemmatizer" not in nlp.pipe_names:
        return _stored_lemma
    lemmatizer = nlp.get_pipe("lemmatizer")

    def lemma(token: Token) -> str:
        # Lemmatizer.__call__: keep a lemma the attribute ruler set unless told to overwrite.
        if token.lemma and not lemmatizer.overwrite:
            return token.lemma_
        return lemmatizer.lemmatize(token)[0]

    return lemma


def _stored_lemma(token: Token) -> str:
    return token.lemma_
