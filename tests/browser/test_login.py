from __future__ import annotations

import datetime as dt

import pytest

from tandem import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_company(transactional_db):
    demo.demo_load(seed=3, customers=200, today=dt.date.today(), run=False)


def test_login_as_demo_salesperson(live_server, demo_company, page, screenshot):
    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "登录"
    assert page.title() == "登录 · Tandem"
    screenshot("login")

    page.fill("#id_username", "sales")
    page.fill("#id_password", "wrong-password")
    page.click("main button[type=submit]")
    assert page.locator("p.error").inner_text() == "用户名或密码不正确，请重新输入。"
    screenshot("login-error")

    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert page.locator("h1").inner_text().startswith("您好，")
    assert "我的客户" in page.locator("main").inner_text()
    rows = page.locator("table.list tbody tr")
    assert 1 <= rows.count() <= 20
    # the CSS arrived (whitenoise / static serving) and the CJK font is a real one
    assert page.evaluate("getComputedStyle(document.querySelector('.card')).borderRadius") == "8px"
    screenshot("home-sales")

    # switch to English and back
    # (choosing and then pressing the button: a select that submits on change
    # would jump away while a keyboard user moves through its options)
    page.select_option("select[name=language]", "en")
    with page.expect_navigation():
        page.click(".lang button")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "My customers" in page.locator("main").inner_text()
    screenshot("home-sales-en")
    page.select_option("select[name=language]", "zh-hans")
    with page.expect_navigation():
        page.click(".lang button")
    assert "我的客户" in page.locator("main").inner_text()


def test_finance_sees_all_customers(live_server, demo_company, page, screenshot):
    """Finance's home is about statements; the customer list has all 200."""
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "finance")
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    assert "全公司" in page.locator(".facts").inner_text()
    assert "待发放的结算单" in page.locator("main").inner_text()
    screenshot("home-finance")
    page.click("nav.mainnav >> text=客户")
    page.wait_for_url(live_server.url + "/customers/")
    assert page.locator("table.list tbody tr").count() == 50
    assert page.locator(".pager").inner_text().startswith("第 1–50 条")
