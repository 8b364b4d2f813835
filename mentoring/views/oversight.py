"""Supervision findings (R-28) and steering group meetings (R-20): lists, the forms that record them, the moves.

The school offices record findings and meetings and close findings; a college's admin records the fix of a
finding against their college; college admins and student-affairs leads see their college's findings.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import College
from mentoring.models import Semester, SteeringMeeting, SupervisionFinding
from mentoring.rules import fixes_college_findings, sees_any_dashboard, sees_school_dashboard
from mentoring.selectors.dashboards import semester_meetings
from mentoring.selectors.people import roles_of
from mentoring.services.oversight import finding_close, finding_fix, finding_record, finding_reopen, meeting_record


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class FindingForm(forms.Form):
    college = forms.ModelChoiceField(College.objects.order_by("code"), label=gettext_lazy("College"))
    problem = forms.CharField(label=gettext_lazy("Problem found"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.CharField(label=gettext_lazy("Owner (person or office responsible)"), max_length=64)
    found_on = forms.DateField(label=gettext_lazy("Found on"), widget=DateInput())
    deadline = forms.DateField(label=gettext_lazy("Deadline"), widget=DateInput())


class MeetingForm(forms.Form):
    semester = forms.ModelChoiceField(
        Semester.objects.select_related("academic_year").order_by("-start_date"), label=gettext_lazy("Semester")
    )
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    attendees = forms.CharField(
        label=gettext_lazy("Attendees"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(label=gettext_lazy("Minutes"), widget=forms.Textarea(attrs={"rows": 5}))


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _findings_visible(user):
    roles = roles_of(user)
    findings = SupervisionFinding.objects.select_related("college")
    if roles.sees_all_colleges:
        return findings
    return findings.filter(college_id__in=roles.admin_college_ids | roles.student_affairs_college_ids)


def _require_dashboards(user) -> None:
    if not sees_any_dashboard(user):
        raise PermissionDenied(_("Supervision is for college admins, student-affairs leads and the school offices."))


@login_required
@require_http_methods(["GET", "POST"])
def finding_list(request):
    _require_dashboards(request.user)
    office = sees_school_dashboard(request.user)
    form = None
    if office:
        form = FindingForm(request.POST or None, initial={"found_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                finding = finding_record(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The finding was recorded."))
                return redirect("finding_detail", pk=finding.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("Only the school office records findings."))
    findings = _findings_visible(request.user).order_by("state", "deadline", "pk")
    state = request.GET.get("state", "")
    if state:
        findings = findings.filter(state=state)
    return render(
        request,
        "mentoring/dashboard_findings.html",
        {"findings": findings, "form": form, "today": timezone.localdate(), "state": state},
    )


@login_required
def finding_detail(request, pk: int):
    _require_dashboards(request.user)
    finding = _findings_visible(request.user).filter(pk=pk).first()
    if finding is None:
        raise Http404
    return render(
        request,
        "mentoring/dashboard_finding.html",
        {
            "finding": finding,
            "today": timezone.localdate(),
            "office": sees_school_dashboard(request.user),
            "may_fix": fixes_college_findings(request.user, finding) or sees_school_dashboard(request.user),
        },
    )


@login_required
@require_POST
def finding_move(request, pk: int, move: str):
    _require_dashboards(request.user)
    finding = _findings_visible(request.user).filter(pk=pk).first()
    if finding is None:
        raise Http404
    try:
        if move == "fix":
            finding_fix(actor=request.user, finding=finding, fix=request.POST.get("fix", ""))
            messages.success(request, _("The fix was recorded; the school office will check it."))
        elif move == "close":
            finding_close(actor=request.user, finding=finding)
            messages.success(request, _("The finding was closed."))
        elif move == "reopen":
            finding_reopen(actor=request.user, finding=finding, reason=request.POST.get("reason", ""))
            messages.success(request, _("The finding was sent back to the college."))
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("finding_detail", pk=finding.pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_list(request):
    _require_dashboards(request.user)
    office = sees_school_dashboard(request.user)
    form = None
    if office:
        form = MeetingForm(request.POST or None, initial={"date": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                meeting_record(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The meeting was recorded."))
                return redirect("meeting_list")
    elif request.method == "POST":
        raise PermissionDenied(_("Only the school office records steering group meetings."))
    meetings = SteeringMeeting.objects.select_related("semester__academic_year").order_by("-date", "-pk")[:50]
    return render(
        request,
        "mentoring/dashboard_meetings.html",
        {"meetings": meetings, "form": form, "semesters": semester_meetings(timezone.localdate())},
    )
