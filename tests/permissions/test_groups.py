from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tandem.staff.accounts import ROLE_GROUPS, role_groups_sync, staff_user_link
from tandem.staff.models import Staff


def perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_the_migration_creates_the_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUPS)
    admin = perms("admin")
    assert {"sales.change_order", "commissions.delete_plan", "staff.add_staff"} <= admin

    finance = perms("finance")
    assert {
        "commissions.change_statement",
        "commissions.change_periodlock",
        "sales.view_order",
    } <= finance
    assert "sales.change_order" not in finance
    assert "customers.change_assignment" not in finance

    manager = perms("manager")
    assert {
        "customers.change_customer",
        "customers.change_assignment",
        "commissions.view_commissionline",
    } <= manager
    assert "commissions.change_statement" not in manager
    assert "sales.change_order" not in manager

    for role in ("sales", "service"):
        granted = perms(role)
        assert "customers.view_customer" in granted
        assert all(p.split(".")[1].startswith("view_") for p in granted)


@pytest.mark.django_db
def test_role_groups_sync_is_idempotent():
    first = role_groups_sync()
    assert role_groups_sync() == first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "is_staff", "is_superuser"),
    [
        ("sales", False, False),
        ("service", False, False),
        ("manager", True, False),
        ("finance", True, False),
        ("admin", True, True),
    ],
)
def test_staff_user_link(role, is_staff, is_superuser):
    staff = Staff.objects.create(staff_id="E1", name="张伟", role=role)
    user = staff_user_link(staff=staff, username="zhangwei", password="secret-123")
    staff.refresh_from_db()
    assert staff.user == user
    assert user.check_password("secret-123")
    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert (user.is_staff, user.is_superuser) == (is_staff, is_superuser)

    # Linking again (e.g. after a role change) moves the user to the new group only.
    staff.role = "sales"
    staff.save()
    again = staff_user_link(staff=staff, username="zhangwei")
    assert again.pk == user.pk
    assert again.check_password("secret-123")  # password kept when none is given
    assert list(again.groups.values_list("name", flat=True)) == ["sales"]
    assert not again.is_staff and not again.is_superuser
