"""Exact ROUGE-L F-measure (rouge_score parity) on a bit-parallel LCS core, CJK-aware.

Self-Instruct and Alpaca keep a generated instruction only if its ROUGE-L to every instruction in
the pool is at most 0.7, computed with `rouge_score` (a pure-Python LCS, ~40 us a pair). Here
each distinct token becomes one code point, so a text becomes a short str and rapidfuzz's
bit-parallel (SIMD, multi-threaded) LCS compares thousands of them per call; the F-measure is
then computed with rouge_score's own float arithmetic, so every score, and every decision at
exactly 0.7, is bit-identical. Large comparisons run in row blocks: no N x N matrix is ever held.
The incremental filter keeps its pool in analysis.rouge_index (one candidate at a time).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

from analysis.cache import cached_frame
from analysis.errors import Errors, WorkbenchError
from analysis.rouge_index import LcsIndex

if TYPE_CHECKING:
    from analysis.datasets import Dataset

ENGLISH = "english"
CJK = "cjk"
AUTO = "auto"
TOKENIZERS: tuple[str, ...] = (ENGLISH, CJK, AUTO)
#: Self-Instruct's and Alpaca's novelty threshold: a score strictly above it rejects.
DEFAULT_THRESHOLD = 0.7
#: How `deduplicate` chooses the rows to drop (see near_duplicate_clusters).
DEDUP_RULES: tuple[str, ...] = ("filter", "cluster")
#: Cells of one LCS block (int32): bounds the memory of every bulk comparison (~16 MB + scores).
BLOCK_CELLS = 1 << 22

# --- tokenizers -----------------------------------------------------------------------------

#: rouge_score's tokenizer replaces every run outside [a-z0-9] by a space after lowercasing and
#: keeps the non-empty [a-z0-9] pieces; finding the runs directly gives the same tokens.
#: Byte table keeping 0-9 and a-z, mapping every other byte to a space.
_ENGLISH_BYTES = bytes(c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256))

#: Han (with radicals, iteration marks and extensions B-H), Kana and Hangul: one token a character.
_CJK_CLASS = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK and Kangxi radicals
    "\u3005\u3007\u3021-\u3029\u3038-\u303b"  # iteration mark, ideographic numbers
    "\u3041-\u309f"  # Hiragana
    "\u30a0-\u30fa\u30fc-\u30ff"  # Katakana (without the middle dot, a punctuation mark)
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf\u4e00-\u9fff"  # CJK unified ideographs and extension A
    "\ua960-\ua97f\uac00-\ud7ff"  # Hangul Jamo extended, syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uffdc"  # half-width Katakana and Hangul
    "\U0001b000-\U0001b16f"  # Kana supplement and extended
    "\U00020000-\U0003134f"  # CJK extensions B-H
)
_CJK_CHAR = re.compile(f"[{_CJK_CLASS}]")
#: A CJK character alone, or a run of other letters/digits (underscore excluded, like a space).
_CJK_TOKEN = re.compile(f"[{_CJK_CLASS}]|[^\\W_{_CJK_CLASS}]+")
#: Primary language subtags whose text is tokenized per character by "auto".
CJK_LANGS = frozenset({"zh", "ja", "ko", "cmn", "yue", "wuu", "jp"})


def tokenize_english(text: str) -> list[str]:
    """rouge_score's default tokenizer without stemming: lowercase, [a-z0-9] runs only.

    Byte translation instead of a regex (twice as fast, same tokens): after lower(), every
    character outside [a-z0-9] - non-ASCII ones become "?" first - turns into a space.
    """
    return text.lower().encode("ascii", "replace").translate(_ENGLISH_BYTES).decode("ascii").split()


def tokenize_cjk(text: str) -> list[str]:
    """Each Han, Kana or Hangul character is a token; other text gives lowercase words."""
    return _CJK_TOKEN.findall(text.lower())


def is_cjk(text: str, lang: str | None = None) -> bool:
    """Whether "auto" tokenizes this text per character: its lang when known, else its script."""
    if isinstance(lang, str) and lang.strip():
        return lang.strip().lower().replace("_", "-").split("-")[0] in CJK_LANGS
    return _CJK_CHAR.search(text) is not None


def _single_tokenizer(name: str) -> Callable[[str], list[str]]:
    single = {ENGLISH: tokenize_english, CJK: tokenize_cjk}.get(name)
    if single is None:
        raise WorkbenchError(Errors.E015.format(name=name, names=", ".join(TOKENIZERS)))
    return single


def tokenize(text: str, tokenizer: str = ENGLISH, lang: str | None = None) -> list[str]:
    """Tokens of one text; "auto" picks the CJK tokenizer for CJK text and English otherwise."""
    if tokenizer == AUTO:
        tokenizer = CJK if is_cjk(text, lang) else ENGLISH
    return _single_tokenizer(tokenizer)(text)


def tokenize_all(
    texts: Iterable[str], tokenizer: str = ENGLISH, langs: Iterable[str | None] | None = None
) -> list[list[str]]:
    """Tokens of each text; `langs` (one per text, or None) guide "auto"."""
    if tokenizer != AUTO:
        return list(map(_single_tokenizer(tokenizer), texts))
    texts = list(texts)
    langs = [None] * len(texts) if langs is None else list(langs)
    return [tokenize(text, AUTO, lang) for text, lang in zip(texts, langs, strict=True)]


# --- scores ---------------------------------------------------------------------------------


def f_measure(lcs: np.ndarray, len_target: np.ndarray, len_prediction: np.ndarray) -> np.ndarray:
    """rouge_score's F-measure, element-wise and bit-identical: p = lcs/len(prediction),
    r = lcs/len(target), 2*p*r/(p+r), and 0 when p+r is 0 (also for empty texts).

    `2*lcs/(la+lb)` is the same rational number but rounds differently in the last bit, which
    flips keep/reject decisions at exactly 0.7; F is symmetric, so argument order cannot matter.
    """
    lcs = np.asarray(lcs)  # already of the result's shape
    len_target = np.asarray(len_target)
    len_prediction = np.asarray(len_prediction)
    if lcs.ndim == 2 and lcs.size > _F_BLOCK_ELEMENTS:
        # Row blocks keep the temporaries in cache: 3x faster on a 1000 x 175 matrix.
        scores = np.empty(lcs.shape, dtype=np.float64)
        step = max(1, _F_BLOCK_ELEMENTS // lcs.shape[1])
        for start in range(0, lcs.shape[0], step):
            rows = slice(start, start + step)
            target = (
                len_target[rows] if len_target.ndim == 2 and len_target.shape[0] > 1 else len_target
            )
            prediction = (
                len_prediction[rows]
                if len_prediction.ndim == 2 and len_prediction.shape[0] > 1
                else len_prediction
            )
            scores[rows] = _f_block(lcs[rows], target, prediction)
        return scores
    return _f_block(lcs, len_target, len_prediction)


#: Elements per block of `f_measure` (about 256 KB of float64 per temporary).
_F_BLOCK_ELEMENTS = 32_768


def _f_block(lcs: np.ndarray, len_target: np.ndarray, len_prediction: np.ndarray) -> np.ndarray:
    lcs_float = lcs.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = lcs_float / len_prediction.astype(np.float64)  # precision
        recall = np.divide(lcs_float, len_target.astype(np.float64), out=lcs_float)
        total = scores + recall
        scores *= 2
        scores *= recall
        scores /= total
    np.putmask(scores, lcs == 0, 0.0)  # p + r == 0 exactly when the LCS is empty
    return scores


class TokenCodec:
    """Gives every distinct token one code point, so a token list becomes a str.

    rapidfuzz compares str natively (and with SIMD); code points below 256 take its fastest
    lookup, so `fit` hands them to the most frequent tokens. Codes skip the surrogate range.
    Tokens never seen by `encode` can be encoded for lookups only with `encode_known`, which
    maps them to a code no stored text contains, so the vocabulary does not grow on queries.
    """

    _UNKNOWN = chr(0x10FFFF)
    _CAPACITY = 0x10FFFF - 0x800

    def __init__(self) -> None:
        self._codes: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._codes)

    def fit(self, token_lists: Iterable[Sequence[str]]) -> TokenCodec:
        for token, _ in Counter(chain.from_iterable(token_lists)).most_common():
            self._code(token)
        return self

    def _code(self, token: str) -> str:
        code = self._codes.get(token)
        if code is None:
            number = len(self._codes)
            if number >= self._CAPACITY:
                raise WorkbenchError(Errors.E016.format(limit=self._CAPACITY))
            code = self._codes[token] = chr(number if number < 0xD800 else number + 0x800)
        return code

    def encode(self, tokens: Sequence[str]) -> str:
        codes = self._codes
        try:
            return "".join([codes[token] for token in tokens])
        except KeyError:  # a new token: the slow path assigns its code
            return "".join([self._code(token) for token in tokens])

    def encode_known(self, tokens: Sequence[str]) -> str:
        codes = self._codes
        return "".join([codes.get(token, self._UNKNOWN) for token in tokens])


def _lcs(
    queries: Sequence[str], choices: Sequence[str], workers: int, cutoff: int = 0
) -> np.ndarray:
    """LCS lengths of every query with every choice (0 where below the cutoff)."""
    return process.cdist(
        queries,
        choices,
        scorer=LCSseq.similarity,
        dtype=np.int32,
        workers=workers,
        score_cutoff=cutoff,
    )


def rouge_l(target: str, prediction: str, tokenizer: str = ENGLISH) -> float:
    """ROUGE-L F-measure of one pair, as rouge_score's `score(target, prediction)["rougeL"]`."""
    target_tokens = tokenize(target, tokenizer)
    prediction_tokens = tokenize(prediction, tokenizer)
    codec = TokenCodec()
    lcs = LCSseq.similarity(codec.encode(target_tokens), codec.encode(prediction_tokens))
    return float(f_measure(np.array([lcs]), len(target_tokens), len(prediction_tokens))[0])


