"""Quota reminders (mentoring.reminders): exactly the people behind get one digest; time is passed in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from accounts.models import Notification, SentMessage
from accounts.notifications.services import college_channel_set, notification_preferences_set
from mentoring.models import Kind, Mode, StaffRole
from mentoring.reminder_tasks import counselor_weekly_reminders, pace_reminders
from mentoring.reminders import counselor_weekly_plan, pace_checkpoints, pace_plan
from mentoring.services.assignments import mentor_assign
from tests.conftest import ASSIGNED_FROM
from tests.factories import StaffFactory, StudentFactory
from tests.notifications.conftest import (
    MID_SEMESTER,
    MONDAY_AFTER_WEEK_5,
    THREE_WEEKS_LEFT,
    WEEK_5_MONDAY,
    counselor_week,
    log,
    with_email,
)


def inbox(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("body", flat=True))


def test_weekly_reminder_goes_to_exactly_the_lagging_counselors(world, calendar, on_track_counselor):
    with_email(world.counselor, "counselor@example.edu.cn")
    with_email(on_track_counselor, "ontrack@example.edu.cn")
    counselor_week(world.counselor, world.class_a, WEEK_5_MONDAY, visits=1, sitins=3, today=MONDAY_AFTER_WEEK_5)

    result = counselor_weekly_reminders(today=MONDAY_AFTER_WEEK_5.isoformat())

    assert result == {"sent": 2, "failed": 0, "skipped": 0}  # in-app and email, for the lagging counselor only
    assert [m.to for m in mail.outbox] == [["counselor@example.edu.cn"]]
    (body,) = inbox(world.counselor)
    assert body.splitlines()[1:] == ["- 深入学生宿舍 (R-14): 1/2"]  # three sit-ins: R-15 is met and not named
    assert inbox(on_track_counselor) == []
    assert set(SentMessage.objects.values_list("recipient__number", "reason", "period_key", "channel")) == {
        ("T300", "quota.weekly", "2025-2026-1-W05", "in_app"),
        ("T300", "quota.weekly", "2025-2026-1-W05", "email"),
    }


def test_weekly_reminder_names_both_rules_in_one_message(world, calendar):
    result = counselor_weekly_reminders(today=MONDAY_AFTER_WEEK_5.isoformat())

    assert result["sent"] == 1
    (body,) = inbox(world.counselor)
    assert [line.split(" (")[1] for line in body.splitlines()[1:]] == ["R-14): 0/2", "R-15): 0/3"]


def test_weekly_reminder_run_twice_sends_once(world, calendar):
    with_email(world.counselor, "counselor@example.edu.cn")

    first = counselor_weekly_reminders(today=MONDAY_AFTER_WEEK_5.isoformat())
    second = counselor_weekly_reminders(today=(MONDAY_AFTER_WEEK_5 + timedelta(days=1)).isoformat())

    assert (first["sent"], second["sent"]) == (2, 0)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=world.counselor).count() == 1


def test_the_week_after_a_holiday_week_sends_nothing(world, calendar):
    after_holiday = date(2025, 10, 6)  # week 4 (2025-09-29 …) is a holiday week: no weekly quota

    assert counselor_weekly_plan(today=after_holiday) is None
    assert counselor_weekly_reminders(today=after_holiday.isoformat())["sent"] == 0
    assert Notification.objects.count() == 0


def test_each_week_is_its_own_period(world, calendar):
    counselor_weekly_reminders(today=MONDAY_AFTER_WEEK_5.isoformat())
    counselor_weekly_reminders(today=(MONDAY_AFTER_WEEK_5 + timedelta(days=7)).isoformat())

    assert sorted(SentMessage.objects.values_list("period_key", flat=True)) == ["2025-2026-1-W05", "2025-2026-1-W06"]


def test_a_muted_optional_reminder_is_not_sent(world, calendar):
    with_email(world.counselor, "counselor@example.edu.cn")
    notification_preferences_set(actor=world.counselor, muted={"quota.weekly"})

    result = counselor_weekly_reminders(today=MONDAY_AFTER_WEEK_5.isoformat())

    assert result["sent"] == 0
    assert (len(mail.outbox), Notification.objects.count(), SentMessage.objects.count()) == (0, 0, 0)


def test_pace_checkpoints_of_fall_2025(calendar):
    fall, _ = calendar
    assert pace_checkpoints(fall) == [("mid", MID_SEMESTER), ("final", THREE_WEEKS_LEFT)]


def talk(mentor, students, day, *, today):
    mode = Mode.ONE_TO_ONE if len(students) == 1 else Mode.GROUP
    return log(
        mentor, StaffRole.MENTOR, Kind.MENTOR_TALK, day, today=today, mode=mode, students=students, topics=["academic"]
    )


@pytest.fixture
def pace_world(world, calendar):
    """At mid-semester: student 0 had 2 talks (on pace), student 1 had 1 (behind); the advisor held one class
    meeting and no theme activity; a second mentor's only student had 2 talks."""
    s0, s1 = world.students[0], world.students[1]
    talk(world.mentor, [s0, s1], date(2025, 9, 15), today=MID_SEMESTER)
    talk(world.mentor, [s0], date(2025, 10, 20), today=MID_SEMESTER)
    log(
        world.advisor,
        StaffRole.ADVISOR,
        Kind.CLASS_MEETING,
        date(2025, 10, 9),
        today=MID_SEMESTER,
        mode=Mode.CLASS,
        school_class=world.class_a,
    )
    on_track = StaffFactory(user__number="T101", user__name="导师戊", college=world.college).user
    mentor_assign(actor=None, student=world.students[2], mentor=on_track, valid_from=ASSIGNED_FROM)
    talk(on_track, [world.students[2]], date(2025, 9, 16), today=MID_SEMESTER)
    talk(on_track, [world.students[2]], date(2025, 10, 16), today=MID_SEMESTER)
    return on_track


