"""Login accounts of staff: the role groups and their model permissions, and
linking a staff member to the user they log in as.

Model permissions say what kind of record a role may read or edit at all;
which records it sees is decided per object by `customers.permissions` and
`commissions.permissions`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from .models import Role, Staff

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

# The apps whose models are Tandem's own (groups get permissions on these only).
TANDEM_APPS = ("staff", "customers", "sales", "commissions", "exchange", "service", "insights")

ROLE_GROUPS: tuple[str, ...] = tuple(Role.values)  # sales, service, manager, finance, admin

# Roles that may open Django's admin site (is_staff).
ADMIN_SITE_ROLES = frozenset({Role.MANAGER, Role.FINANCE, Role.ADMIN})

# model -> the actions beyond "view" a role may take on it.
_EDITS: dict[str, dict[str, frozenset[str]]] = {
    Role.MANAGER: {
        "customers.customer": frozenset({"change"}),
        "customers.contact": frozenset({"add", "change"}),
        "customers.assignment": frozenset({"add", "change"}),
        # The service desk: managers record and correct its work.
        "service.followup": frozenset({"add", "change"}),
        "service.callback": frozenset({"add", "change"}),
        "service.complaint": frozenset({"add", "change"}),
        "service.surveyanswer": frozenset({"add", "change"}),
        "service.thanksnote": frozenset({"add"}),
        "service.orderstage": frozenset({"add", "change"}),
        "service.ordertracking": frozenset({"change"}),
        "service.deskrules": frozenset({"add", "change"}),
    },
    Role.FINANCE: {
        "commissions.statement": frozenset({"add", "change"}),
        "commissions.periodlock": frozenset({"add", "change"}),
    },
}

# What salespeople and service staff may read (rows filtered per object).
_FRONT_LINE_VIEWS = frozenset(
    {
        "staff.staff",
        "staff.team",
        "customers.customer",
        "customers.contact",
        "customers.assignment",
        "sales.order",
        "commissions.plan",
        "commissions.commissionline",
        "commissions.statement",
        "service.followup",
        "service.callback",
        "service.complaint",
        "service.surveyanswer",
        "service.opportunity",
        "service.thanksnote",
    }
)


def role_grants(role: str, *, model: str, action: str, historical: bool) -> bool:
    """Whether the role's group holds `<action>_<model>` (model as
    "app_label.model_name"). Pure: the migration and `role_groups_sync` use it."""
    if role == Role.ADMIN:
        return True
    if historical:
        # Change history is read through the tracked model's admin page.
        return False
    if role in (Role.FINANCE, Role.MANAGER):
        return action == "view" or action in _EDITS[role].get(model, frozenset())
    if role in (Role.SALES, Role.SERVICE):
        return action == "view" and model in _FRONT_LINE_VIEWS
    return False


def role_groups_sync(*, apps: Any = None) -> dict[str, int]:
    """Create the role groups and set their permissions from `role_grants`.
    Idempotent; `apps` is the migration's app registry when run from one.
    Returns the number of permissions per group."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(content_type__app_label__in=TANDEM_APPS).select_related(
            "content_type"
        )
    )
    counts: dict[str, int] = {}
    for role in ROLE_GROUPS:
        group, _ = Group.objects.get_or_create(name=role)
        granted = []
        for perm in perms:
            action, _, _rest = perm.codename.partition("_")
            ct = perm.content_type
            historical = ct.model.startswith("historical")
            if role_grants(
                role, model=f"{ct.app_label}.{ct.model}", action=action, historical=historical
            ):
                granted.append(perm)
        group.permissions.set(granted)
        counts[role] = len(granted)
    return counts


def staff_for_user(user: AbstractUser | AnonymousUser | None) -> Staff | None:
    """The staff record a logged-in user belongs to (with its team), or None.
    Kept in the user's `staff` relation cache, so `user.staff` in templates
    costs no further query."""
    if user is None or not user.is_authenticated:
        return None
    cache = user._state.fields_cache  # type: ignore[union-attr]
    if "staff" in cache:
        return cache["staff"]
    staff = Staff.objects.select_related("team").filter(user_id=user.pk).first()
    cache["staff"] = staff
    return staff


def staff_user_link(
    *, staff: Staff, username: str, password: str | None = None, password_hash: str | None = None
):
    """Create (or reuse) the login user `username` for `staff`, link it, put it
    in its role's group (and only that one), and give admin-site access to
    managers, finance and admins (superuser for admins).

    Pass `password` (hashed here) or an already hashed `password_hash`; with
    neither, an existing user's password is kept and a new one gets an
    unusable password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            if password is None and password_hash is None:
                user.set_unusable_password()
        if password is not None:
            user.set_password(password)
        elif password_hash is not None:
            user.password = password_hash
        user.first_name = staff.name[:150]
        user.is_staff = staff.role in ADMIN_SITE_ROLES
        user.is_superuser = staff.role == Role.ADMIN
        user.is_active = True
        user.save()
        group, created = Group.objects.get_or_create(name=staff.role)
        if created:
            role_groups_sync()
        user.groups.set([group])
        # A user logs in as one staff member: unlink whoever held this user before.
        Staff.objects.filter(user=user).exclude(pk=staff.pk).update(user=None)
        if staff.user_id != user.pk:
            staff.user = user
            staff.save(update_fields=["user"])
    return user
