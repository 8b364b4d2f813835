from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Annual evaluation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from evaluation import signals  # noqa: F401 - connects the receivers

        # Opening a cycle freezes the judged year's records (the hook keeps mentoring free of evaluation imports).
        from evaluation.selectors.cycles import frozen_message
        from mentoring.services.records import record_freeze_checks

        if frozen_message not in record_freeze_checks:
            record_freeze_checks.append(frozen_message)
