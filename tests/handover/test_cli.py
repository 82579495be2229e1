"""End to end through the command line on the demo company: a salesperson
with 80+ customers leaves, the edited proposal is confirmed, the next orders
of those customers credit service 70 / the new salesperson 30 under the
default plan, and the leaver is credited nothing on or after leaving."""

from __future__ import annotations

import csv
import io
import sqlite3

LEFT = "2026-06-01"


def test_departure_proposal_edited_confirmed_and_credited(tandem, tmp_path):
    done = tandem("demo", "--customers", "1000")
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(tmp_path / "t.sqlite3")
    leaver, held = db.execute(
        "SELECT a.staff_id, COUNT(*) FROM customers_assignment a JOIN staff_staff s USING (staff_id) "
        "WHERE a.role = 'sales' AND a.valid_from < ? AND (a.valid_to IS NULL OR a.valid_to > ?) "
        "AND s.left_on IS NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
        (LEFT, LEFT),
    ).fetchone()
    assert held >= 80
    assert tandem("staff", "leave", leaver, "--on", LEFT).returncode == 0
    refused = tandem("handover", "confirm", leaver, "--user", "nobody")
    assert (
        refused.returncode != 0
        and refused.stderr.strip() == "tandem: --user：没有名为「nobody」的登录账号"
    )

    done = tandem("handover", "propose", leaver)
    assert done.returncode == 0, done.stderr
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(table[0]) == [
        "customer_id",
        "role",
        "from_staff_id",
        "to_staff_id",
        "tier",
        "trailing_revenue",
        "reason",
    ]
    assert len(table) == held
    # Edit: the last line goes to the pool.
    table[-1]["to_staff_id"] = ""
    with open(tmp_path / "plan.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    done = tandem("handover", "confirm", leaver, "--plan", "plan.csv", "--user", "gm")
    assert done.returncode == 0, done.stderr
    again = tandem("handover", "confirm", leaver)
    assert (
        again.returncode != 0
        and again.stderr.strip() == f"tandem: 员工 {leaver} 的客户已交接，不能再次确认"
    )
    assert tandem("commissions", "run").returncode == 0

    # Standard customers given to a new salesperson: 70 service / 30 sales.
    rows = db.execute(
        "SELECT l.order_id, l.role, l.staff_id, l.amount_cents, a.staff_id FROM commissions_commissionline l "
        "JOIN customers_assignment a ON a.customer_id = l.customer_id AND a.role = 'sales' "
        "AND a.valid_from = ? AND a.reason = 'handover' "
        "JOIN customers_customer c ON c.customer_id = l.customer_id AND c.tier = 'standard' "
        "JOIN staff_staff s ON s.staff_id = a.staff_id AND s.hired_on > date(?, '-365 days') "
        "WHERE l.kind = 'sale' AND l.line_date >= ? AND l.role IN ('sales', 'service') ORDER BY 1, 2",
        (LEFT, LEFT, LEFT),
    ).fetchall()
    orders: dict[str, dict[str, tuple[str, int]]] = {}
    for order_id, role, staff_id, cents, receiver in rows:
        orders.setdefault(order_id, {})[role] = (staff_id, cents)
        if role == "sales":
            assert staff_id == receiver
    both = [o for o in orders.values() if set(o) == {"sales", "service"}]
    assert len(both) >= 10
    for o in both:
        total = o["sales"][1] + o["service"][1]
        assert abs(o["sales"][1] * 10 - total * 3) <= 10, o  # 30% to the cent
    credited = db.execute(
        "SELECT COUNT(*) FROM commissions_commissionline WHERE staff_id = ? AND line_date >= ? AND amount_cents > 0",
        (leaver, LEFT),
    ).fetchone()[0]
    assert credited == 0
    pool = db.execute(
        "SELECT COUNT(*) FROM customers_assignment WHERE customer_id = ? AND role = 'sales' AND valid_to IS NULL",
        (table[-1]["customer_id"],),
    ).fetchone()[0]
    assert pool == 0
