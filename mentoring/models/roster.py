from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterImport(models.Model):
    """An uploaded roster workbook: validated and previewed first, applied on confirmation."""

    class Status(models.TextChoices):
        INVALID = "invalid", _("Has errors")
        PREVIEWED = "previewed", _("Ready to apply")
        APPLIED = "applied", _("Applied")

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Kept in the database, not on a local disk, so any web replica can apply what another one previewed.
    content = models.BinaryField()
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"
