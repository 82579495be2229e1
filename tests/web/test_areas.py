"""The customer, order, search, import, job and notification pages: what
each role sees, what each forbidden role gets (404, and nothing changes),
and the queries a list costs."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tandem.commissions.models import CommissionLine
from tandem.sales.models import Order
from tandem.staff.accounts import staff_user_link
from tandem.staff.models import Staff
from tandem.web.models import Job, Notification, Preference

from .conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def customer_ids(body: str) -> list[str]:
    return re.findall(r'<td class="mono hide-phone"><a href="/customers/(C\d+)/">', body)


@pytest.fixture
def orders(shop):
    day = dt.date(2026, 2, 10)
    rows = [
        Order(order_id=f"O{n:03d}", customer_id=f"C{n:03d}", order_date=day + dt.timedelta(days=n % 5), amount=Decimal("100.00") + n)
        for n in range(38)
    ]
    rows.append(Order(order_id="R030", customer_id="C030", order_date=day, amount=Decimal("5.00"), refund_of_id="O030"))
    Order.objects.bulk_create(rows[:-1])
    Order.objects.bulk_create(rows[-1:])
    return rows


# --- customers ------------------------------------------------------------


def test_customer_list_shows_a_salesperson_their_own(client, shop):
    login(client, "s2")
    body = text(client.get("/customers/"))
    assert customer_ids(body) == ["C030", "C031", "C032", "C033", "C034"]
    assert "下一页" not in body


def test_customer_list_pages_without_counting(client, shop, monkeypatch):
    monkeypatch.setattr("tandem.web.customers.views.PAGE_SIZE", 10)
    login(client, "f1")
    body = text(client.get("/customers/?page=2"))
    assert customer_ids(body) == [f"C{n:03d}" for n in range(10, 20)]
    assert "第 11–20 条" in body and "上一页" in body and "下一页" in body
    body = text(client.get("/customers/?page=4"))
    assert customer_ids(body) == ["C030", "C031", "C032", "C033", "C034", "C035", "C036", "C037"]
    assert "下一页" not in body
    assert client.get("/customers/?page=100000").status_code == 404


def test_customer_list_filters_and_sorts(client, shop):
    login(client, "f1")
    assert customer_ids(text(client.get("/customers/?tier=key"))) == ["C000", "C010", "C020", "C030"]
    assert customer_ids(text(client.get("/customers/?pool=1"))) == ["C035", "C036", "C037"]
    assert customer_ids(text(client.get("/customers/?holder=S2&sort=-id"))) == ["C034", "C033", "C032", "C031", "C030"]
    assert customer_ids(text(client.get("/customers/?q=贸易有限公司37号"))) == ["C037"]
    # htmx asks for the table alone
    fragment = text(client.get("/customers/?tier=key", HTTP_HX_REQUEST="true"))
    assert "<html" not in fragment and customer_ids(fragment) == ["C000", "C010", "C020", "C030"]


def test_a_salesperson_cannot_filter_by_another_holder(client, shop):
    login(client, "s1")
    # the holder filter is not offered and not applied: still only their own customers
    ids = customer_ids(text(client.get("/customers/?holder=S2")))
    assert "C030" not in ids and ids[0] == "C000"


def test_customer_list_query_count(client, shop, django_assert_num_queries):
    login(client, "s1")
    # session, user, staff, unread notifications, customers, their owners
    with django_assert_num_queries(6):
        response = client.get("/customers/")
    assert len(customer_ids(text(response))) == 30
    login(client, "f1")
    # + the people finance may filter by
    with django_assert_num_queries(7):
        response = client.get("/customers/?sort=name&tier=standard")
    assert len(customer_ids(text(response))) == 34


def test_customer_page(client, shop, orders):
    today = timezone.localdate()
    for staff_id, role, cents in (("S1", "sales", 3500), ("V1", "service", 1500)):
        CommissionLine.objects.create(
            period="2026-02", order_id="O001", customer_id="C001", staff_id=staff_id, role=role,
            scenario="standard", kind="sale", line_date=dt.date(2026, 2, 11), amount_cents=cents,
        )
    login(client, "s1")
    response = client.get("/customers/C001/")
    assert response.status_code == 200
    body = text(response)
    assert "苏州精工贸易有限公司1号" in body and "归属记录" in body
    assert "2021-03-01 – 至今" in body and "李娜" in body and "周静" in body
    assert "O001" in body and "101.00" in body
    assert [line.staff_id for line in response.context["lines"]] == ["S1"]  # not the service person's
    assert today.year >= 2026


@pytest.mark.parametrize(
    "username, path",
    [
        ("s1", "/customers/C030/"),  # another salesperson's
        ("s1", "/customers/C036/"),  # nobody's
        ("s2", "/customers/C001/"),
        ("s1", "/customers/C030/orders/O030/explain/"),
        ("s1", "/customers/C001/orders/O030/explain/"),  # an order of another customer
        ("s1", "/customers/NOPE/"),
    ],
)
def test_customer_pages_refuse_what_the_user_may_not_see(client, shop, orders, username, path):
    login(client, username)
    assert client.get(path).status_code == 404


def test_anonymous_users_are_sent_to_login(client, shop):
    for path in ("/customers/", "/customers/C001/", "/orders/", "/import/", "/jobs/", "/search/?q=C", "/notifications/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path


def test_customer_page_query_count(client, shop, orders, django_assert_num_queries):
    login(client, "s1")
    # session, user, staff, the customer (if visible), contacts, timeline,
    # totals, orders, refunds, lines, staff names, unread notifications
    with django_assert_num_queries(12):
        assert client.get("/customers/C001/").status_code == 200


# --- orders ---------------------------------------------------------------


def order_ids(body: str) -> list[str]:
    return re.findall(r'<td class="mono">(O\d+|R\d+)</td>', body)


def test_order_list_shows_the_orders_of_visible_customers(client, shop, orders):
    login(client, "s2")
    ids = order_ids(text(client.get("/orders/?sort=-id")))
    assert ids == ["R030", "O034", "O033", "O032", "O031", "O030"]
    assert order_ids(text(client.get("/orders/?kind=refund"))) == ["R030"]
    login(client, "s1")
    assert "O030" not in order_ids(text(client.get("/orders/")))
    assert order_ids(text(client.get("/orders/?q=C030"))) == []


def test_order_list_filters_by_date(client, shop, orders):
    login(client, "f1")
    ids = order_ids(text(client.get("/orders/?since=2026-02-14&until=2026-02-14&sort=-id")))
    assert ids == [f"O{n:03d}" for n in range(37, -1, -1) if n % 5 == 4]


def test_order_list_query_count(client, shop, orders, django_assert_num_queries):
    login(client, "s1")
    # session, user, staff, unread notifications, orders with their customers
    with django_assert_num_queries(5):
        response = client.get("/orders/")
    assert len(order_ids(text(response))) == 30


# --- search ---------------------------------------------------------------


def test_search_is_limited_to_what_the_user_may_see(client, shop, orders):
    login(client, "s1")
    body = text(client.get("/search/?q=C03", HTTP_HX_REQUEST="true"))
    assert "C030" not in body and "没有找到与“C03”相符的客户、订单或员工。" in body
    body = text(client.get("/search/?q=王强"))
    assert "S2" not in body
    login(client, "f1")
    body = text(client.get("/search/?q=C03"))
    assert "/customers/C030/" in body
    assert "王强" in text(client.get("/search/?q=王强"))
    assert "O030" in text(client.get("/search/?q=O03"))


# --- imports and jobs -----------------------------------------------------

ORDERS_CSV = b"order_id,customer_id,order_date,amount,category,refund_of\nO9,C404,2026-02-10,1.00,,\n"


@pytest.mark.parametrize("username", ["s1", "v1"])
def test_import_and_jobs_are_refused_to_front_line_staff(client, shop, username, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    login(client, username)
    assert client.get("/import/").status_code == 404
    upload = SimpleUploadedFile("orders.csv", ORDERS_CSV, content_type="text/csv")
    assert client.post("/import/", {"files": upload}).status_code == 404
    assert client.get("/jobs/").status_code == 404
    assert client.post("/jobs/run/").status_code == 404
    assert Job.objects.count() == 0
    assert not (tmp_path / "uploads").exists()


def test_finance_uploads_and_a_check_job_is_queued(client, shop, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    login(client, "f1")
    assert client.get("/import/").status_code == 200
    upload = SimpleUploadedFile("orders.csv", ORDERS_CSV, content_type="text/csv")
    response = client.post("/import/", {"files": upload})
    job = Job.objects.get()
    assert (job.kind, job.status, job.params["files"]) == ("import_check", "queued", ["orders.csv"])
    assert response["Location"] == f"/jobs/{job.pk}/"
    body = text(client.get(f"/jobs/{job.pk}/"))
    assert "排队中" in body and 'hx-trigger="every 1s"' in body
    # another salesperson cannot follow it or confirm it
    login(client, "s1")
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/progress/").status_code == 404
    assert client.post(f"/import/{job.pk}/confirm/").status_code == 404
    assert Job.objects.count() == 1


def test_upload_refuses_other_files(client, shop, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    login(client, "f1")
    body = text(client.post("/import/", {"files": SimpleUploadedFile("notes.txt", b"x")}))
    assert "notes.txt：只能导入 CSV 或 XLSX 文件。" in body
    assert "请选择要导入的文件。" in text(client.post("/import/", {}))
    assert Job.objects.count() == 0


def test_a_check_with_problems_shows_them_by_row_and_cannot_be_confirmed(client, shop, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    folder = tmp_path / "uploads" / "x"
    folder.mkdir(parents=True)
    f1 = Staff.objects.get(pk="F1")
    check = Job.objects.create(
        kind="import_check", status="done", user=f1.user, params={"folder": str(folder), "files": ["orders.csv"]},
        message="导入失败：共 1 处错误，没有写入任何数据",
        problems=["orders.csv:2: customer_id: 未知的客户「C404」"],
    )
    login(client, "f1")
    body = text(client.get(f"/jobs/{check.pk}/"))
    assert re.search(r"<td class=\"mono\">orders.csv</td><td class=\"num\">2</td><td>customer_id</td><td>未知的客户「C404」</td>", body)
    assert "确认导入" not in body and "every 1s" not in body
    client.post(f"/import/{check.pk}/confirm/")
    assert Job.objects.count() == 1
    # a clean check can be confirmed once
    Job.objects.filter(pk=check.pk).update(problems=[])
    assert "确认导入" in text(client.get(f"/jobs/{check.pk}/"))
    first = client.post(f"/import/{check.pk}/confirm/")
    again = client.post(f"/import/{check.pk}/confirm/")
    assert first["Location"] == again["Location"]
    assert Job.objects.filter(kind="import").count() == 1


def test_finance_starts_a_commission_run(client, shop):
    login(client, "f1")
    response = client.post("/jobs/run/")
    job = Job.objects.get()
    assert job.kind == "run" and response["Location"] == f"/jobs/{job.pk}/"
    assert "提成计算" in text(client.get("/jobs/"))


# --- notifications --------------------------------------------------------


def test_notifications_are_each_users_own(client, shop):
    s1 = Staff.objects.get(pk="S1").user
    s2 = Staff.objects.get(pk="S2").user
    Notification.objects.create(user=s1, text="导入完成。", url="/jobs/1/")
    theirs = Notification.objects.create(user=s2, text="别人的通知")
    login(client, "s1")
    body = text(client.get("/"))
    assert re.search(r'<span class="badge" aria-label="1 条未读">1</span>', body)
    body = text(client.get("/notifications/"))
    assert "导入完成。" in body and "别人的通知" not in body
    client.post("/notifications/")
    assert Notification.objects.filter(user=s1, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert 'class="badge"' not in text(client.get("/"))


# --- language -------------------------------------------------------------


def test_the_language_is_remembered_per_user(client, shop, client_factory=None):
    from django.test import Client

    login(client, "s1")
    response = client.post("/language/", {"language": "en", "next": "/customers/"})
    assert response["Location"] == "/customers/"
    assert Preference.objects.get(user__username="s1").language == "en"
    assert '<html lang="en">' in text(client.get("/"))
    # another browser: zh-Hans until the user logs in, then their choice
    other = Client()
    assert '<html lang="zh-hans">' in text(other.get("/login/"))
    other.post("/login/", {"username": "s1", "password": PASSWORD})
    assert '<html lang="en">' in text(other.get("/"))
    # someone else on that browser after logout keeps their own (the default)
    other.post("/logout/")
    other.cookies.pop("django_language", None)
    other.post("/login/", {"username": "s2", "password": PASSWORD})
    assert '<html lang="zh-hans">' in text(other.get("/"))


def test_language_switch_refuses_foreign_redirects(client, shop):
    login(client, "s1")
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


# --- homes of managers and the general manager ----------------------------


@pytest.fixture
def managers(shop):
    team = Staff.objects.get(pk="S1").team
    lead = Staff.objects.create(staff_id="M1", name="赵敏", role="manager", team=team, hired_on=dt.date(2019, 1, 1))
    staff_user_link(staff=lead, username="m1", password=PASSWORD)
    gm = Staff.objects.create(staff_id="G1", name="钱总", role="manager", hired_on=dt.date(2019, 1, 1))
    staff_user_link(staff=gm, username="g1", password=PASSWORD)
    period = timezone.localdate().strftime("%Y-%m")
    for staff_id, cents in (("S1", 12345), ("S2", 500), ("V1", 999), ("", 700)):
        CommissionLine.objects.create(
            period=period, order_id="O1", customer_id="C001" if staff_id != "" else "C036", staff_id=staff_id,
            role="sales" if staff_id != "" else "unassigned", scenario="standard", kind="sale",
            line_date=timezone.localdate(), amount_cents=cents,
        )


def test_team_manager_home(client, managers):
    login(client, "m1")
    response = client.get("/")
    body = text(response)
    assert "团队本月提成" in body
    assert [(f["staff"].pk, str(f["total"])) for f in response.context["figures"]] == [("S1", "123.45"), ("S2", "5.00")]
    assert response.context["customer_count"] == 35
    assert str(response.context["unassigned"]) == "0.00"  # C036 is not the team's


def test_general_manager_home_has_the_revenue_chart(client, managers):
    login(client, "g1")
    response = client.get("/")
    body = text(response)
    assert 'id="revenue-data"' in body and "/static/vendor/echarts.min.js" in body
    assert len(response.context["chart"]["months"]) == 12
    this_month = response.context["chart_rows"][-1]
    assert str(this_month["sales_cost"]) == "138.44"  # every sales line of the month
    assert this_month["sales_rate"] is None  # no credited revenue (no orders): no ratio
    assert "以表格查看：业绩、提成成本与提成占业绩的比例" in body
    assert str(response.context["unassigned"]) == "7.00"
    assert response.context["pool_count"] == 3


def test_service_home(client, managers):
    login(client, "v1")
    response = client.get("/")
    assert "我的业绩" in text(response)
    assert response.context["customer_count"] == 35
    assert response.context["inherited_count"] == 0


def test_credited_revenue_counts_each_order_once_less_refunds(client, shop):
    today = timezone.localdate()
    period = today.strftime("%Y-%m")
    Order.objects.create(order_id="OA", customer_id="C001", order_date=today, amount=Decimal("1000.00"))
    Order.objects.create(order_id="OB", customer_id="C002", order_date=today, amount=Decimal("234.56"))
    Order.objects.create(order_id="RA", customer_id="C001", order_date=today, amount=Decimal("100.00"), refund_of_id="OA")

    def line(order_id, role, kind, cents, refund_id=""):
        CommissionLine.objects.create(
            period=period, order_id=order_id, customer_id="C001", staff_id="V1", role=role, scenario="standard",
            kind=kind, line_date=today, amount_cents=cents, refund_id=refund_id,
        )

    line("OA", "service", "sale", 3000)
    line("OA", "referrer_service", "sale", 500)  # the same order in a second role: counted once
    line("OB", "service", "sale", 700)
    line("OA", "service", "clawback", -300, refund_id="RA")
    login(client, "v1")
    response = client.get("/")
    assert [str(c["amount"]) for c in response.context["credited"]][0] == "1134.56"
    assert str(response.context["commission"]["months"][0]["total"]) == "39.00"
    assert "1,134.56" in text(response)


def test_managers_see_who_left_without_a_handover(client, managers):
    from tandem.handover.models import Handover

    left_on = timezone.localdate() - dt.timedelta(days=3)
    Staff.objects.filter(pk="S2").update(left_on=left_on)
    login(client, "m1")
    body = text(client.get("/"))
    assert f"王强（S2）{left_on:%Y-%m-%d} 离职，仍有 5 家客户未交接" in body
    login(client, "g1")
    assert "王强（S2）" in text(client.get("/"))
    Handover.objects.create(leaver_id="S2", left_on=left_on)
    login(client, "m1")
    assert "未交接" not in text(client.get("/"))


# --- statements -----------------------------------------------------------


@pytest.fixture
def february(shop):
    for staff_id, scenario, kind, cents in (
        ("S1", "standard", "sale", 3500),
        ("S1", "inherited", "sale", 12000),
        ("S1", "standard", "clawback", -500),
        ("S2", "standard", "sale", 99999),
    ):
        CommissionLine.objects.create(
            period="2026-02", order_id=f"O-{staff_id}-{kind}-{cents}", customer_id="C001", staff_id=staff_id,
            role="sales", scenario=scenario, kind=kind, line_date=dt.date(2026, 2, 11), amount_cents=cents,
            pool_cents=5000, weight="7/10",
        )


def test_a_salesperson_reads_their_statement_grouped_by_scenario(client, february):
    login(client, "s1")
    response = client.get("/statements/S1/2026-02/")
    assert response.status_code == 200
    body = text(response)
    assert [g["label"] for g in response.context["groups"]] == ["常规协作", "继承客户（开发销售已离职）"]
    assert [str(g["total"]) for g in response.context["groups"]] == ["30.00", "120.00"]
    assert str(response.context["total"]) == "150.00"
    assert "销售：提成池 50.00 × 7/10" in body
    assert "未锁账（仍会随数据更新）" in body
    assert "999.99" not in body


@pytest.mark.parametrize(
    "username, path",
    [
        ("s1", "/statements/S2/2026-02/"),  # a colleague's
        ("v1", "/statements/S1/2026-02/"),
        ("s1", "/statements/S1/2026-13/"),
        ("s1", "/statements/S1/202602/"),
        ("f1", "/statements/NOBODY/2026-02/"),
    ],
)
def test_statements_refuse_what_the_user_may_not_see(client, february, username, path):
    login(client, username)
    assert client.get(path).status_code == 404


def test_managers_and_finance_read_their_people_s_statements(client, february, managers):
    login(client, "m1")
    assert client.get("/statements/S2/2026-02/").status_code == 200
    assert client.get("/statements/V1/2026-02/").status_code == 404  # not of the team
    login(client, "f1")
    assert client.get("/statements/V1/2026-02/").status_code == 200


def test_statement_query_count(client, february, django_assert_num_queries):
    login(client, "s1")
    # session, user, staff, staff with team, statement, lines, lock, unread notifications
    with django_assert_num_queries(8):
        assert client.get("/statements/S1/2026-02/").status_code == 200


def test_commission_as_a_share_of_credited_revenue(client, managers):
    from tandem.web.home import _rate

    assert _rate("35.00", "1000.00") == Decimal("3.50")
    assert _rate("1.00", "3.00") == Decimal("33.33")
    assert _rate("2.00", "3.00") == Decimal("66.67")
    assert _rate("5.00", "0.00") is None
