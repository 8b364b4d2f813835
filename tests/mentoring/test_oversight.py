"""Supervision findings (R-28) and steering group meetings (R-20): the lifecycle, who may do what, the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import AuditEntry
from awards.models import ObjectionState
from mentoring.models import FindingState, SupervisionFinding
from mentoring.selectors.dashboards import college_dashboard, overdue_findings, semester_meetings
from mentoring.services.oversight import finding_close, finding_fix, finding_record, finding_reopen, meeting_record


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def finding(world):
    return finding_record(
        actor=world.school_admin,
        college=world.college,
        problem="导师谈话记录不全",
        owner="教学办 王老师",
        found_on=today() - timedelta(days=30),
        deadline=today() - timedelta(days=1),
    )


def test_a_finding_goes_open_fixed_closed_with_dates_and_an_audit_entry_for_each_move(world, finding):
    assert finding.state == FindingState.OPEN and finding.is_overdue(today())

    finding_fix(actor=world.college_admin, finding=finding, fix="补录并培训")
    finding.refresh_from_db()
    assert (finding.state, finding.fix, finding.fixed_on) == (FindingState.FIXED, "补录并培训", today())
    assert not finding.is_overdue(today())

    finding_close(actor=world.school_admin, finding=finding)
    finding.refresh_from_db()
    assert (finding.state, finding.closed_on) == (FindingState.CLOSED, today())
    actions = list(
        AuditEntry.objects.filter(target_type="mentoring.supervisionfinding", target_id=str(finding.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["finding.record", "finding.fix", "finding.close"]


def test_the_school_office_sends_an_insufficient_fix_back(world, finding):
    finding_fix(actor=world.college_admin, finding=finding, fix="口头提醒")
    finding_reopen(actor=world.school_admin, finding=finding, reason="需书面整改")
    finding.refresh_from_db()
    assert (finding.state, finding.fixed_on) == (FindingState.OPEN, None)


def test_an_open_finding_cannot_be_closed_before_its_fix(world, finding):
    with pytest.raises(ValidationError) as error:
        finding_close(actor=world.school_admin, finding=finding)
    assert "state" in error.value.message_dict


def test_only_the_colleges_admin_or_the_school_office_records_the_fix(world, finding):
    for actor in (world.other_admin, world.mentor, world.student_affairs):
        with pytest.raises(PermissionDenied):
            finding_fix(actor=actor, finding=finding, fix="x")
    assert SupervisionFinding.objects.get(pk=finding.pk).state == FindingState.OPEN


def test_a_college_admin_cannot_record_or_close_findings(world, finding):
    with pytest.raises(PermissionDenied):
        finding_record(actor=world.college_admin, college=world.college, problem="p", owner="o", deadline=today())
    finding_fix(actor=world.college_admin, finding=finding, fix="done")
    with pytest.raises(PermissionDenied):
        finding_close(actor=world.college_admin, finding=finding)


def test_a_finding_needs_a_problem_an_owner_and_a_deadline_not_before_it_was_found(world):
    with pytest.raises(ValidationError) as error:
        finding_record(
            actor=world.school_admin,
            college=world.college,
            problem=" ",
            owner="",
            found_on=today(),
            deadline=today() - timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"problem", "owner", "deadline"}


def test_overdue_findings_show_on_the_college_and_school_dashboards(world, finding, calendar, as_user):
    assert [f.pk for f in overdue_findings({world.college.pk}, today())] == [finding.pk]
    assert overdue_findings({world.other_college.pk}, today()) == []
    dashboard = college_dashboard(semester=calendar[0], college=world.college, on=today())
    assert [f.pk for f in dashboard.overdue] == [finding.pk]
    html = as_user(world.school_admin).get(f"/dashboard/school/?semester={calendar[0].pk}").content.decode()
    assert "导师谈话记录不全" in html


def test_the_dashboards_show_a_finding_or_meeting_change_at_once_though_they_keep_both_in_the_cache(
    world, finding, calendar, django_assert_num_queries
):
    """The open findings and the meetings' counts are kept in the cache (read once, then no query), and every write
    that changes them shows on the next read: a finding recorded, fixed, reopened, its college renamed; a meeting
    recorded, deleted — through the services or a plain save, as the admin site does."""
    fall, spring = calendar

    def overdue() -> list[tuple[int, str]]:
        return [(f.pk, f.college.name) for f in overdue_findings({world.college.pk}, today())]

    def meetings() -> dict[int, int]:
        return {m.semester.pk: m.meetings for m in semester_meetings(today())}

    assert overdue() == [(finding.pk, world.college.name)]
    assert meetings() == {fall.pk: 0, spring.pk: 0}
    with django_assert_num_queries(0):
        assert overdue() == [(finding.pk, world.college.name)]
        assert meetings() == {fall.pk: 0, spring.pk: 0}

    second = finding_record(
        actor=world.school_admin,
        college=world.college,
        problem="班会记录缺失",
        owner="学工办",
        found_on=today() - timedelta(days=10),
        deadline=today() - timedelta(days=2),
    )
    assert overdue() == [(second.pk, world.college.name), (finding.pk, world.college.name)]
    finding_fix(actor=world.college_admin, finding=finding, fix="补录")
    assert overdue() == [(second.pk, world.college.name)]
    finding_reopen(actor=world.school_admin, finding=finding, reason="需书面整改")
    assert [pk for pk, _name in overdue()] == [second.pk, finding.pk]
    world.college.name = "数学与统计学院"
    world.college.save()
    assert {name for _pk, name in overdue()} == {"数学与统计学院"}

    meeting = meeting_record(actor=world.school_admin, semester=spring, date=date(2026, 3, 20), minutes="部署")
    assert meetings() == {fall.pk: 0, spring.pk: 1}
    meeting.delete()
    assert meetings() == {fall.pk: 0, spring.pk: 0}


def test_findings_of_another_college_are_404(world, finding, as_user):
    assert as_user(world.other_admin).get(f"/supervision/findings/{finding.pk}/").status_code == 404
    assert "导师谈话记录不全" not in as_user(world.other_admin).get("/supervision/findings/").content.decode()


@pytest.mark.parametrize("persona", ["mentor", "advisor", "counselor", "student", "outsider"])
def test_supervision_pages_wrong_role_is_refused(world, finding, as_user, persona):
    client = as_user(getattr(world, persona))
    assert client.get("/supervision/findings/").status_code == 403
    assert client.get("/supervision/meetings/").status_code == 403
    assert client.post(f"/supervision/findings/{finding.pk}/fix/", {"fix": "x"}).status_code == 403


def test_the_college_admin_marks_fixed_through_the_page(world, finding, as_user):
    response = as_user(world.college_admin).post(f"/supervision/findings/{finding.pk}/fix/", {"fix": "已整改"})
    assert response.status_code == 302
    assert SupervisionFinding.objects.get(pk=finding.pk).state == FindingState.FIXED


def test_a_college_admin_cannot_post_a_finding(world, as_user):
    response = as_user(world.college_admin).post("/supervision/findings/", {"problem": "x"})
    assert response.status_code == 403


def test_the_school_office_records_a_finding_through_the_page(world, as_user):
    response = as_user(world.school_admin).post(
        "/supervision/findings/",
        {
            "college": world.other_college.pk,
            "problem": "班会记录缺失",
            "owner": "学工办",
            "found_on": today().isoformat(),
            "deadline": (today() + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert SupervisionFinding.objects.get().college == world.other_college


def test_a_semester_without_a_steering_meeting_shows_as_a_gap(world, calendar):
    fall, spring = calendar
    meeting_record(actor=world.school_admin, semester=spring, date=date(2026, 3, 20), minutes="部署本学期工作")

    by_semester = {m.semester.pk: m for m in semester_meetings(today())}
    assert (by_semester[fall.pk].meetings, by_semester[fall.pk].gap) == (0, True)
    assert (by_semester[spring.pk].meetings, by_semester[spring.pk].gap) == (1, False)


def test_a_meeting_needs_minutes_and_a_date_in_its_semester(world, calendar):
    fall, _spring = calendar
    with pytest.raises(ValidationError) as error:
        meeting_record(actor=world.school_admin, semester=fall, date=date(2026, 3, 20), minutes="")
    assert set(error.value.message_dict) == {"minutes", "date"}
    with pytest.raises(PermissionDenied):
        meeting_record(actor=world.college_admin, semester=fall, date=date(2025, 10, 1), minutes="x")


def test_an_open_finding_reads_as_awaiting_its_fix_not_as_the_verb_open(world, as_user):
    """The state "Open" has a context of its own: in Chinese the plain "Open" is a notification's button (查看)."""
    finding_record(
        actor=world.school_admin,
        college=world.college,
        problem="班会记录缺失",
        owner="学工办",
        found_on=today(),
        deadline=today() + timedelta(days=10),
    )
    page = as_user(world.school_admin).get("/supervision/findings/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<span class="tag warn">待整改</span>' in page
    assert "查看" not in page
    with translation.override("zh-hans"):
        assert (str(FindingState.OPEN.label), str(ObjectionState.OPEN.label), gettext("Open")) == (
            "待整改",
            "待处理",
            "查看",
        )
