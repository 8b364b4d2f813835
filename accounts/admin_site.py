from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm


class YurenAdminSite(admin.AdminSite):
    site_header = _("Yuren administration")
    site_title = _("Yuren")
    index_title = _("Master data")
    login_form = AdminLoginForm

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.has_perm("accounts.use_admin_site"))
