from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEntry, College, Major, RoleGrant, SchoolClass, Staff, Student, User
from accounts.signals import org_changed_outside_services


class SchoolAdminOnly:
    """Master data is the school admins' (and superusers') to maintain."""

    def _allowed(self, request) -> bool:
        return request.user.has_perm("accounts.use_admin_site")

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class AnnouncesChanges:
    """People and the organisation saved or deleted here bypass the services, which tell the apps above what they
    changed: this says so instead (`org_changed_outside_services`), after the change."""

    def _announce(self) -> None:
        org_changed_outside_services.send(sender=self.model)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._announce()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._announce()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._announce()


class ReadOnly(SchoolAdminOnly):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(AnnouncesChanges, SchoolAdminOnly, DjangoUserAdmin):
    ordering = ["number"]
    list_display = ["number", "name", "email", "is_active"]
    search_fields = ["number", "name", "email"]
    list_filter = ["is_active", "is_superuser"]
    fieldsets = (
        (None, {"fields": ("number", "password")}),
        (_("Personal info"), {"fields": ("name", "email", "phone")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("number", "name", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ()


@admin.register(College)
class CollegeAdmin(AnnouncesChanges, SchoolAdminOnly, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Major)
class MajorAdmin(AnnouncesChanges, SchoolAdminOnly, admin.ModelAdmin):
    list_display = ["code", "name", "college"]
    list_filter = ["college"]
    search_fields = ["code", "name"]


@admin.register(SchoolClass)
class SchoolClassAdmin(AnnouncesChanges, SchoolAdminOnly, admin.ModelAdmin):
    list_display = ["code", "name", "major", "cohort"]
    list_filter = ["major__college", "cohort"]
    search_fields = ["code", "name"]
    list_select_related = ["major"]


@admin.register(Student)
class StudentAdmin(AnnouncesChanges, SchoolAdminOnly, admin.ModelAdmin):
    list_display = ["user", "school_class"]
    list_select_related = ["user", "school_class"]
    search_fields = ["user__number", "user__name"]
    raw_id_fields = ["user", "school_class"]


@admin.register(Staff)
class StaffAdmin(AnnouncesChanges, SchoolAdminOnly, admin.ModelAdmin):
    list_display = ["user", "college", "title"]
    list_select_related = ["user", "college"]
    list_filter = ["college"]
    search_fields = ["user__number", "user__name"]
    raw_id_fields = ["user"]


@admin.register(RoleGrant)
class RoleGrantAdmin(SchoolAdminOnly, admin.ModelAdmin):
    list_display = ["user", "role", "college", "created"]
    list_filter = ["role", "college"]
    raw_id_fields = ["user"]
    readonly_fields = ["granted_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created", "actor", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "actor__number"]
