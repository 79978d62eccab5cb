"""The judge's verdict in its reply, found by strict patterns; anything else is no verdict.

The patterns are FastChat's (lm-sys/FastChat fastchat/llm_judge/common.py for `[[rating]]` and
`[[A]]`/`[[B]]`/`[[C]]`, fastchat/eval/eval_gpt_review.py `parse_score` for the Vicuna review's
two scores on the first line). Where FastChat guesses, these refuse:

- a rating outside 1-10 is no rating (FastChat kept any number, 0 and 11 included);
- a reply naming two different ratings, or two different pairwise verdicts, is ambiguous
  (FastChat took the first rating, and `[[A]]` over `[[B]]` over `[[C]]` whatever their order,
  which favours A); the same one repeated is fine;
- two scores are read from the first non-blank line, two numbers separated by a space, a comma
  or both (FastChat split the raw first line at single spaces after turning commas into spaces,
  so "8, 9" and a leading blank line failed, while "nan 5" or "-1 5" passed as numbers);
- the prompt's own example, `for example: "Rating: [[5]]"`, is no rating: a judge that repeats
  its instructions (small models do) gave no verdict, where FastChat read a 5;
- a reply cut by the length limit has no verdict, whatever it holds (an early "[[5]]" may be a
  quote, not the final word); FastChat parsed it like any other.
An unparsed verdict is never a number: its scores and winner are None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_SCORE, MAX_SCORE = 1, 10
TIE = "tie"

#: single-v1's example of the format, which a judge repeating its prompt writes too.
RATING_EXAMPLE = 'for example: "Rating: [[5]]"'
_RATING = re.compile(r"\[\[(\d+\.?\d*)\]\]")
_RATING_BACKUP = re.compile(r"\[(\d+\.?\d*)\]")
_PAIR = re.compile(r"\[\[([ABC])\]\]")
_PAIR_WINNER = {"A": "A", "B": "B", "C": TIE}
_TWO_SCORES = re.compile(r"(\d+(?:\.\d+)?)\s*[,\s]\s*(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Verdict:
    """scores: single (s,), two-score (score of the answer shown first, of the second);
    winner: pairwise "A", "B" or "tie". Both None when no verdict was found."""

    scores: tuple[int | float, ...] | None = None
    winner: str | None = None

    @property
    def parsed(self) -> bool:
        return self.scores is not None or self.winner is not None


UNPARSED = Verdict()


def _number(text: str) -> int | float | None:
    """The rating as written ("8" -> 8, "8.5" -> 8.5), None outside 1-10."""
    value = float(text)
    if not MIN_SCORE <= value <= MAX_SCORE:
        return None
    return int(value) if value.is_integer() and "." not in text else value


def _only(values: list) -> object | None:
    """The one value named, however often; None for none or several different ones."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def parse_rating(text: str, truncated: bool = False) -> Verdict:
    """Single-answer grading: "Rating: [[7]]", else (FastChat's backup) "[7]"."""
    if truncated:
        return UNPARSED
    text = text.replace(RATING_EXAMPLE, "")
    found = _RATING.findall(text) or _RATING_BACKUP.findall(text)
    rating = _only([float(value) for value in found])
    if rating is None:
        return UNPARSED
    score = _number(next(value for value in found if float(value) == rating))
    return UNPARSED if score is None else Verdict(scores=(score,))


def parse_pair_verdict(text: str, truncated: bool = False) -> Verdict:
    """Pairwise: "[[A]]" (the answer shown first is better), "[[B]]", or "[[C]]" (a tie)."""
    if truncated:
        return UNPARSED
    letter = _only(_PAIR.findall(text))
    return UNPARSED if letter is None else Verdict(winner=_PAIR_WINNER[letter])


def parse_two_scores(text: str, truncated: bool = False) -> Verdict:
    """Vicuna's review: the first line holds the two scores, "8 9" (or "8,9", "8, 9")."""
    if truncated:
        return UNPARSED
    first_line = text.strip().split("\n", 1)[0].strip()
    match = _TWO_SCORES.fullmatch(first_line)
    if match is None:
        return UNPARSED
    scores = tuple(_number(value) for value in match.groups())
    return UNPARSED if None in scores else Verdict(scores=scores)
