"""My work (standings against the quotas), recording work, one's records, and flags on students.

The counting is the compliance engine's (`compliance_report`); these views only arrange its lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import AuditEntry, SchoolClass, Student, User
from mentoring.forms import FlagForm, RecordForm
from mentoring.kinds import kinds_for_roles
from mentoring.models import Period, Scope
from mentoring.selectors.calendar import calendar_locate, semester_current
from mentoring.selectors.compliance import MET, NOT_DUE, PENDING, SHORT, RuleStanding, compliance_report
from mentoring.selectors.people import roles_of, student_get_visible
from mentoring.selectors.records import last_recorded_kind, record_get_visible, records_of_author
from mentoring.services.flags import flag_may_set, flag_set
from mentoring.services.records import interaction_delete, interaction_log, interaction_update

PAGE_SIZE = 30

UNIT_LABELS = {
    Scope.PER_STUDENT: gettext_lazy("students"),
    Scope.PER_FLAGGED_STUDENT: gettext_lazy("flagged students"),
    Scope.PER_CLASS: gettext_lazy("classes"),
    Scope.PER_COUNTERPART: gettext_lazy("colleagues"),
    Scope.PER_STAFF: gettext_lazy("weeks"),
}


def _require_worker(user) -> None:
    if not roles_of(user).is_worker:
        raise PermissionDenied(_("Only mentors, class advisors and counselors record work."))


@dataclass
class Card:
    standing: RuleStanding
    title: str
    unit_label: str
    required: int
    short_units: list[str] = field(default_factory=list)
    current_line: object = None
    past_weeks: list = field(default_factory=list)

    @property
    def rule(self):
        return self.standing.rule

    @property
    def done(self) -> int:
        """Records that count towards what is due so far: the bar moves with every record, not only at 4/4."""
        return sum(min(line.count, line.required) for line in self.standing.lines if line.status != NOT_DUE)

    @property
    def goal(self) -> int:
        return sum(line.required for line in self.standing.lines if line.status != NOT_DUE) or 1

    @property
    def weekly(self) -> bool:
        return self.rule.period == Period.WEEK

    @property
    def record_kind(self) -> str:
        """The record form's choice of the first kind of record (in the policy's order) that this rule counts and its
        role writes; empty if none."""
        rule = self.rule
        return next((RecordForm.kind_choice(r, k) for r, k in kinds_for_roles({rule.role}) if k in rule.kinds), "")


def _cards(standings: list[RuleStanding], week_number: int | None) -> list[Card]:
    """One card per rule, naming the units still short; names in three queries, whatever the size."""
    student_ids, class_ids, user_ids = set(), set(), set()
    for standing in standings:
        for line in standing.lines:
            if line.status not in (SHORT, PENDING) or line.unit_id is None:
                continue
            scope = standing.rule.scope
            if scope in (Scope.PER_STUDENT, Scope.PER_FLAGGED_STUDENT):
                student_ids.add(line.unit_id)
            elif scope == Scope.PER_CLASS:
                class_ids.add(line.unit_id)
            elif scope == Scope.PER_COUNTERPART:
                user_ids.add(line.unit_id)
    # Students' pk is their user's pk, so one user lookup names students and colleagues alike.
    names = dict(User.objects.filter(pk__in=student_ids | user_ids | {0}).values_list("pk", "name"))
    class_names = dict(SchoolClass.objects.filter(pk__in=class_ids | {0}).values_list("pk", "name"))
    chinese = (translation.get_language() or "").startswith("zh")

    cards = []
    for standing in standings:
        rule = standing.rule
        due = [line for line in standing.lines if line.status != NOT_DUE]
        card = Card(
            standing=standing,
            title=rule.title_zh if chinese else rule.title_en,
            unit_label=str(UNIT_LABELS.get(rule.scope, "")),
            required=max((line.required for line in due), default=rule.minimum),
        )
        if card.weekly:
            card.unit_label = str(UNIT_LABELS[Scope.PER_STAFF])
            for line in sorted(due, key=lambda x: x.period or 0):
                if line.period == week_number:
                    card.current_line = line
                elif line.status in (MET, SHORT):
                    card.past_weeks.append(line)
        else:
            for line in due:
                if line.status not in (SHORT, PENDING):
                    continue
                if rule.scope == Scope.PER_CLASS:
                    name = class_names.get(line.unit_id, "?")
                    if rule.period == Period.MONTH:
                        name = f"{name} ({line.period:%Y-%m})"
                else:
                    name = names.get(line.unit_id, "?")
                card.short_units.append(f"{name} {line.count}/{line.required}")
        cards.append(card)
    return cards


@login_required
def my_work(request):
    user = request.user
    _require_worker(user)
    today = timezone.localdate()
    semester = semester_current(today)
    context: dict = {"semester": semester, "cards": [], "week": None}
    if semester is not None:
        position = calendar_locate(today)
        week_number = position.week_number if position and position.semester.pk == semester.pk else None
        report = compliance_report(semester=semester, on=today, person_ids=[user.pk])
        context.update(
            week=week_number,
            weeks_left=report.weeks_left,
            cards=_cards(report.for_person(user.pk), week_number),
        )
    return render(request, "mentoring/my_work.html", context)


def _record_form_page(request, *, record=None):
    user = request.user
    roles = roles_of(user)
    if request.method == "POST":
        form = RecordForm(request.POST, user=user, roles=roles)
        if form.is_valid():
            try:
                if record is None:
                    interaction_log(actor=user, data=form.record_input())
                else:
                    interaction_update(actor=user, interaction=record, data=form.record_input())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if record is None:
                    messages.success(request, _("Recorded."))
                    return redirect("my_work")
                messages.success(request, _("The record was changed."))
                return redirect("record_detail", pk=record.pk)
    else:
        initial = RecordForm.initial_from(record) if record is not None else None
        # From a card of My work, else the kind last recorded (the form takes either only if it may be recorded).
        kind = (request.GET.get("kind", "") or last_recorded_kind(user)) if record is None else ""
        form = RecordForm(initial=initial, user=user, roles=roles, kind=kind)
    return render(request, "mentoring/record_form.html", {"form": form, "record": record})


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request):
    _require_worker(request.user)
    return _record_form_page(request)


@login_required
def record_list(request):
    _require_worker(request.user)
    page = Paginator(records_of_author(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mentoring/record_list.html", {"page": page, "q": ""})


@login_required
def record_detail(request, pk: int):
    record = record_get_visible(request.user, pk)
    roles = roles_of(request.user)
    attendees = Student.objects.filter(attendance__interaction=record).select_related("user", "school_class")
    history = []
    if roles.is_school_admin or roles.is_college_admin:
        history = AuditEntry.objects.filter(
            target_type="mentoring.interaction", target_id=str(record.pk)
        ).select_related("actor")
    return render(
        request,
        "mentoring/record_detail.html",
        {"record": record, "attendees": attendees, "history": history, "mine": record.author_id == request.user.pk},
    )


def _own_record(request, pk: int):
    record = record_get_visible(request.user, pk)
    if record.author_id != request.user.pk:
        raise Http404
    return record


@login_required
@require_http_methods(["GET", "POST"])
def record_update(request, pk: int):
    return _record_form_page(request, record=_own_record(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def record_delete(request, pk: int):
    record = _own_record(request, pk)
    if request.method == "POST":
        try:
            interaction_delete(actor=request.user, interaction=record)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("record_detail", pk=record.pk)
        messages.success(request, _("The record was deleted."))
        return redirect("record_list")
    return render(request, "mentoring/record_confirm_delete.html", {"record": record})


@login_required
@require_http_methods(["GET", "POST"])
def flag_create(request, number: str):
    student = student_get_visible(request.user, number=number)
    if not flag_may_set(request.user, student, timezone.localdate()):
        raise PermissionDenied(_("Only the student's counselor or a college admin may set flags."))
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag_set(actor=request.user, student=student, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The flag was set."))
            return redirect("student_detail", number=student.user.number)
    return render(request, "mentoring/flag_form.html", {"form": form, "student": student})
