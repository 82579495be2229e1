"""Who may use which page. Which rows a page shows is decided by the
domains (`customers.permissions`, `commissions.permissions`); this module
only says which pages a role has at all, and names the kind of home page."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tandem.staff.models import Role, Staff


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str


def home_kind(user, staff: Staff | None) -> str:
    """sales, service, manager (a team's), gm (a manager with no team),
    finance, admin, or none (a login with no staff record)."""
    if staff is None:
        return "admin" if user.is_superuser else "none"
    if staff.role == Role.MANAGER:
        return "gm" if staff.is_general_manager else "manager"
    return str(staff.role)


def may_import(user, staff: Staff | None) -> bool:
    """Imports write staff, customers, ownership and orders for the whole
    company: administrators and finance (who keep the books) only."""
    return home_kind(user, staff) in ("admin", "finance")


def may_run_commissions(user, staff: Staff | None) -> bool:
    return home_kind(user, staff) in ("admin", "finance")


def navigation(user, staff: Staff | None) -> list[NavItem]:
    kind = home_kind(user, staff)
    items = [NavItem("home", str(_("首页")), reverse("web:home"))]
    if kind != "none":
        items.append(NavItem("customers", str(_("客户")), reverse("customers:list")))
        items.append(NavItem("orders", str(_("订单")), reverse("orders:list")))
    if may_import(user, staff):
        items.append(NavItem("imports", str(_("导入")), reverse("imports:upload")))
    if may_run_commissions(user, staff):
        items.append(NavItem("jobs", str(_("后台任务")), reverse("jobs:list")))
    return items
