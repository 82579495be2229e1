"""The command line end to end: the real `tandem` command in a subprocess,
on its own SQLite file."""

from __future__ import annotations


def test_worked_example_end_to_end(tandem):
    # A new database starts with the shipped default plan, which is the
    # worked example's plan: loading it changes nothing.
    done = tandem("plans", "load", "plans.toml")
    assert (done.returncode, done.stdout, done.stderr) == (0, "plans.toml：方案 1 个，新增 0，更新 0，未变 1\n", "")
    done = tandem("import", "orders.csv", "assignments.csv", "staff.csv", "customers.csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "staff.csv：员工，读取 4 行，新增 4，更新 0，未变 0，拒绝 0",
        "customers.csv：客户，读取 4 行，新增 4，更新 0，未变 0，拒绝 0",
        "assignments.csv：归属，读取 8 行，新增 8，更新 0，未变 0，拒绝 0",
        "orders.csv：订单，读取 6 行，新增 6，更新 0，未变 0，拒绝 0",
    ]
    done = tandem("--lang", "en", "import", "staff.csv", "customers.csv", "assignments.csv", "orders.csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "staff.csv: staff, read 4, created 0, updated 0, unchanged 4, rejected 0",
        "customers.csv: customers, read 4, created 0, updated 0, unchanged 4, rejected 0",
        "assignments.csv: assignments, read 8, created 0, updated 0, unchanged 8, rejected 0",
        "orders.csv: orders, read 6, created 0, updated 0, unchanged 6, rejected 0",
    ]


def test_errors_on_stderr_with_a_non_zero_exit(tandem, tmp_path):
    (tmp_path / "bad.csv").write_text(
        "order_id,customer_id,order_date,amount\nO1,C9,2026-02-10,1000.00\nO2,C9,2026-02-31,0\n", encoding="utf-8"
    )
    done = tandem("import", "bad.csv")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "bad.csv:2: customer_id: 未知的客户「C9」",
        "bad.csv:3: customer_id: 未知的客户「C9」",
        "bad.csv:3: order_date: 日期格式不正确：「2026-02-31」（应为 YYYY-MM-DD）",
        "bad.csv:3: amount: 金额必须大于 0",
        "tandem: 导入失败：共 4 处错误，没有写入任何数据",
    ]
    done = tandem("--lang", "en", "import", "bad.csv", "missing.csv")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "missing.csv: file not found",
        "tandem: cannot import: 1 problem with the files, nothing was written",
    ]
    done = tandem("plans", "load", "missing.toml")
    assert (done.returncode, done.stderr) == (1, "tandem: 找不到文件：missing.toml\n")


def test_skip_invalid_end_to_end(tandem, tmp_path):
    (tmp_path / "staff2.csv").write_text("staff_id,name,role\nS1,张伟,sales\nS9,某人,boss\n", encoding="utf-8")
    done = tandem("import", "--skip-invalid", "staff2.csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "staff2.csv：员工，读取 2 行，新增 1，更新 0，未变 0，拒绝 1",
        "已导入 1 行，拒绝 1 行",
        "被拒绝的行已写入 staff2.rejects.csv",
    ]
    assert (tmp_path / "staff2.rejects.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "staff_id,name,role,reason",
        'S9,某人,boss,"role: 未知的角色「boss」（允许：sales, service, manager, finance, admin）"',
    ]
