"""Entry points of a run's worker processes. Kept apart from `parallel` so
that a freshly spawned process can import them before Django is set up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

_computer = None


def init(period: str, nothing_stored: bool) -> None:
    global _computer
    from tandem.core import bootstrap

    bootstrap.setup(migrate=False)
    from .parallel import BatchComputer

    _computer = BatchComputer(period, nothing_stored)


def compute(
    batch: Sequence[str],
    since: Mapping[str, date | None] | None = None,
    named: Mapping[str, frozenset[str]] | None = None,
):
    assert _computer is not None
    return len(batch), _computer(batch, since, named)


def compute_into(group: Sequence[str], path: str, batch: int):
    """Compute a group of customers in batches and write their lines into
    the staging file `path` (`parallel.staged`); the rows stay out of the
    pipe."""
    assert _computer is not None
    from .linestore import stage_rows

    written = orders = adjustments = 0
    exceptions: list[dict] = []
    for start in range(0, len(group), batch):
        _deletes, inserts, n_orders, n_adjustments, excs = _computer(group[start : start + batch])
        if inserts:
            stage_rows(path, inserts)
        written += len(inserts)
        orders += n_orders
        adjustments += n_adjustments
        exceptions.extend(excs)
    return len(group), written, orders, adjustments, exceptions
