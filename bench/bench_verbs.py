"""Verb-noun extraction speed: our batched pipeline against the notebooks' one-text loop.

The Self-Instruct and GPT-4-LLM notebooks called ``nlp(text)`` once per text with every pipeline
component loaded (GPT-4-LLM's log: 44 texts/s with en_core_web_md). We stream texts through
``analysis.verbs_pipeline`` (no NER, numpy's BLAS, cached embedding and attribute ruler, the
compiled parse loop) and parse each distinct text once. Also timed: spaCy's own batched
``nlp.pipe`` on the same model, which shows what the fast components add. All run here, in one
process, on the same synthetic instructions, with the same small English model; then the same
three on the bundled models' real outputs (GPT-4-LLM ran the rule on outputs).

    python bench/bench_verbs.py [--rows 20000] [--loop-rows 2000] [--batched-rows 5000]
                                [--output-loop-rows 300] [--seed 0]
"""

from __future__ import annotations

import os

# One core, as the target says: no BLAS or OpenMP threads beside the main one.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bundled  # noqa: E402
import spacy  # noqa: E402

from analysis import verbs  # noqa: E402

SOURCES = ("seed_tasks", "user_oriented_instructions")
PREFIXES = ("", "", "Please ", "Now, ", "Briefly, ", "Can you ", "I want you to ")
SUFFIXES = (
    "",
    " Keep it under {n} words.",
    " Give {k} examples.",
    " The audience is {who}.",
    " Answer in {lang}.",
    " Use a {tone} tone.",
)
FILLERS = {
    "who": ("children", "students", "engineers", "doctors", "tourists", "managers"),
    "lang": ("English", "French", "plain words", "bullet points", "one paragraph"),
    "tone": ("formal", "friendly", "neutral", "humorous", "concise"),
}


def synthesize(count: int, seed: int) -> list[str]:
    """``count`` distinct instruction-like texts: seed instructions with varied frames."""
    rng = random.Random(seed)
    bases = [text for name in SOURCES for text in bundled.texts(name)]
    texts: dict[str, None] = {}
    while len(texts) < count:
        base = rng.choice(bases)
        prefix = rng.choice(PREFIXES)
        if prefix.endswith("to ") or prefix.startswith("Can"):
            base = base[:1].lower() + base[1:]
        suffix = rng.choice(SUFFIXES).format(
            n=rng.randint(20, 400),
            k=rng.randint(2, 12),
            who=rng.choice(FILLERS["who"]),
            lang=rng.choice(FILLERS["lang"]),
            tone=rng.choice(FILLERS["tone"]),
        )
        texts[prefix + base + suffix] = None
    return list(texts)


def notebook_pair(token) -> tuple[str, str]:
    """The notebooks' recursive rule, as they ran it after each ``nlp(text)``."""
    if token.pos_ == "VERB":
        for child in token.children:
            if child.dep_ == "dobj" and child.pos_ == "NOUN":
                return token.lemma_, child.lemma_
        return token.lemma_, ""
    for child in token.children:
        return notebook_pair(child)
    return "", ""


BATCHED = "spaCy nlp.pipe batched (no ner, numpy ops), paper"
LOOP = "notebook loop nlp(text), full pipeline"


def run_batched(nlp, texts: list[str]):
    """spaCy's own batched pipe, then the paper rule: pairs, wall and CPU seconds."""
    return timed(
        lambda: [verbs.paper_rule(doc) for doc in nlp.pipe(texts, batch_size=verbs.BATCH_SIZE)]
    )


def run_loop(nlp_full, texts: list[str]):
    """The notebooks' one ``nlp(text)`` call per text: pairs, wall and CPU seconds."""
    return timed(lambda: [notebook_pair(list(nlp_full(text).sents)[0].root) for text in texts])


def share_equal(ours: list, theirs: list) -> float:
    return sum(a == b for a, b in zip(ours, theirs, strict=True)) / len(theirs)


