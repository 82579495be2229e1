"""Entry points of a run's worker processes. Kept apart from `runs` so that a
freshly spawned process can import them before Django is set up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

_computer = None


def init(period: str, nothing_stored: bool) -> None:
    global _computer
    from tandem import bootstrap

    bootstrap.setup(migrate=False)
    from .runs import _BatchComputer

    _computer = _BatchComputer(period, nothing_stored)


def compute(batch: Sequence[str], since: Mapping[str, date | None] | None = None):
    assert _computer is not None
    return len(batch), _computer(batch, since)
