"""Errors a user can act on. Their text is shown as is, one line on stderr
from the command line, or as a message on a page."""


class TandemError(Exception):
    exit_code = 1


class InvalidInput(TandemError):
    """Input rejected; `problems` lists every bad row as `file:line: column: reason`."""

    exit_code = 2

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
