"""Pages of the annual evaluation. Thin: selectors read, services write, refusals become form errors."""

from __future__ import annotations

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import College
from evaluation.forms import SCALE_CHOICES, CycleDeadlinesForm, CycleOpenForm, survey_answers_from
from evaluation.models import MIN_RESPONSES, PHASE_ORDER, Candidate, PeerMode, PeerVote, Phase
from evaluation.selectors.cycles import cycle_current, cycle_get, year_proposed
from evaluation.selectors.scores import (
    candidates_visible_to,
    comments_of,
    recommend_quota,
    rows_sorted,
    score_rows,
)
from evaluation.selectors.survey import survey_answered, survey_targets
from evaluation.services.cycles import cycle_advance, cycle_deadlines_update, cycle_open, cycle_step_back
from evaluation.services.peer import peer_score_enter, peer_votes_cast
from evaluation.services.review import candidate_recommend, candidate_set_ineligible, self_report_save
from evaluation.services.survey import survey_submit
from mentoring.selectors.people import roles_of


def _refusal(request, error: ValidationError | PermissionDenied) -> None:
    texts = error.messages if isinstance(error, ValidationError) else [str(error)]
    for text in texts:
        messages.error(request, text)


def _phases(cycle) -> list[dict]:
    if cycle is None:
        return []
    return [
        {
            "phase": phase,
            "deadline": cycle.deadline_of(phase),
            "state": "active" if i == cycle.phase_index else ("done" if i < cycle.phase_index else ""),
        }
        for i, phase in enumerate(PHASE_ORDER)
    ]


@login_required
def overview(request):
    """The current cycle for everyone: its phase and deadlines, the formulas, and what I can do now."""
    cycle = cycle_current()
    roles = roles_of(request.user)
    context = {"cycle": cycle, "phases": _phases(cycle), "roles": roles, "min_responses": MIN_RESPONSES}
    if cycle is not None:
        context["my_candidacies"] = list(Candidate.objects.filter(cycle=cycle, person=request.user).order_by("role"))
    if cycle is not None and request.user.has_perm("evaluation.manage_cycle") and cycle.phase != Phase.CLOSED:
        context["deadlines_form"] = CycleDeadlinesForm(cycle=cycle)
    if roles.is_school_admin:
        proposed = year_proposed(timezone.localdate())
        context["proposed"] = proposed if proposed and not hasattr(proposed, "evaluation_cycle") else None
    return render(request, "evaluation/overview.html", context)


@login_required
@permission_required("evaluation.manage_cycle", raise_exception=True)
@require_http_methods(["GET", "POST"])
def open_cycle(request):
    if request.method == "POST":
        form = CycleOpenForm(request.POST)
        if form.is_valid():
            try:
                cycle = cycle_open(
                    actor=request.user, academic_year=form.cleaned_data["academic_year"], settings=form.to_settings()
                )
            except ValidationError as error:
                for field, texts in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, texts)
            else:
                messages.success(
                    request, _("The evaluation of %(year)s is open; its records are frozen.") % {"year": cycle}
                )
                return redirect("evaluation:overview")
    else:
        proposed = year_proposed(timezone.localdate())
        form = CycleOpenForm(initial={"academic_year": proposed.pk if proposed else None})
    return render(request, "evaluation/open.html", {"form": form})


@login_required
@permission_required("evaluation.manage_cycle", raise_exception=True)
@require_POST
def move(request, year: int, direction: str):
    cycle = cycle_get(year=year)
    try:
        if direction == "advance":
            cycle = cycle_advance(actor=request.user, cycle=cycle, expected_phase=request.POST.get("phase", ""))
        else:
            cycle = cycle_step_back(
                actor=request.user,
                cycle=cycle,
                expected_phase=request.POST.get("phase", ""),
                reason=request.POST.get("reason", ""),
            )
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The cycle is now in phase “%(phase)s”.") % {"phase": cycle.get_phase_display()})
    return redirect("evaluation:overview")


