"""The two English verb-noun rules, on parsed Docs: the papers' and a corrected one.

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
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

RULES: tuple[str, ...] = ("paper", "full")

Pair = tuple[str, str]
#: How a rule reads a lemma: stored on the token, or computed on demand (verbs_pipeline).
LemmaReader = Callable[["Token"], str]

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
