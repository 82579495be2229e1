"""Admin of staff and teams. A staff member's name, role and dates are
written by `staff_upsert` (which records a change of the dates for
commission); the login is linked by `staff_user_link` (its role's group and
admin-site access come with it); the team, which no service writes and no
commission reads, is saved on the record. Staff are never deleted here:
a person who leaves gets a leaving date."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tandem.core.admin import HistoryAdmin, ServiceAdmin, ServiceForm

from .accounts import staff_user_link
from .models import Staff, Team
from .services import staff_upsert

admin.site.site_header = _("Tandem 管理后台")
admin.site.site_title = _("Tandem 管理后台")
admin.site.index_title = _("数据管理")


class ActiveFilter(admin.SimpleListFilter):
    title = _("在职状态")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("在职")), ("no", _("已离职"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(left_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(left_on__isnull=False)
        return queryset


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "member_count"]
    list_filter = ["department"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("members"))

    @admin.display(description=_("人数"), ordering="_members")
    def member_count(self, obj):
        return obj._members


class StaffForm(ServiceForm):
    class Meta:
        model = Staff
        fields = ["staff_id", "name", "role", "team", "hired_on", "left_on", "user"]

    def service_call(self) -> Staff:
        data = self.cleaned_data
        staff, _changed = staff_upsert(
            staff_id=self.instance.pk,
            name=data["name"],
            role=data["role"],
            hired_on=data["hired_on"],
            left_on=data["left_on"],
        )
        return staff


@admin.register(Staff)
class StaffAdmin(HistoryAdmin, ServiceAdmin):
    form = StaffForm
    list_display = ["staff_id", "name", "role", "team", "hired_on", "left_on", "user"]
    list_filter = ["role", "team", ActiveFilter]
    search_fields = ["staff_id", "name", "user__username"]
    list_select_related = ["team", "user"]
    raw_id_fields = ["user"]
    ordering = ["staff_id"]

    def get_readonly_fields(self, request, obj=None):
        # The id is the company's own key: changing it here would create a new person.
        return ["staff_id"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        staff = Staff.objects.select_related("user").get(pk=obj.pk)
        team, user = form.cleaned_data["team"], form.cleaned_data["user"]
        if staff.team_id != (team.pk if team else None):
            staff.team = team
            staff.save(update_fields=["team"])
        if user is not None and staff.user_id != user.pk:
            staff_user_link(staff=staff, username=user.get_username())
        elif user is None and staff.user_id is not None:
            staff.user = None
            staff.save(update_fields=["user"])
        obj.team_id, obj.user_id = staff.team_id, (user.pk if user else None)
