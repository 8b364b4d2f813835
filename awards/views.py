"""Pages of the awards. Thin: selectors read, services write, refusals come back as messages.

The committee page, publicity and objections, finalising, the stipend sheet and its Excel export, the honour roll.
"""

from __future__ import annotations

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awards.exports import stipend_workbook
from awards.models import Award, AwardCategory, AwardState, Objection, ObjectionState, SelectionRun
from awards.selectors import (
    adjustments_of,
    cycle_get,
    cycle_get_public,
    cycles_with_awards,
    honour_roll,
    honour_years,
    ladders_of,
    objections_of,
    slate_of,
    stipend_sheet,
)
from awards.services.categories import category_update
from awards.services.proposal import award_add, award_move, award_remove, selection_start
from awards.services.publicity import (
    allowance_set,
    awards_finalise,
    awards_publish,
    objection_file,
    objection_resolve,
)
from evaluation.models import Candidate
from mentoring.models import StaffRole
from mentoring.selectors.people import roles_of


def _refusal(request, error: ValidationError | PermissionDenied) -> None:
    for text in error.messages if isinstance(error, ValidationError) else [str(error)]:
        messages.error(request, text)


def _int(value, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
def index(request):
    """Every year's award list that exists: publicity and honour roll for everyone, the committee for the office."""
    return render(request, "awards/index.html", {"cycles": cycles_with_awards(), "roles": roles_of(request.user)})


@login_required
@permission_required("awards.view_proposal", raise_exception=True)
def committee(request, year: int):
    cycle = cycle_get(year=year)
    slate = slate_of(cycle)
    context = {"cycle": cycle, "slate": slate, "roles_choices": StaffRole.choices}
    if slate is not None:
        ladders = ladders_of(cycle)
        context.update(
            ladders=ladders,
            categories=[block.category for ladder in ladders for block in ladder.blocks],
            adjustments=list(adjustments_of(cycle)[:100]),
            objections=list(objections_of(cycle)),
            run=SelectionRun.objects.filter(cycle=cycle).order_by("-created").first(),
            today=timezone.localdate(),
            tied=sum(1 for ladder in ladders for block in ladder.blocks for a in block.awards if a.tied),
        )
    return render(request, "awards/committee.html", context)


@login_required
@permission_required("awards.manage", raise_exception=True)
@require_POST
def run(request, year: int):
    cycle = cycle_get(year=year)
    try:
        job = selection_start(actor=request.user, cycle=cycle)
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
        return redirect("awards:committee", year=year)
    return redirect("awards:run_status", year=year, pk=job.pk)


@login_required
@permission_required("awards.manage", raise_exception=True)
def run_status(request, year: int, pk: int):
    job = SelectionRun.objects.filter(pk=pk, cycle__academic_year__start_year=year).first()
    if job is None:
        raise Http404
    template = "awards/_run_progress.html" if request.htmx else "awards/run.html"
    return render(request, template, {"job": job, "year": year})


@login_required
@permission_required("awards.manage", raise_exception=True)
@require_POST
def category(request, year: int, code: str):
    cycle = cycle_get(year=year)
    target = AwardCategory.objects.filter(cycle=cycle, code=code).first()
    if target is None:
        raise Http404
    try:
        category_update(
            actor=request.user,
            category=target,
            cap=_int(request.POST.get("cap"), -1),
            stipend=request.POST.get("stipend", ""),
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(request, _("%(name)s updated.") % {"name": target.name_zh})
    return redirect("awards:committee", year=year)


@login_required
@permission_required("awards.manage", raise_exception=True)
@require_POST
def adjust(request, year: int):
    """Add, remove or move, each with a reason."""
    cycle = cycle_get(year=year)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    target = AwardCategory.objects.filter(cycle=cycle, code=request.POST.get("category", "")).first()
    try:
        if action == "add":
            number = request.POST.get("number", "").strip()
            candidate = (
                Candidate.objects.select_related("person", "cycle")
                .filter(cycle=cycle, person__number=number, role=target.role if target else "")
                .first()
            )
            if target is None or candidate is None:
                raise ValidationError(
                    {"number": _("No candidate %(number)s in this award's role this year.") % {"number": number}}
                )
            award_add(actor=request.user, candidate=candidate, category=target, reason=reason)
        else:
            award = Award.objects.filter(cycle=cycle, pk=_int(request.POST.get("award"), 0)).first()
            if award is None:
                raise Http404
            if action == "remove":
                award_remove(actor=request.user, award=award, reason=reason)
            elif action == "move" and target is not None:
                award_move(actor=request.user, award=award, category=target, reason=reason)
            else:
                raise ValidationError({"category": _("Choose the award to move to.")})
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The change is made and kept with its reason."))
    return redirect("awards:committee", year=year)


@login_required
@permission_required("awards.manage", raise_exception=True)
@require_POST
def publish(request, year: int):
    cycle = cycle_get(year=year)
    try:
        slate = awards_publish(actor=request.user, cycle=cycle, working_days=_int(request.POST.get("days"), 0))
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(
            request, _("The list is in publicity until %(end)s.") % {"end": slate.publicity_until.isoformat()}
        )
    return redirect("awards:committee", year=year)


@login_required
@permission_required("awards.manage", raise_exception=True)
@require_POST
def finalise(request, year: int):
    cycle = cycle_get(year=year)
    try:
        awards_finalise(actor=request.user, cycle=cycle)
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The award list is final. It is on the honour roll."))
    return redirect("awards:committee", year=year)


@login_required
def publicity(request, year: int):
    """The publicised list (公示), for everyone logged in, with the objection form while publicity lasts."""
    cycle, slate = cycle_get_public(year=year)
    today = timezone.localdate()
    return render(
        request,
        "awards/publicity.html",
        {
            "cycle": cycle,
            "slate": slate,
            "ladders": ladders_of(cycle, with_why=False),
            "open": slate.state == AwardState.PUBLICITY and slate.publicity_from <= today <= slate.publicity_until,
            "mine": list(
                Objection.objects.filter(cycle=cycle, filed_by=request.user).select_related("subject", "category")
            ),
        },
    )


@login_required
@require_POST
def object_to(request, year: int):
    cycle, _slate = cycle_get_public(year=year)
    award = Award.objects.filter(cycle=cycle, pk=_int(request.POST.get("award"), 0)).first()
    if award is None:
        raise Http404
    try:
        objection_file(actor=request.user, award=award, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Your objection is filed. The academic affairs office will resolve it."))
    return redirect("awards:publicity", year=year)


@login_required
@permission_required("awards.manage", raise_exception=True)
@require_POST
def resolve(request, year: int, pk: int):
    cycle = cycle_get(year=year)
    objection = Objection.objects.filter(cycle=cycle, pk=pk).first()
    if objection is None:
        raise Http404
    outcome = request.POST.get("outcome", "")
    try:
        if outcome not in (ObjectionState.UPHELD, ObjectionState.DISMISSED):
            raise ValidationError({"outcome": _("Choose whether the objection is upheld or dismissed.")})
        objection_resolve(
            actor=request.user,
            objection=objection,
            upheld=outcome == ObjectionState.UPHELD,
            resolution=request.POST.get("resolution", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The objection is resolved."))
    return redirect("awards:committee", year=year)


@login_required
@permission_required("awards.view_stipends", raise_exception=True)
def stipends(request, year: int):
    cycle = cycle_get(year=year)
    slate = slate_of(cycle)
    if slate is None:
        raise Http404
    sheet = stipend_sheet(cycle)
    return render(
        request,
        "awards/stipends.html",
        {
            "cycle": cycle,
            "slate": slate,
            "sheet": sheet,
            "roles_choices": StaffRole.choices,
            "allowance_rows": [(label, sheet.allowances.get(value)) for value, label in StaffRole.choices],
        },
    )


@login_required
@permission_required("awards.manage", raise_exception=True)
@require_POST
def allowance(request, year: int):
    cycle = cycle_get(year=year)
    try:
        allowance_set(
            actor=request.user,
            academic_year=cycle.academic_year,
            role=request.POST.get("role", ""),
            amount=request.POST.get("amount", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The work allowance is saved."))
    return redirect("awards:stipends", year=year)


@login_required
@permission_required("awards.view_stipends", raise_exception=True)
def stipends_export(request, year: int):
    """The stipend sheet for finance: only a final list."""
    cycle = cycle_get(year=year)
    slate = slate_of(cycle)
    if slate is None or not slate.is_final:
        raise Http404
    buffer = BytesIO()
    stipend_workbook(buffer, stipend_sheet(cycle))
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="yuren-stipends-{cycle.year_code}.xlsx"'
    return response


@login_required
def honour(request):
    """The honour roll (R-27) by year and role; every final year stays."""
    years = honour_years()
    year = _int(request.GET.get("year"))
    if year not in years:
        year = years[0] if years else None
    role = request.GET.get("role", "")
    if role not in StaffRole.values:
        role = ""
    rows = list(honour_roll(year=year, role=role or None)) if year is not None else []
    return render(
        request,
        "awards/honour_roll.html",
        {"years": years, "year": year, "role": role, "rows": rows, "roles_choices": StaffRole.choices},
    )
