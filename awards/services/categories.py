"""The award table of a cycle (R-26): copied from the policy's data when the cycle reaches school review, then
caps and stipends adjusted by the school admin with a reason."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from awards.models import Adjustment, Award, AwardCategory, AwardSlate, AwardState
from awards.services.common import SELECTION_PHASES, reason_of, require_committee, require_state, slate_lock
from evaluation.models import Cycle, Phase

AWARD_TABLE = Path(__file__).resolve().parent.parent / "policy_data" / "xiaofa_2022_50_awards.json"
CENT = Decimal("0.01")
STIPEND_MAX = Decimal("1000000")


@cache
def award_table() -> dict:
    with AWARD_TABLE.open(encoding="utf-8") as f:
        return json.load(f)


@transaction.atomic
def award_categories_prepare(*, actor: User | None, cycle: Cycle) -> AwardSlate:
    """Copy the policy's award table into the cycle (idempotent). `actor=None` is the system (the phase hook)."""
    require_committee(actor)
    cycle = Cycle.objects.select_for_update().select_related("academic_year").get(pk=cycle.pk)
    existing = AwardSlate.objects.filter(cycle=cycle).first()
    if existing is not None:
        return existing
    if cycle.phase not in SELECTION_PHASES:
        raise ValidationError(
            {
                "cycle": _("Awards are prepared when the evaluation reaches school review; it is in “%(phase)s”.")
                % {"phase": cycle.get_phase_display()}
            }
        )
    table = award_table()
    slate = AwardSlate.objects.create(cycle=cycle, policy_code=table["code"])
    AwardCategory.objects.bulk_create(
        AwardCategory(
            cycle=cycle,
            role=row["role"],
            rank=row["rank"],
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            cap=row["cap"],
            stipend=Decimal(row["stipend"]),
            scope=row["scope"],
        )
        for row in table["categories"]
    )
    audit_record(
        actor=actor, action="awards.prepare", target=slate, data={"policy": table["code"], "year": cycle.year_code}
    )
    return slate


def cycle_reached_school_review(sender, instance: Cycle, update_fields=None, **kwargs) -> None:
    """post_save of an evaluation cycle: once it reaches school review, prepare its awards after the commit.

    Queries nothing itself, so the evaluation's own writes cost the same; the preparation is idempotent.
    """
    if instance.phase != Phase.SCHOOL or (update_fields is not None and "phase" not in update_fields):
        return
    cycle_id = instance.pk
    transaction.on_commit(lambda: award_categories_prepare(actor=None, cycle=Cycle(pk=cycle_id)), robust=True)


def _held(category: AwardCategory) -> int:
    """The most awards the cap must allow: all of them, or the largest college's for a per-college award."""
    awards = Award.objects.filter(category=category)
    if not category.per_college:
        return awards.count()
    counts = awards.values("college_id").annotate(n=Count("id")).values_list("n", flat=True)
    return max(counts, default=0)


def money_of(value, field: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan, such as 2000 or 2000.50.")}) from None
    if not amount.is_finite() or amount < 0 or amount >= STIPEND_MAX or amount != amount.quantize(CENT):
        raise ValidationError({field: _("Enter an amount in yuan from 0 to 999999.99, with at most two decimals.")})
    return amount.quantize(CENT)


@transaction.atomic
def category_update(
    *, actor: User, category: AwardCategory, cap: int | None, stipend: Decimal | str, reason: str
) -> AwardCategory:
    """Change a category's cap and stipend for this cycle, before the list is published."""
    require_committee(actor)
    reason = reason_of(reason)
    slate = slate_lock(category.cycle)
    require_state(slate, AwardState.PREPARED, AwardState.PROPOSED)
    category = AwardCategory.objects.select_for_update().get(pk=category.pk)
    amount = money_of(stipend, "stipend")
    if cap is None or cap < 0:
        raise ValidationError({"cap": _("Enter the cap as a whole number, 0 or more.")})
    held = _held(category)
    if cap < held:
        raise ValidationError(
            {
                "cap": _(
                    "%(name)s already has %(held)s awards on the list; remove some before lowering the cap to %(cap)s."
                )
                % {"name": category.name_zh, "held": held, "cap": cap}
            }
        )
    before_cap, before_stipend = category.cap, category.stipend
    if (before_cap, before_stipend) == (cap, amount):
        return category
    category.cap, category.stipend = cap, amount
    category.save(update_fields=["cap", "stipend"])
    for action, before, after in (
        (Adjustment.Action.CAP, before_cap, cap),
        (Adjustment.Action.STIPEND, before_stipend, amount),
    ):
        if before != after:
            Adjustment.objects.create(
                cycle=category.cycle,
                action=action,
                category_to=category,
                before="" if before is None else str(before),
                after=str(after),
                reason=reason,
                actor=actor,
            )
    audit_record(
        actor=actor,
        action="awards.category_update",
        target=category,
        data={
            "cap": [before_cap, cap],
            "stipend": [str(before_stipend), str(amount)],
            "reason": reason,
        },
    )
    return category