@dataclass
class EncodedTexts:
    """Texts as code strings plus their token counts, sharing one codec."""

    codes: list[str]
    lengths: np.ndarray

    @classmethod
    def build(cls, token_lists: Sequence[Sequence[str]], codec: TokenCodec) -> EncodedTexts:
        codes = [codec.encode(tokens) for tokens in token_lists]
        return cls(codes, np.fromiter(map(len, token_lists), dtype=np.int64, count=len(codes)))


def encode_together(
    *token_lists: Sequence[Sequence[str]],
) -> tuple[TokenCodec, list[EncodedTexts]]:
    """Encode several text sets with one frequency-ordered codec (tokens must share codes)."""
    codec = TokenCodec().fit(tokens for group in token_lists for tokens in group)
    return codec, [EncodedTexts.build(group, codec) for group in token_lists]


def rouge_l_matrix(
    targets: Sequence[str],
    predictions: Sequence[str],
    tokenizer: str = ENGLISH,
    workers: int = -1,
) -> np.ndarray:
    """All scores between two small sets (targets x predictions); bulk work uses the block APIs."""
    _, (rows, columns) = encode_together(
        tokenize_all(targets, tokenizer), tokenize_all(predictions, tokenizer)
    )
    lcs = _lcs(rows.codes, columns.codes, workers)
    return f_measure(lcs, rows.lengths[:, None], columns.lengths[None, :])


