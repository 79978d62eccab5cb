"""Every pair above a ROUGE-L threshold among a million texts: an exact prefix filter, then LCS.

Comparing each text with every other of similar length (duplicates.banded_pairs) is quadratic:
hours for 1,000,000 instructions. A pair above the threshold must share many tokens, so, as in
AllPairs/PPJoin, each text is indexed by a short prefix of its rarest tokens and only texts that
share a prefix token become candidates; candidates are then scored with the exact LCS core
(rapidfuzz, both cores) and rouge_score's own F arithmetic, so the result is bit for bit the
brute-force one. Why no pair can be lost, with t' = threshold - 1e-9 (the loosening absorbs
rounding in F, which may exceed 2*lcs/(la+lb) by an ulp):

1. F > t  implies  lcs >= need(la, lb) := max(1, ceil(t' * (la + lb) / 2)).
   F is 2*lcs/(la+lb) up to rounding, F > t > t' gives lcs > t'(la+lb)/2, hence lcs is at least
   the ceiling (and at least 1: F is 0 when lcs is 0).
2. Length bound: lcs <= min(la, lb), so a partner of a text of length l has length at least
   shortest(l) := floor(t' * l / (2 - t')) (from lb >= t'(la+lb)/2; the floor only loosens).
3. Overlap bound, with multisets: the LCS is a common subsequence, so it uses each token w at
   most min(ca(w), cb(w)) times: lcs <= |A & B|, the multiset intersection. Name each token by
   its occurrence, (w, k) for the k-th w of the text: a multiset becomes a set of such keys and
   |A & B| is the size of their set intersection (the k-th w of a matches the k-th w of b).
   (Plain token sets would be wrong: "a a a" and "a a a" share one distinct token but have
   LCS 3.)
4. Prefix lemma: fix any total order of keys (rarest first) and sort each text's keys by it.
   If |A & B| >= o, the smallest common key z has at least o - 1 common keys after it in both
   texts, so it sits within the first la - o + 1 keys of a and the first lb - o + 1 keys of b:
   the two prefixes share a key. A text may use any o' <= o on its own side, so each side
   takes its own lower bound of o over the partners it can have:
     - texts are put in (length, position) order and each is paired only with earlier ones,
       which are no longer: an indexed text of length l meets partners of length >= l, and
       need is increasing in both lengths, so need(l, l) holds: index prefix l - need(l, l) + 1;
     - a probing text of length l meets partners of length >= shortest(l):
       probe prefix l - need(l, shortest(l)) + 1.
   So a pair above the threshold always shares a key of the probe prefix of the later text and
   the index prefix of the earlier one, and is found; candidates are only ever verified, never
   accepted on a bound.
Empty texts score 0 with everything and have no keys. Candidates are produced and verified in
chunks of probing texts, so memory stays bounded whatever the number of candidates.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import LCSseq

from analysis.rouge.codec import encode_together
from analysis.rouge.scores import f_measure
from analysis.rouge.tokens import ENGLISH, tokenize_all

#: Subtracted from the threshold in every bound (see the module docstring, point 1).
EPSILON = 1e-9
#: Candidate pairs produced and verified at once (about 100 MB of temporaries).
CHUNK_CANDIDATES = 2_000_000
#: Keys a candidate pair must share in its prefixes (point 5), the prefixes being that much
#: longer: 1 is classic prefix filtering.
SHARED_KEYS = 3
#: Texts whose probe prefix is longer use single-key signatures: k keys have k(k-1)/2 pairs.
PAIR_PREFIX_LIMIT = 40
#: Probing texts whose signatures are made and looked up at once (bounds memory).
PROBE_TEXTS = 50_000
#: Bits of a code point in a key; the occurrence number takes the bits above.
_TOKEN_BITS = 21


def need(length_a: np.ndarray, length_b: np.ndarray, threshold: float) -> np.ndarray:
    """The least LCS a pair of these lengths needs to score above the threshold (point 1)."""
    bound = threshold - EPSILON
    total = np.asarray(length_a, dtype=np.float64) + np.asarray(length_b, dtype=np.float64)
    return np.maximum(1, np.ceil(bound * total / 2)).astype(np.int64)


def shortest_partner(length: np.ndarray, threshold: float) -> np.ndarray:
    """The least length of a text that can score above the threshold with one this long."""
    bound = max(threshold - EPSILON, 0.0)
    return np.maximum(1, np.floor(bound * np.asarray(length) / (2 - bound))).astype(np.int64)


def _keys_by_rarity(codes: Sequence[str], lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each text's (token, occurrence) keys as ranks (0 = rarest key of the set), grouped by
    text and sorted by rank within each: (owner text of each entry, its rank)."""
    tokens = np.frombuffer("".join(codes).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(len(codes), dtype=np.int64), lengths)
    by_token = np.lexsort((tokens, owner))  # stable: equal tokens of a text stay together
    sorted_tokens, sorted_owner = tokens[by_token], owner[by_token]
    run_start = np.ones(len(tokens), dtype=bool)
    run_start[1:] = (sorted_tokens[1:] != sorted_tokens[:-1]) | (
        sorted_owner[1:] != sorted_owner[:-1]
    )
    starts = np.flatnonzero(run_start)
    positions = np.arange(len(tokens))
    occurrence = positions - np.repeat(starts, np.diff(np.append(starts, len(tokens))))
    keys = sorted_tokens | (occurrence << _TOKEN_BITS)
    distinct, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    rank_of = np.empty(len(distinct), dtype=np.int64)
    rank_of[np.lexsort((distinct, counts))] = np.arange(len(distinct))
    ranks = rank_of[inverse]
    within = np.lexsort((ranks, sorted_owner))
    return sorted_owner[within], ranks[within]


