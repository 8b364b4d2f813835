"""Roster import pages: upload → preview (counts per sheet, or every bad cell) → apply."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from mentoring.models import RosterImport
from mentoring.selectors.roster import roster_import_get_visible, roster_imports_visible_to
from mentoring.services.roster import (
    roster_import_apply,
    roster_import_upload,
    roster_size_check,
    roster_template_build,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_TAGS = {
    RosterImport.Status.INVALID: "bad",
    RosterImport.Status.PREVIEWED: "warn",
    RosterImport.Status.APPLIED: "ok",
}


class RosterUploadForm(forms.Form):
    workbook = forms.FileField(label=_("Workbook (.xlsx)"))


@login_required
@permission_required("accounts.import_roster", raise_exception=True)
@require_http_methods(["GET", "POST"])
def upload(request):
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        workbook = form.cleaned_data["workbook"]
        try:
            roster_size_check(size=workbook.size)
            roster_import = roster_import_upload(
                actor=request.user, content=workbook.read(), original_name=workbook.name
            )
        except ValidationError as exc:
            form.add_error("workbook", exc)
        else:
            return redirect("roster_preview", pk=roster_import.pk)
    recent = [(item, STATUS_TAGS[item.status]) for item in roster_imports_visible_to(request.user)[:10]]
    return render(
        request,
        "mentoring/roster_upload.html",
        {"form": form, "recent": recent, "max_bytes": settings.YUREN_IMPORT_MAX_BYTES},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("accounts.import_roster", raise_exception=True)
@require_GET
def template(request):
    return HttpResponse(
        roster_template_build(),
        content_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="yuren-roster-template.xlsx"'},
    )


def _error_rows(errors: list[dict]) -> list[dict]:
    """Bad cells as the clerk sees them; messages are stored as msgids and translated for the reader."""
    return [{**error, "text": gettext(error["message"]) % error["params"]} for error in errors]


@login_required
@permission_required("accounts.import_roster", raise_exception=True)
@require_http_methods(["GET", "POST"])
def preview(request, pk: int):
    roster_import = roster_import_get_visible(request.user, pk=pk)
    if request.method == "POST":
        try:
            roster_import_apply(actor=request.user, roster_import=roster_import)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("The roster was imported."))
        return redirect("roster_preview", pk=roster_import.pk)
    return render(
        request,
        "mentoring/roster_preview.html",
        {
            "roster_import": roster_import,
            "status_tag": STATUS_TAGS[roster_import.status],
            "sheets": roster_import.summary.get("sheets", []),
            "error_count": roster_import.summary.get("error_count", len(roster_import.errors)),
            "errors": _error_rows(roster_import.errors),
        },
    )