# --- against a pool -------------------------------------------------------------------------


def rouge_to_pool(
    texts: Sequence[str],
    pool_texts: Sequence[str],
    *,
    tokenizer: str = ENGLISH,
    langs: Sequence[str | None] | None = None,
    pool_langs: Sequence[str | None] | None = None,
    workers: int = -1,
) -> pd.DataFrame:
    """Max and mean ROUGE-L of each text against a pool, with the nearest pool item.

    One row per text, in order: max_rougeL, mean_rougeL, nearest_index (first pool item with
    the max; -1 when the max is 0, where no pool item is nearer than another), nearest_text.
    """
    if len(pool_texts) == 0:
        raise WorkbenchError(Errors.E017)
    _, (rows, pool) = encode_together(
        tokenize_all(texts, tokenizer, langs), tokenize_all(pool_texts, tokenizer, pool_langs)
    )
    count = len(rows.codes)
    best = np.zeros(count, dtype=np.float64)
    mean = np.zeros(count, dtype=np.float64)
    nearest = np.full(count, -1, dtype=np.int64)
    step = max(1, BLOCK_CELLS // len(pool.codes))
    for start in range(0, count, step):
        stop = min(count, start + step)
        scores = f_measure(
            _lcs(rows.codes[start:stop], pool.codes, workers),
            rows.lengths[start:stop, None],
            pool.lengths[None, :],
        )
        argmax = scores.argmax(axis=1)
        best[start:stop] = scores[np.arange(stop - start), argmax]
        nearest[start:stop] = np.where(best[start:stop] > 0, argmax, -1)
        mean[start:stop] = scores.mean(axis=1)
    return pd.DataFrame(
        {
            "max_rougeL": best,
            "mean_rougeL": mean,
            "nearest_index": nearest,
            "nearest_text": pd.Series(
                [pool_texts[i] if i >= 0 else None for i in nearest], dtype="string"
            ),
        }
    )


# --- within a set: near-duplicate pairs and clusters ------------------------------------------


def _loosened(threshold: float) -> float:
    """The threshold less 1e-9, so that float rounding in F never hides a pair from a bound."""
    return threshold - 1e-9


def near_duplicate_pairs(
    texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    tokenizer: str = ENGLISH,
    langs: Sequence[str | None] | None = None,
    workers: int = -1,
) -> pd.DataFrame:
    """Every pair (i < j) with ROUGE-L strictly above the threshold: columns i, j, rougeL.

    Since F <= 2*min(la,lb)/(la+lb) and F ~ 2*lcs/(la+lb), texts are ordered by token count,
    each row block meets only the later texts short enough to pass, and the LCS is cut off below
    what any pair of the block would need; exact F is computed only for the survivors. So all
    pairs of 52,000 instructions take seconds and little memory, and only found pairs are kept.
    """
    (encoded,) = encode_together(tokenize_all(texts, tokenizer, langs))[1]
    order = np.argsort(encoded.lengths, kind="stable")
    codes = [encoded.codes[i] for i in order]
    lengths = encoded.lengths[order]
    bound = _loosened(threshold)
    ratio = (2 - bound) / bound if bound > 0 else np.inf
    count = len(codes)
    found_i, found_j, found_score = [], [], []
    start = 0
    while start < count:
        # One block holds rows of one length band, so their column windows nearly coincide;
        # columns start at the block (earlier texts already met it) and stop where too long.
        shortest = int(lengths[start])
        band_top = max(1, shortest) * 1.1
        end = count
        if np.isfinite(ratio):
            end = int(np.searchsorted(lengths, band_top * ratio, "right"))
        budget = max(1, BLOCK_CELLS // max(1, end - start))
        stop = max(start + 1, min(start + budget, int(np.searchsorted(lengths, band_top, "right"))))
        # la, lb >= shortest here, so F > threshold needs lcs > bound * shortest.
        cutoff = max(1, int(np.floor(bound * shortest)) + 1)
        lcs = _lcs(codes[start:stop], codes[start:end], workers, cutoff)
        rows, columns = np.nonzero(lcs)
        keep = columns > rows  # the block starts on the diagonal: keep each pair once
        rows, columns = rows[keep] + start, columns[keep] + start
        scores = f_measure(lcs[rows - start, columns - start], lengths[rows], lengths[columns])
        above = scores > threshold
        found_i.append(order[rows[above]])
        found_j.append(order[columns[above]])
        found_score.append(scores[above])
        start = stop
    i = np.concatenate(found_i) if found_i else np.empty(0, dtype=np.int64)
    j = np.concatenate(found_j) if found_j else np.empty(0, dtype=np.int64)
    pairs = pd.DataFrame(
        {
            "i": np.minimum(i, j),
            "j": np.maximum(i, j),
            "rougeL": np.concatenate(found_score) if found_score else np.empty(0),
        }
    )
    return pairs.sort_values(["i", "j"], kind="stable").reset_index(drop=True)


def clusters_from_pairs(count: int, pairs: pd.DataFrame) -> np.ndarray:
    """Union-find over the pairs: each row's cluster is the index of its first member."""
    parent = list(range(count))

    def find(node: int) -> int:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for a, b in zip(pairs["i"].tolist(), pairs["j"].tolist(), strict=True):
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    return np.array([find(node) for node in range(count)], dtype=np.int64)


def _filter_rule(count: int, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Self-Instruct's filter over the set: a row goes when it scores above the threshold with
    an earlier row that stays; its match is the highest-scoring such row."""
    dropped = np.zeros(count, dtype=bool)
    matched = np.full(count, -1, dtype=np.int64)
    score = np.zeros(count, dtype=np.float64)
    ordered = pairs.sort_values(["j", "rougeL", "i"], ascending=[True, False, True])
    for i, j, rouge_l_ij in ordered.itertuples(index=False):  # i < j: i is decided before j
        if matched[j] < 0 and not dropped[i]:
            dropped[j], matched[j], score[j] = True, i, rouge_l_ij
    return dropped, matched, score


def _cluster_rule(
    count: int, pairs: pd.DataFrame, cluster: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every row but the first of its cluster goes; its match is its highest-scoring partner."""
    both = pd.concat(
        [
            pairs.rename(columns={"i": "row", "j": "partner"}),
            pairs.rename(columns={"j": "row", "i": "partner"}),
        ],
        ignore_index=True,
    ).sort_values(["row", "rougeL", "partner"], ascending=[True, False, True], kind="stable")
    best = both.drop_duplicates("row").set_index("row").reindex(range(count))
    dropped = cluster != np.arange(count)
    matched = np.where(dropped, best["partner"].fillna(-1).to_numpy(), -1).astype(np.int64)
    score = np.where(dropped, best["rougeL"].fillna(0.0).to_numpy(), 0.0)
    return dropped, matched, score


def near_duplicate_clusters(
    texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    rule: str = "filter",
    tokenizer: str = ENGLISH,
    langs: Sequence[str | None] | None = None,
    workers: int = -1,
) -> pd.DataFrame:
    """Near-duplicate clusters and the rows to drop; one row per text, in order.

    cluster: union-find over the pairs above the threshold, named by its first text's index.
    is_duplicate, by `rule`: "filter" (default) drops a row that scores above the threshold
    with an earlier row that stays, exactly as Self-Instruct's filter would over this set, so
    every drop has a direct match among the kept rows; "cluster" keeps only the first row of
    each cluster, so rows linked to it only through chains of others go too (on recombined
    instructions a few chains swallow most rows). matched_index and matched_rougeL name the
    row that justifies the drop (-1 and 0.0 for kept rows).
    """
    if rule not in DEDUP_RULES:
        raise WorkbenchError(Errors.E027.format(name=rule, names=", ".join(DEDUP_RULES)))
    pairs = near_duplicate_pairs(
        texts, threshold, tokenizer=tokenizer, langs=langs, workers=workers
    )
    cluster = clusters_from_pairs(len(texts), pairs)
    if rule == "filter":
        dropped, matched, score = _filter_rule(len(texts), pairs)
    else:
        dropped, matched, score = _cluster_rule(len(texts), pairs, cluster)
    return pd.DataFrame(
        {
            "cluster": cluster,
            "is_duplicate": dropped,
            "matched_index": matched,
            "matched_rougeL": score,
        }
    )


# --- incremental filter (Self-Instruct's and Alpaca's novelty filter) -------------------------


class IncrementalRougeFilter:
    """A growing pool that scores each candidate against everything kept so far.

    `check` never changes the pool, `add` appends one text; each text is tokenized and indexed
    once (analysis.rouge_index), so checking a candidate against 50,000 texts takes about a
    millisecond and the pool is never rebuilt.
    """

    def __init__(
        self,
        pool_texts: Iterable[str] = (),
        threshold: float = DEFAULT_THRESHOLD,
        tokenizer: str = ENGLISH,
        pool_langs: Iterable[str | None] | None = None,
    ) -> None:
        if tokenizer not in TOKENIZERS:
            raise WorkbenchError(Errors.E015.format(name=tokenizer, names=", ".join(TOKENIZERS)))
        self.threshold = threshold
        self.tokenizer = tokenizer
        self.texts: list[str] = []
        pool_texts = list(pool_texts)
        token_lists = tokenize_all(pool_texts, tokenizer, pool_langs)
        self._codec = TokenCodec().fit(token_lists)
        self._index = LcsIndex()
        self._lengths = np.zeros(max(1024, 2 * len(token_lists)), dtype=np.int64)
        for text, tokens in zip(pool_texts, token_lists, strict=True):
            self._append(text, tokens)

    def __len__(self) -> int:
        return len(self.texts)

    def check(self, text: str, lang: str | None = None) -> tuple[float, int | None, str | None]:
        """(max ROUGE-L to the pool, index of the first nearest item, its text); (0.0, None,
        None) when nothing in the pool shares a token with the text."""
        tokens = tokenize(text, self.tokenizer, lang)
        if not tokens or not self.texts:
            return 0.0, None, None
        lcs = self._index.lcs(self._codec.encode_known(tokens))
        scores = f_measure(lcs, len(tokens), self._lengths[: len(self.texts)])
        nearest = int(scores.argmax())
        best = float(scores[nearest])
        if best == 0:
            return 0.0, None, None
        return best, nearest, self.texts[nearest]

    def is_novel(self, score: float) -> bool:
        """Self-Instruct's rule: reject only a score strictly above the threshold."""
        return not score > self.threshold

    def add(self, text: str, lang: str | None = None) -> int:
        """Append one text to the pool; returns its index."""
        return self._append(text, tokenize(text, self.tokenizer, lang))

    def _append(self, text: str, tokens: list[str]) -> int:
        index = self._index.add(self._codec.encode(tokens))
        if index == len(self._lengths):
            self._lengths = np.resize(self._lengths, 2 * index)
        self._lengths[index] = len(tokens)
        self.texts.append(text)
        return index

    def offer(self, text: str, lang: str | None = None) -> tuple[bool, float, int | None]:
        """Check a candidate and add it if novel: (kept, max score, nearest index)."""
        score, nearest, _ = self.check(text, lang)
        kept = self.is_novel(score)
        if kept:
            self.add(text, lang)
        return kept, score, nearest


def filter_candidates(
    candidates: Sequence[str],
    pool_texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    tokenizer: str = ENGLISH,
) -> pd.DataFrame:
    """Self-Instruct's filter over a batch: each candidate against the pool plus the candidates
    kept before it. One row per candidate: kept, max_rougeL, nearest_index (into pool_texts
    followed by the kept candidates), nearest_text."""
    rouge_filter = IncrementalRougeFilter(pool_texts, threshold, tokenizer)
    rows = []
    for text in candidates:
        score, nearest, nearest_text = rouge_filter.check(text)
        kept = rouge_filter.is_novel(score)
        if kept:
            rouge_filter.add(text)
        rows.append((kept, score, -1 if nearest is None else nearest, nearest_text))
    frame = pd.DataFrame(rows, columns=["kept", "max_rougeL", "nearest_index", "nearest_text"])
    return frame.astype(
        {
            "kept": bool,
            "max_rougeL": np.float64,
            "nearest_index": np.int64,
            "nearest_text": "string",
        }
    )


# --- datasets (record schema frames) --------------------------------------------------------

#: Bump when the scores or columns of the cached similarity frame change.
CACHE_VERSION = "1"
SIMILARITY_COLUMNS: tuple[str, ...] = (
    "id",
    "max_rougeL",
    "nearest_id",
    "nearest_text",
    "mean_rougeL",
)


def _langs(frame: pd.DataFrame) -> list[str | None] | None:
    if "lang" not in frame:
        return None
    return [None if pd.isna(lang) else str(lang) for lang in frame["lang"]]


def similarity_to_pool(
    frame: pd.DataFrame,
    pool_frame: pd.DataFrame,
    field: str = "instruction",
    tokenizer: str = ENGLISH,
    workers: int = -1,
) -> pd.DataFrame:
    """Each row's max and mean ROUGE-L to the pool's distinct texts, with the nearest pool row.

    The pool counts each distinct text once (a seed task with several instances is one
    instruction); nearest_id is the first pool row holding the nearest text.
    """
    pool = pool_frame.drop_duplicates(field).reset_index(drop=True)
    scores = rouge_to_pool(
        frame[field].tolist(),
        pool[field].tolist(),
        tokenizer=tokenizer,
        langs=_langs(frame),
        pool_langs=_langs(pool),
        workers=workers,
    )
    nearest = scores["nearest_index"].to_numpy()
    pool_ids = pool["id"].astype(str).to_numpy()
    return pd.DataFrame(
        {
            "id": frame["id"].astype("string").reset_index(drop=True),
            "max_rougeL": scores["max_rougeL"],
            "nearest_id": pd.Series(
                [pool_ids[i] if i >= 0 else None for i in nearest], dtype="string"
            ),
            "nearest_text": scores["nearest_text"],
            "mean_rougeL": scores["mean_rougeL"],
        },
        columns=list(SIMILARITY_COLUMNS),
    )


def max_rouge_to_pool_cached(
    dataset: Dataset, pool_dataset: Dataset, field: str = "instruction", tokenizer: str = ENGLISH
) -> pd.DataFrame:
    """`similarity_to_pool` of two loaded datasets, cached by both fingerprints (for pages)."""
    return cached_frame(
        "rouge",
        dataset.fingerprint,
        {"pool": pool_dataset.fingerprint, "field": field, "tokenizer": tokenizer},
        CACHE_VERSION,
        lambda: similarity_to_pool(dataset.frame, pool_dataset.frame, field, tokenizer),
    )


def deduplicate(
    frame: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    field: str = "instruction",
    tokenizer: str = ENGLISH,
    rule: str = "filter",
    workers: int = -1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop near-duplicates, first occurrences kept (`rule` as in near_duplicate_clusters).

    Returns the kept rows and a report of each removed row: id, text, cluster_id (its cluster's
    first row, always kept), matched_id and matched_text (the row that justifies the drop) and
    rougeL (their score, above the threshold)."""
    frame = frame.reset_index(drop=True)
    texts = frame[field].tolist()
    clusters = near_duplicate_clusters(
        texts,
        threshold,
        rule=rule,
        tokenizer=tokenizer,
        langs=_langs(frame),
        workers=workers,
    )
    removed = clusters[clusters["is_duplicate"]]
    ids = frame["id"].astype(str).to_numpy()
    report = pd.DataFrame(
        {
            "id": ids[removed.index],
            "text": [texts[i] for i in removed.index],
            "cluster_id": ids[removed["cluster"].to_numpy()],
            "matched_id": ids[removed["matched_index"].to_numpy()],
            "matched_text": [texts[i] for i in removed["matched_index"]],
            "rougeL": removed["matched_rougeL"].to_numpy(),
        }
    )
    kept = frame[~clusters["is_duplicate"].to_numpy()].reset_index(drop=True)
    return kept, report
