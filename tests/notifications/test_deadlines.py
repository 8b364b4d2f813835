"""Deadline reminders of the evaluation and the awards: exactly the pending people, 3 and 1 days before, once.

The judged year is the `calendar` fixture's 2025–2026, its cycle opened on 2026-07-20 with the deadlines of
tests/evaluation/conftest.py: survey 2026-09-30, peer 2026-10-15, college review 2026-10-31.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import Notification, NotificationPreference, SentMessage, User
from accounts.notifications.services import notification_preferences_set
from awards.reminder_tasks import publicity_end_reminders
from awards.services.proposal import selection_run
from awards.services.publicity import awards_publish, objection_file
from evaluation import reminder_tasks
from evaluation.models import Candidate, PeerMode, Phase
from evaluation.reminder_tasks import deadline_reminders
from evaluation.reminders import deadline_stage
from evaluation.services.peer import peer_score_enter, peer_votes_cast
from evaluation.services.review import candidate_recommend, candidate_set_ineligible, self_report_save
from mentoring.models import StaffRole
from mentoring.services.assignments import mentor_assign
from tests.awards.conftest import MONDAY, add_people, ready
from tests.awards.conftest import open_cycle as open_closed_cycle
from tests.conftest import ASSIGNED_FROM
from tests.evaluation.conftest import advance_to, answer_all, judged, open_cycle
from tests.factories import StaffFactory
from tests.notifications.conftest import with_email

__all__ = ["judged"]  # the evaluation's fixture, used here by name

SURVEY_UNTIL, PEER_UNTIL, COLLEGE_UNTIL = date(2026, 9, 30), date(2026, 10, 15), date(2026, 10, 31)
PUBLICITY_UNTIL = date(2026, 11, 20)  # publicity from Monday 2026-11-16 for five working days


@pytest.fixture(autouse=True)
def _english(settings):
    """The reminders are written in the portal's default language; here its English source text is asserted."""
    settings.LANGUAGE_CODE = "en"


def before(deadline: date, days: int) -> str:
    return (deadline - timedelta(days=days)).isoformat()


def reached(reason: str) -> set[str]:
    """The numbers of the people who got an in-app message for `reason`."""
    return set(SentMessage.objects.filter(reason=reason, channel="in_app").values_list("recipient__number", flat=True))


def keys(reason: str) -> set[str]:
    return set(SentMessage.objects.filter(reason=reason).values_list("period_key", flat=True))


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def candidate(cycle, user, role) -> Candidate:
    return Candidate.objects.get(cycle=cycle, person=user, role=role)


@pytest.fixture
def second_mentor(judged):
    """A colleague of the mentor (same college and role) with a mentee of their own, so that votes have a target."""
    colleague = StaffFactory(user__number="T101", user__name="导师戊", college=judged.college).user
    mentor_assign(actor=None, student=judged.students[2], mentor=colleague, valid_from=ASSIGNED_FROM)
    return colleague


def test_a_run_sends_the_stage_whose_day_has_come_and_catches_up_until_the_next():
    deadline = SURVEY_UNTIL
    stages = {days: deadline_stage(deadline=deadline, today=deadline - timedelta(days=days)) for days in range(-1, 6)}

    assert stages == {5: None, 4: None, 3: 3, 2: 3, 1: 1, 0: 1, -1: None}


def test_survey_reminder_reaches_exactly_the_students_who_have_not_answered(judged):
    cycle = advance_to(judged, open_cycle(judged), Phase.SURVEY)
    answer_all(judged.students[0].user, cycle, 4)
    with_email(judged.students[1].user, "s1@example.edu.cn")
    left = judged.mentees[-1].user
    User.objects.filter(pk=left.pk).update(is_active=False)  # a student who has left the university

    result = deadline_reminders(today=before(SURVEY_UNTIL, 3))

    # Class A (3 students and the 4 extra mentees) and class B have carers to rate; the other college's student has
    # none; student 0 has answered; one extra mentee has left.
    pending = {s.user.number for s in judged.students[1:]} | {s.user.number for s in judged.mentees[2:-1]}
    assert reached("deadline.survey") == pending
    assert judged.other_student.user.number not in reached("deadline.survey")
    assert inbox(judged.students[0].user) == []
    (message,) = inbox(judged.students[1].user)
    assert "2026-09-30" in message.body
    assert (message.link, message.mandatory) == ("/evaluation/2025/survey/", True)
    assert [m.to for m in mail.outbox] == [["s1@example.edu.cn"]]
    assert result["failed"] == 0


