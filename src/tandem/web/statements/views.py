"""A person's commission statement for a month: every line grouped by
scenario, with the facts behind it, and the totals. Read-only here: issuing
and paying are done in the admin site and on the command line."""

from __future__ import annotations

import re
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from tandem.commissions.permissions import can_view_commission_of
from tandem.commissions.selectors import statement_for
from tandem.commissions.vocabulary import Kind, Scenario
from tandem.core.money import from_cents

_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _neighbour(period: str, step: int) -> str:
    year, month = int(period[:4]), int(period[5:])
    month += step
    if month == 0:
        year, month = year - 1, 12
    elif month == 13:
        year, month = year + 1, 1
    return f"{year:04d}-{month:02d}"


@login_required
def statement_detail(request, staff_id: str, period: str):
    if not _PERIOD.fullmatch(period) or not can_view_commission_of(request.user, staff_id):
        raise Http404
    view = statement_for(staff_id=staff_id, period=period)
    if not view.staff_name:
        raise Http404
    groups: dict[str, list] = defaultdict(list)
    for line in view.lines:
        groups[line.scenario].append(line)
    scenario_labels = dict(Scenario.choices)
    kind_labels = dict(Kind.choices)
    context = {
        "view": view,
        "groups": [
            {
                "label": scenario_labels.get(code, code),
                "lines": lines,
                "total": from_cents(sum(line.amount_cents for line in lines)),
            }
            for code, lines in sorted(groups.items(), key=lambda kv: list(scenario_labels).index(kv[0]) if kv[0] in scenario_labels else 99)
        ],
        "by_kind": [(kind_labels.get(k, k), from_cents(v)) for k, v in view.by_kind.items()],
        "total": from_cents(view.total_cents),
        "previous": _neighbour(period, -1),
        "next": _neighbour(period, 1),
    }
    return render(request, "web/statements/detail.html", context)
