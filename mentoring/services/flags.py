"""Dated flags on students (academic difficulty, warning, demoted, crisis, outstanding, party activist)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Student, User
from accounts.rules import administers_college
from accounts.services import audit_record
from mentoring.models import CounselorAssignment, FlagType, StudentFlag
from mentoring.selectors.compliance import holdings_changed


def flag_may_set(user: User, student: Student, day: date) -> bool:
    """Counselors of the student's class and admins of the student's college set flags."""
    if administers_college(user, student.school_class.major.college):
        return True
    return (
        CounselorAssignment.objects.valid_on(day)
        .filter(counselor=user, school_class_id=student.school_class_id)
        .exists()
    )


@transaction.atomic
def flag_set(
    *, actor: User, student: Student, flag: str, valid_from: date, valid_until: date | None = None, note: str = ""
) -> StudentFlag:
    if flag not in FlagType.values:
        raise ValidationError({"flag": _("Unknown flag.")})
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end date must not be before the start date.")})
    if not flag_may_set(actor, student, valid_from):
        raise PermissionDenied(_("Only the student's counselor or a college admin may set flags."))
    overlapping = StudentFlag.objects.filter(student=student, flag=flag).exclude(valid_until__lt=valid_from)
    if valid_until is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_until)
    if overlapping.exists():
        raise ValidationError({"valid_from": _("The student already carries this flag in that period.")})
    row = StudentFlag.objects.create(
        student=student, flag=flag, valid_from=valid_from, valid_until=valid_until, note=note.strip(), set_by=actor
    )
    audit_record(
        actor=actor,
        action="flag.set",
        target=row,
        data={"student": student.pk, "flag": flag, "from": valid_from.isoformat()},
    )
    holdings_changed(class_ids=[student.school_class_id], since=valid_from, flag=True)
    return row


@transaction.atomic
def flag_end(*, actor: User, flag: StudentFlag, valid_until: date) -> StudentFlag:
    flag = (
        StudentFlag.objects.select_for_update().select_related("student__school_class__major__college").get(pk=flag.pk)
    )
    if not flag_may_set(actor, flag.student, valid_until):
        raise PermissionDenied(_("Only the student's counselor or a college admin may end flags."))
    if valid_until < flag.valid_from:
        raise ValidationError({"valid_until": _("The end date must not be before the start date.")})
    before = flag.valid_until
    flag.valid_until = valid_until
    flag.save(update_fields=["valid_until"])
    audit_record(actor=actor, action="flag.end", target=flag, data={"until": valid_until.isoformat()})
    # The days between the old end and the new one changed (an end moved later, or earlier, or set at all).
    holdings_changed(class_ids=[flag.student.school_class_id], since=min(valid_until, before or valid_until), flag=True)
    return flag
