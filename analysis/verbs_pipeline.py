"""The spaCy pipeline the verb-noun rules parse with: stock annotations, ~2.5x spaCy's nlp.pipe.

Measured on 2 shared cores (bench/bench_verbs.py, perf), the stock small English pipeline
spends time in six places this module removes without changing any annotation:

* NER, which the rules never read, is not loaded;
* thinc's default CPU ops multiply matrices with blis, three times slower here than numpy's
  BLAS on tok2vec's shapes; the model is loaded with numpy ops instead (same weights, same
  arithmetic; every token attribute is identical, see the tests);
* the lemmatizer runs on every token, the rules read two lemmas per text: :func:`lemma_reader`
  computes just those, as the lemmatizer would;
* the attribute ruler runs ~180 Matcher patterns at every token, about a third of what is left.
  Every pattern of the English models reads only TAG, DEP, LOWER and IS_SPACE of one or two
  tokens, so its matches are a function of those values: :class:`CachedAttributeRuler` asks the
  ruler's own Matcher once per distinct token (or token pair), and sets each token's attributes
  once, merged in the order the ruler would set them one match after another. The small English
  model's patterns test LOWER against 140 words and three regexes only, so all other words
  (real text has tens of thousands) share their cache entries per tag and dependency. A model
  with any other kind of pattern keeps the stock ruler;
* tok2vec's first half (hash embeddings of NORM, PREFIX, SUFFIX, SHAPE... then a maxout layer)
  looks at one token's attributes and nothing else, and a corpus repeats the same tokens:
  :class:`CachedEmbeddingTok2Vec` computes that half once per distinct attribute row and runs
  only the context window layers per text. The tensors equal the stock component's up to float
  rounding, which spaCy's own tensors do not escape either: BLAS sums a row in another order
  depending on the batch around it and the CPU's kernels (on an AMD EPYC: at most 3e-6 apart
  between ours and stock, and between stock at batch sizes 1000 and 7); no annotation in the
  tests differs;
* the parser's greedy loop runs from :mod:`analysis._greedy_parse`, spaCy's own loop compiled
  without the profiling hooks of its Python 3.11 wheels (they took and dropped the GIL 65 times
  per parser state per step). It is built at install (setup.py) and used only when it was built
  against the installed spaCy and thinc (:func:`compiled_against`); otherwise spaCy's loop runs.

tests/analysis/test_verbs_pipeline.py compares every token attribute with the stock pipeline.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from importlib.metadata import version
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import AttributeRuler, Tok2Vec
    from spacy.tokens import Doc, Token

#: The rules read tags, POS, the parse and lemmas; NER is waste.
EXCLUDED_COMPONENTS: tuple[str, ...] = ("ner",)
#: Token attributes the cached ruler understands in a pattern.
_KEY_ATTRS = frozenset({"TAG", "DEP", "LOWER", "IS_SPACE"})
#: Distinct embedded rows kept per model before the cache starts afresh (about 400 MB at most).
EMBED_MAX_ROWS = 1_000_000
#: Distinct words whose shared LOWER the ruler remembers before it starts afresh (~100 MB).
RULER_MAX_WORDS = 1_000_000

Key = tuple[int, int, int, int]  # TAG, DEP, LOWER, IS_SPACE
#: Operators of a LOWER test that treat all words they do not name (or match) alike.
_NAMING_OPERATORS = frozenset({"IN", "NOT_IN", "REGEX"})
#: An attribute-set id and the position in a matched window that it sets.
Target = tuple[int, int]


def load(name: str) -> Language:
    """The installed model ``name`` without NER, on numpy's BLAS."""
    import spacy
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):
        return spacy.load(name, exclude=list(EXCLUDED_COMPONENTS))


