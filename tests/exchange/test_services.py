"""The small write services the importer's rules are shared with:
ownership ledger, orders and refunds, staff."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tandem.commissions import services as commission_services
from tandem.core.changes import facts_pending
from tandem.core.errors import InvalidInput
from tandem.customers.models import Assignment, Customer
from tandem.customers.services import assignment_close, assignment_open, find_overlaps
from tandem.sales.models import Order
from tandem.sales.services import order_record, refund_record
from tandem.staff.models import Staff
from tandem.staff.services import staff_upsert
from tests.facts import pending

from .conftest import clear_dirty, counts

pytestmark = pytest.mark.django_db
D = dt.date


def dirty() -> set[str]:
    return set(pending())


def span(customer, role, start, end=None, name=""):
    return SimpleNamespace(customer_id=customer, role=role, valid_from=start, valid_to=end, name=name)


def test_find_overlaps():
    a = span("C1", "sales", D(2025, 1, 1), D(2025, 6, 1), "a")
    b = span("C1", "sales", D(2025, 6, 1), None, "b")  # touches a: fine
    c = span("C1", "sales", D(2025, 3, 1), D(2025, 4, 1), "c")  # inside a
    d = span("C1", "service", D(2025, 3, 1), None, "d")  # another role
    e = span("C2", "sales", D(2024, 1, 1), None, "e")
    f = span("C2", "sales", D(2030, 1, 1), D(2031, 1, 1), "f")  # after an open row
    pairs = find_overlaps([a, b, c, d, e, f])
    assert sorted((x.name, y.name) for x, y in pairs) == [("a", "c"), ("e", "f")]
    assert find_overlaps([a, b, d]) == []


def test_assignment_open_closes_the_open_row_and_appends(base):
    customer = Customer.objects.get(pk="C3")
    new = assignment_open(
        customer=customer, role="sales", staff=Staff.objects.get(pk="S2"), valid_from=D(2026, 3, 1), reason="handover"
    )
    rows = list(Assignment.objects.filter(customer=customer, role="sales").order_by("valid_from"))
    assert [(r.staff_id, r.valid_from, r.valid_to, r.reason) for r in rows] == [
        ("S1", D(2025, 5, 1), D(2026, 3, 1), "developed"),
        ("S2", D(2026, 3, 1), None, "handover"),
    ]
    assert new.pk == rows[1].pk
    assert dirty() == {"C3"}
    assert [h.history_type for h in rows[0].history.order_by("history_id")] == ["+", "~"]


def test_assignment_open_of_service_marks_referred_customers(base):
    assignment_open(
        customer=Customer.objects.get(pk="C1"),
        role="service",
        staff=Staff.objects.get(pk="V1"),
        valid_from=D(2026, 8, 1),
        reason="reassignment",
    )
    assert dirty() == {"C1", "C2"}


def test_assignment_open_refuses_overlaps_and_duplicates(base):
    customer = Customer.objects.get(pk="C1")
    s1 = Staff.objects.get(pk="S1")
    before = counts()
    with pytest.raises(InvalidInput) as excinfo:
        assignment_open(customer=customer, role="sales", staff=s1, valid_from=D(2026, 1, 1), reason="reassignment")
    assert str(excinfo.value) == (
        "客户「C1」的销售归属 [2026-01-01, …) 与已有的归属（S1，[2025-01-10, 2026-03-01)）重叠"
    )
    with pytest.raises(InvalidInput) as excinfo:
        assignment_open(customer=customer, role="sales", staff=s1, valid_from=D(2026, 3, 1), reason="reassignment")
    assert str(excinfo.value) == "客户「C1」已有 2026-03-01 开始的销售归属（S2）"
    with pytest.raises(InvalidInput) as excinfo:
        assignment_open(customer=customer, role="owner", staff=s1, valid_from=D(2026, 9, 1), reason="reassignment")
    assert str(excinfo.value) == "未知的角色「owner」（允许：sales, service）"
    assert counts() == before


def test_assignment_close(base):
    row = Assignment.objects.get(customer_id="C3", role="service")
    assignment_close(assignment=row, valid_to=D(2026, 6, 1))
    row.refresh_from_db()
    assert row.valid_to == D(2026, 6, 1)
    assert dirty() == {"C3"}
    with pytest.raises(InvalidInput) as excinfo:
        assignment_close(assignment=row, valid_to=D(2025, 5, 1))
    assert str(excinfo.value) == "截止日期 2025-05-01 必须晚于起始日期 2025-05-01"
    first = Assignment.objects.get(customer_id="C1", role="sales", valid_from=D(2025, 1, 10))
    with pytest.raises(InvalidInput) as excinfo:
        assignment_close(assignment=first, valid_to=D(2026, 4, 1))
    assert str(excinfo.value) == (
        "客户「C1」的销售归属 [2025-01-10, 2026-04-01) 与已有的归属（S2，[2026-03-01, …)）重叠"
    )


def test_order_record_creates_updates_and_records_the_change(base):
    order = order_record(order_id="O7", customer=Customer.objects.get(pk="C4"), order_date=D(2026, 6, 1), amount="12.5")
    assert (order.customer_id, order.amount, order.category) == ("C4", Decimal("12.50"), "")
    assert pending() == {"C4": D(2026, 6, 1)}
    # Moved to another customer and back in time: both customers from the earlier day.
    order_record(order_id="O7", customer="C3", order_date=D(2026, 5, 1), amount=Decimal("12.50"), category="parts")
    assert pending() == {"C3": D(2026, 5, 1), "C4": D(2026, 5, 1)}
    assert Order.objects.get(pk="O7").customer_id == "C3"
    # The same again records nothing.
    facts = len(facts_pending())
    order_record(order_id="O7", customer="C3", order_date=D(2026, 5, 1), amount="12.50", category="parts")
    assert len(facts_pending()) == facts


def test_order_record_previewed_recomputes_old_and_new_customer(base, monkeypatch):
    previewed = []
    monkeypatch.setattr(commission_services, "customer_preview", lambda *, customer_id: previewed.append(customer_id))
    commission_services.order_record_previewed(order_id="O7", customer="C4", order_date=D(2026, 6, 1), amount="12.5")
    assert previewed == ["C4"]
    commission_services.order_record_previewed(order_id="O7", customer="C3", order_date=D(2026, 6, 1), amount="12.5")
    assert previewed == ["C4", "C3", "C4"]
    commission_services.refund_record_previewed(refund_id="R1", order="O7", refund_date=D(2026, 6, 2), amount="2")
    assert previewed == ["C4", "C3", "C4", "C3"]


def test_order_record_refusals(base):
    before = counts()
    cases = [
        (dict(order_id="", customer="C1", order_date=D(2026, 6, 1), amount="1"), "订单编号不能为空"),
        (dict(order_id="X" * 65, customer="C1", order_date=D(2026, 6, 1), amount="1"), "订单编号长度超过 64 个字符"),
        (dict(order_id="O7", customer="C1", order_date=D(2026, 6, 1), amount="1.234"), "金额格式不正确：「1.234」（应为用“.”分隔、最多两位小数的数字）"),
        (dict(order_id="O7", customer="C1", order_date=D(2026, 6, 1), amount=Decimal("1.234")), "金额格式不正确：「1.234」（应为用“.”分隔、最多两位小数的数字）"),
        (dict(order_id="O7", customer="C1", order_date=D(2026, 6, 1), amount="0"), "金额必须大于 0"),
        (dict(order_id="O7", customer="C9", order_date=D(2026, 6, 1), amount="1"), "未知的客户「C9」"),
        (dict(order_id="O5", customer="C1", order_date=D(2026, 6, 1), amount="1"), "「O5」已作为退款登记，不能改为订单"),
        (dict(order_id="O3", customer="C1", order_date=D(2026, 4, 2), amount="499.99"), "修改后的金额 499.99 小于该订单已有的退款合计 500.00"),
        (dict(order_id="O3", customer="C1", order_date=D(2026, 5, 4), amount="2000"), "修改后的日期晚于该订单已有退款「O5」的日期 2026-05-03"),
        (dict(order_id="O3", customer="C3", order_date=D(2026, 4, 2), amount="2000"), "该订单已有退款，不能更换客户"),
    ]
    for kwargs, message in cases:
        with pytest.raises(InvalidInput) as excinfo:
            order_record(**kwargs)
        assert str(excinfo.value) == message, kwargs
    assert counts() == before


def test_refund_record(base):
    refund = refund_record(refund_id="R1", order="O3", refund_date=D(2026, 6, 1), amount="1500")
    assert (refund.customer_id, refund.refund_of_id, refund.amount) == ("C1", "O3", Decimal("1500.00"))
    assert pending() == {"C1": D(2026, 6, 1)}
    # Changing the refund counts the others, not itself.
    refund_record(refund_id="R1", order=Order.objects.get(pk="O3"), refund_date=D(2026, 6, 1), amount="1499")
    assert Order.objects.get(pk="R1").amount == Decimal("1499.00")


def test_refund_record_refusals(base):
    before = counts()
    cases = [
        (dict(refund_id="R1", order="O99", refund_date=D(2026, 6, 1), amount="1"), "未知的订单「O99」"),
        (dict(refund_id="R1", order="O5", refund_date=D(2026, 6, 1), amount="1"), "不能对退款再退款（「O5」本身是退款）"),
        (dict(refund_id="R1", order="O1", refund_date=D(2026, 2, 9), amount="1"), "退款日期 2026-02-09 早于订单「O1」的日期 2026-02-10"),
        (dict(refund_id="R1", order="O3", refund_date=D(2026, 6, 1), amount="1500.01"), "退款合计 2000.01 超过订单「O3」的金额 2000.00"),
        (dict(refund_id="O1", order="O3", refund_date=D(2026, 6, 1), amount="1"), "「O1」已作为订单登记，不能改为退款"),
        (dict(refund_id="R1", order="O3", refund_date=D(2026, 6, 1), amount="-1"), "金额格式不正确：「-1」（应为用“.”分隔、最多两位小数的数字）"),
    ]
    for kwargs, message in cases:
        with pytest.raises(InvalidInput) as excinfo:
            refund_record(**kwargs)
        assert str(excinfo.value) == message, kwargs
    assert counts() == before


def test_staff_upsert(base):
    staff, changed = staff_upsert(staff_id="S9", name="赵敏", role="service")
    assert changed and staff.name == "赵敏"
    assert staff_upsert(staff_id="S9", name="赵敏", role="service") == (staff, False)
    _staff, changed = staff_upsert(staff_id="V1", name="王芳", role="service", left_on=D(2026, 6, 1))
    assert changed
    assert dirty() == {"C1", "C2", "C3"}
    with pytest.raises(InvalidInput) as excinfo:
        staff_upsert(staff_id="S9", name="赵敏", role="service", hired_on=D(2026, 1, 1), left_on=D(2026, 1, 1))
    assert str(excinfo.value) == "离职日期必须晚于入职日期"
    with pytest.raises(InvalidInput) as excinfo:
        staff_upsert(staff_id="S9", name="赵敏", role="boss")
    assert str(excinfo.value) == "未知的角色「boss」（允许：sales, service, manager, finance, admin）"


def test_order_record_with_the_live_preview(base):
    order = order_record(order_id="O7", customer="C3", order_date=D(2026, 6, 1), amount="100")
    refund_record(refund_id="R7", order=order, refund_date=D(2026, 6, 2), amount="40")
    assert Order.objects.filter(pk__in=["O7", "R7"]).count() == 2


def test_customer_upsert(base):
    from tandem.customers.services import customer_upsert

    customer, changed = customer_upsert(customer_id="C9", name="新客户", tier="key", acquired_on=D(2026, 6, 1), acquired_by="S2")
    assert changed and (customer.acquired_by_id, customer.referred_by_id) == ("S2", None)
    assert dirty() == {"C9"}
    assert [h.history_type for h in customer.history.all()] == ["+"]
    assert customer_upsert(customer_id="C9", name="新客户", tier="key", acquired_on=D(2026, 6, 1), acquired_by=Staff.objects.get(pk="S2")) == (customer, False)
    # A new name or tier changes no commission: no fact.
    clear_dirty()
    _customer, changed = customer_upsert(customer_id="C9", name="新客户二", tier="standard", acquired_on=D(2026, 6, 1), acquired_by="S2")
    assert changed and dirty() == set()
    # A new referrer does.
    customer_upsert(customer_id="C9", name="新客户二", tier="standard", acquired_on=D(2026, 6, 1), acquired_by="S2", referred_by="C1")
    assert dirty() == {"C9"}
    assert Customer.objects.get(pk="C9").referred_by_id == "C1"


def test_customer_upsert_refusals(base):
    from tandem.core.rules import RuleError
    from tandem.customers.services import customer_upsert

    before = counts()
    ok = dict(customer_id="C9", name="新客户", tier="key", acquired_on=D(2026, 6, 1))
    cases = [
        ({**ok, "customer_id": ""}, "customer_id", "客户编号不能为空"),
        ({**ok, "name": "名" * 201}, "name", "名称长度超过 200 个字符"),
        ({**ok, "tier": "vip"}, "tier", "未知的客户等级「vip」（允许：key, standard）"),
        ({**ok, "referred_by": "C9"}, "referred_by", "客户不能转介绍自己"),
        ({**ok, "acquired_by": "S9"}, "acquired_by", "未知的员工「S9」"),
        ({**ok, "referred_by": "C99"}, "referred_by", "未知的客户「C99」"),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(RuleError) as excinfo:
            customer_upsert(**kwargs)
        assert (excinfo.value.violation.field, str(excinfo.value)) == (field, message), kwargs
    assert counts() == before


def test_assignment_record_adds_and_edits_a_row(base):
    from tandem.customers.services import assignment_record

    row = assignment_record(customer="C4", role="sales", staff="S2", valid_from=D(2026, 1, 5), reason="reassignment")
    assert (row.customer_id, row.staff_id, row.valid_to) == ("C4", "S2", None)
    assert pending() == {"C4": D(2026, 1, 5)}
    clear_dirty()
    # Edited as a form does: back to an earlier start, with an end.
    row = assignment_record(
        assignment=row, customer="C4", role="sales", staff=Staff.objects.get(pk="S2"),
        valid_from=D(2026, 1, 1), valid_to=D(2026, 6, 1), reason="reassignment", note="fixed",
    )
    stored = Assignment.objects.get(pk=row.pk)
    assert (stored.valid_from, stored.valid_to, stored.note) == (D(2026, 1, 1), D(2026, 6, 1), "fixed")
    assert pending() == {"C4": D(2026, 1, 1)}
    assert Assignment.objects.filter(customer_id="C4").count() == 1


def test_assignment_record_refusals(base):
    from tandem.core.rules import RuleError
    from tandem.customers.services import assignment_record

    before = counts()
    ok = dict(customer="C1", role="sales", staff="S2", valid_from=D(2027, 1, 1), reason="reassignment")
    open_row = Assignment.objects.get(customer_id="C1", role="sales", valid_to=None)
    cases = [
        ({**ok, "role": "boss"}, "role", "未知的角色「boss」（允许：sales, service）"),
        ({**ok, "valid_to": D(2027, 1, 1)}, "valid_to", "截止日期 2027-01-01 必须晚于起始日期 2027-01-01"),
        ({**ok, "reason": "luck"}, "reason", "未知的归属原因「luck」（允许：developed, handover, release, pool_claim, reassignment）"),
        ({**ok, "customer": "C99"}, "customer_id", "未知的客户「C99」"),
        ({**ok, "staff": "S99"}, "staff_id", "未知的员工「S99」"),
        ({**ok, "valid_from": D(2026, 3, 1)}, "valid_from", "客户「C1」已有 2026-03-01 开始的销售归属（S2）"),
        (ok, "valid_from", "客户「C1」的销售归属 [2027-01-01, …) 与已有的归属（S2，[2026-03-01, …)）重叠"),
        # Editing the open row to start inside the closed one.
        ({**ok, "assignment": open_row, "valid_from": D(2026, 2, 1)}, "valid_from",
         "客户「C1」的销售归属 [2026-02-01, …) 与已有的归属（S1，[2025-01-10, 2026-03-01)）重叠"),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(RuleError) as excinfo:
            assignment_record(**kwargs)
        assert (excinfo.value.violation.field, str(excinfo.value)) == (field, message), kwargs
    assert counts() == before


def test_deletes_record_what_changed(base):
    from django.db.models import ProtectedError

    from tandem.customers.services import assignment_delete, customer_delete, customer_upsert
    from tandem.sales.services import order_delete

    with pytest.raises(ProtectedError):
        order_delete(order=Order.objects.get(pk="O3"))  # its refund O5 refers to it
    assert pending() == {}
    order_delete(order=Order.objects.get(pk="O5"))
    assert pending() == {"C1": D(2026, 5, 3)}
    clear_dirty()
    assignment_delete(assignment=Assignment.objects.get(customer_id="C3", role="service"))
    assert pending() == {"C3": D(2025, 5, 1)}
    customer, _changed = customer_upsert(customer_id="C9", name="新客户", tier="key", acquired_on=D(2026, 6, 1))
    clear_dirty()
    customer_delete(customer=customer)
    assert dirty() == {"C9"}
    assert not Customer.objects.filter(pk="C9").exists()
