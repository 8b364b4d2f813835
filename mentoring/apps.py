from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring work")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mentoring import (
            lookups,  # noqa: F401 - registers the any_of lookup
            signals,  # noqa: F401 - connects the receivers
        )
