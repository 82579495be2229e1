"""Loading commission plans from TOML (spec/exchange-format.md).

This module reads the file and reports its problems as ``file:
plans[i].field: reason`` (``i`` counts from 0, as the TOML array does), all
of them, and nothing is written when there is any. What a valid plan is
(`commissions.plan_rules`) and how plans are written, by ``effective_from``
(`commissions.services.plans_save`), belong to commissions.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.commissions.models import Plan
from tandem.commissions.plan_messages import plans_problems_text
from tandem.commissions.plan_rules import plans_check
from tandem.commissions.services import plans_save
from tandem.core.errors import InvalidInput, TandemError


@dataclass
class PlansResult:
    path: str
    plans: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return _(
            "%(file)s：方案 %(count)d 个，新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d"
        ) % {
            "file": self.path,
            "count": self.plans,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def parse_plans(path: str, text: str) -> list[dict]:
    """The plans of a TOML text, as plain values that pass the plan rules;
    raises InvalidInput listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            _("方案文件无效"), [f"{path}: " + _("TOML 语法错误：%(error)s") % {"error": exc}]
        ) from exc
    problems = [f"{path}: {key}: " + _("未知的字段（方案写在 [[plans]] 中）") for key in data if key != "plans"]
    plans = data.get("plans")
    if not isinstance(plans, list) or not plans:
        problems.append(f"{path}: plans: " + _("文件中没有方案（[[plans]]）"))
        raise InvalidInput(_("方案文件无效"), problems)
    problems += [f"{path}: {line}" for line in plans_problems_text(plans_check(plans))]
    if problems:
        text = "方案文件无效：共 %(count)d 处错误，没有写入任何方案"
        count = len(problems)
        raise InvalidInput(ngettext(text, text, count) % {"count": count}, problems)
    return plans


def plans_load_text(text: str, *, path: str) -> PlansResult:
    """Validate and load the plans of a TOML text (``path`` names it in
    messages): inserted or replaced by ``effective_from`` in one
    transaction, with the change of the plans recorded."""
    plans = parse_plans(path, text)
    saved = plans_save(plans=plans, reason=f"plans load {Path(path).name}")
    return PlansResult(
        path=path, plans=len(plans), created=saved.created, updated=saved.updated, unchanged=saved.unchanged
    )


def plans_load(path: str) -> PlansResult:
    """Load a plan file (see ``plans_load_text``)."""
    p = Path(path)
    if not p.is_file():
        raise TandemError(_("找不到文件：%(file)s") % {"file": path})
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TandemError(_("%(file)s: 文件不是 UTF-8 编码") % {"file": path}) from exc
    return plans_load_text(text, path=path)


def default_plan_text() -> str:
    return (resources.files("tandem.commissions") / "default_plan.toml").read_text(encoding="utf-8")


def plans_ensure_default() -> bool:
    """Load the shipped default plan when the database has no plan at all;
    True if it did. A new database has it already (a migration of
    commissions); one whose plans were all deleted, or that a test
    emptied, does not."""
    if Plan.objects.exists():
        return False
    plans_load_text(default_plan_text(), path="default_plan.toml")
    return True
