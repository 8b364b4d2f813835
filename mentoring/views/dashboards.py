"""The compliance dashboards (college, school), the people and person pages behind their numbers, and exports.

Numbers come from `mentoring.selectors.dashboards` (which calls the compliance engine); these views parse the
filters, check access (a college's dashboard: its admins and student-affairs leads and the school offices; the
school's: the school offices) and render. Filter changes come in by HTMX and get only the body back.
"""

from __future__ import annotations

import tempfile
from datetime import date
from functools import partial
from typing import NamedTuple

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import College
from mentoring.exports import export_filename, write_dashboard
from mentoring.models import ExportJob, ExportState, Kind, Semester, StaffRole
from mentoring.rules import sees_any_dashboard, sees_college_dashboard, sees_school_dashboard
from mentoring.selectors.calendar import semester_of_day
from mentoring.selectors.compliance import semesters_newest_first
from mentoring.selectors.dashboards import (
    PAGE_ROWS,
    DashboardPage,
    college_dashboard,
    college_dashboard_page,
    line_rows,
    name_rows,
    person_standing,
    rule_title,
    school_dashboard,
    school_dashboard_page,
)
from mentoring.selectors.people import roles_of, staff_visible_to
from mentoring.selectors.records import records_visible_to
from mentoring.services.oversight import export_job_create
from mentoring.tasks import dashboard_recompute_send, recompute_in_worker
from mentoring.templatetags.dashboard_tags import PersonLinks


def _filters(request) -> tuple[Semester | None, str, list[Semester]]:
    semesters = semesters_newest_first()
    wanted = request.GET.get("semester", "")
    semester = next((s for s in semesters if str(s.pk) == wanted), None) or semester_of_day(
        semesters, timezone.localdate()
    )
    role = request.GET.get("role", "")
    if role not in StaffRole.values:
        role = ""
    return semester, role, semesters


def _chart_data(dashboard: DashboardPage) -> dict:
    """The data island the charts draw from (read by static/js/dashboards.js; JSON is not executed)."""
    # A week under way has no share yet: a gap in the line, not a fall to 0 % (its cells show … in the grid).
    weekly = [round(100 * met / due, 1) if due and not under_way else None for met, due, under_way in dashboard.weekly]
    data = {
        "rules": {
            "labels": [f"{r.requirement} {r.title}" for r in dashboard.rules],
            "current": [r.share for r in dashboard.rules],
            "previous": [r.previous_share for r in dashboard.rules],
            "currentLabel": str(dashboard.semester),
            "previousLabel": str(dashboard.previous) if dashboard.previous else "",
        },
        "weeks": {
            "labels": [_("Week %(n)s") % {"n": w} for w in dashboard.weeks],
            "share": weekly,
            "label": _("Counselors meeting the weekly quotas (%)"),
        },
        "colleges": {
            "labels": [c.college.name for c in dashboard.colleges],
            "share": [c.share for c in dashboard.colleges],
            "label": _("People fully compliant (%)"),
        },
    }
    return data


def _query(dashboard) -> str:
    """The filters as a query string, for the links behind the numbers and the export."""
    college = f"college={dashboard.college.code}&" if dashboard.college else ""
    return f"{college}semester={dashboard.semester.pk}&role={dashboard.role}"


def _prefix(name: str) -> str:
    """The URL of a page that takes one last argument, without it: rows add their own (one reverse a page)."""
    return reverse(name, args=["0"])[: -len("0/")]


def _render_dashboard(request, dashboard: DashboardPage, semesters: list[Semester], template: str, **extra):
    name_rows(people=dashboard.laggards, grid=dashboard.grid, units=dashboard.students_short + dashboard.classes_short)
    context = {
        "d": dashboard,
        "semesters": semesters,
        "roles": StaffRole.choices,
        "shown": PAGE_ROWS,
        "chart_data": _chart_data(dashboard),
        "person_links": PersonLinks(_prefix("dashboard_person"), dashboard.semester.pk),
        "college_url": _prefix("dashboard_college"),
        "people_url": reverse("dashboard_people"),
        "query": _query(dashboard),
        **extra,
    }
    if request.htmx:
        return render(request, "mentoring/dashboard_body.html", context)
    return render(request, template, context)