def timed(function):
    """Result, wall seconds and CPU seconds of this process (the shared machine's noise aside)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


PREDICTIONS = tuple(
    f"predictions/{model}"
    for model in ("davinci", "davinci-self-instruct", "text-davinci-001", "text-davinci-003")
)


def report(rows: list[tuple[str, int, float, float]], words: float) -> None:
    header = (
        f"{'method':<52}{'rows':>7}{'wall s':>8}{'rows/s':>8}{'words/s':>9}"
        f"{'CPU s':>8}{'rows/CPU-s':>11}"
    )
    print("\n" + header)
    for name, count, wall, cpu in rows:
        print(
            f"{name:<52}{count:>7}{wall:>8.2f}{count / wall:>8.0f}{count * words / wall:>9.0f}"
            f"{cpu:>8.2f}{count / cpu:>11.0f}"
        )


def compare_on_outputs(model: str, loop_rows: int, nlp_full, batched_nlp) -> None:
    """GPT-4-LLM ran the rule on outputs: longer, multi-sentence texts, real model answers."""
    texts = list(dict.fromkeys(t for name in PREDICTIONS for t in bundled.texts(name, "output")))
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(
        f"\nreal model outputs: {len(texts)} distinct responses of the four bundled models, "
        f"{words:.1f} words avg (embedding cache warm from the run above)"
    )
    ours, ours_wall, ours_cpu = timed(lambda: verbs.extract(texts, rule="paper", model=model))
    batched, batched_wall, batched_cpu = run_batched(batched_nlp, texts)
    subset = texts[:loop_rows]
    reference, ref_wall, ref_cpu = run_loop(nlp_full, subset)
    report(
        [
            ("ours, paper rule, output field", len(texts), ours_wall, ours_cpu),
            (BATCHED, len(texts), batched_wall, batched_cpu),
            (LOOP, len(subset), ref_wall, ref_cpu),
        ],
        words,
    )
    pairs = list(zip(ours["verb"], ours["noun"], strict=True))
    speedup = (len(texts) / ours_wall) / (len(subset) / ref_wall)
    print(
        f"speed-up on outputs: {speedup:.1f}x the loop, "
        f"{(len(texts) / ours_wall) / (len(texts) / batched_wall):.2f}x spaCy's nlp.pipe (wall)"
    )
    print(
        f"same (verb, noun) as the loop on its {len(subset)} texts: "
        f"{share_equal(pairs[: len(reference)], reference):.2%}; "
        f"as spaCy's nlp.pipe on all {len(texts)}: {share_equal(pairs, batched):.2%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--loop-rows", type=int, default=2_000)
    parser.add_argument("--batched-rows", type=int, default=5_000)
    parser.add_argument("--output-loop-rows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    texts = synthesize(args.rows, args.seed)
    words = sum(len(t.split()) for t in texts) / len(texts)
    model = verbs.default_model_name()
    print(f"{len(texts)} distinct synthetic instructions (seed {args.seed}), {words:.1f} words avg")
    print(f"model {verbs.model_id(model)}, one process, batch_size {verbs.BATCH_SIZE}")

    from analysis import verbs_pipeline

    _, load_ours, _ = timed(lambda: verbs.load_english(model))
    # First pass: the embedding and attribute-ruler caches start empty, as in a fresh process.
    ours, ours_wall, ours_cpu = timed(lambda: verbs.extract(texts, rule="paper", model=model))
    _, warm_wall, warm_cpu = timed(lambda: verbs.extract(texts, rule="paper", model=model))
    _, full_wall, full_cpu = timed(lambda: verbs.extract(texts, rule="full", model=model))

    batched_nlp = verbs_pipeline.load(model)
    batched, batched_wall, batched_cpu = run_batched(batched_nlp, texts[: args.batched_rows])

    nlp_full, load_ref, _ = timed(lambda: spacy.load(model))
    subset = texts[: args.loop_rows]
    reference, ref_wall, ref_cpu = run_loop(nlp_full, subset)
    pairs = list(zip(ours["verb"], ours["noun"], strict=True))
    agree = share_equal(pairs[: len(reference)], reference)
    agree_batched = share_equal(pairs[: len(batched)], batched)

    compiled = "compiled parse loop" if verbs_pipeline.compiled_parse_module() else "spaCy's loop"
    report(
        [
            (f"ours, paper rule, first pass ({compiled})", len(texts), ours_wall, ours_cpu),
            ("ours, paper rule, caches warm", len(texts), warm_wall, warm_cpu),
            ("ours, full rule, caches warm", len(texts), full_wall, full_cpu),
            (BATCHED, len(batched), batched_wall, batched_cpu),
            (LOOP, len(subset), ref_wall, ref_cpu),
        ],
        words,
    )
    ref_rate = len(subset) / ref_wall
    print(
        f"\nloop measured on the first {len(subset)} texts and extrapolated to all "
        f"{len(texts)}: {len(texts) / ref_rate:.1f} s wall (ours: {ours_wall:.1f} s); "
        f"52,000 texts at our first-pass rate: {52_000 * ours_wall / len(texts):.1f} s"
    )
    speedup = (len(texts) / ours_wall) / ref_rate
    speedup_cpu = (len(texts) / ours_cpu) / (len(subset) / ref_cpu)
    speedup_batched = (len(texts) / ours_wall) / (len(batched) / batched_wall)
    print(f"speed-up, paper rule: {speedup:.1f}x the loop (wall), {speedup_cpu:.1f}x (CPU)")
    print(f"speed-up over spaCy's batched nlp.pipe: {speedup_batched:.2f}x (wall)")
    print(f"model load: ours {load_ours:.2f} s (no ner), reference {load_ref:.2f} s")
    print(f"same (verb, noun) as the loop on its {len(subset)} texts: {agree:.2%}")
    print(f"same (verb, noun) as spaCy's nlp.pipe on its {len(batched)} texts: {agree_batched:.2%}")

    compare_on_outputs(model, args.output_loop_rows, nlp_full, batched_nlp)


if __name__ == "__main__":
    main()
