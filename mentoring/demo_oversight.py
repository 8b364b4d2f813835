"""Demo supervision (R-28) and steering group meetings (R-20), written through the oversight services, so that the
dashboards' overdue findings and meeting gaps have something to show: a finding of each state (one of them open
past its deadline), and a meeting in each of the two semesters before the current one (whose meeting is not recorded
yet: "none yet" on the dashboards; the semesters before those have none, a gap).

Dated from `today`, deterministic and idempotent: nothing happens when any finding or meeting exists.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import College, Role, User
from mentoring.models import Semester, SteeringMeeting, SupervisionFinding
from mentoring.services.oversight import finding_close, finding_fix, finding_record, meeting_record

# (college, problem, owner, found days ago, deadline days after found, fixed days ago or None, closed days ago or None)
FINDINGS = [
    ("MAT", "部分导师谈心谈话记录内容过于简略，未写明交流要点", "学院教学办公室", 200, 30, 180, 175),
    ("CIE", "辅导员深入学生宿舍次数不足，部分教学周未达每周两次", "学院学工办公室", 40, 30, None, None),
    ("ECO", "班主任每月与班委、宿舍长了解学风的记录缺少两个月", "学院学工办公室", 30, 35, 3, None),
    ("ECO", "学业困难学生学习计划未按两周跟进一次", "学院教学办公室", 7, 28, None, None),
]
MEETINGS = ["审议本学期导师、班主任、辅导员工作安排与考核办法", "通报上学期履职达标情况，部署整改与督导督查"]


@transaction.atomic
def demo_oversight_load(*, today: date | None = None) -> int:
    """Record the demo's findings and meetings; returns how many were written (0 when any exists)."""
    if SupervisionFinding.objects.exists() or SteeringMeeting.objects.exists():
        return 0
    today = today or timezone.localdate()
    office = User.objects.filter(number="admin").first()
    colleges = College.objects.in_bulk([code for code, *_rest in FINDINGS], field_name="code")
    if office is None or len(colleges) < len({code for code, *_rest in FINDINGS}):
        return 0
    admins = {
        code: User.objects.filter(grants__college=college, grants__role=Role.COLLEGE_ADMIN).first()
        for code, college in colleges.items()
    }
    written = 0
    for code, problem, owner, found, days, fixed, closed in FINDINGS:
        found_on = today - timedelta(days=found)
        finding = finding_record(
            actor=office,
            college=colleges[code],
            problem=problem,
            owner=owner,
            deadline=found_on + timedelta(days=days),
            found_on=found_on,
        )
        if fixed is not None:
            finding = finding_fix(
                actor=admins[code] or office,
                finding=finding,
                fix="已补充完善并组织专题培训，整改材料已报送",
                today=today - timedelta(days=fixed),
            )
        if closed is not None:
            finding_close(actor=office, finding=finding, today=today - timedelta(days=closed))
        written += 1
    before = Semester.objects.filter(end_date__lt=today).order_by("-start_date")[:2]
    for semester, minutes in zip(reversed(list(before)), MEETINGS, strict=False):
        meeting_record(
            actor=office,
            semester=semester,
            date=semester.start_date + timedelta(days=10),
            minutes=minutes,
            attendees="分管校领导、教务处、学生工作部、各学院负责人",
        )
        written += 1
    return written