def _dashboard_page(request, build) -> tuple[DashboardPage, bool]:
    """A dashboard page (`build(earlier_ok=…)`), and whether this request is its poll for new numbers that are not
    there yet (it then gets nothing). A page shown with its earlier numbers has a worker compute the new ones, once
    per change; if no task can be sent, the page is computed here."""
    dashboard = build(earlier_ok=recompute_in_worker())
    if dashboard.recomputing is None:
        return dashboard, False
    if not dashboard_recompute_send(dashboard):
        return build(earlier_ok=False), False
    return dashboard, bool(request.htmx and request.GET.get("poll"))


@login_required
def dashboard_home(request):
    """The school dashboard for the school offices, else the dashboard of the (first) college one oversees."""
    roles = roles_of(request.user)
    if roles.sees_all_colleges:
        return dashboard_school(request)
    college = College.objects.filter(pk__in=roles.admin_college_ids | roles.student_affairs_college_ids).first()
    if college is None:
        raise PermissionDenied(
            _("The dashboards are for college admins, student-affairs leads and the school offices.")
        )
    return dashboard_college(request, college.code)


def _college_for(request, code: str) -> College:
    college = College.objects.filter(code=code).first()
    if college is None or not sees_college_dashboard(request.user, college):
        raise Http404
    return college


def _require_school(request) -> None:
    if not sees_school_dashboard(request.user):
        raise PermissionDenied(_("The school dashboard is for the school's academic and student affairs offices."))


@login_required
def dashboard_college(request, code: str):
    college = _college_for(request, code)
    semester, role, semesters = _filters(request)
    if semester is None:
        return render(request, "mentoring/dashboard_college.html", {"d": None, "college": college})
    dashboard, waiting = _dashboard_page(
        request, partial(college_dashboard_page, semester=semester, college=college, on=timezone.localdate(), role=role)
    )
    if waiting:
        return HttpResponse(status=204)  # the body's poll: still the earlier numbers, nothing to swap in
    return _render_dashboard(
        request,
        dashboard,
        semesters,
        "mentoring/dashboard_college.html",
        college=college,
        action=reverse("dashboard_college", args=[college.code]),
    )


@login_required
def dashboard_school(request):
    _require_school(request)
    semester, role, semesters = _filters(request)
    if semester is None:
        return render(request, "mentoring/dashboard_school.html", {"d": None})
    dashboard, waiting = _dashboard_page(
        request, partial(school_dashboard_page, semester=semester, on=timezone.localdate(), role=role)
    )
    if waiting:
        return HttpResponse(status=204)  # the body's poll: still the earlier numbers, nothing to swap in
    return _render_dashboard(
        request, dashboard, semesters, "mentoring/dashboard_school.html", action=reverse("dashboard_school")
    )


@login_required
def dashboard_people(request):
    """The people behind a number: everyone in scope with a standing on a rule (or all), compliant or not."""
    code = request.GET.get("college", "")
    college = _college_for(request, code) if code else None
    if college is None:
        _require_school(request)
    semester, role, _semesters = _filters(request)
    if semester is None:
        raise Http404
    today = timezone.localdate()
    if college is None:
        dashboard = school_dashboard(semester=semester, on=today, role=role)
    else:
        dashboard = college_dashboard(semester=semester, college=college, on=today, role=role)
    slug = request.GET.get("rule", "")
    status = request.GET.get("status", "")
    people = [p for p in dashboard.people if not slug or slug in p.rules]

    def compliant(person) -> bool:
        return person.rules[slug][2] == 0 if slug else person.compliant

    if status == "compliant":
        people = [p for p in people if compliant(p)]
    elif status == "short":
        people = [p for p in people if not compliant(p)]
    people.sort(key=lambda p: (-p.short, -p.records_needed, p.person_id))
    rule = next((r for r in dashboard.rules if r.slug == slug), None)
    total = len(people)
    people = people[:200]
    name_rows(people=people)
    rows = [(p, p.rules.get(slug)) for p in people]
    return render(
        request,
        "mentoring/dashboard_people.html",
        {
            "d": dashboard,
            "college": college,
            "rule": rule,
            "status": status,
            "rows": rows,
            "total": total,
            "query": _query(dashboard),
        },
    )


