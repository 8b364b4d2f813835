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

        # When the evaluation goes back a phase, a published list refuses it and a draft proposal is discarded.
        from awards.services.step_back import cycle_stepping_back
        from evaluation.services.cycles import cycle_step_back_hooks

        if cycle_stepping_back not in cycle_step_back_hooks:
            cycle_step_back_hooks.append(cycle_stepping_back)
