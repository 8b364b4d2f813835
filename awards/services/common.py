"""What every award service shares: who may act, the locked award list, reasons, working days."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import is_school_admin
from awards.models import AwardSlate, AwardState
from evaluation.models import Cycle, Phase

SELECTION_PHASES = (Phase.SCHOOL, Phase.CLOSED)
REASON_MAX = 1000


def require_committee(actor: User | None) -> None:
    """The award committee acts through the school admin (academic affairs office); `None` is the system."""
    if actor is not None and not is_school_admin(actor):
        raise PermissionDenied(_("Only the school admin (academic affairs office) acts for the award committee."))


def reason_of(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Give a reason: it is kept with the change and shown to the committee.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({field: _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}})
    return reason


def slate_lock(cycle: Cycle) -> AwardSlate:
    """The cycle's award list, locked for this transaction; a clear refusal when its categories are not ready."""
    slate = AwardSlate.objects.select_for_update().select_related("cycle__academic_year").filter(cycle=cycle).first()
    if slate is None:
        raise ValidationError(
            {
                "cycle": _(
                    "The awards of %(year)s are not prepared yet: they are prepared when the evaluation reaches "
                    "school review."
                )
                % {"year": cycle.academic_year}
            }
        )
    return slate


def require_state(slate: AwardSlate, *states: str, field: str = "state") -> None:
    if slate.state not in states:
        allowed = ", ".join(str(AwardState(s).label) for s in states)
        raise ValidationError(
            {
                field: _("The award list is “%(state)s”; this can be done only when it is: %(allowed)s.")
                % {"state": slate.get_state_display(), "allowed": allowed}
            }
        )


def working_days_end(start: date, days: int) -> date:
    """The last day of a period of `days` working days (Monday–Friday) that starts on `start`.

    No holiday calendar: a public holiday inside the period counts as a working day.
    """
    day = start
    while day.weekday() >= 5:
        day += timedelta(days=1)
    counted = 1
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day
