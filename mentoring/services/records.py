"""Recording work with students: log, edit, delete — each validated, atomic and audited.

Refusals name the field and say what to do; nothing is written when any check fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import SchoolClass, Staff, Student, User
from accounts.services import audit_record
from mentoring.kinds import KIND_INFO
from mentoring.models import (
    AdvisorAssignment,
    Attendance,
    CounselorAssignment,
    Interaction,
    MentorAssignment,
    Mode,
    Semester,
    StaffRole,
    StudentFlag,
    Topic,
)
from mentoring.selectors.calendar import calendar_locate
from mentoring.selectors.compliance import records_changed
from mentoring.selectors.people import roles_of

# A hook the evaluation app registers (DESIGN: a lower app never imports a higher one): returns a message
# when records of that day are frozen by an open evaluation cycle, else None.
record_freeze_checks: list = []


@dataclass(frozen=True)
class RecordInput:
    role: str
    kind: str
    day: date
    mode: str
    students: Sequence[Student] = ()
    school_class: SchoolClass | None = None
    counterpart: User | None = None
    topics: Sequence[str] = ()
    place: str = ""
    summary: str = ""


def semester_open_for(semester: Semester, *, today: date) -> bool:
    """A semester takes records until its grace period after the last day has passed."""
    return today <= semester.end_date + timedelta(days=settings.YUREN_SEMESTER_GRACE_DAYS)


def _holds_class(user: User, role: str, school_class_id: int, day: date) -> bool:
    model = {StaffRole.ADVISOR: AdvisorAssignment, StaffRole.COUNSELOR: CounselorAssignment}.get(role)
    if model is None:
        return False
    return model.objects.valid_on(day).filter(**{role: user}, school_class_id=school_class_id).exists()


def own_student_ids(user: User, role: str, day: date, student_ids: set[int]) -> set[int]:
    """Of `student_ids`, those the user is responsible for in `role` on `day` (one query)."""
    students = Student.objects.filter(pk__in=student_ids)
    if role == StaffRole.MENTOR:
        held = MentorAssignment.objects.valid_on(day).filter(mentor=user).values("student_id")
        students = students.filter(pk__in=held)
    else:
        model = {StaffRole.ADVISOR: AdvisorAssignment, StaffRole.COUNSELOR: CounselorAssignment}[role]
        held = model.objects.valid_on(day).filter(**{role: user}).values("school_class_id")
        students = students.filter(school_class_id__in=held)
    return set(students.values_list("pk", flat=True))


def _validate(*, actor: User, data: RecordInput, today: date) -> tuple[Semester, int | None]:
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    info = KIND_INFO.get(data.kind)
    if info is None or data.role not in info.roles:
        refuse("kind", _("This kind of record does not belong to the chosen role."))
    elif data.role not in roles_of(actor, on=min(data.day, today)).names_as_staff:
        refuse("kind", _("You do not hold this role on that day, so you cannot record this kind."))

    position = None
    if data.day > today:
        refuse("day", _("The date is in the future; record work after it has happened."))
    else:
        position = calendar_locate(data.day)
        if position is None:
            refuse("day", _("The date is not in any semester of the calendar."))
        elif not semester_open_for(position.semester, today=today):
            refuse(
                "day",
                _("%(semester)s is closed for records (its grace period ended on %(day)s).")
                % {
                    "semester": position.semester,
                    "day": position.semester.end_date + timedelta(days=settings.YUREN_SEMESTER_GRACE_DAYS),
                },
            )
        else:
            for check in record_freeze_checks:
                message = check(data.day)
                if message:
                    refuse("day", message)

    if errors.get("kind") or info is None:
        raise ValidationError(errors)

    if data.mode not in info.modes:
        refuse("mode", _("This kind of record cannot take that form."))
    students = list(data.students)
    if len({s.pk for s in students}) != len(students):
        refuse("students", _("A student is listed twice."))
    if data.mode == Mode.ONE_TO_ONE and len(students) != 1:
        refuse("students", _("A one-to-one record needs exactly one student."))
    if data.mode == Mode.GROUP and len(students) < 2:
        refuse("students", _("A group record needs at least two students."))
    if data.mode in (Mode.NONE, Mode.COLLEAGUE) and students:
        refuse("students", _("This form of record takes no students."))
    if data.mode == Mode.CLASS:
        if data.school_class is None:
            refuse("school_class", _("Choose the class."))
        elif data.day <= today and not _holds_class(actor, data.role, data.school_class.pk, data.day):
            refuse("school_class", _("This is not one of your classes on that day."))
        elif any(s.school_class_id != data.school_class.pk for s in students):
            refuse("students", _("Every student listed must belong to the chosen class."))
    elif data.school_class is not None:
        refuse("school_class", _("Only class events name a class."))
    if data.mode == Mode.COLLEAGUE:
        if data.counterpart is None:
            refuse("counterpart", _("Choose the colleague you talked with."))
        elif data.counterpart.pk == actor.pk:
            refuse("counterpart", _("The colleague must be someone else."))
        elif not Staff.objects.filter(user=data.counterpart).exists():
            refuse("counterpart", _("The colleague must be a member of staff."))
    elif data.counterpart is not None:
        refuse("counterpart", _("Only exchanges with a colleague name a colleague."))

    if students and data.day <= today and data.mode != Mode.CLASS:
        own = own_student_ids(actor, data.role, data.day, {s.pk for s in students})
        strangers = [s for s in students if s.pk not in own]
        if strangers:
            names = "、".join(s.user.name for s in strangers[:5])
            refuse("students", _("Not your students on that day: %(names)s.") % {"names": names})
    if info.flags and students and data.day <= today:
        flagged = set(
            StudentFlag.objects.filter(student__in=students, flag__in=info.flags, valid_from__lte=data.day)
            .exclude(valid_until__lt=data.day)
            .values_list("student_id", flat=True)
        )
        missing = [s for s in students if s.pk not in flagged]
        if missing:
            refuse(
                "students",
                _("%(names)s carries no flag that this record is for on that day.")
                % {"names": "、".join(s.user.name for s in missing)},
            )
    unknown_topics = set(data.topics) - set(Topic.values)
    if unknown_topics:
        refuse("topics", _("Unknown topic."))
    if info.topics and not data.topics:
        refuse("topics", _("Choose at least one of the four areas of a mentor's work."))
    if not info.topics and data.topics:
        refuse("topics", _("Topics are for mentors' records only."))
    if len(data.summary) > 5000:
        refuse("summary", _("The summary is too long (5,000 characters at most)."))

    if errors:
        raise ValidationError(errors)
    assert position is not None
    return position.semester, position.week_number


def _snapshot(interaction: Interaction, student_ids: list[int]) -> dict:
    return {
        "role": interaction.role,
        "kind": interaction.kind,
        "day": interaction.day.isoformat(),
        "mode": interaction.mode,
        "students": sorted(student_ids),
        "school_class": interaction.school_class_id,
        "counterpart": interaction.counterpart_id,
        "topics": list(interaction.topics),
        "place": interaction.place,
        "summary": "(sensitive)" if interaction.sensitive else interaction.summary,
    }


def _fill(interaction: Interaction, data: RecordInput, semester: Semester, week: int | None, today: date) -> None:
    info = KIND_INFO[data.kind]
    interaction.role = data.role
    interaction.kind = data.kind
    interaction.day = data.day
    interaction.semester = semester
    interaction.week = week
    interaction.mode = data.mode
    interaction.school_class = data.school_class
    interaction.counterpart = data.counterpart
    interaction.topics = sorted(set(data.topics))
    interaction.place = data.place.strip()
    interaction.summary = data.summary.strip()
    interaction.sensitive = info.sensitive
    interaction.late = (today - data.day).days > settings.YUREN_LATE_AFTER_DAYS
    interaction.student_count = len(data.students)


def _write_attendance(interaction: Interaction, students: Sequence[Student], *, replace: bool = True) -> None:
    """One attendance row per student; `replace=False` for a record just created (it has none to delete)."""
    if replace:
        interaction.attendance.all().delete()
    Attendance.objects.bulk_create(
        Attendance(
            interaction=interaction,
            student=student,
            semester_id=interaction.semester_id,
            kind=interaction.kind,
            author_id=interaction.author_id,
            day=interaction.day,
        )
        for student in students
    )


@transaction.atomic
def interaction_log(*, actor: User, data: RecordInput, today: date | None = None) -> Interaction:
    """Record a piece of work; a group record gets one attendance row per student (R-03)."""
    today = today or timezone.localdate()
    semester, week = _validate(actor=actor, data=data, today=today)
    interaction = Interaction(author=actor)
    _fill(interaction, data, semester, week, today)
    interaction.save()
    _write_attendance(interaction, data.students, replace=False)
    records_changed(semester_ids=[interaction.semester_id], people_ids=[actor.pk, interaction.counterpart_id])
    audit_record(
        actor=actor,
        action="interaction.create",
        target=interaction,
        data={"after": _snapshot(interaction, [s.pk for s in data.students])},
    )
    return interaction


def _check_editable(*, actor: User, interaction: Interaction, today: date) -> None:
    if interaction.author_id != actor.pk:
        raise PermissionDenied(_("Only the author may change or delete a record."))
    if not semester_open_for(interaction.semester, today=today):
        raise ValidationError({"day": _("The record's semester is closed; it can no longer be changed.")})
    for check in record_freeze_checks:
        message = check(interaction.day)
        if message:
            raise ValidationError({"day": message})


@transaction.atomic
def interaction_update(*, actor: User, interaction: Interaction, data: RecordInput, today: date | None = None):
    today = today or timezone.localdate()
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    _check_editable(actor=actor, interaction=interaction, today=today)
    before = _snapshot(interaction, list(interaction.attendance.values_list("student_id", flat=True)))
    semester, week = _validate(actor=actor, data=data, today=today)
    was_in, was_with = interaction.semester_id, interaction.counterpart_id
    created = interaction.created
    _fill(interaction, data, semester, week, today)
    interaction.late = (created.date() if created else today) - data.day > timedelta(
        days=settings.YUREN_LATE_AFTER_DAYS
    )
    interaction.save()
    _write_attendance(interaction, data.students)
    records_changed(
        semester_ids=[was_in, interaction.semester_id], people_ids=[actor.pk, was_with, interaction.counterpart_id]
    )
    audit_record(
        actor=actor,
        action="interaction.update",
        target=interaction,
        data={"before": before, "after": _snapshot(interaction, [s.pk for s in data.students])},
    )
    return interaction


@transaction.atomic
def interaction_delete(*, actor: User, interaction: Interaction, today: date | None = None) -> None:
    today = today or timezone.localdate()
    interaction = Interaction.objects.select_for_update().get(pk=interaction.pk)
    _check_editable(actor=actor, interaction=interaction, today=today)
    before = _snapshot(interaction, list(interaction.attendance.values_list("student_id", flat=True)))
    audit_record(actor=actor, action="interaction.delete", target=interaction, data={"before": before})
    semester_id, counterpart_id = interaction.semester_id, interaction.counterpart_id
    interaction.delete()
    records_changed(semester_ids=[semester_id], people_ids=[actor.pk, counterpart_id])
