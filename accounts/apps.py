from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("People and organisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every app registers its notification reasons in `<app>/reminders.py` (accounts.notifications.reasons).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("reminders")


class YurenAdminConfig(admin_apps.AdminConfig):
    """Django admin whose site admits school admins (by role grant), not `is_staff` users."""

    default = False
    default_site = "accounts.admin_site.YurenAdminSite"