class CachedAttributeRuler:
    """The attribute ruler's exact effect, computed once per distinct token in context.

    A token's attributes after the ruler depend on its own key and, through two-token patterns,
    on its neighbours' keys: they are cached per (previous, own, next) key. In a key, a word that
    no LOWER test names stands for all such words (:meth:`_shared_lower`).
    """

    def __init__(self, ruler: AttributeRuler):
        from spacy.matcher import Matcher

        self.ruler = ruler
        self.strings = ruler.vocab.strings
        self._lower_tests = _lower_tests(ruler.patterns)
        self._shared: dict[int, int] = {}
        self._stand_ins: dict[int, int] = {}
        self._targets: dict[tuple[Key, ...], tuple[Target, ...]] = {}
        self._starts_pair: dict[Key, bool] = {}
        self._in_context: dict[tuple[Key | None, Key, Key | None], dict] = {}
        # First tokens of the two-token patterns: only such tokens can start a pair match.
        self._pair_starts = Matcher(ruler.vocab)
        firsts = [p[0] for e in ruler.patterns for p in e["patterns"] if len(p) == 2]
        if firsts:
            self._pair_starts.add("pair_start", [[first] for first in firsts])

    @staticmethod
    def supports(ruler) -> bool:
        """Whether this is an attribute ruler whose every pattern is one or two tokens reading
        only the key attributes. A pattern whose index falls outside it keeps the stock ruler,
        which reports it."""
        from spacy.pipeline import AttributeRuler

        if not isinstance(ruler, AttributeRuler):
            return False
        for entry in ruler.patterns:
            index = entry.get("index", 0)
            for pattern in entry["patterns"]:
                if not isinstance(pattern, list) or not 1 <= len(pattern) <= 2:
                    return False
                if not -len(pattern) <= index < len(pattern):
                    return False
                if any({str(k).upper() for k in token} - _KEY_ATTRS for token in pattern):
                    return False
        return True

    def pipe(self, docs: Iterable[Doc], batch_size: int) -> Iterator[Doc]:
        return map(self, docs)

    def __call__(self, doc: Doc) -> Doc:
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
        from spacy.pipeline.attributeruler import set_token_attrs

        keys = doc.to_array([TAG, DEP, LOWER, IS_SPACE]).tolist()
        if self._lower_tests is not None:
            shared = self._shared
            if len(shared) > RULER_MAX_WORDS:
                shared.clear()  # the stand-ins stay, so the cached contexts stay valid
            for key in keys:
                lower = shared.get(key[2])
                key[2] = self._shared_lower(key[2], key[3]) if lower is None else lower
        padded: list[Key | None] = [None, *map(tuple, keys), None]
        for i in range(len(keys)):
            context = (padded[i], padded[i + 1], padded[i + 2])
            attrs = self._in_context.get(context)
            if attrs is None:
                attrs = self._in_context[context] = self._attrs_in_context(*context)
            if attrs:
                set_token_attrs(doc[i], attrs)
        return doc

    def _shared_lower(self, lower: int, is_space: int) -> int:
        """``lower`` itself if a LOWER test names or matches it, else the first such word seen:
        every test treats those alike (one stand-in per IS_SPACE value, which the oracle's doc
        reads from the word)."""
        values, regexes = self._lower_tests
        text = self.strings[lower]
        if text in values or any(regex.search(text) for regex in regexes):
            shared = lower
        else:
            shared = self._stand_ins.setdefault(is_space, lower)
        self._shared[lower] = shared
        return shared

    def _attrs_in_context(self, before: Key | None, key: Key, after: Key | None) -> dict:
        """What the ruler sets on a token between these neighbours.

        The ruler applies its matches sorted by attribute-set id, so per attribute the set
        with the highest id that targets the token wins; one id always sets the same values.
        """
        windows = [((key,), 0)]
        if before is not None and self._can_start_pair(before):
            windows.append(((before, key), 1))
        if after is not None and self._can_start_pair(key):
            windows.append(((key, after), 0))
        attr_ids: set[int] = set()
        for window, position in windows:
            targets = self._targets.get(window)
            if targets is None:
                targets = self._targets[window] = self._oracle(window)
            attr_ids.update(attr_id for attr_id, target in targets if target == position)
        return {
            name: value
            for attr_id in sorted(attr_ids)
            for name, value in self.ruler.attrs[attr_id].items()
        }

    def _can_start_pair(self, key: Key) -> bool:
        starts = self._starts_pair.get(key)
        if starts is None:
            doc = self._key_doc((key,))
            starts = bool(len(self._pair_starts) and self._pair_starts(doc, allow_missing=True))
            self._starts_pair[key] = starts
        return starts

    def _oracle(self, keys: tuple[Key, ...]) -> tuple[Target, ...]:
        """The ruler's Matcher on a doc of exactly these tokens, for matches spanning all of it:
        each match's attribute-set id and the position its attributes are set on."""
        doc = self._key_doc(keys)
        found = self.ruler.matcher(doc, allow_missing=True, as_spans=False)
        targets = set()
        for match_id, start, end in found:
            if (start, end) == (0, len(keys)):
                attr_id = int(self.strings[match_id])
                index = self.ruler.indices[attr_id]
                targets.add((attr_id, index if index >= 0 else len(keys) + index))
        return tuple(sorted(targets))

    def _key_doc(self, keys: tuple[Key, ...]) -> Doc:
        from spacy.tokens import Doc

        doc = Doc(self.ruler.vocab, words=[self.strings[lower] for _, _, lower, _ in keys])
        for token, (tag, dep, _, _) in zip(doc, keys, strict=True):
            token.tag = tag
            token.dep = dep
        return doc


