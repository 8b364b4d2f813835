"""The notification centre (everyone), the unread badge (HTMX), preferences, and the college admin's log and robot."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import College, CollegeChannel, Notification, SentMessage
from accounts.notifications.reasons import reason_get, reasons_all
from accounts.notifications.services import (
    college_channel_set,
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_all_read,
)
from accounts.rules import administered_college_ids, administers_college

PAGE_SIZE = 30
LOG_PAGE_SIZE = 50
# htmx: this status swaps the (empty) answer in and stops the polling, for a session that has ended.
STOP_POLLING = 286


@login_required
def notification_list(request):
    inbox = Notification.objects.filter(recipient=request.user)
    page = Paginator(inbox, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/notifications/list.html",
        {
            "page": page,
            "unread": inbox.filter(read_at__isnull=True).count(),
            "sees_log": request.user.has_perm("accounts.view_sent_messages"),
        },
    )


class _SessionUntouched:
    """Stands in for the session after the badge answered. SessionMiddleware finds no `accessed` on it and saves
    nothing, so the badge's polling every minute does not count as activity: an idle tab still logs out after
    SESSION_IDLE_SECONDS (SESSION_SAVE_EVERY_REQUEST would otherwise renew the session on every poll)."""


def notification_badge(request):
    """The unread count for the header, loaded by HTMX after the page (base.html renders without a query)."""
    if not request.user.is_authenticated:
        return HttpResponse("", status=STOP_POLLING)
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    response = render(request, "accounts/notifications/_badge.html", {"unread": unread})
    request.session = _SessionUntouched()
    return response


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(actor=request.user, notification=notification)
    link = notification.link
    if "open" in request.POST and link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request):
    notifications_mark_all_read(actor=request.user)
    return redirect("notification_list")


class PreferencesForm(forms.Form):
    muted = forms.MultipleChoiceField(
        label=gettext_lazy("Mute these reminders"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["muted"].choices = [(r.code, r.label) for r in reasons_all() if not r.mandatory]


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    muted_now = sorted(request.user.notification_prefs.filter(muted=True).values_list("reason", flat=True))
    form = PreferencesForm(request.POST or None, initial={"muted": muted_now})
    if request.method == "POST" and form.is_valid():
        try:
            notification_preferences_set(actor=request.user, muted=set(form.cleaned_data["muted"]))
        except ValidationError as error:
            for message in error.message_dict.get("muted", error.messages):
                form.add_error("muted", message)
        else:
            messages.success(request, _("Your reminder settings are saved."))
            return redirect("notification_preferences")
    return render(
        request,
        "accounts/notifications/preferences.html",
        {"form": form, "mandatory": [r for r in reasons_all() if r.mandatory]},
    )


# --- college admins ----------------------------------------------------------------------------------------------


def _administered_colleges(user):
    ids = administered_college_ids(user)
    return College.objects.all() if ids is None else College.objects.filter(pk__in=ids)


def _college_for(request, code: str) -> College:
    """The college if the user administers it; 403 for a role that administers none, 404 for another college."""
    if not request.user.has_perm("accounts.view_sent_messages"):
        raise PermissionDenied(_("Only college and school admins see what the portal sent."))
    college = College.objects.filter(code=code).first()
    if college is None or not administers_college(request.user, college):
        raise Http404
    return college


@login_required
@permission_required("accounts.view_sent_messages", raise_exception=True)
def sent_log_index(request):
    college = _administered_colleges(request.user).order_by("code").first()
    if college is None:
        raise Http404
    return redirect("sent_log", code=college.code)


@login_required
def sent_log(request, code: str):
    college = _college_for(request, code)
    rows = SentMessage.objects.filter(college=college).select_related("recipient").order_by("-created", "-id")
    page = Paginator(rows, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        try:
            row.reason_label = reason_get(row.reason).label
        except ValueError:
            row.reason_label = row.reason
    return render(
        request,
        "accounts/notifications/sent_log.html",
        {
            "college": college,
            "colleges": list(_administered_colleges(request.user).order_by("code")),
            "channel": CollegeChannel.objects.filter(college=college).first(),
            "page": page,
        },
    )


class RobotForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Platform"), choices=CollegeChannel.Kind.choices)
    url = forms.URLField(
        label=gettext_lazy("Webhook address"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("In the group's settings: add a custom robot and copy its webhook address."),
    )
    enabled = forms.BooleanField(label=gettext_lazy("Send the reminder digests to this group"), required=False)


@login_required
@require_http_methods(["GET", "POST"])
def college_robot(request, code: str):
    college = _college_for(request, code)
    channel = CollegeChannel.objects.filter(college=college).first()
    initial = {"kind": channel.kind, "url": channel.url, "enabled": channel.enabled} if channel else {"enabled": True}
    form = RobotForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            college_channel_set(actor=request.user, college=college, **form.cleaned_data)
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, _("The group robot is saved."))
            return redirect("sent_log", code=college.code)
    return render(request, "accounts/notifications/robot.html", {"college": college, "form": form, "channel": channel})
