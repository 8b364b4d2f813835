"""The awards in the admin site: for the school admin to look things up, and to change only what a service changes.

The list itself (awards, the committee's changes, objections, the list's state, selection runs) is read-only here:
it moves only through `awards.services`, which keep the reasons and the audit trail. Caps, stipends and work
allowances are changed here through the same services (a cap or stipend change needs a reason), and only while
the services would accept it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnly, SchoolAdminOnly
from awards.models import (
    Adjustment,
    Award,
    AwardCategory,
    AwardSlate,
    AwardState,
    Objection,
    SelectionRun,
    WorkAllowance,
)
from awards.services.categories import category_update
from awards.services.publicity import allowance_set

EDITABLE_STATES = (AwardState.PREPARED, AwardState.PROPOSED)


class ServiceForm(forms.ModelForm):
    """A change form whose saving is a service call, made last in validation: a refusal shows on the form.

    The admin wraps the request in a transaction and the form has no inlines, so the service's write is kept only
    when the form is valid. Subclasses say which service in `apply`; `actor` is bound by `ServiceAdmin.get_form`.
    """

    actor = None

    def _post_clean(self):
        super()._post_clean()
        if self._errors:
            return
        try:
            self.instance = self.apply()
        except PermissionDenied as refused:
            self.add_error(None, str(refused))
        except ValidationError as refused:
            if not hasattr(refused, "error_dict"):
                self.add_error(None, refused)
                return
            for field, errors in refused.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)


class ServiceAdmin(SchoolAdminOnly, admin.ModelAdmin):
    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        """Saved already, by the service in `ServiceForm.apply`."""

    def has_delete_permission(self, request, obj=None):
        return False


class AwardCategoryForm(ServiceForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the award change log and the audit trail."),
    )

    def apply(self):
        return category_update(
            actor=self.actor,
            category=self.instance,
            cap=self.cleaned_data.get("cap"),
            stipend=self.cleaned_data.get("stipend"),
            reason=self.cleaned_data.get("reason", ""),
        )


@admin.register(AwardCategory)
class AwardCategoryAdmin(ServiceAdmin):
    """Categories come from the policy's award table; the cycle's caps and stipends change with a reason."""

    form = AwardCategoryForm
    list_display = ["name_zh", "cycle", "role", "rank", "cap", "stipend", "scope"]
    list_filter = ["cycle__academic_year", "role"]
    list_select_related = ["cycle__academic_year"]
    fields = ["cycle", "role", "rank", "code", "name_zh", "name_en", "scope", "cap", "stipend", "reason"]
    readonly_fields = ["cycle", "role", "rank", "code", "name_zh", "name_en", "scope"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not AwardSlate.objects.filter(cycle_id=obj.cycle_id, state__in=EDITABLE_STATES).exists():
            return False
        return super().has_change_permission(request, obj)


class WorkAllowanceForm(ServiceForm):
    def apply(self):
        instance = self.instance
        return allowance_set(
            actor=self.actor,
            academic_year=self.cleaned_data.get("academic_year") or instance.academic_year,
            role=self.cleaned_data.get("role") or instance.role,
            amount=self.cleaned_data.get("amount"),
        )


@admin.register(WorkAllowance)
class WorkAllowanceAdmin(ServiceAdmin):
    """The work allowance per role and year (R-23); fixed once that year's award list is final."""

    form = WorkAllowanceForm
    list_display = ["academic_year", "role", "amount", "set_by", "updated"]
    list_filter = ["academic_year", "role"]
    list_select_related = ["academic_year", "set_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["academic_year", "role", "set_by"] if obj is not None else ["set_by"]

    def has_change_permission(self, request, obj=None):
        if (
            obj is not None
            and AwardSlate.objects.filter(
                cycle__academic_year_id=obj.academic_year_id, state=AwardState.FINALISED
            ).exists()
        ):
            return False
        return super().has_change_permission(request, obj)


@admin.register(AwardSlate)
class AwardSlateAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["cycle", "state", "selected_at", "publicity_from", "publicity_until", "finalised_at"]
    list_filter = ["state"]
    list_select_related = ["cycle__academic_year"]


@admin.register(Award)
class AwardAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["person", "category", "role", "college", "role_rank", "final_score", "tied", "source", "cycle"]
    list_filter = ["cycle__academic_year", "role", "source", "tied"]
    list_select_related = ["person", "category", "college", "cycle__academic_year"]
    search_fields = ["person__number", "person__name"]


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created", "cycle", "action", "person", "category_from", "category_to", "actor", "reason"]
    list_filter = ["cycle__academic_year", "action"]
    list_select_related = ["cycle__academic_year", "person", "category_from", "category_to", "actor"]
    search_fields = ["person__number", "person__name", "reason"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnly, admin.ModelAdmin):
    """Objections are resolved on the publicity page, where the resolution's reason is given."""

    list_display = ["filed", "cycle", "subject", "category", "filed_by", "state", "resolved"]
    list_filter = ["cycle__academic_year", "state"]
    list_select_related = ["cycle__academic_year", "subject", "category", "filed_by"]
    search_fields = ["subject__number", "subject__name", "filed_by__number"]


@admin.register(SelectionRun)
class SelectionRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created", "cycle", "requested_by", "state", "progress", "awards", "finished"]
    list_filter = ["state"]
    list_select_related = ["cycle__academic_year", "requested_by"]