def _lower_tests(patterns: list[dict]) -> tuple[frozenset[str], tuple[re.Pattern, ...]] | None:
    """The words and regexes the patterns test LOWER against, or None where a test tells apart
    words it does not name (FUZZY): then every word keeps its own cache entries."""
    values: set[str] = set()
    regexes: list[re.Pattern] = []
    for entry in patterns:
        for pattern in entry["patterns"]:
            for token in pattern:
                for attr, test in token.items():
                    if str(attr).upper() != "LOWER":
                        continue
                    if isinstance(test, str):
                        values.add(test)
                        continue
                    if not isinstance(test, dict) or not set(test) <= _NAMING_OPERATORS:
                        return None
                    words = [*test.get("IN", []), *test.get("NOT_IN", [])]
                    if not all(isinstance(word, str) for word in words):
                        return None
                    values.update(words)
                    if "REGEX" in test:
                        regexes.append(re.compile(test["REGEX"]))
    return frozenset(values), tuple(regexes)


class CachedEmbeddingTok2Vec:
    """The tok2vec component with its context-free half computed once per distinct token.

    spaCy's ``Tok2Vec`` model is ``chain(embed, encode)``; ``embed`` extracts attribute rows
    (NORM, PREFIX, SUFFIX, SHAPE...) and maps each row alone through hash embeddings and a
    maxout layer, ``encode`` mixes neighbouring tokens. Rows seen before are read from a table.
    """

    def __init__(self, component: Tok2Vec):
        self.component = component
        embed, self.encode = component.model.layers
        self.extract = embed.layers[0]
        self.row_layers = [layer.layers[0] for layer in embed.layers[2:-1]]
        self._rows: dict[bytes, int] = {}
        self._table = np.empty((4096, component.model.get_dim("nO")), dtype="float32")
        # Streamlit sessions share the loaded model: table positions are handed out one batch
        # at a time.
        self._lock = threading.Lock()

    @staticmethod
    def supports(component) -> bool:
        """Whether the model is ``chain(extract_features >> list2ragged >> with_array(...)...
        >> ragged2list, encode)``, the shape of every spaCy CNN pipeline without vectors."""
        from spacy.pipeline import Tok2Vec

        layers = getattr(component, "model", None) and component.model.layers
        if not isinstance(component, Tok2Vec) or len(layers) != 2:
            return False
        names = [layer.name for layer in layers[0].layers]
        return (
            len(names) >= 4
            and names[:2] == ["extract_features", "list2ragged"]
            and names[-1] == "ragged2list"
            and all(name.startswith("with_array(") for name in names[2:-1])
        )

    def pipe(self, docs: Iterable[Doc], batch_size: int) -> Iterator[Doc]:
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            yield from self(list(batch))

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        if not any(len(doc) for doc in docs):
            self.component.set_annotations(docs, self.component.predict(docs))
            return docs
        features = self.extract.predict(docs)
        embedded = self._embed(np.concatenate(features))
        bounds = np.cumsum([len(rows) for rows in features])[:-1]
        self.component.set_annotations(docs, self.encode.predict(np.split(embedded, bounds)))
        return docs

    def _embed(self, rows: np.ndarray) -> np.ndarray:
        """``embed``'s output for these attribute rows, from the table or computed once."""
        with self._lock:
            return self._embed_locked(rows)

    def _embed_locked(self, rows: np.ndarray) -> np.ndarray:
        if len(self._rows) > EMBED_MAX_ROWS:
            self._rows.clear()
        rows = np.ascontiguousarray(rows)
        keys = rows.view(np.dtype((np.void, rows.itemsize * rows.shape[1]))).ravel()
        distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        distinct_keys = distinct.tolist()
        known = [self._rows.get(key) for key in distinct_keys]
        missing = [i for i, position in enumerate(known) if position is None]
        if missing:
            start = len(self._rows)
            vectors = self._compute(rows[first[missing]])
            self._store(start, vectors)
            for offset, i in enumerate(missing):
                known[i] = self._rows[distinct_keys[i]] = start + offset
        return self._table[np.asarray(known)[inverse.ravel()]]

    def _compute(self, rows: np.ndarray) -> np.ndarray:
        for layer in self.row_layers:
            rows = layer.predict(rows)
        return rows

    def _store(self, start: int, vectors: np.ndarray) -> None:
        end = start + len(vectors)
        if end > len(self._table):
            grown = np.empty((max(end, 2 * len(self._table)), self._table.shape[1]), "float32")
            grown[:start] = self._table[:start]
            self._table = grown
        self._table[start:end] = vectors


