"""Recording work: every refusal names its field and writes nothing; edits and deletes are audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEntry
from mentoring.models import Attendance, Interaction, Kind, Mode, StaffRole
from mentoring.services.records import RecordInput, interaction_delete, interaction_log, interaction_update

TODAY = date(2025, 12, 1)


def mentor_talk(world, **changes):
    base = {
        "role": StaffRole.MENTOR,
        "kind": Kind.MENTOR_TALK,
        "day": date(2025, 11, 28),
        "mode": Mode.ONE_TO_ONE,
        "students": [world.students[0]],
        "topics": ["academic"],
    }
    base.update(changes)
    return RecordInput(**base)


def refused_fields(actor, data, today=TODAY) -> set[str]:
    with pytest.raises(ValidationError) as refused:
        interaction_log(actor=actor, data=data, today=today)
    assert Interaction.objects.count() == 0
    assert Attendance.objects.count() == 0
    return set(refused.value.message_dict)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"day": date(2026, 1, 21)}, "day"),  # in the future
        ({"day": date(2026, 1, 19)}, "day"),  # the day after the semester, between two semesters
        ({"mode": Mode.GROUP}, "students"),  # a group needs two students
        ({"students": [], "mode": Mode.ONE_TO_ONE}, "students"),  # one-to-one needs exactly one
        ({"topics": []}, "topics"),  # mentors name the R-01 areas
        ({"topics": ["gossip"]}, "topics"),
        ({"mode": Mode.CLASS}, "mode"),  # a talk is not a class event
        ({"kind": Kind.DORM_VISIT}, "kind"),  # a counselor's kind under the mentor role
    ],
)
def test_log_refuses_bad_input_naming_the_field(world, calendar, changes, field):
    assert field in refused_fields(world.mentor, mentor_talk(world, **changes), today=date(2026, 1, 20))


def test_log_refuses_two_students_in_a_one_to_one(world, calendar):
    data = mentor_talk(world, students=world.students[:2])
    assert refused_fields(world.mentor, data) == {"students"}


def test_log_refuses_a_class_event_without_a_class(world, calendar):
    data = RecordInput(role=StaffRole.ADVISOR, kind=Kind.CLASS_MEETING, day=date(2025, 11, 28), mode=Mode.CLASS)
    assert refused_fields(world.advisor, data) == {"school_class"}


def test_log_refuses_a_class_event_in_someone_elses_class(world, calendar):
    data = RecordInput(
        role=StaffRole.ADVISOR,
        kind=Kind.CLASS_MEETING,
        day=date(2025, 11, 28),
        mode=Mode.CLASS,
        school_class=world.class_b,
    )
    assert refused_fields(world.advisor, data) == {"school_class"}


def test_log_refuses_students_who_are_not_the_authors(world, calendar):
    data = mentor_talk(world, students=[world.students[2]])
    assert refused_fields(world.mentor, data) == {"students"}


def test_log_refuses_a_kind_of_a_role_the_author_does_not_hold(world, calendar):
    data = RecordInput(role=StaffRole.COUNSELOR, kind=Kind.DORM_VISIT, day=date(2025, 11, 28), mode=Mode.NONE)
    assert refused_fields(world.mentor, data) == {"kind"}


def test_log_refuses_a_semester_closed_past_its_grace_period(world, calendar):
    # Fall 2025 ends 2026-01-18; the 14-day grace ends 2026-02-01.
    data = mentor_talk(world, day=date(2026, 1, 10))
    interaction_log(actor=world.mentor, data=data, today=date(2026, 2, 1))
    assert refused_field_after_first(world, data, today=date(2026, 2, 2)) == "day"


def refused_field_after_first(world, data, today):
    count = Interaction.objects.count()
    with pytest.raises(ValidationError) as refused:
        interaction_log(actor=world.mentor, data=data, today=today)
    assert Interaction.objects.count() == count
    return next(iter(refused.value.message_dict))


def test_a_group_talk_writes_one_attendance_row_per_student_with_the_engine_columns(world, calendar):
    record = interaction_log(
        actor=world.mentor, data=mentor_talk(world, mode=Mode.GROUP, students=world.students[:2]), today=TODAY
    )

    rows = list(Attendance.objects.values_list("student_id", "semester_id", "kind", "author_id", "day"))

    assert sorted(rows) == sorted(
        (s.pk, record.semester_id, Kind.MENTOR_TALK, world.mentor.pk, date(2025, 11, 28)) for s in world.students[:2]
    )
    assert (record.week, record.student_count, record.late) == (12, 2, False)


def test_a_record_entered_more_than_seven_days_late_is_marked_late(world, calendar):
    on_time = interaction_log(actor=world.mentor, data=mentor_talk(world, day=date(2025, 11, 24)), today=TODAY)
    late = interaction_log(actor=world.mentor, data=mentor_talk(world, day=date(2025, 11, 23)), today=TODAY)

    assert (on_time.late, late.late) == (False, True)


def test_a_crisis_case_is_always_sensitive(world, calendar):
    data = RecordInput(
        role=StaffRole.COUNSELOR,
        kind=Kind.CRISIS_CASE,
        day=date(2025, 11, 28),
        mode=Mode.ONE_TO_ONE,
        students=[world.students[0]],
        summary="…",
    )
    record = interaction_log(actor=world.counselor, data=data, today=TODAY)

    assert record.sensitive is True
    assert AuditEntry.objects.get(action="interaction.create", target_id=str(record.pk)).data["after"]["summary"] == (
        "(sensitive)"
    )


def test_update_rewrites_attendance_and_keeps_the_before_and_after(world, calendar):
    record = interaction_log(actor=world.mentor, data=mentor_talk(world), today=TODAY)

    interaction_update(
        actor=world.mentor,
        interaction=record,
        data=mentor_talk(world, mode=Mode.GROUP, students=world.students[:2], summary="补充"),
        today=TODAY,
    )

    entry = AuditEntry.objects.get(action="interaction.update", target_id=str(record.pk))
    assert (entry.data["before"]["students"], entry.data["after"]["students"]) == (
        [world.students[0].pk],
        sorted(s.pk for s in world.students[:2]),
    )
    assert Attendance.objects.filter(interaction=record).count() == 2


def test_only_the_author_may_update_or_delete(world, calendar):
    record = interaction_log(actor=world.mentor, data=mentor_talk(world), today=TODAY)

    with pytest.raises(PermissionDenied):
        interaction_delete(actor=world.counselor, interaction=record, today=TODAY)
    with pytest.raises(PermissionDenied):
        interaction_update(actor=world.college_admin, interaction=record, data=mentor_talk(world), today=TODAY)
    assert Interaction.objects.filter(pk=record.pk).exists()


def test_delete_is_audited_with_what_was_deleted(world, calendar):
    record = interaction_log(actor=world.mentor, data=mentor_talk(world), today=TODAY)
    pk = record.pk

    interaction_delete(actor=world.mentor, interaction=record, today=TODAY)

    entry = AuditEntry.objects.get(action="interaction.delete", target_id=str(pk))
    assert (entry.actor, entry.data["before"]["kind"]) == (world.mentor, Kind.MENTOR_TALK)
    assert not Interaction.objects.filter(pk=pk).exists()
