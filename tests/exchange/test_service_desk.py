"""Importing the service desk's files (spec/service-desk.md) on the worked
example: any order with the company's files, atomic, every bad row listed
with its reason, upsert by id; and the staff file's team column."""

from __future__ import annotations

import csv

import pytest

from tandem.core.changes import facts_pending
from tandem.core.errors import InvalidInput
from tandem.service.models import Callback, Complaint, FollowUp, SurveyAnswer
from tandem.staff.models import Staff, Team

from .conftest import BASE, problems, run

pytestmark = pytest.mark.django_db

FOLLOWUPS = """\
followup_id,customer_id,staff_id,followed_on,channel,note
F1,C1,S2,2026-03-05,visit,拜访采购部
F2,C3,V1,2026-03-06,call,
"""
CALLBACKS = """\
callback_id,customer_id,staff_id,called_on,outcome,score,note
B1,C1,V2,2026-04-09,satisfied,5,交期准
B2,C3,V1,2026-04-12,dissatisfied,2,安装晚了
B3,C4,V1,2026-04-15,unreachable,,
"""
COMPLAINTS = """\
complaint_id,customer_id,opened_on,severity,escalated,channel,resolved_on,note
K1,C1,2026-02-15,high,yes,management,2026-02-16,直接打给总经理
K2,C3,2026-04-06,normal,no,,,
"""
SURVEYS = """\
survey_id,customer_id,answered_on,answer,score,comment
Q1,C2,2026-03-01,neutral,3,
Q2,C3,2026-03-02,satisfied,,很专业
"""
DESK = {"followups.csv": FOLLOWUPS, "callbacks.csv": CALLBACKS, "complaints.csv": COMPLAINTS, "surveys.csv": SURVEYS}


@pytest.fixture
def desk(write):
    for name, text in {**BASE, **DESK}.items():
        write(name, text)
    return DESK


def summary(results) -> list[tuple]:
    return [(r.kind, r.read, r.created, r.updated, r.unchanged, r.rejected) for r in results]


def test_the_desk_files_import_with_the_company_in_any_order_and_twice_change_nothing(desk):
    results = run("surveys.csv", "complaints.csv", "callbacks.csv", "followups.csv", *BASE)
    assert summary(results)[4:] == [
        ("followups", 2, 2, 0, 0, 0),
        ("callbacks", 3, 3, 0, 0, 0),
        ("complaints", 2, 2, 0, 0, 0),
        ("surveys", 2, 2, 0, 0, 0),
    ]
    b2 = Callback.objects.get(pk="B2")
    assert (b2.staff_id, b2.outcome, b2.score, b2.note) == ("V1", "dissatisfied", 2, "安装晚了")
    assert Callback.objects.get(pk="B3").score is None
    k1 = Complaint.objects.get(pk="K1")
    # Handled by C1's service owner on the day (V1 until 2026-03-01).
    assert (k1.escalated, k1.owner_id, k1.status, k1.channel) == (True, "V1", "resolved", "management")
    assert Complaint.objects.get(pk="K2").status == "open"
    assert FollowUp.history.get(followup_id="F1").history_change_reason == "import followups.csv"
    assert SurveyAnswer.objects.get(pk="Q2").comment == "很专业"
    again = run(*DESK)
    assert [(r.created, r.updated, r.unchanged) for r in again] == [(0, 0, 2), (0, 0, 3), (0, 0, 2), (0, 0, 2)]


