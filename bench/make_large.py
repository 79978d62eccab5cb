"""A reproducible million-row instruction dataset for the scale benchmarks (issue #19).

Rows are recombined from the bundled real texts (Self-Instruct's seed tasks, its 252 user-
oriented instructions and the four models' predictions on them): an instruction is one or two
clauses of real instructions, with some content words swapped for words of the real outputs so
that rows are varied rather than copies; inputs and outputs are runs of real sentences, sized so
that a row averages about 450 bytes of JSON. A known share of rows are planted near-duplicates:
light edits of an earlier row's instruction (an adjacent-word swap, a dropped or repeated word,
case or punctuation changes), each keeping ROUGE-L above 0.7 with its source. Their ids are
written to a side file, PATH.planted.csv (`id,source_id`), so the recall of a dedup can be
checked. Same --rows and --seed, same bytes.

    python bench/make_large.py --rows 1000000 --out /tmp/large.jsonl [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES = REPO_ROOT / "data" / "self_instruct"
#: Share of rows that are planted near-duplicates of an earlier row.
PLANTED_SHARE = 0.03
#: Share of an instruction's content words replaced by words of the real outputs.
SWAP_SHARE = 0.6
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_PUNCTUATION = ".,;:!?\"'()"
_CLAUSE = re.compile(r"(?<=[.!?;:])\s+|,\s+(?=and |or |but |then |so )")
#: Share of swapped words that are rare forms (typos, numbers, compounds).
RARE_SHARE = 0.2
#: Words that keep an instruction readable: never swapped.
_KEEP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "but",
        "with",
        "by",
        "from",
        "at",
        "as",
        "is",
        "are",
        "be",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "your",
        "you",
        "i",
        "me",
        "my",
        "we",
        "our",
        "they",
        "their",
        "them",
        "what",
        "which",
        "who",
        "how",
        "why",
        "when",
        "where",
        "can",
        "could",
        "would",
        "should",
        "will",
        "do",
        "does",
        "not",
        "no",
        "if",
        "then",
        "than",
        "so",
        "into",
        "about",
        "following",
        "given",
        "each",
        "every",
        "some",
        "any",
        "all",
    ]
)


@dataclass
class Texts:
    """The real texts rows are recombined from."""

    clauses: list[str]
    inputs: list[str]
    sentences: list[str]
    words: list[str]


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _pieces(texts: list[str], pattern: re.Pattern[str], fewest_words: int = 2) -> list[str]:
    found = {piece.strip() for text in texts for piece in pattern.split(text)}
    return sorted(piece for piece in found if len(piece.split()) >= fewest_words)


def bundled_texts() -> Texts:
    instructions, inputs, outputs = [], [], []
    for name in ("seed_tasks.jsonl", "user_oriented_instructions.jsonl"):
        for record in _jsonl(SOURCES / name):
            instructions.append(record["instruction"])
            for instance in record.get("instances", []):
                inputs.append(instance.get("input", ""))
                outputs.append(instance.get("output", ""))
    for path in sorted((SOURCES / "predictions").glob("*.jsonl")):
        for record in _jsonl(path):
            inputs.append(record.get("input") or "")
            outputs.append(record.get("response") or "")
    sentences = _pieces(outputs, _SENTENCE)
    words = sorted({w for s in sentences for w in s.split() if w.isalpha() and len(w) > 3})
    return Texts(_pieces(instructions, _CLAUSE, 4), _pieces(inputs, _SENTENCE), sentences, words)


def _instruction(rng: random.Random, texts: Texts) -> str:
    """Two clauses (sometimes three) of real instructions, content words swapped at random: a
    few hundred clauses alone would make most rows of a million near-copies of each other."""
    words = [
        word for _ in range(2 + (rng.random() < 0.2)) for word in rng.choice(texts.clauses).split()
    ]
    for position, word in enumerate(words):
        core = word.strip(_PUNCTUATION)
        if core.isalpha() and core.lower() not in _KEEP and rng.random() < SWAP_SHARE:
            words[position] = word.replace(core, _swap_word(rng, texts.words))
    return " ".join(words)


def _swap_word(rng: random.Random, words: list[str]) -> str:
    """A real word, or (RARE_SHARE of the time) a rare form as real text has them: a typo, a
    number, a name-like compound. Real corpora keep meeting new words (Heaps' law); without
    them a million rows would reuse the same 7,000 words, which no real mixture does."""
    word = rng.choice(words)
    if rng.random() >= RARE_SHARE:
        return word
    form = rng.randrange(3)
    if form == 0:
        at = rng.randrange(len(word) - 1)
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if form == 1:
        return str(rng.randrange(100_000))
    return (word + rng.choice(words).lower())[:14]


def _sentences(rng: random.Random, pool: list[str], budget: int) -> str:
    chosen: list[str] = []
    size = 0
    while size < budget:
        sentence = rng.choice(pool)
        chosen.append(sentence)
        size += len(sentence) + 1
    return " ".join(chosen)


def near_copy(rng: random.Random, text: str) -> str:
    """One or two light edits that keep ROUGE-L with `text` above 0.7 (texts of 8+ words):
    swap two adjacent words, drop or repeat a word, change case, add or drop punctuation."""
    words = text.split()
    for _ in range(rng.randint(1, 2)):
        edit = rng.randrange(5)
        at = rng.randrange(len(words) - 1)
        if edit == 0:
            words[at], words[at + 1] = words[at + 1], words[at]
        elif edit == 1:
            del words[at]
        elif edit == 2:
            words.insert(at, words[at])
        elif edit == 3:
            words[at] = words[at].upper() if rng.random() < 0.5 else words[at].lower()
        else:
            words[at] = words[at].rstrip(".,;:!?") if words[at][-1] in ".,;:!?" else words[at] + ","
    return " ".join(words)


def generate(rows: int, seed: int, out: Path) -> int:
    """Write `rows` records to `out` and the planted near-duplicates beside it; returns the
    number planted."""
    rng = random.Random(seed)
    texts = bundled_texts()
    instructions: list[str] = []
    planted = []
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for number in range(rows):
            source = rng.randrange(number) if number and rng.random() < PLANTED_SHARE else -1
            if source >= 0 and len(instructions[source].split()) >= 8:
                instruction = near_copy(rng, instructions[source])
                planted.append((f"large-{number}", f"large-{source}"))
            else:
                instruction = _instruction(rng, texts)
            instructions.append(instruction)
            has_input = rng.random() < 0.4
            record = {
                "id": f"large-{number}",
                "instruction": instruction,
                "input": _sentences(rng, texts.inputs, rng.randint(10, 80)) if has_input else "",
                "output": _sentences(rng, texts.sentences, rng.randint(10, 120)),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    with planted_path(out).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "source_id"])
        writer.writerows(planted)
    return len(planted)


def planted_path(out: Path) -> Path:
    return out.with_name(out.name + ".planted.csv")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--out", type=Path, required=True, help="JSONL file to write (not in the repo)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.out.resolve().is_relative_to(REPO_ROOT):
        parser.error("write the dataset outside the repository (e.g. under /tmp)")
    count = generate(args.rows, args.seed, args.out)
    size = args.out.stat().st_size / 1e6
    print(f"{args.rows} rows ({size:.0f} MB), {count} planted near-duplicates -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
