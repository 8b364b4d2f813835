"""The policy in force and each college's own, stricter rules (R-21), maintained in the browser."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import College
from accounts.rules import administered_college_ids
from mentoring.models import QuotaRule
from mentoring.selectors.compliance import policy_in_force
from mentoring.services.policy import college_rule_add, college_rule_delete


def _colleges_for(user):
    ids = administered_college_ids(user)
    return College.objects.all() if ids is None else College.objects.filter(pk__in=ids)


class CollegeRuleForm(forms.Form):
    college = forms.ModelChoiceField(label=_("College"), queryset=College.objects.none())
    base = forms.ModelChoiceField(label=_("School rule"), queryset=QuotaRule.objects.none())
    minimum = forms.IntegerField(label=_("College minimum"), min_value=1, max_value=100)

    def __init__(self, *args, colleges, school_rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["college"].queryset = colleges
        self.fields["base"].queryset = school_rules
        self.fields["base"].label_from_instance = lambda r: (
            f"{r.requirement} {r.title_zh} / {r.title_en} (≥ {r.minimum})"
        )


@login_required
@permission_required("mentoring.manage_college_rules", raise_exception=True)
def college_rules(request):
    version = policy_in_force(timezone.localdate())
    rules = list(QuotaRule.objects.filter(policy=version).select_related("college")) if version else []
    colleges = _colleges_for(request.user)
    visible = set(colleges.values_list("pk", flat=True))
    school_rules = QuotaRule.objects.filter(policy=version, college__isnull=True).order_by("requirement", "role")
    form = CollegeRuleForm(request.POST or None, colleges=colleges, school_rules=school_rules)
    if request.method == "POST" and form.is_valid():
        try:
            college_rule_add(
                actor=request.user,
                college=form.cleaned_data["college"],
                base=form.cleaned_data["base"],
                minimum=form.cleaned_data["minimum"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("minimum", message)
        else:
            messages.success(request, _("The college rule is saved."))
            return redirect("college_rules")
    return render(
        request,
        "mentoring/college_rules.html",
        {
            "version": version,
            "school_rules": [r for r in rules if r.college_id is None],
            "college_rules": [r for r in rules if r.college_id in visible],
            "form": form,
        },
    )


@login_required
@permission_required("mentoring.manage_college_rules", raise_exception=True)
@require_POST
def college_rule_remove(request, pk: int):
    rule = get_object_or_404(QuotaRule, pk=pk, college__in=_colleges_for(request.user))
    college_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("The college rule is removed; the school rule applies again."))
    return redirect("college_rules")
