"""What the evaluation app does when a cycle changes: the current cycle kept for the home page is read again."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from evaluation.models import Cycle
from evaluation.selectors.cycles import CYCLES_VERSION_KEY
from mentoring.models import AcademicYear
from mentoring.selectors.compliance import kept_changed


@receiver(post_save, sender=Cycle)
@receiver(post_delete, sender=Cycle)
@receiver(post_save, sender=AcademicYear)
@receiver(post_delete, sender=AcademicYear)
def _drop_kept_cycle(sender, **kwargs) -> None:
    """A cycle opened, moved to another phase or given new deadlines (all saved, never `.update()`d)."""
    kept_changed(CYCLES_VERSION_KEY)
