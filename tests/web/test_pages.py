from __future__ import annotations

import re

import pytest
from django.urls import reverse

from .conftest import PASSWORD, login


def text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_root_sends_anonymous_users_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


@pytest.mark.django_db
def test_login_page_is_in_zh_hans_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    body = text(response)
    assert '<html lang="zh-hans">' in body
    assert "<title>登录 · Tandem</title>" in body
    assert ">登录</button>" in body
    assert "用户名" in body and "密码" in body
    assert "/static/web/tandem.css" in body


@pytest.mark.django_db
def test_login_page_stays_zh_hans_in_an_english_browser(client):
    # English is a choice made with the language switch, not a browser guess.
    body = text(client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert '<html lang="zh-hans">' in body


def test_wrong_password_shows_the_zh_hans_error(client, shop):
    response = client.post("/login/", {"username": "s1", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确，请重新输入。" in text(response)
    assert "_auth_user_id" not in client.session


def test_login_leads_to_the_home_page(client, shop):
    response = client.post("/login/", {"username": "s1", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:home")
    assert "您好，李娜" in text(response)


@pytest.mark.django_db
def test_switching_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    body = text(client.get("/login/"))
    assert '<html lang="en">' in body
    assert ">Log in</button>" in body
    assert "Username" in body and "Password" in body
    assert "登录" not in body
    # and back
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert ">登录</button>" in text(client.get("/login/"))


def test_wrong_password_in_english(client, shop):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    body = text(client.post("/login/", {"username": "s1", "password": "wrong"}))
    assert "The username or password is not correct. Please try again." in body


def test_home_lists_only_the_salespersons_customers(client, shop):
    login(client, "s2")
    response = client.get("/")
    assert response.status_code == 200
    body = text(response)
    assert "您好，王强" in body
    assert "销售" in body and "华东销售部" in body
    listed = set(re.findall(r'<td class="mono hide-phone"><a href="/customers/(C\d+)/">', body))
    assert listed == {"C030", "C031", "C032", "C033", "C034"}
    assert response.context["customer_count"] == 5
    assert "王强" in body and "周静" in body  # current owners shown


def test_home_shows_the_first_twenty_of_many(client, shop):
    login(client, "s1")
    response = client.get("/")
    body = text(response)
    assert response.context["customer_count"] == 30
    listed = re.findall(r'<td class="mono hide-phone"><a href="/customers/(C\d+)/">', body)
    assert listed == [f"C{n:03d}" for n in range(20)]
    assert "显示前 20 家，共 30 家。" in body
    assert "大客户" in body


def test_finance_home_shows_statements_not_customers(client, shop):
    login(client, "f1")
    response = client.get("/")
    body = text(response)
    assert "财务" in body and "全公司" in body
    assert "待发放的结算单" in body and "没有待发放的结算单。" in body
    assert "C000" not in body


def test_home_in_english(client, shop):
    login(client, "s2")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = text(client.get("/"))
    assert "Hello, 王强" in body
    assert "My customers" in body
    assert "Sales now" in body and "Service now" in body
    assert "Sales" in body


def test_home_query_count_is_bounded(client, shop, django_assert_max_num_queries):
    login(client, "f1")
    with django_assert_max_num_queries(7):
        response = client.get("/")
    assert response.status_code == 200
    assert response.context["to_pay"] == []


def test_user_without_staff_sees_no_customers(client, shop, django_user_model):
    django_user_model.objects.create_user("guest", password=PASSWORD)
    login(client, "guest")
    response = client.get("/")
    assert response.context["kind"] == "none"
    assert "此账号未关联员工档案。" in text(response)
    assert client.get("/customers/").status_code == 404


def test_logout(client, shop):
    login(client, "s1")
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_home_shows_the_salespersons_own_commission_and_nobody_elses(client, shop):
    from django.utils import timezone

    from tandem.commissions.models import CommissionLine

    today = timezone.localdate()

    def line(order_id, staff_id, cents):
        CommissionLine.objects.create(
            period=today.strftime("%Y-%m"), order_id=order_id, customer_id="C001", staff_id=staff_id,
            role="sales", scenario="standard", kind="sale", line_date=today, amount_cents=cents,
        )

    line("ORD-MINE", "S1", 3500)
    line("ORD-THEIRS", "S2", 98765)
    login(client, "s1")
    body = text(client.get("/"))
    assert "我的提成" in body
    assert "ORD-MINE" in body and "35.00" in body
    assert "ORD-THEIRS" not in body and "987.65" not in body
    login(client, "f1")
    assert "我的提成" not in text(client.get("/"))  # finance has no commission of its own


def test_home_names_roles_scenarios_and_kinds_with_the_vocabulary_labels(client, shop):
    from django.utils import timezone

    from tandem.commissions.models import CommissionLine

    today = timezone.localdate()
    CommissionLine.objects.create(
        period=today.strftime("%Y-%m"), order_id="ORD-INH", customer_id="C001", staff_id="S1",
        role="sales", scenario="inherited", kind="clawback", line_date=today, amount_cents=-500,
    )
    login(client, "s1")
    body = text(client.get("/"))
    assert "继承客户（开发销售已离职）" in body and "退款冲回" in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = text(client.get("/"))
    assert "Inherited customer (developer has left)" in body and "Refund clawback" in body


def test_salesperson_home_query_count_is_bounded(client, shop, django_assert_max_num_queries):
    login(client, "s1")
    with django_assert_max_num_queries(9):
        response = client.get("/")
    assert response.status_code == 200
    assert response.context["commission"]["months"][0]["total"] == 0
