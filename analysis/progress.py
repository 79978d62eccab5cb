"""Progress of a long computation in words a person reads: counts and the time left."""

from __future__ import annotations


def time_left(done: int, total: int, elapsed_s: float) -> str:
    """ "about 40 s left", "about 3 min left"; empty while there is no pace to go by yet."""
    if done <= 0 or elapsed_s <= 0 or done >= total:
        return ""
    seconds = elapsed_s / done * (total - done)
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {round(seconds / 60)} min left"


def progress_text(what: str, done: int, total: int, elapsed_s: float) -> str:
    left = time_left(done, total, elapsed_s)
    return f"{what}: {done:,} of {total:,}" + (f" · {left}" if left else "")