@login_required
@permission_required("evaluation.manage_cycle", raise_exception=True)
@require_POST
def deadlines(request, year: int):
    """Move the deadlines of the active and later phases; a refusal comes back as messages, nothing written."""
    cycle = cycle_get(year=year)
    form = CycleDeadlinesForm(request.POST)
    if not form.is_valid():
        for field, texts in form.errors.items():
            for text in texts:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {text}" if label else text)
        return redirect("evaluation:overview")
    data = form.cleaned_data
    try:
        cycle_deadlines_update(
            actor=request.user,
            cycle=cycle,
            deadlines={name: data[name] for name in ("survey_until", "peer_until", "college_until", "school_until")},
            reason=data["reason"],
        )
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The deadlines are changed; the reminders follow the new dates."))
    return redirect("evaluation:overview")


@login_required
@permission_required("evaluation.answer_survey", raise_exception=True)
@require_http_methods(["GET", "POST"])
def survey(request, year: int):
    cycle = cycle_get(year=year)
    student = request.user.student
    targets = survey_targets(cycle, student)
    if request.method == "POST":
        answers, comments = survey_answers_from(request.POST, targets, len(cycle.questions))
        try:
            survey_submit(actor=request.user, cycle=cycle, answers=answers, comments=comments)
        except (ValidationError, PermissionDenied) as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Thank you. Your answers were saved without your name."))
            return redirect("evaluation:survey", year=year)
    questions = list(enumerate(cycle.questions))
    return render(
        request,
        "evaluation/survey.html",
        {
            "cycle": cycle,
            "targets": targets,
            "questions": questions,
            "scale": SCALE_CHOICES,
            "answered": survey_answered(cycle, student),
            "open": cycle.phase == Phase.SURVEY,
        },
    )


def _my_candidacies(request, cycle) -> list[Candidate]:
    mine = list(Candidate.objects.filter(cycle=cycle, person=request.user).select_related("college").order_by("role"))
    if not mine:
        raise PermissionDenied(_("Only the mentors, class advisors and counselors evaluated this year take part."))
    return mine


@login_required
@require_http_methods(["GET", "POST"])
def self_report(request, year: int):
    cycle = cycle_get(year=year)
    mine = _my_candidacies(request, cycle)
    if request.method == "POST":
        target = next((c for c in mine if str(c.pk) == request.POST.get("candidate")), None)
        if target is None:
            raise Http404
        try:
            self_report_save(actor=request.user, candidate=target, text=request.POST.get("text", ""))
        except (ValidationError, PermissionDenied) as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Your self report is saved."))
            return redirect("evaluation:self_report", year=year)
    return render(
        request,
        "evaluation/self_report.html",
        {"cycle": cycle, "mine": mine, "open": cycle.phase == Phase.SURVEY},
    )


@login_required
@require_http_methods(["GET", "POST"])
def vote(request, year: int):
    cycle = cycle_get(year=year)
    mine = _my_candidacies(request, cycle)
    if request.method == "POST":
        role = request.POST.get("role", "")
        chosen = [int(v) for v in request.POST.getlist("for") if v.isdigit()]
        try:
            peer_votes_cast(actor=request.user, cycle=cycle, role=role, candidate_ids=chosen)
        except (ValidationError, PermissionDenied) as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Your votes are saved. You can change them until the phase ends."))
            return redirect("evaluation:vote", year=year)
    colleagues = (
        Candidate.objects.filter(cycle=cycle, role__in=[c.role for c in mine], college__in=[c.college_id for c in mine])
        .exclude(person=request.user)
        .select_related("person")
        .order_by("person__number")
    )
    given = set(
        PeerVote.objects.filter(voter=request.user, candidate__cycle=cycle).values_list("candidate_id", flat=True)
    )
    groups = [
        {
            "mine": c,
            "colleagues": [x for x in colleagues if x.role == c.role and x.college_id == c.college_id],
        }
        for c in mine
    ]
    return render(
        request,
        "evaluation/vote.html",
        {
            "cycle": cycle,
            "groups": groups,
            "given": given,
            "open": cycle.phase == Phase.PEER and cycle.peer_mode == PeerMode.VOTES,
        },
    )


