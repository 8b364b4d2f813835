"""Deadline reminder of the awards (issue 7): the committee is told when the award list's publicity ends.

While a list is in publicity, the school admins (who act for the award committee) are reminded 3 days and 1 day
before its last day (the evaluation's DEADLINE_LEAD_DAYS and catch-up rule): how many objections are still open,
and from which day the list can be finalised. Decided from the database at run time; the key
`cycle-<id>-publicity-<n>d` keeps a second run from sending twice. Mandatory: it cannot be muted.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, RoleGrant
from accounts.notifications.reasons import reason_register
from awards.models import AwardSlate, AwardState, Objection, ObjectionState
from evaluation.reminders import DeadlinePlan, Pending, deadline_plans_queue, deadline_stage, when_text

PUBLICITY_END = reason_register(
    "deadline.publicity_end",
    gettext_lazy("End of the award list's publicity: the award committee (school admins)"),
    mandatory=True,
)


def committee_ids() -> list[int]:
    """The award committee acts through the school admins (awards.services.common.require_committee)."""
    return list(
        RoleGrant.objects.filter(role=Role.SCHOOL_ADMIN, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def publicity_end_plans(*, today: date) -> list[DeadlinePlan]:
    """A reminder for every list in publicity whose last day is at a reminder stage on `today`."""
    plans = []
    slates = AwardSlate.objects.filter(state=AwardState.PUBLICITY, publicity_until__gte=today)
    for slate in slates.select_related("cycle__academic_year").order_by("pk"):
        lead = deadline_stage(deadline=slate.publicity_until, today=today)
        if lead is None:
            continue
        cycle = slate.cycle
        words = {
            "year": cycle.academic_year,
            "deadline": slate.publicity_until.isoformat(),
            "when": when_text(deadline=slate.publicity_until, today=today),
            "open": Objection.objects.filter(cycle=cycle, state=ObjectionState.OPEN).count(),
            "next": (slate.publicity_until + timedelta(days=1)).isoformat(),
        }
        link = reverse("awards:committee", kwargs={"year": cycle.academic_year.start_year})
        plans.append(
            DeadlinePlan(
                reason=PUBLICITY_END.code,
                period_key=f"cycle-{cycle.pk}-publicity-{lead}d",
                subject=_("The publicity of the %(year)s award list ends on %(deadline)s") % words,
                intro=_(
                    "The publicity of the %(year)s award list ends on %(deadline)s (%(when)s). "
                    "Objections still open: %(open)s. Resolve them; the list can be finalised from %(next)s."
                )
                % words,
                pending=[Pending(person_id, link=link) for person_id in committee_ids()],
            )
        )
    return plans


def publicity_end_queue(*, today: date) -> list[int]:
    """Queue the publicity-end reminders due on `today`; returns the ids waiting to be sent."""
    with translation.override(settings.LANGUAGE_CODE):
        return deadline_plans_queue(publicity_end_plans(today=today))
