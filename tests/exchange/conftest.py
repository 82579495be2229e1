"""Helpers for the exchange tests: small files written into a temporary
working directory (so problem lines name them as `staff.csv:3: ...`), the
worked example's four data files as text, and row counts of everything an
import may write."""

from __future__ import annotations

import textwrap

import pytest

from tandem.core.errors import InvalidInput

STAFF = """\
staff_id,name,role,hired_on,left_on
S1,张伟,sales,2024-01-01,2026-03-01
S2,李娜,sales,2024-06-01,
V1,王芳,service,,
V2,刘洋,service,,
"""

CUSTOMERS = """\
customer_id,name,tier,acquired_on,acquired_by,referred_by
C1,华东机电有限公司,key,2025-01-10,S1,
C2,苏州精工贸易,standard,2026-02-20,S2,C1
C3,无锡恒达五金,standard,2025-05-01,S1,
C4,常州新星,standard,2026-01-05,,
"""

ASSIGNMENTS = """\
customer_id,role,staff_id,valid_from,valid_to
C1,sales,S1,2025-01-10,2026-03-01
C1,service,V1,2025-01-10,2026-03-01
C1,sales,S2,2026-03-01,
C1,service,V2,2026-03-01,
C2,sales,S2,2026-02-20,
C2,service,V2,2026-02-20,
C3,sales,S1,2025-05-01,
C3,service,V1,2025-05-01,
"""

ORDERS = """\
order_id,customer_id,order_date,amount,category,refund_of
O1,C1,2026-02-10,1000.00,,
O2,C2,2026-02-20,333.33,,
O3,C1,2026-04-02,2000.00,,
O4,C3,2026-04-05,100.00,,
O5,C1,2026-05-03,500.00,,O3
O6,C4,2026-04-10,80.00,,
"""

BASE = {
    "staff.csv": STAFF,
    "customers.csv": CUSTOMERS,
    "assignments.csv": ASSIGNMENTS,
    "orders.csv": ORDERS,
}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def write(workdir):
    """write(name, text, bom=False) -> name, in the working directory."""

    def _write(name: str, text: str, *, bom: bool = False) -> str:
        text = textwrap.dedent(text)
        (workdir / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
        return name

    return _write


def run(*names: str, skip: bool = False):
    from tandem.exchange.importers import import_files

    return import_files(list(names), skip_invalid=skip)


def problems(*names: str) -> list[str]:
    """The problem lines of an import that must fail."""
    with pytest.raises(InvalidInput) as excinfo:
        run(*names)
    return excinfo.value.problems


def counts() -> dict[str, int]:
    """Rows of every table an import or a plan load may write."""
    from tandem.commissions.models import Plan
    from tandem.core.changes import facts_pending
    from tandem.customers.models import Assignment, Customer
    from tandem.sales.models import Order
    from tandem.staff.models import Staff

    return {
        "staff": Staff.objects.count(),
        "staff_history": Staff.history.count(),
        "customers": Customer.objects.count(),
        "customer_history": Customer.history.count(),
        "assignments": Assignment.objects.count(),
        "assignment_history": Assignment.history.count(),
        "orders": Order.objects.count(),
        "plans": Plan.objects.count(),
        "plan_history": Plan.history.count(),
        "change_facts": len(facts_pending()),
    }


def clear_dirty() -> None:
    from tests.facts import clear

    clear()


@pytest.fixture
def base(write):
    """The worked example's staff, customers, assignments and orders,
    imported; the dirty marks cleared."""
    for name, text in BASE.items():
        write(name, text)
    run(*BASE)
    clear_dirty()
    return BASE
