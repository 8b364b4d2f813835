"""Maintaining the policy as data: versions and quota rules, with college rules only ever stricter (R-21)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import College, User
from accounts.rules import administers_college, is_school_admin
from accounts.services import audit_record
from mentoring.kinds import KIND_INFO
from mentoring.models import Period, PolicyVersion, QuotaRule, Scope, StaffRole
from mentoring.selectors.compliance import compliance_inputs_changed
from mentoring.tasks import dashboards_rewarm


def quota_rule_validate(rule: QuotaRule) -> None:
    """Field errors for a rule; a college rule may add a requirement or tighten the school's, never weaken it."""
    errors: dict[str, str] = {}
    if rule.role not in StaffRole.values:
        errors["role"] = _("Unknown role.")
    if rule.period not in Period.values:
        errors["period"] = _("Unknown period.")
    if rule.scope not in Scope.values:
        errors["scope"] = _("Unknown scope.")
    if not rule.kinds or any(kind not in KIND_INFO or rule.role not in KIND_INFO[kind].roles for kind in rule.kinds):
        errors["kinds"] = _("Choose record kinds that belong to the rule's role.")
    if rule.minimum is None or rule.minimum < 1:
        errors["minimum"] = _("The minimum must be at least 1.")
    if (rule.scope == Scope.PER_COUNTERPART) != bool(rule.counterpart_role):
        errors["counterpart_role"] = _("Rules per counterpart name the counterpart's role; other rules do not.")
    if rule.scope == Scope.PER_FLAGGED_STUDENT and not rule.flag_types:
        errors["flag_types"] = _("Rules per flagged student name the flags.")
    if errors:
        raise ValidationError(errors)
    if rule.college_id is None:
        return
    school = QuotaRule.objects.filter(
        policy_id=rule.policy_id,
        college__isnull=True,
        requirement=rule.requirement,
        role=rule.role,
        counterpart_role=rule.counterpart_role,
    )
    same = school.filter(scope=rule.scope, period=rule.period).first()
    if same is None and school.exists():
        raise ValidationError(
            {
                "period": _(
                    "The school already sets %(req)s with another period or scope; a college rule for it must keep "
                    "the school's period and scope and may only raise the minimum."
                )
                % {"req": rule.requirement}
            }
        )
    if same is None:
        return
    if rule.minimum < same.minimum:
        raise ValidationError(
            {
                "minimum": _(
                    "A college rule may only be stricter than the school's: %(req)s requires at least %(min)s, "
                    "so the college minimum cannot be %(given)s."
                )
                % {"req": rule.requirement, "min": same.minimum, "given": rule.minimum}
            }
        )
    if not set(rule.kinds) <= set(same.kinds):
        raise ValidationError({"kinds": _("Counting more kinds of record than the school rule would make it weaker.")})
    if set(rule.flag_types) < set(same.flag_types):
        raise ValidationError({"flag_types": _("Covering fewer flagged students than the school rule is weaker.")})


@transaction.atomic
def quota_rule_save(*, actor: User | None, rule: QuotaRule) -> QuotaRule:
    """Create or change a rule: school admins for school rules, college admins for their college's."""
    if actor is not None:
        allowed = is_school_admin(actor) if rule.college_id is None else administers_college(actor, rule.college)
        if not allowed:
            raise PermissionDenied(_("You may not change this rule."))
    quota_rule_validate(rule)
    before = None
    if rule.pk:
        old = QuotaRule.objects.select_for_update().get(pk=rule.pk)
        before = {"minimum": old.minimum, "kinds": old.kinds, "period": old.period}
    rule.save()
    compliance_inputs_changed()
    dashboards_rewarm()
    audit_record(
        actor=actor,
        action="quota_rule.save",
        target=rule,
        data={"before": before, "after": {"minimum": rule.minimum, "kinds": rule.kinds, "period": rule.period}},
    )
    return rule


@transaction.atomic
def policy_version_create(
    *, actor: User | None, code: str, title: str, effective_from: date, copy_rules_from: PolicyVersion | None = None
) -> PolicyVersion:
    """A new revision of the policy; it may start as a copy of an earlier version's rules."""
    if actor is not None and not is_school_admin(actor):
        raise PermissionDenied(_("Only school admins create policy versions."))
    if PolicyVersion.objects.filter(effective_from=effective_from).exists():
        raise ValidationError({"effective_from": _("Another version takes effect on that day.")})
    version = PolicyVersion.objects.create(
        code=code, title=title, effective_from=effective_from, replaces=copy_rules_from
    )
    if copy_rules_from is not None:
        for rule in copy_rules_from.rules.all():
            rule.pk = None
            rule.policy = version
            rule.save()
    compliance_inputs_changed()
    dashboards_rewarm()
    audit_record(actor=actor, action="policy.create", target=version, data={"from": effective_from.isoformat()})
    return version


def college_rule_add(*, actor: User | None, college: College, base: QuotaRule, minimum: int) -> QuotaRule:
    """A stricter college version of a school rule (the common case of R-21); an existing one is updated."""
    existing = QuotaRule.objects.filter(
        policy=base.policy,
        college=college,
        requirement=base.requirement,
        role=base.role,
        scope=base.scope,
        period=base.period,
        counterpart_role=base.counterpart_role,
    ).first()
    if existing is not None:
        existing.minimum = minimum
        return quota_rule_save(actor=actor, rule=existing)
    rule = QuotaRule(
        policy=base.policy,
        requirement=base.requirement,
        role=base.role,
        kinds=list(base.kinds),
        minimum=minimum,
        period=base.period,
        scope=base.scope,
        flag_types=list(base.flag_types),
        counterpart_role=base.counterpart_role,
        college=college,
        title_zh=base.title_zh,
        title_en=base.title_en,
    )
    return quota_rule_save(actor=actor, rule=rule)


@transaction.atomic
def college_rule_delete(*, actor: User | None, rule: QuotaRule) -> None:
    """Remove a college's own rule; its units fall back to the school rule."""
    if rule.college_id is None:
        raise ValidationError(_("School rules are changed through a new policy version, not deleted."))
    if actor is not None and not administers_college(actor, rule.college):
        raise PermissionDenied(_("You may not change this rule."))
    audit_record(
        actor=actor,
        action="quota_rule.delete",
        target=rule,
        data={"requirement": rule.requirement, "college": rule.college.code, "minimum": rule.minimum},
    )
    rule.delete()
    compliance_inputs_changed()
    dashboards_rewarm()