class RecordRow(NamedTuple):
    """A record in the drill-down's table (`record_rows`)."""

    pk: int
    day: date
    late: bool
    kind_label: str
    class_name: str | None
    student_count: int


@login_required
def dashboard_person(request, number: str):
    """One person's standing line by line, and their records of the semester that the viewer may read."""
    if not sees_any_dashboard(request.user):
        raise PermissionDenied(
            _("The dashboards are for college admins, student-affairs leads and the school offices.")
        )
    staff = staff_visible_to(request.user).filter(user__number=number).first()
    if staff is None:
        raise Http404
    semester, _role, semesters = _filters(request)
    if semester is None:
        raise Http404
    report = person_standing(semester=semester, person=staff.user, on=timezone.localdate(), college_id=staff.college_id)
    own = report.for_person(staff.user.pk)
    rows = line_rows(own)
    standings = [(s, rule_title(s.rule), rows[id(s)]) for s in own]
    # Only what the table shows, as plain rows: the visibility rule stays, the joins for author, semester and
    # counterpart go (they made planning the query take longer than running it), and no model instances are made.
    # Kinds' labels looked up and translated once: get_kind_display per row hashes every lazy choice label again
    # (~0.1 ms a row), and a lazy label is translated again each time it is printed.
    labels = {kind: str(label) for kind, label in Kind.choices}
    records = [
        RecordRow(pk, day, late, labels.get(kind, kind), class_name, students)
        for pk, day, late, kind, class_name, students in records_visible_to(
            request.user, authors_college_id=staff.college_id
        )
        .filter(author=staff.user, semester=semester)
        .select_related(None)
        .values_list("pk", "day", "late", "kind", "school_class__name", "student_count")[:100]
    ]
    return render(
        request,
        "mentoring/dashboard_person.html",
        {
            "staff": staff,
            "semester": semester,
            "semesters": semesters,
            "standings": standings,
            "records": records,
            "record_url": _prefix("record_detail"),
        },
    )


@login_required
def dashboard_college_export(request, code: str):
    """The college's dashboard as .xlsx, written to a temporary file and streamed from it."""
    college = _college_for(request, code)
    semester, role, _semesters = _filters(request)
    if semester is None:
        raise Http404
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when the response is sent
    write_dashboard(out, semester=semester, college=college, role=role, on=timezone.localdate())
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=export_filename(semester, college))


@login_required
@require_POST
def dashboard_export_start(request):
    """Queue an export in the background (the whole school's is large); its page shows progress."""
    code = request.POST.get("college", "")
    college = _college_for(request, code) if code else None
    if college is None:
        _require_school(request)
    semester = get_object_or_404(Semester, pk=request.POST.get("semester") or 0)
    role = request.POST.get("role", "")
    job = export_job_create(
        actor=request.user, semester=semester, college=college, role=role if role in StaffRole.values else ""
    )
    return redirect("dashboard_export_job", pk=job.pk)


def _own_job(request, pk: int) -> ExportJob:
    job = ExportJob.objects.filter(pk=pk, requested_by=request.user).select_related("college", "semester").first()
    if job is None:
        raise Http404
    return job


@login_required
def dashboard_export_job(request, pk: int):
    job = _own_job(request, pk)
    template = "mentoring/dashboard_export_progress.html" if request.htmx else "mentoring/dashboard_export_job.html"
    return render(request, template, {"job": job, "done": job.state == ExportState.DONE})


@login_required
def dashboard_export_download(request, pk: int):
    job = _own_job(request, pk)
    if job.state != ExportState.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=export_filename(job.semester, job.college))
