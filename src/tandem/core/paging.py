"""A page of a list read one row past its end: lists never count their
rows (a COUNT over a million orders costs more than the page)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Page:
    rows: list
    offset: int
    limit: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def first(self) -> int:
        return self.offset + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.rows)
