from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Awards")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # When an evaluation cycle reaches school review, its award categories are prepared (after the commit).
        from django.db.models.signals import post_save

        from awards.services.categories import cycle_reached_school_review
        from evaluation.models import Cycle

        post_save.connect(cycle_reached_school_review, sender=Cycle, dispatch_uid="awards_prepare_on_school_review")
