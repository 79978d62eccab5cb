"""Each sampled instruction's category: the one that lists it as a member (the teacher's
grouping, or the user's edit of it), else the nearest by sentence embeddings when an
embedding model is set (analysis.embeddings), else none (the round leaves it out)."""

from __future__ import annotations

from collections.abc import Sequence

from generation.citing.steps import Category

BY_TEACHER = "teacher"
BY_EMBEDDING = "embedding"


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def assign_categories(
    instructions: Sequence[str], categories: Sequence[Category], embedding_model: str | None
) -> list[tuple[Category | None, str | None, float | None]]:
    """(category, how it was assigned, margin to the runner-up) per instruction."""
    owner = {_key(member): c for c in categories for member in c.members}
    result: list[tuple[Category | None, str | None, float | None]] = [
        (owner[_key(text)], BY_TEACHER, None) if _key(text) in owner else (None, None, None)
        for text in instructions
    ]
    missing = [i for i, (category, _, _) in enumerate(result) if category is None]
    if missing and embedding_model and any(c.members for c in categories):
        from analysis.embeddings import nearest_categories  # torch: only when asked for

        found = nearest_categories(
            [instructions[i] for i in missing],
            {c.name: list(c.members) for c in categories if c.members},
            embedding_model,
        )
        by_name = {c.name: c for c in categories}
        for i, (name, margin) in zip(missing, found, strict=True):
            result[i] = (by_name[name], BY_EMBEDDING, margin)
    return result