@login_required
@permission_required("evaluation.review_colleges", raise_exception=True)
@require_http_methods(["GET", "POST"])
def college_review(request, year: int, code: str):
    cycle = cycle_get(year=year)
    college = College.objects.filter(code=code).first()
    if college is None or not request.user.has_perm("evaluation.review_college", college):
        raise Http404
    candidates = Candidate.objects.filter(cycle=cycle, college=college).select_related("person", "college")
    if request.method == "POST":
        target = candidates.filter(pk=request.POST.get("candidate") or 0).first()
        if target is None:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "recommend":
                candidate_recommend(actor=request.user, candidate=target, recommended=True)
            elif action == "unrecommend":
                candidate_recommend(actor=request.user, candidate=target, recommended=False)
            elif action == "ineligible":
                candidate_set_ineligible(actor=request.user, candidate=target, reason=request.POST.get("reason", ""))
            elif action == "peer_score":
                peer_score_enter(actor=request.user, candidate=target, score=request.POST.get("score", ""))
            else:
                raise ValidationError(_("Unknown action."))
        except (ValidationError, PermissionDenied) as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": target.person.name})
        return redirect("evaluation:college_review", year=year, code=code)
    rows = rows_sorted(score_rows(cycle, candidates), request.GET.get("sort", "final"))
    comments = comments_of([r.candidate.pk for r in rows])
    groups: dict[str, dict] = {}
    for row in rows:
        group = groups.setdefault(row.candidate.role, {"role": row.candidate.get_role_display(), "rows": []})
        group["rows"].append({"row": row, "comments": comments.get(row.candidate.pk, [])})
    for group in groups.values():
        group["quota"] = recommend_quota(len(group["rows"]), cycle.recommend_percent)
        group["recommended"] = sum(1 for r in group["rows"] if r["row"].candidate.recommended)
    return render(
        request,
        "evaluation/college_review.html",
        {
            "cycle": cycle,
            "college": college,
            "groups": list(groups.values()),
            "reviewing": cycle.phase == Phase.COLLEGE,
            "scoring": cycle.phase == Phase.PEER and cycle.peer_mode == PeerMode.SCORES,
            "min_responses": MIN_RESPONSES,
        },
    )


COLUMNS = ["number", "final", "compliance", "satisfaction", "peer"]


@login_required
@permission_required("evaluation.view_scores", raise_exception=True)
def scores(request, year: int):
    cycle = cycle_get(year=year)
    sort = request.GET.get("sort", "final")
    rows = rows_sorted(score_rows(cycle, candidates_visible_to(request.user, cycle)), sort)
    colleges = (
        College.objects.filter(pk__in={r.candidate.college_id for r in rows}).order_by("code")
        if request.user.has_perm("evaluation.review_colleges")
        else College.objects.none()
    )
    reviewable = [c for c in colleges if request.user.has_perm("evaluation.review_college", c)]
    return render(
        request,
        "evaluation/scores.html",
        {"cycle": cycle, "rows": rows, "sort": sort if sort in COLUMNS else "final", "reviewable": reviewable},
    )


@login_required
@permission_required("evaluation.view_scores", raise_exception=True)
def scores_export(request, year: int):
    """The score table as an Excel workbook (R-22): one row per person and role."""
    from openpyxl import Workbook

    cycle = cycle_get(year=year)
    rows = rows_sorted(score_rows(cycle, candidates_visible_to(request.user, cycle)), "final")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(cycle.academic_year))
    sheet.append(
        [
            _("Number"),
            _("Name"),
            _("College"),
            _("Role"),
            _("Duty compliance"),
            _("Compliance passed"),
            _("Student satisfaction"),
            _("Responses"),
            _("Peer recognition"),
            _("Final score"),
            _("Recommended"),
            _("Eligible"),
            _("Reason for ineligibility"),
        ]
    )
    for row in rows:
        c = row.candidate
        sheet.append(
            [
                c.person.number,
                c.person.name,
                c.college.name if c.college else "",
                c.get_role_display(),
                float(row.compliance),
                _("yes") if c.compliance_passed else _("no"),
                float(row.satisfaction) if row.satisfaction is not None else None,
                row.responses if row.satisfaction_shown else None,
                float(row.peer) if row.peer is not None else None,
                float(row.final) if row.final is not None else None,
                _("yes") if c.recommended else _("no"),
                _("yes") if c.eligible else _("no"),
                c.ineligible_reason,
            ]
        )
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="evaluation-{cycle.year_code}.xlsx"'
    return response
