"""Each demo role's main path in Chromium: log in, see home (desktop and
phone width), open a customer and read why a line is what it is; an
administrator imports a file with errors, then a clean one."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command

from tandem import demo
from tandem.customers.models import Customer
from tandem.sales.models import Order

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# username -> what their home page must show
HOMES = {
    "sales": "我的提成",
    "service": "我的业绩（记在我名下的成交额）",
    "sales_manager": "团队本月提成",
    "service_manager": "团队本月提成",
    "gm": "销售与客服的业绩（记在各自名下的成交额，近 12 个月）",
    "finance": "待发放的结算单",
    "admin": "待发放的结算单",
}


@pytest.fixture
def demo_company(transactional_db):
    demo.demo_load(seed=3, customers=200, today=dt.date.today(), run=True)


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


def work_queue() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)


@pytest.mark.parametrize("username", list(HOMES))
def test_each_role_sees_its_home_on_desktop_and_phone(live_server, demo_company, browser, username):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", {"width": 1280, "height": 860}), ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(locale="zh-CN", viewport=size)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_server.url, username)
        main = page.locator("main").inner_text()
        assert HOMES[username] in main
        assert page.locator("nav.mainnav a[aria-current=page]").inner_text() == "首页"
        # nothing wider than the window (tables scroll inside their card)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        if username == "gm":
            page.wait_for_selector(".chart svg")
        page.screenshot(path=str(SCREENSHOTS / f"home-{username}-{label}.png"), full_page=True)
        context.close()


def test_salesperson_opens_a_customer_and_reads_an_explanation(live_server, demo_company, page):
    log_in(page, live_server.url, "sales")
    # this month's statement from the commission card
    page.locator(".commission a.month").first.click()
    page.wait_for_url(re.compile(r".*/statements/[^/]+/\d{4}-\d{2}/$"))
    assert "提成结算单" in page.locator("h1").inner_text()
    page.go_back()
    page.click("nav.mainnav >> text=客户")
    page.wait_for_url(re.compile(r".*/customers/$"))
    first = page.locator("table.list tbody tr td a").first
    customer_id = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(rf".*/customers/{customer_id}/$"))
    assert page.locator("h2#timeline").inner_text() == "归属记录"
    page.locator("button:has-text('提成说明')").first.click()
    page.wait_for_selector("#explain h3")
    assert "的提成说明" in page.locator("#explain h3").inner_text()
    # another salesperson's customer is not there for them
    others = Customer.objects.exclude(assignments__staff__user__username="sales").values_list("pk", flat=True)
    response = page.goto(f"{live_server.url}/customers/{others[0]}/")
    assert response is not None and response.status == 404


def test_global_search_finds_a_customer(live_server, demo_company, page):
    log_in(page, live_server.url, "gm")
    customer = Customer.objects.order_by("pk").first()
    assert customer is not None
    page.fill("#global-search", customer.pk)
    page.wait_for_selector(f"#search-popup a[href='/customers/{customer.pk}/']")
    page.keyboard.press("Escape")
    assert page.locator("#search-popup").inner_text() == ""


def test_admin_imports_a_file_with_errors_then_a_clean_one(live_server, demo_company, page, tmp_path, screenshot):
    customer = Customer.objects.order_by("pk").first()
    assert customer is not None
    today = dt.date.today().isoformat()
    bad = tmp_path / "orders.csv"
    bad.write_text(
        "order_id,customer_id,order_date,amount,category,refund_of\n"
        f"WEB-1,{customer.pk},{today},12.30,,\n"
        "WEB-2,NOBODY,2026-13-01,abc,,\n",
        encoding="utf-8",
    )
    log_in(page, live_server.url, "admin")
    page.click("nav.mainnav >> text=导入")
    page.set_input_files("#id_files", str(bad))
    page.click("main button:has-text('上传并检查')")
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    assert page.locator("#job-status").inner_text() in ("排队中", "进行中")
    work_queue()
    page.wait_for_selector("table.problems")
    rows = page.locator("table.problems tbody tr").all_inner_texts()
    assert [r.split("\t")[:3] for r in rows] == [
        ["orders.csv", "3", "customer_id"],
        ["orders.csv", "3", "order_date"],
        ["orders.csv", "3", "amount"],
    ]
    assert page.locator("#confirm-import").count() == 0
    screenshot("import-errors")
    assert not Order.objects.filter(order_id="WEB-1").exists()

    good = tmp_path / "clean" / "orders.csv"
    good.parent.mkdir()
    good.write_text(
        f"order_id,customer_id,order_date,amount,category,refund_of\nWEB-1,{customer.pk},{today},12.30,,\n",
        encoding="utf-8",
    )
    page.click("nav.mainnav >> text=导入")
    page.set_input_files("#id_files", str(good))
    page.click("main button:has-text('上传并检查')")
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    work_queue()
    page.wait_for_selector("#confirm-import")
    assert not Order.objects.filter(order_id="WEB-1").exists()  # the check wrote nothing
    page.click("#confirm-import")
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    work_queue()
    page.wait_for_selector("text=导入完成。")
    assert Order.objects.filter(order_id="WEB-1").exists()
    # each job told the administrator it finished: two checks and the import
    page.reload()
    assert page.locator(".bell .badge").inner_text() == "3"
    screenshot("import-done")
