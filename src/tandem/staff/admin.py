from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tandem.core.changes import staff_changed

from .models import Staff, Team

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


@admin.register(Staff)
class StaffAdmin(SimpleHistoryAdmin):
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
        if change and {"hired_on", "left_on"} & set(form.changed_data):
            staff_changed([obj.pk])
