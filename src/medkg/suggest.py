"""Say "did you mean": the known names closest to what a user typed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]


def closest(name: str, candidates: Iterable[str], *, limit: int = 3) -> list[str]:
    """Return the candidates closest to *name*, best first (case-insensitive).

    Close spellings come first, then candidates that start with or contain *name*.

    >>> closest("turtel", ["turtle", "trig", "nt"])
    ['turtle']
    >>> closest("triggering-drug", ["triggering-drugs", "treatments", "muscles"])
    ['triggering-drugs']
    """
    pool = list(dict.fromkeys(candidates))
    lowered = {c.lower(): c for c in pool}
    key = name.strip().lower()
    hits = [lowered[h] for h in difflib.get_close_matches(key, list(lowered), n=limit, cutoff=0.6)]
    if key:
        hits += [c for c in pool if c.lower().startswith(key)]
        hits += [c for c in pool if key in c.lower()]
    return list(dict.fromkeys(hits))[:limit]


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return ``" (did you mean: a, b?)"`` for the closest candidates, or ``""`` if none."""
    close = closest(name, candidates)
    return f" (did you mean: {', '.join(close)}?)" if close else ""