def _prefix_entries(
    owner: np.ndarray, ranks: np.ndarray, lengths: np.ndarray, prefix: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries within each text's prefix of `prefix` keys: owner, rank, place in prefix."""
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    within = np.arange(len(owner)) - starts[owner]
    keep = within < prefix[owner]
    return owner[keep], ranks[keep], within[keep]


def _signatures(
    entries: tuple[np.ndarray, np.ndarray, np.ndarray], prefix: np.ndarray, keys: int, pairs: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Prefix entries (owner, rank, place in prefix; each text's together, in rank order) as
    signatures (owner, signature): each key, or every 2-subset of a text's keys (point 5)."""
    owner, ranks, within = entries
    if not pairs:
        return owner, ranks
    owners, signatures = [], []
    for offset in range(1, int(prefix[owner].max(initial=0))):
        first = np.flatnonzero(within[: len(within) - offset] + offset < prefix[owner[offset:]])
        first = first[owner[first] == owner[first + offset]]
        owners.append(owner[first])
        signatures.append(ranks[first] * keys + ranks[first + offset])
    if not owners:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(owners), np.concatenate(signatures)


def _join(
    index: tuple[np.ndarray, np.ndarray],
    probe_entries: tuple[np.ndarray, np.ndarray, np.ndarray],
    probe_signatures,
    place: np.ndarray,
    first_partner: np.ndarray,
):
    """Pairs (later place, earlier place, signatures shared) of a probing text and an indexed
    text that share a signature, the indexed one earlier and at or after the probe's
    first_partner place; each pair once, in chunks of whole probing texts. Probing texts are
    taken PROBE_TEXTS at a time (their signatures are made per block), which bounds memory."""
    slots = max(len(place), 1)
    index_owner, index_signature = index
    if not len(index_signature):
        return
    by_signature = np.argsort(index_signature)
    ordered = index_signature[by_signature]
    fresh = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    distinct = ordered[fresh]
    index_id = np.empty(len(ordered), dtype=np.int64)
    index_id[by_signature] = np.cumsum(fresh) - 1
    del by_signature, ordered, fresh
    index_keys = np.sort(index_id * slots + place[index_owner])
    del index_id
    index_places = index_keys % slots

    owner, ranks, within = probe_entries
    by_place = np.lexsort((within, place[owner]))
    owner, ranks, within = owner[by_place], ranks[by_place], within[by_place]
    entry_places = place[owner]
    for block_start in range(0, slots, PROBE_TEXTS):
        entry_range = np.searchsorted(entry_places, [block_start, block_start + PROBE_TEXTS])
        block = slice(*entry_range)
        block_owner, signature = probe_signatures((owner[block], ranks[block], within[block]))
        if not len(signature):
            continue
        by_signature = np.argsort(signature)
        block_owner, signature = block_owner[by_signature], signature[by_signature]
        found = np.minimum(np.searchsorted(distinct, signature), len(distinct) - 1)
        known = distinct[found] == signature
        probe_keys = np.sort(found[known] * slots + place[block_owner[known]])
        probe_place = probe_keys % slots
        # Sorted queries: numpy's binary search then walks the arrays in order (much faster).
        low = np.searchsorted(index_keys, probe_keys - probe_place + first_partner[probe_place])
        high = np.searchsorted(index_keys, probe_keys)
        by_place = np.argsort(probe_place)
        probe_place, low, high = probe_place[by_place], low[by_place], high[by_place]
        yield from _expand(probe_place, low, high, index_places, slots)


def _expand(
    probe_place: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    index_places: np.ndarray,
    slots: int,
):
    """Each probe's index range [low, high) as pairs, CHUNK_CANDIDATES at a time, each pair
    once with the number of signatures it shares; probes sorted by place."""
    sizes = np.maximum(high - low, 0)
    ends = np.cumsum(sizes)
    start = 0
    while start < len(sizes):
        # Whole probing texts per chunk, so that sorting a chunk finds every pair of it once.
        stop = int(np.searchsorted(ends, ends[start] - sizes[start] + CHUNK_CANDIDATES, "right"))
        if stop < len(sizes):
            stop = int(np.searchsorted(probe_place, probe_place[stop], "left"))
        if stop <= start:
            stop = int(np.searchsorted(probe_place, probe_place[start], "right"))
        chunk_sizes = sizes[start:stop]
        total = int(chunk_sizes.sum())
        if total:
            later = np.repeat(probe_place[start:stop], chunk_sizes)
            offsets = np.arange(total) - np.repeat(
                np.cumsum(chunk_sizes) - chunk_sizes, chunk_sizes
            )
            earlier = index_places[np.repeat(low[start:stop], chunk_sizes) + offsets]
            raw = np.sort(later * slots + earlier)
            first = np.ones(len(raw), dtype=bool)
            first[1:] = raw[1:] != raw[:-1]
            starts = np.flatnonzero(first)
            pairs = raw[starts]
            yield pairs // slots, pairs % slots, np.diff(np.append(starts, len(raw)))
        start = stop


def candidate_chunks(lengths: np.ndarray, owner: np.ndarray, ranks: np.ndarray, threshold: float):
    """Yield arrays (a, b) of candidate text pairs, each pair once, in chunks.

    Texts are taken in (length, position) order; a later text meets an earlier one long enough
    to reach the threshold (point 2) when their prefixes share signatures (points 4 and 5):
    2-subsets of keys where every pair the later text can have needs an LCS of 2 or more and
    its prefix is short enough for all its 2-subsets; otherwise single keys, SHARED_KEYS of
    them (or the pair's need, if less)."""
    count = len(lengths)
    order = np.argsort(lengths, kind="stable")
    place = np.empty(count, dtype=np.int64)
    place[order] = np.arange(count)
    shortest = shortest_partner(lengths, threshold)
    first_partner = np.searchsorted(lengths[order], shortest[order], "left")
    extra = SHARED_KEYS - 1
    index_prefix = np.clip(lengths - need(lengths, lengths, threshold) + 1 + extra, 0, lengths)
    probe_prefix = np.clip(lengths - need(lengths, shortest, threshold) + 1 + extra, 0, lengths)
    keys = int(ranks.max(initial=0)) + 1
    # 2-subsets need two shared keys in the prefixes: SHARED_KEYS >= 2 and a need of 2 or more.
    by_pairs = (
        (SHARED_KEYS >= 2)
        & (need(lengths, shortest, threshold) >= 2)
        & (probe_prefix <= PAIR_PREFIX_LIMIT)
    )
    longest = int(lengths[by_pairs].max(initial=-1))
    for pairs in (True, False):
        probing = by_pairs if pairs else ~by_pairs
        indexed = lengths <= longest if pairs else np.ones(count, dtype=bool)
        index_entries = _prefix_entries(owner, ranks, lengths, np.where(indexed, index_prefix, 0))
        probe_entries = _prefix_entries(owner, ranks, lengths, np.where(probing, probe_prefix, 0))
        index = _signatures(index_entries, index_prefix, keys, pairs)
        del index_entries

        def probe_signatures(entries, pairs=pairs):
            return _signatures(entries, probe_prefix, keys, pairs)

        for later, earlier, shared in _join(
            index, probe_entries, probe_signatures, place, first_partner
        ):
            a, b = order[earlier], order[later]
            least = np.minimum(SHARED_KEYS, need(lengths[a], lengths[b], threshold))
            # m keys shared in both prefixes make m(m-1)/2 shared 2-subsets
            keep = shared >= (least * (least - 1) // 2 if pairs else least)
            yield a[keep], b[keep]


#: Verifies candidate chunks: (codes, lengths, chunks of (a, b), threshold, workers) -> the
#: (i, j, rougeL) arrays of the pairs above the threshold, per chunk, in any order.
VerifyChunks = Callable[
    [list[str], np.ndarray, Iterable[tuple[np.ndarray, np.ndarray]], float, int],
    Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]],
]


def verify_pairs(
    codes: Sequence[str],
    lengths: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    threshold: float,
    workers: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidate pairs (a, b) that score above the threshold, exactly: (i, j, rougeL) with
    i < j. Every engine verifies with this one function, so their pairs and scores agree."""
    lcs = process.cpdist(
        [codes[n] for n in a],
        [codes[n] for n in b],
        scorer=LCSseq.similarity,
        dtype=np.int32,
        workers=workers if len(a) > 10_000 else 1,
    )
    scores = f_measure(lcs, lengths[a], lengths[b])
    above = scores > threshold
    return np.minimum(a[above], b[above]), np.maximum(a[above], b[above]), scores[above]


def verify_here(
    codes: list[str],
    lengths: np.ndarray,
    chunks: Iterable[tuple[np.ndarray, np.ndarray]],
    threshold: float,
    workers: int,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The local engine's verification: each chunk scored in a thread while the next chunk's
    candidates are made here (rapidfuzz scores without the GIL), so both steps run at once,
    as the Ray engine's driver and actors do; at most two chunks are in flight."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: deque = deque()
        for a, b in chunks:
            pending.append(pool.submit(verify_pairs, codes, lengths, a, b, threshold, workers))
            if len(pending) > 1:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def all_pairs_above(
    texts: Sequence[str],
    threshold: float,
    *,
    tokenizer: str = ENGLISH,
    langs: Sequence[str | None] | None = None,
    workers: int = -1,
    verify: VerifyChunks = verify_here,
) -> pd.DataFrame:
    """Every pair (i < j) with ROUGE-L strictly above the threshold (>= 0): columns i, j,
    rougeL, sorted; the same pairs and scores as scoring all pairs, found from candidates.
    The candidates are made here; `verify` scores them (the Ray engine: on a cluster)."""
    (encoded,) = encode_together(tokenize_all(texts, tokenizer, langs))[1]
    lengths = encoded.lengths
    owner, ranks = _keys_by_rarity(encoded.codes, lengths)
    chunks = candidate_chunks(lengths, owner, ranks, threshold)
    found = list(verify(encoded.codes, lengths, chunks, threshold, workers))
    pairs = pd.DataFrame(
        {
            "i": np.concatenate([i for i, _, _ in found]) if found else np.empty(0, dtype=np.int64),
            "j": np.concatenate([j for _, j, _ in found]) if found else np.empty(0, dtype=np.int64),
            "rougeL": np.concatenate([score for _, _, score in found]) if found else np.empty(0),
        }
    )
    return pairs.sort_values(["i", "j"], kind="stable").reset_index(drop=True)