def test_mid_semester_digest_names_exactly_the_students_and_classes_behind(world, pace_world):
    result = pace_reminders(today=MID_SEMESTER.isoformat())

    assert result["sent"] == 2  # the mentor and the class advisor, in-app
    (mentor_body,) = inbox(world.mentor)
    assert world.students[1].user.name in mentor_body
    assert world.students[0].user.name not in mentor_body
    (advisor_body,) = inbox(world.advisor)
    assert "R-09" in advisor_body and "R-07" not in advisor_body  # one meeting of two is on pace at half-time
    assert world.class_a.name in advisor_body
    assert inbox(pace_world) == []
    assert inbox(world.counselor) == []


def test_three_weeks_before_the_end_everyone_short_of_the_minimum_is_named(world, pace_world):
    pace_reminders(today=THREE_WEEKS_LEFT.isoformat())

    (mentor_body,) = inbox(world.mentor)
    assert world.students[0].user.name in mentor_body and world.students[1].user.name in mentor_body
    (advisor_body,) = inbox(world.advisor)
    assert "R-07" in advisor_body and "R-09" in advisor_body
    assert SentMessage.objects.filter(period_key="2025-2026-1-final").count() == 3  # mentor, advisor, other mentor


def test_pace_reminders_send_nothing_between_checkpoints_and_once_in_the_checkpoint_week(world, pace_world):
    assert pace_plan(today=MID_SEMESTER - timedelta(days=1)) is None
    assert pace_plan(today=MID_SEMESTER + timedelta(days=7)) is None

    for offset in range(7):  # the daily beat runs every day of the checkpoint week
        pace_reminders(today=(MID_SEMESTER + timedelta(days=offset)).isoformat())

    assert Notification.objects.filter(recipient=world.mentor).count() == 1


def test_a_person_who_is_mentor_and_class_advisor_gets_one_digest(world, calendar):
    student = StudentFactory(school_class=world.class_a)
    mentor_assign(actor=None, student=student, mentor=world.advisor, valid_from=ASSIGNED_FROM)

    pace_reminders(today=THREE_WEEKS_LEFT.isoformat())

    (body,) = inbox(world.advisor)
    assert ("R-03" in body, "R-07" in body, student.user.name in body) == (True, True, True)


def test_the_colleges_group_robot_gets_one_digest_of_the_run(world, calendar, on_track_counselor, robot):
    college_channel_set(actor=world.college_admin, college=world.college, kind="wecom", url=robot.url, enabled=True)
    counselor_week(world.counselor, world.class_a, WEEK_5_MONDAY, visits=1, sitins=3, today=MONDAY_AFTER_WEEK_5)

    counselor_weekly_reminders(today=MONDAY_AFTER_WEEK_5.isoformat())
    counselor_weekly_reminders(today=MONDAY_AFTER_WEEK_5.isoformat())

    ((_, _, payload),) = robot.handler.received  # once, and only the college of a reminded counselor
    assert payload["markdown"]["content"].splitlines()[2] == f"- {world.counselor.name}: 深入学生宿舍 (R-14): 1/2"
    assert SentMessage.objects.get(channel="webhook").college == world.college
