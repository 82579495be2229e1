"""Importing exchange files (spec/exchange-format.md).

``import_files`` (`command`) reads every file's header first, sorts the
files by their dependencies (staff → customers → assignments → orders, then
the service desk's follow-ups, callbacks, complaints and surveys) and
imports them in one transaction. Each kind has its module (`staff`,
`customers`, `assignments`, `orders`, `followups`, `callbacks`,
`complaints`, `surveys`; the last four share `desk`): it reads the file's rows (`rows`:
cells, repeats, progress), checks them with the domain's rules
(`tandem.<domain>.rules`, the same functions and words as the single-row
services) and hands the valid ones to the domain's bulk writer
(`tandem.<domain>.bulk`), which writes only real changes, with their
history rows and change facts. Every problem is collected as
``file:line: column: reason``; by default any problem rolls the whole
command back (InvalidInput lists them all). With ``skip_invalid`` the valid
rows are imported, rows depending on a rejected row are rejected too, and
the rejected rows are written beside their input with a ``reason``
column."""

from __future__ import annotations

from .command import IMPORTERS, TABLES, import_files, open_sources
from .rows import FileResult, Problems

__all__ = ["IMPORTERS", "TABLES", "FileResult", "Problems", "import_files", "open_sources"]
