"""Loading the demo company the way a company's own data comes in.

The generated staff, customers, assignments and orders are written as
exchange files and imported by `tandem.exchange.importers.import_files`, the
code behind `tandem import`: the same checks, history rows (change reason
`import demo-<kind>.csv`) and change facts. What those files do not
carry is written by the domains' own writers: teams and team membership
(model saves, with history), the releases (the ledger's `assignment_open` and
`assignment_close`), contacts, role groups and the demo logins
(`staff.accounts`). All of it is one transaction; the full commission run
follows.

Django's models are imported inside the functions: `tandem.demo.company`
is used without Django by the benchmark generator, and importing it runs
this package's `__init__`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection, transaction

from .company import DemoCompany, generate, write_files
from .service_desk import ServiceHistory, generate_service_history, write_service_files

if TYPE_CHECKING:
    from tandem.exchange.importers import FileResult

DEMO_PASSWORD = "tandem-demo"

# username -> what the person is, in the order the logins are shown.
DEMO_LOGINS: tuple[tuple[str, str], ...] = (
    ("gm", "总经理"),
    ("sales_manager", "销售经理（华东销售部）"),
    ("service_manager", "客服经理（客服一组）"),
    ("sales", "销售"),
    ("service", "客服"),
    ("finance", "财务"),
    ("admin", "管理员"),
)

FILE_PREFIX = "demo-"  # the import's change reason names the file: "import demo-customers.csv"
TEAM_REASON = "演示数据：所属团队"


@dataclass
class DemoSummary:
    created: bool
    staff: int = 0
    customers: int = 0
    contacts: int = 0
    assignments: int = 0
    releases: int = 0
    orders: int = 0
    refunds: int = 0
    logins: int = 0
    start: dt.date | None = None
    end: dt.date | None = None
    # The service desk's year: rows imported, and what its services wrote.
    followups: int = 0
    callbacks: int = 0
    complaints: int = 0
    surveys: int = 0
    opportunities: int = 0
    load_seconds: float = 0.0
    run_seconds: float | None = None  # None: not run (run=False)
    run_result: object = None
    imported: list[FileResult] = field(default_factory=list)  # what the import did, per file


def demo_load(
    *,
    seed: int = 42,
    customers: int = 2000,
    today: dt.date | None = None,
    if_empty: bool = False,
    run: bool = True,
) -> DemoSummary:
    """Load the demo company into the (empty) database and, with `run`, run
    the commissions in full. With `if_empty`, a database that already has
    customers is left alone (created=False); without, it is refused."""
    from django.utils import timezone

    from tandem.core.db import refresh_statistics
    from tandem.core.errors import TandemError
    from tandem.customers.models import Customer
    from tandem.exchange.importers import import_files
    from tandem.exchange.plans import plans_ensure_default
    from tandem.sales.models import Order

    if Customer.objects.exists():
        if if_empty:
            return DemoSummary(created=False)
        raise TandemError(
            "数据库中已有客户数据：演示数据只能载入空数据库（或加 --if-empty 跳过）。"
        )

    started = time.perf_counter()
    company = generate(seed=seed, customers=customers, today=today or timezone.localdate())
    history = generate_service_history(company)
    with tempfile.TemporaryDirectory(prefix="tandem-demo-") as directory:
        paths, counts = write_files(company, Path(directory), prefix=FILE_PREFIX)
        desk = write_service_files(history, Path(directory), prefix=FILE_PREFIX)
        with transaction.atomic():
            # The commissions need a plan: the shipped default one, unless the
            # database has plans (the command's own set-up loads it into a
            # new database; a database created otherwise may have none).
            plans_ensure_default()
            results = import_files([str(p) for p in (*paths.values(), *desk.values())])
            _teams_write(company)
            _releases_write(company)
            _contacts_write(company)
            _logins_write(company)
            _service_desk_write(history)
    # Inside the transaction the import leaves PostgreSQL's statistics to
    # autovacuum; the run that follows reads these tables at once.
    refresh_statistics([Order._meta.db_table])
    summary = DemoSummary(
        created=True,
        staff=counts["staff"],
        customers=counts["customers"],
        contacts=len(company.contacts),
        assignments=len(company.assignments),
        releases=len(company.releases),
        orders=counts["orders"],
        refunds=counts["refunds"],
        logins=len(company.logins),
        followups=len(history.followups),
        callbacks=len(history.callbacks),
        complaints=len(history.complaints),
        surveys=len(history.surveys),
        opportunities=len(history.opportunities),
        start=company.start,
        end=company.end,
        load_seconds=time.perf_counter() - started,
        imported=results,
    )
    if run:
        from tandem.commissions.runs import run_commissions

        # The run starts on a fresh connection: the load leaves this one with
        # its temporary storage in use, which SQLite settings of a run may not
        # change any more.
        connection.close()
        started = time.perf_counter()
        summary.run_result = run_commissions(full=True)
        summary.run_seconds = time.perf_counter() - started
    return summary


def _teams_write(company: DemoCompany) -> None:
    """Teams and who is in which (the staff file has no team column)."""
    from tandem.staff.models import Staff, Team

    teams = {}
    for row in company.teams:
        team, _created = Team.objects.update_or_create(
            name=row.name, defaults={"department": row.department}
        )
        teams[row.name] = team
    wanted = {s.staff_id: teams[s.team] for s in company.staff if s.team}
    for staff in Staff.objects.filter(staff_id__in=list(wanted)):
        team = wanted[staff.staff_id]
        if staff.team_id != team.pk:
            staff.team = team
            staff._change_reason = TEAM_REASON  # type: ignore[attr-defined]
            staff.save(update_fields=["team"])


def _releases_write(company: DemoCompany) -> None:
    """The busy salespeople's releases, through the ledger's services: to a
    colleague (the giver's row closes, the colleague's opens with reason
    release) or to the pool (the giver's row closes)."""
    from tandem.customers.models import Assignment, Customer, Reason
    from tandem.customers.services import assignment_close, assignment_open
    from tandem.staff.models import Staff

    releases = company.releases
    customers = Customer.objects.in_bulk([r.customer_id for r in releases])
    receivers = Staff.objects.in_bulk([r.receiver.staff_id for r in releases if r.receiver])
    for release in releases:
        if release.receiver is not None:
            assignment_open(
                customer=customers[release.customer_id],
                role="sales",
                staff=receivers[release.receiver.staff_id],
                valid_from=release.day,
                reason=Reason.RELEASE,
                note=release.receiver.note,
            )
        else:
            row = Assignment.objects.get(
                customer_id=release.customer_id, role="sales", valid_from=release.giver.valid_from
            )
            assignment_close(assignment=row, valid_to=release.day, end_reason="release")


EXCEPTION_REASON = "收货地址有误，改期配送"


def _service_desk_write(history: ServiceHistory) -> None:
    """What the service desk's files do not carry, through its services:
    praise, managers' notes of thanks, the opportunities callbacks opened
    and the orders that followed, and where the last weeks' orders stand
    (delivered ones get their callback planned)."""
    from tandem.service.models import Callback, SurveyAnswer
    from tandem.service.services import (
        opportunity_link_order,
        opportunity_open,
        order_stage_set,
        order_stages_ensure_default,
        praise_mark,
        thanks_note_write,
    )

    order_stages_ensure_default()
    praised = [c.callback_id for c in history.callbacks if c.praise]
    for callback in Callback.objects.filter(pk__in=praised):
        praise_mark(record=callback)
    praised = [s.survey_id for s in history.surveys if s.praise]
    for answer in SurveyAnswer.objects.filter(pk__in=praised):
        praise_mark(record=answer)
    for note in history.thanks:
        thanks_note_write(staff=note.staff_id, author=note.author_id, written_on=note.written_on, text=note.text)
    calls = Callback.objects.in_bulk([o.callback_id for o in history.opportunities])
    for row in history.opportunities:
        opportunity = opportunity_open(
            customer=row.customer_id, staff=row.staff_id, opened_on=row.opened_on, callback=calls[row.callback_id],
            note="回访时客户表示还要再订货",
        )
        for order_id in row.order_ids:
            opportunity_link_order(opportunity=opportunity, order=order_id)
    for order_id, stage, day in history.tracking:
        order_stage_set(
            order=order_id, stage=stage, on=day, reason=EXCEPTION_REASON if stage == "exception" else "",
            actor="demo",
        )


def _contacts_write(company: DemoCompany) -> None:
    from tandem.customers.models import Contact

    Contact.objects.bulk_create(
        [
            Contact(
                customer_id=c.customer_id,
                name=c.name,
                title=c.title,
                phone=c.phone,
                email=c.email,
                is_primary=c.is_primary,
            )
            for c in company.contacts
        ],
        batch_size=2000,
    )


def _logins_write(company: DemoCompany) -> None:
    from django.contrib.auth.hashers import make_password

    from tandem.staff.accounts import role_groups_sync, staff_user_link
    from tandem.staff.models import Staff

    role_groups_sync()
    password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared by the demo logins
    staff = Staff.objects.in_bulk(list(company.logins.values()))
    for username, staff_id in company.logins.items():
        staff_user_link(staff=staff[staff_id], username=username, password_hash=password_hash)


def demo_logins_present() -> list[tuple[str, str, str, bool]]:
    """The demo logins that exist in this database, as (username, staff name,
    role description, password is still the demo one). Empty when this is
    not a demo database."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password

    users = {
        u.username: u
        for u in get_user_model()
        .objects.filter(username__in=[name for name, _ in DEMO_LOGINS])
        .select_related("staff")
    }
    checked: dict[str, bool] = {}  # one hash check per distinct stored hash
    rows = []
    for username, description in DEMO_LOGINS:
        user = users.get(username)
        if user is None or not hasattr(user, "staff"):
            continue
        if user.password not in checked:
            checked[user.password] = check_password(DEMO_PASSWORD, user.password)
        rows.append((username, user.staff.name, description, checked[user.password]))
    if not any(row[3] for row in rows):
        return []
    return rows
