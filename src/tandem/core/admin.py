"""The admin is a client of the services, never a second write path.

What a service writes is written from the admin only by calling that
service: a `ServiceForm` names the call, validates by making it in a
savepoint that is always rolled back (the service's refusal becomes the
form's error, in the service's words) and `ServiceAdmin.save_model` makes it
for real. What no service lets a person write is `ReadOnlyAdmin`, for
superusers too. The admin records no change facts: the services do.
docs/decisions.md lists the choice made for each model."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.forms.models import construct_instance
from simple_history.admin import SimpleHistoryAdmin

from .errors import TandemError
from .models import ChangeFact


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, edited or deleted here, whatever the user's
    permissions (the delete action disappears with the permission)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryAdmin(SimpleHistoryAdmin):
    """Change history, shown only. simple_history's page of an old version
    saves it back when posted to, for anyone who may view the record: a
    write behind the services (a customer's old developer restored with no
    change fact). Here that page only shows the version."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class _DryRun(Exception):
    """Raised to roll back the savepoint of a validating service call."""


class ServiceForm(forms.ModelForm):
    """A model form written by a service, which is also its one validator.

    `service_call()` calls the service with the cleaned data and returns the
    saved record. Validation makes the call in a savepoint that is always
    rolled back, so nothing is written and no fact recorded; a TandemError
    (the services raise InvalidInput) becomes a form error with the
    service's message. The model's own checks are not run: the service
    states each rule, in its words, and a rule said twice drifts apart."""

    def service_call(self) -> models.Model:
        raise NotImplementedError(f"{type(self).__name__} must name the service it calls")

    def _post_clean(self) -> None:
        # Replaces ModelForm's model validation: the instance still takes the
        # values (the page shows them again), and an added record's id must
        # be new (the services upsert by id: an add must never edit another
        # record).
        opts = self._meta
        try:
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        except forms.ValidationError as error:
            self.add_error(None, error)
        if self.instance._state.adding:
            self.validate_unique()
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.service_call()
                raise _DryRun
        except _DryRun:
            pass
        except TandemError as error:
            self.add_error(None, str(error))


class ServiceAdmin(admin.ModelAdmin):
    """Saves through the form's service call; deleting is refused (ledger
    rows are appended to, corrections are new rows)."""

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = form.service_call()
        # The admin's message, log entry and redirect name the saved record.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(self, request, form, formsets, change):
        # No many-to-many field and no inline is written behind the service.
        if formsets:
            raise ValueError(f"{type(self).__name__}: inlines are not saved through a service")


@admin.register(ChangeFact)
class ChangeFactAdmin(ReadOnlyAdmin):
    list_display = ["id", "subject", "ident", "role", "since"]
    list_filter = ["subject"]
    search_fields = ["=ident"]
    ordering = ["-id"]
    show_full_result_count = False