class CompiledGreedyParser:
    """The dependency parser, its greedy loop run by :mod:`analysis._greedy_parse`."""

    def __init__(self, parser):
        self.parser = parser
        self.module = compiled_parse_module()
        self.kinds = self.module.move_kinds(parser)

    @staticmethod
    def supports(component) -> bool:
        """Whether this is a greedy dependency parser and the compiled loop fits this spaCy."""
        from spacy.pipeline import DependencyParser

        return (
            isinstance(component, DependencyParser)
            and component.cfg.get("beam_width", 1) == 1
            and compiled_parse_module() is not None
        )

    def pipe(self, docs: Iterable[Doc], batch_size: int) -> Iterator[Doc]:
        """``Parser.pipe``: batches, each parsed in length-sorted quarters."""
        from spacy.util import minibatch

        for batch in minibatch(docs, size=batch_size):
            batch = list(batch)
            by_length = sorted(batch, key=len)
            for part in minibatch(by_length, size=max(batch_size // 4, 2)):
                part = list(part)
                if any(len(doc) for doc in part):
                    states = self.module.greedy_parse(self.parser, part, self.kinds)
                else:
                    states = self.parser.moves.init_batch(part)
                self.parser.set_annotations(part, states)
            yield from batch


def compiled_against() -> str:
    """The spaCy and thinc versions the compiled loop's structs must come from (setup.py)."""
    return ";".join(f"{name}=={version(name)}" for name in ("spacy", "thinc"))


@cache
def compiled_parse_module() -> ModuleType | None:
    """:mod:`analysis._greedy_parse` if it is built for the installed spaCy and thinc."""
    try:
        from analysis import _greedy_parse
    except ImportError:
        return None
    return _greedy_parse if compiled_against() == _greedy_parse.BUILT_AGAINST else None


def annotate(nlp: Language, texts: Iterable[str], batch_size: int) -> Iterator[Doc]:
    """``nlp.pipe`` in the pipeline's order, with the fast components where the model allows.

    The lemmatizer does not run: read lemmas through :func:`lemma_reader`, which lemmatizes
    only the tokens a rule returns.
    """
    docs: Iterable[Doc] = (nlp.make_doc(text) for text in texts)
    for name, component in nlp.pipeline:
        if name != "lemmatizer":
            docs = (fast_component(nlp, name) or component).pipe(docs, batch_size=batch_size)
    return iter(docs)


@lru_cache(maxsize=16)
def fast_component(
    nlp: Language, name: str
) -> CachedAttributeRuler | CachedEmbeddingTok2Vec | CompiledGreedyParser | None:
    """The fast stand-in for a component, one per loaded model (its caches are shared by every
    batch), or None where the stock component must run."""
    component = nlp.get_pipe(name)
    for kind in (CachedAttributeRuler, CachedEmbeddingTok2Vec, CompiledGreedyParser):
        if kind.supports(component):
            return kind(component)
    return None


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
