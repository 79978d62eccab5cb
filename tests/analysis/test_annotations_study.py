"""A study's queue resumes where the annotator stopped; pairwise answers survive the flip."""

from __future__ import annotations

from analysis.annotations.sampling import Item
from analysis.annotations.schemes import get_scheme
from analysis.annotations.study import (
    LEFT,
    RIGHT,
    done_count,
    next_open,
    shown_answer,
    stored_answer,
)


def test_study_next_open_skips_what_is_fully_answered():
    scheme = get_scheme("self-instruct-quality")
    queue = [Item("fp", str(n), ("d",)) for n in range(4)]
    full = {q.id: "yes" for q in scheme.questions}
    answered = {("fp", "0"): full, ("fp", "1"): {"valid_task": "no"}, ("fp", "2"): full}
    assert next_open(queue, answered, scheme) == 1  # half-answered is still open
    assert done_count(queue, answered, scheme) == 2
    assert next_open(queue, answered, scheme, start=2) == 3
    answered[("fp", "1")] = full
    answered[("fp", "3")] = full
    assert next_open(queue, answered, scheme) is None


def test_study_pairwise_answers_are_stored_by_dataset_not_by_side():
    question = get_scheme("hhh-pairwise").questions[0]
    for first_on_left in (True, False):
        for screen in (LEFT, "tie", RIGHT):
            stored = stored_answer(question, screen, first_on_left)
            assert stored in question.values
            assert shown_answer(stored, first_on_left) == screen
    assert stored_answer(question, LEFT, first_on_left=False) == "second"
