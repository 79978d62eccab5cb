"""A spot-check study as the page runs it: its items for one annotator, where they stand, and
the stored form of an answer given on screen."""

from __future__ import annotations

from dataclasses import dataclass

from analysis.annotations import sampling
from analysis.annotations.sampling import Item
from analysis.annotations.schemes import Question, Scheme
from analysis.datasets import Dataset

LEFT, RIGHT = "left", "right"


@dataclass(frozen=True)
class Study:
    scheme: Scheme
    datasets: tuple[Dataset, ...]
    size: int
    seed: int
    stratum: str = "none"
    annotators: tuple[str, ...] = ()  # with per_item: who shares the items
    per_item: int | None = None

    def queue(self, annotator: str) -> list[Item]:
        pool = sampling.candidates(list(self.datasets), self.scheme.items == "pair")
        strata = sampling.strata(pool, list(self.datasets), self.stratum)
        sample = sampling.draw_sample(pool, self.size, self.seed, strata)
        return sampling.annotator_queue(
            sample, annotator, self.seed, list(self.annotators) or None, self.per_item
        )


def complete(scheme: Scheme, answers: dict[str, str] | None) -> bool:
    return answers is not None and all(q.id in answers for q in scheme.questions)


def done_count(queue: list[Item], answered: dict, scheme: Scheme) -> int:
    """How many items of the queue have every question answered."""
    return sum(complete(scheme, answered.get((i.fingerprint, i.row_id))) for i in queue)


def next_open(queue: list[Item], answered: dict, scheme: Scheme, start: int = 0) -> int | None:
    """The first item at or after `start` (then from the beginning) not fully answered: an
    annotator resumes where they stopped and is never served an item twice."""
    order = list(range(start, len(queue))) + list(range(start))
    for position in order:
        item = queue[position]
        if not complete(scheme, answered.get((item.fingerprint, item.row_id))):
            return position
    return None


def stored_answer(question: Question, shown: str, first_on_left: bool) -> str:
    """Pairwise buttons say left/right; the store keeps first/second of the pair's order."""
    if shown == LEFT:
        return "first" if first_on_left else "second"
    if shown == RIGHT:
        return "second" if first_on_left else "first"
    return shown


def shown_answer(stored: str | None, first_on_left: bool) -> str | None:
    """The inverse of `stored_answer`: which button shows a stored pairwise answer."""
    if stored == "first":
        return LEFT if first_on_left else RIGHT
    if stored == "second":
        return RIGHT if first_on_left else LEFT
    return stored