def test_self_report_reminder_reaches_only_the_people_evaluated_without_one(judged):
    cycle = advance_to(judged, open_cycle(judged), Phase.SURVEY)
    self_report_save(actor=judged.mentor, candidate=candidate(cycle, judged.mentor, StaffRole.MENTOR), text="述职")

    deadline_reminders(today=before(SURVEY_UNTIL, 1))

    assert reached("deadline.self_report") == {judged.advisor.number, judged.counselor.number}
    assert keys("deadline.self_report") == {f"cycle-{cycle.pk}-survey-2026-09-30-1d"}
    (message,) = inbox(judged.advisor)
    assert message.link == "/evaluation/2025/self-report/"
    assert len(message.body.splitlines()) == 2  # the sentence with the deadline and one role without a report
    assert judged.college_admin.number not in reached("deadline.self_report")  # not evaluated this year


def test_the_3_day_and_1_day_reminders_are_two_messages_and_repeated_runs_send_nothing_more(judged):
    cycle = advance_to(judged, open_cycle(judged), Phase.SURVEY)
    student = judged.students[1].user
    with_email(student, "s1@example.edu.cn")

    first = deadline_reminders(today=before(SURVEY_UNTIL, 3))
    again = deadline_reminders(today=before(SURVEY_UNTIL, 3))
    caught_up = deadline_reminders(today=before(SURVEY_UNTIL, 2))  # still the 3-day stage: already sent
    last = deadline_reminders(today=before(SURVEY_UNTIL, 1))
    last_again = deadline_reminders(today=before(SURVEY_UNTIL, 0))
    after = deadline_reminders(today=before(SURVEY_UNTIL, -1))

    assert first["sent"] > 0 and first["sent"] == last["sent"]
    assert [again["sent"], caught_up["sent"], last_again["sent"], after["sent"]] == [0, 0, 0, 0]
    assert ["2026-09-30" in m.body for m in inbox(student)] == [True, True]
    assert [m.to for m in mail.outbox] == [["s1@example.edu.cn"]] * 2
    assert keys("deadline.survey") == {
        f"cycle-{cycle.pk}-survey-2026-09-30-3d",
        f"cycle-{cycle.pk}-survey-2026-09-30-1d",
    }


def test_a_beat_down_for_the_3_day_reminder_sends_only_the_1_day_one(judged):
    cycle = advance_to(judged, open_cycle(judged), Phase.SURVEY)

    deadline_reminders(today=before(SURVEY_UNTIL, 1))

    assert len(inbox(judged.students[1].user)) == 1
    assert keys("deadline.survey") == {f"cycle-{cycle.pk}-survey-2026-09-30-1d"}


