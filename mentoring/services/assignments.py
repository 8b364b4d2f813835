"""Assigning mentors to students, advisors and counselors to classes, keeping history.

A new assignment closes the open one the day before it starts, so a student who changes mentor mid-semester
counts for each mentor for the dates they held them (DESIGN "Assignments carry validity dates").
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.models import SchoolClass, Student, User
from accounts.rules import administers_college
from accounts.services import audit_record
from mentoring.models import AdvisorAssignment, CounselorAssignment, MentorAssignment
from mentoring.selectors.compliance import holdings_changed


def _reassign(
    *,
    model: type[models.Model],
    actor: User | None,
    holder_field: str,
    holder: User,
    unit_field: str,
    unit: models.Model,
    college,
    valid_from: date,
):
    if actor is not None and not administers_college(actor, college):
        raise PermissionDenied(_("You do not administer this college."))
    rows = model.objects.select_for_update().filter(**{unit_field: unit})
    current = rows.filter(valid_until__isnull=True).first()
    if current is not None and getattr(current, f"{holder_field}_id") == holder.pk:
        return current
    if rows.filter(valid_from__gte=valid_from).exists():
        raise ValidationError(
            {"valid_from": _("An assignment already starts on or after %(day)s.") % {"day": valid_from.isoformat()}}
        )
    if current is not None:
        current.valid_until = valid_from - timedelta(days=1)
        current.save(update_fields=["valid_until"])
    assignment = model.objects.create(**{holder_field: holder, unit_field: unit, "valid_from": valid_from})
    audit_record(
        actor=actor,
        action=f"{model._meta.model_name}.create",
        target=assignment,
        data={"holder": holder.number, "valid_from": valid_from.isoformat(), "replaces": current and current.pk},
    )
    holdings_changed(class_ids=[unit.school_class_id if isinstance(unit, Student) else unit.pk], since=valid_from)
    return assignment


@transaction.atomic
def mentor_assign(*, actor: User | None, student: Student, mentor: User, valid_from: date) -> MentorAssignment:
    return _reassign(
        model=MentorAssignment,
        actor=actor,
        holder_field="mentor",
        holder=mentor,
        unit_field="student",
        unit=student,
        college=student.school_class.major.college,
        valid_from=valid_from,
    )


@transaction.atomic
def advisor_assign(
    *, actor: User | None, school_class: SchoolClass, advisor: User, valid_from: date
) -> AdvisorAssignment:
    return _reassign(
        model=AdvisorAssignment,
        actor=actor,
        holder_field="advisor",
        holder=advisor,
        unit_field="school_class",
        unit=school_class,
        college=school_class.major.college,
        valid_from=valid_from,
    )


@transaction.atomic
def counselor_assign(
    *, actor: User | None, school_class: SchoolClass, counselor: User, valid_from: date
) -> CounselorAssignment:
    return _reassign(
        model=CounselorAssignment,
        actor=actor,
        holder_field="counselor",
        holder=counselor,
        unit_field="school_class",
        unit=school_class,
        college=school_class.major.college,
        valid_from=valid_from,
    )
