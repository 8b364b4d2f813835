from django.contrib import admin
from django.core.exceptions import ValidationError

from accounts.admin import AnnouncesChanges, ReadOnly, SchoolAdminOnly
from mentoring.models import (
    AcademicYear,
    AdvisorAssignment,
    CounselorAssignment,
    MentorAssignment,
    PolicyVersion,
    QuotaRule,
    RosterImport,
    Semester,
    SensitiveRead,
    StudentFlag,
    TeachingWeek,
)
from mentoring.selectors.compliance import compliance_inputs_changed
from mentoring.services.calendar import semester_generate_weeks, semester_validate
from mentoring.services.policy import quota_rule_save, quota_rule_validate
from mentoring.tasks import dashboards_rewarm


class DropsCachedNumbers(AnnouncesChanges):
    """What the compliance engine reads, saved or deleted here, bypasses the services that drop the cached numbers
    it changes: this drops them all after the change (admin-site edits are rare)."""

    def _announce(self) -> None:
        compliance_inputs_changed()
        dashboards_rewarm()


class TeachingWeekInline(admin.TabularInline):
    model = TeachingWeek
    fields = ["number", "monday", "kind"]
    readonly_fields = ["number", "monday"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AcademicYear)
class AcademicYearAdmin(DropsCachedNumbers, SchoolAdminOnly, admin.ModelAdmin):
    list_display = ["__str__", "start_year"]


class SemesterForm(admin.ModelAdmin.form):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start_date") and cleaned.get("end_date"):
            try:
                semester_validate(
                    start_date=cleaned["start_date"], end_date=cleaned["end_date"], exclude_pk=self.instance.pk
                )
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return cleaned


@admin.register(Semester)
class SemesterAdmin(DropsCachedNumbers, SchoolAdminOnly, admin.ModelAdmin):
    """Weeks are generated from the dates; mark holiday and exam weeks in the list below the form."""

    form = SemesterForm
    list_display = ["__str__", "start_date", "end_date"]
    list_filter = ["academic_year"]
    inlines = [TeachingWeekInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        semester_generate_weeks(semester=form.instance)


class AssignmentAdmin(DropsCachedNumbers, SchoolAdminOnly, admin.ModelAdmin):
    list_filter = ["valid_from"]
    date_hierarchy = "valid_from"


@admin.register(MentorAssignment)
class MentorAssignmentAdmin(AssignmentAdmin):
    list_display = ["mentor", "student", "valid_from", "valid_until"]
    list_select_related = ["mentor", "student__user"]
    search_fields = ["mentor__number", "mentor__name", "student__user__number", "student__user__name"]
    raw_id_fields = ["mentor", "student"]


@admin.register(AdvisorAssignment)
class AdvisorAssignmentAdmin(AssignmentAdmin):
    list_display = ["advisor", "school_class", "valid_from", "valid_until"]
    list_select_related = ["advisor", "school_class"]
    search_fields = ["advisor__number", "advisor__name", "school_class__code"]
    raw_id_fields = ["advisor", "school_class"]


@admin.register(CounselorAssignment)
class CounselorAssignmentAdmin(AssignmentAdmin):
    list_display = ["counselor", "school_class", "valid_from", "valid_until"]
    list_select_related = ["counselor", "school_class"]
    search_fields = ["counselor__number", "counselor__name", "school_class__code"]
    raw_id_fields = ["counselor", "school_class"]


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["original_name", "uploaded_by", "status", "created", "applied_at"]
    exclude = ["content"]


class QuotaRuleForm(admin.ModelAdmin.form):
    def clean(self):
        cleaned = super().clean()
        candidate = self.instance
        for name, value in cleaned.items():
            setattr(candidate, name, value)
        try:
            quota_rule_validate(candidate)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        return cleaned


class QuotaRuleInline(admin.TabularInline):
    model = QuotaRule
    extra = 0
    fields = ["requirement", "role", "scope", "period", "minimum", "kinds", "college", "title_zh"]
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PolicyVersion)
class PolicyVersionAdmin(DropsCachedNumbers, SchoolAdminOnly, admin.ModelAdmin):
    list_display = ["code", "title", "effective_from"]
    inlines = [QuotaRuleInline]


@admin.register(QuotaRule)
class QuotaRuleAdmin(DropsCachedNumbers, SchoolAdminOnly, admin.ModelAdmin):
    """Rules are checked by the same validation as the service (a college rule may only be stricter, R-21)."""

    form = QuotaRuleForm
    list_display = ["requirement", "title_zh", "role", "scope", "period", "minimum", "college", "policy"]
    list_filter = ["policy", "role", "college"]

    def save_model(self, request, obj, form, change):
        quota_rule_save(actor=request.user, rule=obj)


@admin.register(StudentFlag)
class StudentFlagAdmin(DropsCachedNumbers, SchoolAdminOnly, admin.ModelAdmin):
    list_display = ["student", "flag", "valid_from", "valid_until", "set_by"]
    list_filter = ["flag"]
    raw_id_fields = ["student", "set_by"]


@admin.register(SensitiveRead)
class SensitiveReadAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "reader", "interaction", "via"]
    raw_id_fields = ["reader", "interaction"]
