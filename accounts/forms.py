"""Login forms: the login is the staff or student number (`User.USERNAME_FIELD`)."""

from __future__ import annotations

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class NumberAuthenticationForm(AuthenticationForm):
    """Authenticates with `number=`, not `username=`.

    django-axes counts failures under `AXES_USERNAME_FORM_FIELD`, which defaults to `USERNAME_FIELD` ("number").
    Django's form passes `username=`, so axes would record every failure without a username and check the lock
    under another key: the lockout page showed, yet the right password still got in.
    """

    def clean(self):
        number = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if number is not None and password:
            credentials = {get_user_model().USERNAME_FIELD: number, "password": password}
            self.user_cache = authenticate(self.request, **credentials)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AdminLoginForm(NumberAuthenticationForm):
    """The admin site's login: admits who may use the admin site (school admins), not Django's `is_staff` flag."""

    required_css_class = "required"
    error_messages = {
        **NumberAuthenticationForm.error_messages,
        "not_admin": _("Only school admins may use the master data pages."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.has_perm("accounts.use_admin_site"):
            raise ValidationError(self.error_messages["not_admin"], code="not_admin")
