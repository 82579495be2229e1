"""Progress bars for long commands: drawn by rich on stderr when it is a
terminal, absent otherwise (pipes, CI, tests)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol


class Progress(Protocol):
    """What a long write tells a progress bar (the command line draws one
    on a terminal)."""

    def start(self, description: str, total: int) -> None: ...

    def update(self, completed: int) -> None: ...

    def finish(self) -> None: ...


@contextmanager
def terminal_bar() -> Iterator[Any | None]:
    """A rich `Progress` on stderr when stderr is a terminal; None otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        yield bar
