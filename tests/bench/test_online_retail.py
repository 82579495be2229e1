"""bench/online_retail.py: the conversion of the Online Retail invoices into
exchange files, on a small sample written here and on the real sample kept in
tests/fixtures (4,269 lines of the source), and both samples' files imported
and run through the real `tandem` command."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bench import online_retail

from ..fixtures import ONLINE_RETAIL_SAMPLE

TANDEM = str(Path(sys.executable).parent / "tandem")

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"

# Two invoices of 17850, one of 13047 (with a 3-decimal price), a
# cancellation of 17850 whose first line spans both its invoices, a
# cancellation of 13047 that matches nothing, a line without CustomerID, a
# stock adjustment, an invoice with only a zero price, a bad-debt line, and
# two customers abroad: Iceland (its salesperson leaves on 2011-07-01) and
# Norway (acquired after that).
SAMPLE = (
    HEADER
    + """\
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,17850,United Kingdom
536366,85123A,WHITE HANGING HEART T-LIGHT HOLDER,4,2010-12-01 08:28:00,2.55,17850,United Kingdom
536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,13047,United Kingdom
536367,PADS,PADS TO MATCH ALL CUSHIONS,5,2010-12-01 08:34:00,0.001,13047,United Kingdom
C536379,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-8,2010-12-01 09:41:00,2.55,17850,United Kingdom
C536379,71053,WHITE METAL LANTERN,-2,2010-12-01 09:41:00,3.39,17850,United Kingdom
C536380,22960,JAM MAKING SET WITH JARS,-3,2010-12-01 09:45:00,4.25,13047,United Kingdom
536381,22139,RETROSPOT TEA SET CERAMIC 11 PC,2,2010-12-01 09:50:00,4.95,,United Kingdom
536382,21777,,-10,2010-12-01 16:50:00,0.0,,United Kingdom
536383,22841,ROUND CAKE TIN VINTAGE GREEN,1,2010-12-02 10:00:00,0.0,13047,United Kingdom
537626,85116,BLACK CANDELABRA T-LIGHT HOLDER,12,2010-12-07 14:57:00,2.1,12347,Iceland
A563185,B,Adjust bad debt,1,2011-08-12 14:50:00,11062.06,,United Kingdom
573000,85116,BLACK CANDELABRA T-LIGHT HOLDER,24,2011-08-01 10:00:00,2.1,12347,Iceland
574000,22960,JAM MAKING SET WITH JARS,2,2011-08-05 11:00:00,12.75,12432,Norway
"""
)


def sample_rows(text: str = SAMPLE) -> list[list[str]]:
    return list(csv.reader(text.splitlines()))


def test_orders_and_refunds():
    done = online_retail.convert_rows(sample_rows(), seed=1)
    assert done.orders == [
        ["order_id", "customer_id", "order_date", "amount", "category", "refund_of"],
        # 6 x 2.55 + 6 x 3.39
        ["536365", "17850", "2010-12-01", "35.64", "giftware", ""],
        # 6 x 1.85 + 4 x 2.55
        ["536366", "17850", "2010-12-01", "21.30", "giftware", ""],
        # 32 x 1.69 + 5 x 0.001 = 54.085, rounded half up once per invoice
        ["536367", "13047", "2010-12-01", "54.09", "giftware", ""],
        ["537626", "12347", "2010-12-07", "25.20", "giftware", ""],
        ["573000", "12347", "2011-08-01", "50.40", "giftware", ""],
        ["574000", "12432", "2011-08-05", "25.50", "giftware", ""],
        # C536379: 8 x 85123A takes the 4 of 536366 (the most recent) and 4 of
        # 536365; 2 x 71053 comes from 536365: 4 x 2.55 + 2 x 3.39 = 16.98
        ["C536379-1", "17850", "2010-12-01", "16.98", "giftware", "536365"],
        ["C536379-2", "17850", "2010-12-01", "10.20", "giftware", "536366"],
    ]


def test_counts():
    stats = online_retail.convert_rows(sample_rows(), seed=1).stats
    assert dict(stats.skipped) == {
        "no_customer": 1,
        "stock_adjustment": 1,
        "zero_price": 1,
        "bad_debt": 1,
    }
    assert {name: getattr(stats, name) for name in vars(stats) if name != "skipped"} == {
        "lines": 16,
        "invoices": 12,
        "sale_invoices": 9,
        "cancellation_invoices": 2,
        "bad_debt_invoices": 1,
        "sale_invoices_with_customer": 7,
        "orders": 6,
        "invoices_not_positive": 1,  # 536383 has only a zero price
        "cancellations_with_customer": 2,
        "cancellation_lines": 3,
        "lines_matched": 2,
        "lines_partly_matched": 0,
        "lines_unmatched": 1,
        "lines_unmatched_no_sale": 1,
        "units_unmatched": 3,
        "value_unmatched": Decimal("12.75"),
        "refunds": 2,
        "refunds_capped": [],
        "refunds_zero": 0,
        "cancellations_split": 1,
        "orders_cents": 21213,
        "refunds_cents": 2718,
        "customers": 4,
        "key_customers": 1,
        "staff": 14,
        "assignments": 9,
        "handed_over": 1,
    }
    assert "unmatched 1 (never sold before 1," in stats.summary()


def test_customers_staff_and_owners():
    done = online_retail.convert_rows(sample_rows(), seed=1)
    # Net revenue: 12347 75.60, 13047 54.09, 17850 57.00 - 27.18 = 29.76,
    # 12432 25.50; the top 5% (at least one) is key.
    assert done.customers == [
        ["customer_id", "name", "tier", "acquired_on", "acquired_by", "referred_by"],
        ["12347", "Customer 12347 (Iceland)", "key", "2010-12-07", "S08", ""],
        ["12432", "Customer 12432 (Norway)", "standard", "2011-08-05", "S01", ""],
        ["13047", "Customer 13047 (United Kingdom)", "standard", "2010-12-01", "S07", ""],
        ["17850", "Customer 17850 (United Kingdom)", "standard", "2010-12-01", "S04", ""],
    ]
    # Seed 1 deals the salespeople S08, S01, S07, S04, ... and the service
    # staff V01, V02, V05, V04, ...: Iceland, Norway, then the United Kingdom
    # by revenue. S08 leaves on 2011-07-01 and S01 takes over 12347.
    assert done.assignments == [
        ["customer_id", "role", "staff_id", "valid_from", "valid_to"],
        ["12347", "sales", "S08", "2010-12-07", "2011-07-01"],
        ["12347", "sales", "S01", "2011-07-01", ""],
        ["12347", "service", "V01", "2010-12-07", ""],
        ["12432", "sales", "S01", "2011-08-05", ""],
        ["12432", "service", "V02", "2011-08-05", ""],
        ["13047", "sales", "S07", "2010-12-01", ""],
        ["13047", "service", "V05", "2010-12-01", ""],
        ["17850", "sales", "S04", "2010-12-01", ""],
        ["17850", "service", "V04", "2010-12-01", ""],
    ]
    assert done.staff == [
        ["staff_id", "name", "role", "hired_on", "left_on"],
        ["S01", "张霞", "sales", "2010-11-01", ""],
        ["S02", "胡敏明", "sales", "2010-11-01", ""],
        ["S03", "黄刚杰", "sales", "2010-11-01", ""],
        ["S04", "王明", "sales", "2010-11-01", ""],
        ["S05", "王娟平", "sales", "2010-11-01", ""],
        ["S06", "林军磊", "sales", "2010-11-01", ""],
        ["S07", "王勇", "sales", "2010-11-01", ""],
        ["S08", "高伟", "sales", "2010-11-01", "2011-07-01"],
        ["V01", "黄杰", "service", "2010-11-01", ""],
        ["V02", "赵伟超", "service", "2010-11-01", ""],
        ["V03", "赵明秀", "service", "2010-11-01", ""],
        ["V04", "赵磊桂", "service", "2010-11-01", ""],
        ["V05", "朱洋伟", "service", "2010-11-01", ""],
        ["V06", "周丽", "service", "2010-11-01", ""],
    ]
    # Another seed, other names and owners; the same orders.
    other = online_retail.convert_rows(sample_rows(), seed=2)
    assert other.orders == done.orders
    assert other.staff != done.staff


def test_nobody_is_dealt_to_the_leaver_after_leaving():
    lines = [
        f"{600000 + i},85116,X,1,2011-0{7 + i % 3}-0{1 + i % 5} 10:00:00,2.1,{20000 + i},United Kingdom"
        for i in range(20)
    ]
    done = online_retail.convert_rows(sample_rows(HEADER + "\n".join(lines)), seed=1)
    leaver = next(row[0] for row in done.staff[1:] if row[4])
    assert leaver not in {row[4] for row in done.customers[1:]}
    assert len({row[4] for row in done.customers[1:]}) == 7
    assert all(row[4] == "" for row in done.assignments[1:])
    assert done.stats.handed_over == 0


def test_the_sample_imports_and_runs(tmp_path):
    source = tmp_path / "sample.csv"
    source.write_text(SAMPLE, encoding="utf-8")
    out = tmp_path / "out"
    online_retail.convert(source, out, seed=1)
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DJANGO_SETTINGS_MODULE",
            "TANDEM_TESTING",
            "TANDEM_TEST_DATABASE_URL",
            "TANDEM_LANGUAGE",
        )
    }
    env["TANDEM_DATABASE_URL"] = f"sqlite:///{tmp_path / 't.sqlite3'}"
    env["TANDEM_VAR_DIR"] = str(tmp_path / "var")

    def tandem(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [TANDEM, "--lang", "en", *args],
            cwd=out,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done

    tandem("plans", "load", str(online_retail.DEFAULT_PLAN))
    files = ["staff.csv", "customers.csv", "assignments.csv", "orders.csv"]
    assert tandem("import", *files).stdout.splitlines() == [
        "staff.csv: staff, read 14, created 14, updated 0, unchanged 0, rejected 0",
        "customers.csv: customers, read 4, created 4, updated 0, unchanged 0, rejected 0",
        "assignments.csv: assignments, read 9, created 9, updated 0, unchanged 0, rejected 0",
        "orders.csv: orders, read 8, created 8, updated 0, unchanged 0, rejected 0",
    ]
    assert tandem("import", *files).stdout.splitlines() == [
        "staff.csv: staff, read 14, created 0, updated 0, unchanged 14, rejected 0",
        "customers.csv: customers, read 4, created 0, updated 0, unchanged 4, rejected 0",
        "assignments.csv: assignments, read 9, created 0, updated 0, unchanged 9, rejected 0",
        "orders.csv: orders, read 8, created 0, updated 0, unchanged 8, rejected 0",
    ]
    tandem("commissions", "run", "--full")
    export = list(
        csv.reader(tandem("commissions", "export", "--period", "2011-08").stdout.splitlines())
    )
    assert [row[:7] for row in export] == [
        ["period", "order_id", "staff_id", "role", "scenario", "kind", "amount"],
        # 573000: S08 left, so 12347's orders are inherited; pool 2.52
        ["2011-08", "573000", "S01", "sales", "inherited", "sale", "0.76"],
        ["2011-08", "573000", "V01", "service", "inherited", "sale", "1.76"],
        # 574000: pool 25.50 x 5% = 1.275 -> 1.28
        ["2011-08", "574000", "S01", "sales", "standard", "sale", "0.90"],
        ["2011-08", "574000", "V02", "service", "standard", "sale", "0.38"],
    ]


def test_default_source_is_beside_the_repository():
    repo = Path(__file__).resolve().parents[2]
    assert (
        online_retail.DEFAULT_SOURCE
        == repo.parent / "shared" / "data" / "online-retail" / "online_retail.csv.gz"
    )


def test_a_missing_source_is_one_line_and_a_non_zero_exit(tmp_path):
    missing = tmp_path / "nowhere" / "online_retail.csv.gz"
    done = subprocess.run(
        [sys.executable, "-m", "bench.online_retail", "--out", str(tmp_path / "out"), "--source", str(missing)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"bench.online_retail: source not found: {missing}"]
    assert not (tmp_path / "out").exists()


def test_the_benchmark_without_its_source_is_skipped_or_refused_in_one_line(tmp_path, monkeypatch, capsys):
    from bench import run as runner

    missing = tmp_path / "online_retail.csv.gz"
    monkeypatch.setattr(online_retail, "DEFAULT_SOURCE", missing)
    reason = f"source not found: {missing} (shared/data/online-retail beside the repository)"
    # Asked for by name: the command ends, before any database is made.
    with pytest.raises(SystemExit) as exc:
        runner.main(["online-retail"])
    assert exc.value.code == f"bench.run: cannot run online-retail: {reason}"
    assert capsys.readouterr().out == ""
    # Among all the benchmarks: skipped with one line, the others run.
    monkeypatch.setattr(runner, "BENCHMARKS", {"online-retail": runner.BENCHMARKS["online-retail"]})
    runner.main([])
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"bench.run: skipping online-retail: {reason}"]
    assert captured.out.splitlines()[-1].startswith("|-----------|")  # the table's header, no rows


# --------------------------------------------------------------------------- #
# The real sample: every line of a few customers, kept as it came
# --------------------------------------------------------------------------- #


def test_the_real_sample_converts_as_the_full_file_does():
    done = online_retail.convert_rows(online_retail.read_csv(ONLINE_RETAIL_SAMPLE), seed=1)
    stats = done.stats
    assert dict(stats.skipped) == {"no_customer": 267, "stock_adjustment": 66, "bad_debt": 3, "zero_price": 1}
    assert {name: getattr(stats, name) for name in vars(stats) if name != "skipped"} == {
        "lines": 4269,
        "invoices": 654,
        "sale_invoices": 590,
        "cancellation_invoices": 61,
        "bad_debt_invoices": 3,
        "sale_invoices_with_customer": 266,
        "orders": 265,
        "invoices_not_positive": 1,  # 13256's only invoice, all zero prices
        "cancellations_with_customer": 59,
        "cancellation_lines": 156,
        "lines_matched": 132,
        "lines_partly_matched": 0,
        "lines_unmatched": 24,
        "lines_unmatched_no_sale": 18,
        "units_unmatched": 528,
        "value_unmatched": Decimal("9555.16"),
        "refunds": 65,
        "refunds_capped": ["C548834 -> 548813: 2053.07 capped at 162.60"],
        "refunds_zero": 0,
        "cancellations_split": 10,
        "orders_cents": 24655894,
        "refunds_cents": 8559014,
        "customers": 46,
        "key_customers": 2,
        "staff": 14,
        "assignments": 98,
        "handed_over": 6,
    }
    # The rows checked by hand on the full file (docs/online-retail.md): the
    # sample holds every line of those customers, so they come out the same.
    rows = {row[0]: row for row in done.orders[1:]}
    assert rows["536365"] == ["536365", "17850", "2010-12-01", "139.12", "giftware", ""]
    assert rows["C581490"] == ["C581490", "14397", "2011-12-09", "32.53", "giftware", "581011"]
    assert rows["C537402-1"] == ["C537402-1", "15502", "2010-12-06", "25.50", "giftware", "537216"]
    assert rows["C537402-2"] == ["C537402-2", "15502", "2010-12-06", "167.20", "giftware", "537217"]
    assert rows["541431"][3] == rows["C541433"][3] == "77183.60"
    assert rows["C541433"][5] == "541431"
    assert rows["C548834"] == ["C548834", "12744", "2011-04-04", "162.60", "giftware", "548813"]
    assert rows["573745"] == ["573745", "17419", "2011-11-01", "318.41", "giftware", ""]
    assert "13256" not in {row[0] for row in done.customers[1:]}
    assert len({row[2][:7] for row in done.orders[1:]}) == 13  # 2010-12 to 2011-12


def _pool(amount: Decimal) -> Decimal:
    """The default plan's pool (5 %), rounded half up to the cent."""
    return (amount * Decimal("0.05")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def _month_totals(orders: list[dict[str, str]]) -> dict[str, Decimal]:
    """What each month's lines must sum to, from orders.csv alone: the pool of
    the month's orders, plus for each of its refunds the pool of the order
    after it less the pool before it (every customer of the sample has staff
    in both roles, so every pool is paid out whole)."""
    totals: dict[str, Decimal] = {}
    net: dict[str, Decimal] = {}
    for row in orders:
        if not row["refund_of"]:
            net[row["order_id"]] = Decimal(row["amount"])
            month = row["order_date"][:7]
            totals[month] = totals.get(month, Decimal(0)) + _pool(Decimal(row["amount"]))
    for row in sorted((r for r in orders if r["refund_of"]), key=lambda r: (r["order_date"], r["order_id"])):
        before = net[row["refund_of"]]
        net[row["refund_of"]] = after = before - Decimal(row["amount"])
        month = row["order_date"][:7]
        totals[month] = totals.get(month, Decimal(0)) + _pool(after) - _pool(before)
    return totals


@pytest.fixture(scope="module")
def real_sample(tmp_path_factory):
    """The real sample converted, loaded with the default plan, imported and
    run in full by the `tandem` command; returns (files, tandem)."""
    tmp = tmp_path_factory.mktemp("online-retail")
    out = tmp / "out"
    online_retail.convert(ONLINE_RETAIL_SAMPLE, out, seed=1)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "TANDEM_TESTING", "TANDEM_TEST_DATABASE_URL", "TANDEM_LANGUAGE")
    }
    env["TANDEM_DATABASE_URL"] = f"sqlite:///{tmp / 't.sqlite3'}"
    env["TANDEM_VAR_DIR"] = str(tmp / "var")

    def tandem(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [TANDEM, "--lang", "en", *args], cwd=out, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done

    tandem("plans", "load", str(online_retail.DEFAULT_PLAN))
    first = tandem("import", *online_retail.FILES).stdout.splitlines()
    again = tandem("import", *online_retail.FILES).stdout.splitlines()
    run = tandem("commissions", "run", "--full").stdout
    return out, tandem, first, again, run


def test_the_real_sample_imports_once_and_runs(real_sample):
    _out, _tandem, first, again, run = real_sample
    assert first == [
        "staff.csv: staff, read 14, created 14, updated 0, unchanged 0, rejected 0",
        "customers.csv: customers, read 46, created 46, updated 0, unchanged 0, rejected 0",
        "assignments.csv: assignments, read 98, created 98, updated 0, unchanged 0, rejected 0",
        "orders.csv: orders, read 330, created 330, updated 0, unchanged 0, rejected 0",
    ]
    assert again == [
        "staff.csv: staff, read 14, created 0, updated 0, unchanged 14, rejected 0",
        "customers.csv: customers, read 46, created 0, updated 0, unchanged 46, rejected 0",
        "assignments.csv: assignments, read 98, created 0, updated 0, unchanged 98, rejected 0",
        "orders.csv: orders, read 330, created 0, updated 0, unchanged 330, rejected 0",
    ]
    assert "customers 46, orders 265, lines written 660, lines deleted 0, adjustments 0, exceptions 0" in run


@pytest.mark.parametrize("period", ["2011-01", "2011-04", "2011-11", "2011-12"])
def test_the_real_samples_exports_sum_to_the_pools_computed_from_the_orders(real_sample, period):
    out, tandem, *_ = real_sample
    with (out / "orders.csv").open(encoding="utf-8", newline="") as fh:
        expected = _month_totals(list(csv.DictReader(fh)))[period]
    export = list(csv.DictReader(tandem("commissions", "export", "--period", period).stdout.splitlines()))
    assert export
    assert sum(Decimal(row["amount"]) for row in export) == expected


def test_the_real_sample_credits_the_checked_orders(real_sample):
    out, tandem, *_ = real_sample
    january = list(csv.DictReader(tandem("commissions", "export", "--period", "2011-01").stdout.splitlines()))
    # 12346 bought 74,215 jars and cancelled them all 16 minutes later: the
    # pool of 3,859.18 is paid and clawed back in full, 70 / 30.
    assert sorted((r["role"], r["kind"], r["amount"]) for r in january if r["order_id"] == "541431") == [
        ("sales", "clawback", "-2701.43"),
        ("sales", "sale", "2701.43"),
        ("service", "clawback", "-1157.75"),
        ("service", "sale", "1157.75"),
    ]
    # After the departure (2011-07-01) the leaver's customers are inherited:
    # service 70 %, the successor 30 %, and the leaver is paid nothing new.
    with (out / "assignments.csv").open(encoding="utf-8", newline="") as fh:
        handed = {r["customer_id"]: r["staff_id"] for r in csv.DictReader(fh) if r["valid_to"] == "2011-07-01"}
    (leaver,) = set(handed.values())
    november = list(csv.DictReader(tandem("commissions", "export", "--period", "2011-11").stdout.splitlines()))
    inherited = [r for r in november if r["customer_id"] in handed and r["kind"] == "sale"]
    assert inherited
    assert {r["scenario"] for r in inherited} == {"inherited"}
    assert leaver not in {r["staff_id"] for r in november if r["kind"] == "sale"}