def test_a_changed_row_updates_its_record_with_history(desk, write):
    run(*BASE, *DESK)
    write("callbacks.csv", CALLBACKS.replace("B2,C3,V1,2026-04-12,dissatisfied,2", "B2,C3,V1,2026-04-12,neutral,3"))
    [result] = run("callbacks.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    history = [(h.history_type, h.outcome) for h in Callback.history.filter(callback_id="B2").order_by("history_date")]
    assert history == [("+", "dissatisfied"), ("~", "neutral")]


def test_desk_imports_record_no_change_fact(desk):
    run(*BASE)
    before = len(facts_pending())
    run(*DESK)
    assert len(facts_pending()) == before


def test_every_bad_row_is_listed_with_its_reason_and_nothing_is_written(desk, write):
    run(*BASE)
    write(
        "callbacks.csv",
        """\
        callback_id,customer_id,staff_id,called_on,outcome,score,note
        B1,C1,V2,2026-04-09,satisfied,5,
        B2,C9,V1,2026-04-12,happy,6,
        B3,C3,S1,2026-03-01,neutral,4.5,
        B4,C3,X9,2026-13-01,neutral,,
        ,C3,V1,2026-04-01,satisfied,,
        B1,C1,V2,2026-04-09,neutral,5,
        B6,C3,V1,2026-04-02,satisfied,,,extra
        """,
    )
    write(
        "complaints.csv",
        """\
        complaint_id,customer_id,opened_on,severity,escalated,channel,resolved_on,note
        K1,C1,2026-04-15,urgent,maybe,fax,2026-04-14,
        K2,C1,2026-04-15,low,no,,2026-04-14,
        """,
    )
    write(
        "followups.csv",
        """\
        followup_id,customer_id,staff_id,followed_on,channel,note
        F1,C1,S2,,visit,
        """,
    )
    write(
        "surveys.csv",
        """\
        survey_id,customer_id,answered_on,answer,score,comment
        Q1,C2,2026-03-01,ok,0,
        """,
    )
    found = problems("callbacks.csv", "complaints.csv", "followups.csv", "surveys.csv")
    assert found == [
        "followups.csv:2: followed_on: 不能为空",
        "callbacks.csv:2: callback_id: 编号「B1」在本文件中出现多次且内容不同（第 2, 7 行）",
        "callbacks.csv:3: customer_id: 未知的客户「C9」",
        "callbacks.csv:3: outcome: 未知的回访结果「happy」（允许：satisfied, neutral, dissatisfied, unreachable）",
        "callbacks.csv:3: score: 评分应为 1 到 5 的整数，收到「6」",
        "callbacks.csv:4: staff_id: 员工「S1」在 2026-03-01 不在职",
        "callbacks.csv:4: score: 评分应为 1 到 5 的整数，收到「4.5」",
        "callbacks.csv:5: staff_id: 未知的员工「X9」",
        "callbacks.csv:5: called_on: 日期格式不正确：「2026-13-01」（应为 YYYY-MM-DD）",
        "callbacks.csv:6: callback_id: 不能为空",
        "callbacks.csv:7: callback_id: 编号「B1」在本文件中出现多次且内容不同（第 2, 7 行）",
        "callbacks.csv:8: *: 该行有 1 个多余的单元格（表头之外）",
        "complaints.csv:2: severity: 未知的严重程度「urgent」（允许：low, normal, high）",
        "complaints.csv:2: escalated: 应为 yes 或 no，收到「maybe」",
        "complaints.csv:2: channel: 未知的方式「fax」（允许：call, visit, message, email, management, other）",
        "complaints.csv:2: resolved_on: 解决日期不能早于投诉日期",
        "complaints.csv:3: resolved_on: 解决日期不能早于投诉日期",
        "surveys.csv:2: answer: 未知的评价「ok」（允许：satisfied, neutral, dissatisfied）",
        "surveys.csv:2: score: 评分应为 1 到 5 的整数，收到「0」",
    ]
    assert not Callback.objects.exists() and not Complaint.objects.exists()
    assert not FollowUp.objects.exists() and not SurveyAnswer.objects.exists()


def test_a_customer_rejected_earlier_in_the_command_is_named(desk, write):
    write("customers.csv", BASE["customers.csv"] + "C9,新客户,vip,2026-01-01,,\n")
    write("surveys.csv", "survey_id,customer_id,answered_on,answer\nQ9,C9,2026-03-01,satisfied\n")
    found = problems("staff.csv", "customers.csv", "surveys.csv")
    assert found[-1] == "surveys.csv:2: customer_id: 客户「C9」所在的行被拒绝（customers.csv:6）"


def test_skip_invalid_imports_the_valid_rows_and_writes_the_rejected(desk, write, workdir):
    run(*BASE)
    write("surveys.csv", SURVEYS + "Q3,C9,2026-03-01,satisfied,,\n")
    [result] = run("surveys.csv", skip=True)
    assert (result.created, result.rejected) == (2, 1)
    with (workdir / "surveys.rejects.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[1] == ["Q3", "C9", "2026-03-01", "satisfied", "", "", "customer_id: 未知的客户「C9」"]


def test_optional_columns_may_be_left_out_of_the_header(desk, write):
    run(*BASE)
    write("callbacks.csv", "callback_id,customer_id,staff_id,called_on,outcome\nB1,C1,V2,2026-04-09,satisfied\n")
    write("complaints.csv", "complaint_id,customer_id,opened_on,severity,escalated\nK1,C3,2026-04-01,low,no\n")
    run("callbacks.csv", "complaints.csv")
    assert (Callback.objects.get().score, Complaint.objects.get().resolved_on) == (None, None)


def test_the_staff_file_names_teams_and_creates_them(desk, write):
    write(
        "staff.csv",
        BASE["staff.csv"].replace("staff_id,name,role,hired_on,left_on", "staff_id,name,role,hired_on,left_on,team")
        .replace("V1,王芳,service,,", "V1,王芳,service,,,客服一组")
        .replace("V2,刘洋,service,,", "V2,刘洋,service,,,客服一组")
        .replace("S2,李娜,sales,2024-06-01,", "S2,李娜,sales,2024-06-01,,华东销售部"),
    )
    [result] = run("staff.csv")
    assert result.created == 4
    teams = {t.name: t.department for t in Team.objects.all()}
    assert teams == {"客服一组": "service", "华东销售部": "sales"}
    assert Staff.objects.get(pk="V2").team.name == "客服一组"
    # Without the column the teams stay as they are; an empty cell clears one.
    write("staff.csv", BASE["staff.csv"])
    [result] = run("staff.csv")
    assert (result.updated, Staff.objects.get(pk="V2").team.name) == (0, "客服一组")
    write(
        "staff.csv",
        "staff_id,name,role,hired_on,left_on,team\nV2,刘洋,service,,,\n",
    )
    [result] = run("staff.csv")
    assert result.updated == 1 and Staff.objects.get(pk="V2").team is None


def test_an_overlong_team_name_is_refused(desk, write):
    write("staff.csv", "staff_id,name,role,team\nV1,王芳,service," + "组" * 101 + "\n")
    with pytest.raises(InvalidInput) as error:
        run("staff.csv")
    assert error.value.problems == ["staff.csv:2: team: 长度超过 100 个字符"]