def test_a_large_run_hands_its_messages_on_in_batches_and_each_is_sent_once(judged, monkeypatch):
    advance_to(judged, open_cycle(judged), Phase.SURVEY)
    monkeypatch.setattr(reminder_tasks, "DELIVER_BATCH", 3)

    first = deadline_reminders(today=before(SURVEY_UNTIL, 3))
    again = deadline_reminders(today=before(SURVEY_UNTIL, 3))

    waiting = SentMessage.objects.count()  # 8 students without an answer and 3 people without a self report
    assert (first["sent"], first["handed_on"], waiting) == (3, waiting - 3, 11)
    assert again == {"sent": 0, "failed": 0, "skipped": 0, "handed_on": 0}
    assert set(SentMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert Notification.objects.count() == waiting


def test_nothing_is_sent_before_the_first_stage_or_for_a_phase_that_is_not_active(judged):
    cycle = open_cycle(judged)  # preparation: the survey is not open yet

    early = deadline_reminders(today=before(SURVEY_UNTIL, 4))
    not_open = deadline_reminders(today=before(SURVEY_UNTIL, 3))
    advance_to(judged, cycle, Phase.PEER)  # the survey closed early: its deadline no longer reminds anyone
    closed = deadline_reminders(today=before(SURVEY_UNTIL, 1))

    assert [early["sent"], not_open["sent"], closed["sent"]] == [0, 0, 0]
    assert not SentMessage.objects.exists()


def test_the_reminders_are_written_in_the_portal_language(judged, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    advance_to(judged, open_cycle(judged), Phase.SURVEY)

    deadline_reminders(today=before(SURVEY_UNTIL, 2))

    survey, report = inbox(judged.students[1].user)[0], inbox(judged.mentor)[0]
    for message in (survey, report):
        assert "2026-09-30" in message.subject and "2026-09-30" in message.body
        assert not message.subject.startswith(("Answer", "Write")) and "%(" not in message.body


def test_muting_a_mandatory_deadline_reason_does_not_stop_it(judged):
    cycle = advance_to(judged, open_cycle(judged), Phase.SURVEY)
    student = judged.students[1].user
    with pytest.raises(ValidationError):
        notification_preferences_set(actor=student, muted={"deadline.survey"})
    # A mute row that exists anyway (written before the reason was mandatory, or by hand) is ignored.
    NotificationPreference.objects.create(user=student, reason="deadline.survey", muted=True)

    deadline_reminders(today=before(SURVEY_UNTIL, 3))

    assert student.number in reached("deadline.survey")
    assert SentMessage.objects.filter(recipient=student, period_key=f"cycle-{cycle.pk}-survey-2026-09-30-3d").exists()


def test_peer_reminder_reaches_the_colleagues_who_have_a_colleague_and_have_not_voted(judged, second_mentor):
    cycle = advance_to(judged, open_cycle(judged), Phase.PEER)
    colleague = candidate(cycle, second_mentor, StaffRole.MENTOR)
    peer_votes_cast(actor=judged.mentor, cycle=cycle, role=StaffRole.MENTOR, candidate_ids=[colleague.pk])

    deadline_reminders(today=before(PEER_UNTIL, 3))

    # The advisor and the counselor are alone in their role in the college: nobody to vote for, no reminder.
    assert reached("deadline.peer") == {second_mentor.number}
    (message,) = inbox(second_mentor)
    assert message.link == "/evaluation/2025/vote/"
    assert keys("deadline.peer") == {f"cycle-{cycle.pk}-peer-2026-10-15-3d"}


def test_peer_scores_reminder_reaches_the_admins_of_colleges_with_scores_missing(judged):
    cycle = advance_to(judged, open_cycle(judged, peer_mode=PeerMode.SCORES), Phase.PEER)
    people = list(Candidate.objects.filter(cycle=cycle, college=judged.college).order_by("pk"))
    for person in people[1:]:
        peer_score_enter(actor=judged.college_admin, candidate=person, score="80")

    deadline_reminders(today=before(PEER_UNTIL, 1))
    peer_score_enter(actor=judged.college_admin, candidate=people[0], score="90")
    deadline_reminders(today=before(PEER_UNTIL, 0))

    # The other college has nobody evaluated, so its admin owes nothing.
    assert reached("deadline.peer") == {judged.college_admin.number}
    (message,) = inbox(judged.college_admin)
    assert message.body.splitlines()[1:] == [f"- {judged.college.name}: 1 without a score"]
    assert message.link == f"/evaluation/2025/colleges/{judged.college.code}/"


def test_recommend_reminder_names_the_roles_with_eligible_people_and_no_recommendation(judged):
    cycle = advance_to(judged, open_cycle(judged, pass_threshold=0), Phase.COLLEGE)
    admin = judged.college_admin
    candidate_recommend(actor=admin, candidate=candidate(cycle, judged.mentor, StaffRole.MENTOR), recommended=True)
    ineligible = candidate(cycle, judged.counselor, StaffRole.COUNSELOR)
    candidate_set_ineligible(actor=admin, candidate=ineligible, reason="处分")

    deadline_reminders(today=before(COLLEGE_UNTIL, 3))

    assert reached("deadline.recommend") == {admin.number}
    (message,) = inbox(admin)
    # Mentors: one recommended; counselors: none eligible; class advisors: eligible and nobody recommended.
    assert len(message.body.splitlines()) == 2
    assert message.body.splitlines()[1].startswith(f"- {judged.college.name}: ")
    assert keys("deadline.recommend") == {f"cycle-{cycle.pk}-college-2026-10-31-3d"}

    candidate_recommend(actor=admin, candidate=candidate(cycle, judged.advisor, StaffRole.ADVISOR), recommended=True)
    assert deadline_reminders(today=before(COLLEGE_UNTIL, 1))["sent"] == 0


@pytest.fixture
def in_publicity(world, calendar):
    cycle = ready(world, open_closed_cycle(world, Phase.CLOSED))
    add_people(cycle, StaffRole.MENTOR, [95, 90], college=world.college)
    selection_run(actor=world.school_admin, cycle=cycle)
    awards_publish(actor=world.school_admin, cycle=cycle, today=MONDAY)
    return cycle


def test_publicity_end_reminds_the_committee_3_and_1_days_before_the_end(world, in_publicity):
    objection_file(actor=world.student, award=in_publicity.awards.first(), reason="材料不实", today=MONDAY)
    with_email(world.school_admin, "jwc@example.edu.cn")

    early = publicity_end_reminders(today=before(PUBLICITY_UNTIL, 4))
    first = publicity_end_reminders(today=before(PUBLICITY_UNTIL, 3))
    again = publicity_end_reminders(today=before(PUBLICITY_UNTIL, 3))
    last = publicity_end_reminders(today=before(PUBLICITY_UNTIL, 1))
    over = publicity_end_reminders(today=before(PUBLICITY_UNTIL, -1))

    assert [early["sent"], first["sent"], again["sent"], last["sent"], over["sent"]] == [0, 2, 0, 2, 0]
    assert reached("deadline.publicity_end") == {world.school_admin.number}  # the committee, nobody else
    messages = inbox(world.school_admin)
    assert [("2026-11-20" in m.body, "2026-11-21" in m.body, ": 1." in m.body) for m in messages] == [
        (True, True, True)
    ] * 2
    assert messages[0].link == "/awards/2025/"
    assert keys("deadline.publicity_end") == {
        f"cycle-{in_publicity.pk}-publicity-3d",
        f"cycle-{in_publicity.pk}-publicity-1d",
    }


def test_the_beat_schedule_runs_the_deadline_tasks_daily():
    from django.conf import settings

    from config.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {"evaluation.deadline_reminders", "awards.publicity_end_reminders"} <= tasks
    assert {"evaluation.deadline_reminders", "awards.publicity_end_reminders"} <= set(app.tasks)


def quiet_phase_moves(monkeypatch):
    """The phase moves that set a test up would queue their own notices (evaluation.phase_opened) to the running
    worker, racing with what the test counts: these tests count deadline reminders only."""
    monkeypatch.setattr("evaluation.services.cycles.phase_moved", lambda **_: None)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_deadline_task_on_the_worker_sends_once_when_run_twice(celery_worker_redis, judged, monkeypatch):
    quiet_phase_moves(monkeypatch)
    advance_to(judged, open_cycle(judged), Phase.SURVEY)
    student = judged.students[1].user
    with_email(student, "s1@example.edu.cn")
    day = before(SURVEY_UNTIL, 3)

    first = deadline_reminders.delay(today=day).get(timeout=30)
    second = deadline_reminders.delay(today=day).get(timeout=30)

    assert first["sent"] > 0 and (first["failed"], second) == (
        0,
        {"sent": 0, "failed": 0, "skipped": 0, "handed_on": 0},
    )
    assert len(inbox(student)) == 1
    assert [m.to for m in mail.outbox] == [["s1@example.edu.cn"]]
    assert Notification.objects.count() == SentMessage.objects.filter(channel="in_app").count()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_batches_a_run_hands_on_are_delivered_by_the_worker_once(celery_worker_redis, judged, monkeypatch):
    quiet_phase_moves(monkeypatch)
    advance_to(judged, open_cycle(judged), Phase.SURVEY)
    monkeypatch.setattr(reminder_tasks, "DELIVER_BATCH", 2)
    day = before(SURVEY_UNTIL, 1)

    first = deadline_reminders.delay(today=day).get(timeout=30)
    second = deadline_reminders.delay(today=day).get(timeout=30)  # may hand on rows still waiting: claimed once
    waited = 0.0
    while SentMessage.objects.exclude(status="sent").exists() and waited < 30:
        time.sleep(0.2)
        waited += 0.2

    assert (first["sent"], first["handed_on"]) == (2, 9)
    assert second["sent"] + second["skipped"] <= 2
    assert set(SentMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert Notification.objects.count() == SentMessage.objects.count() == 11
