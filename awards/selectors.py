"""Reads of the awards: a cycle's list, why each person is on it, publicity, the honour roll, the stipend sheet.

Each page's reads are a fixed number of queries, whatever the size of the school.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from awards.models import Adjustment, Award, AwardCategory, AwardSlate, AwardState, Objection, WorkAllowance
from evaluation.models import Candidate, Cycle
from mentoring.models import StaffRole
from mentoring.selectors.people import roles_of

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def cycle_get(*, year: int) -> Cycle:
    """The evaluation cycle of the academic year that starts in `year`, with its award list; 404 when none."""
    cycle = Cycle.objects.select_related("academic_year", "award_slate").filter(academic_year__start_year=year).first()
    if cycle is None:
        raise Http404
    return cycle


def slate_of(cycle: Cycle) -> AwardSlate | None:
    try:
        return cycle.award_slate
    except AwardSlate.DoesNotExist:
        return None


def cycle_get_public(*, year: int) -> tuple[Cycle, AwardSlate]:
    """A cycle whose list is in publicity or final; 404 otherwise (a draft is nobody's business but the office's)."""
    cycle = cycle_get(year=year)
    slate = slate_of(cycle)
    if slate is None or not slate.is_public:
        raise Http404
    return cycle, slate


def cycles_with_awards() -> list[Cycle]:
    return list(
        Cycle.objects.filter(award_slate__isnull=False)
        .select_related("academic_year", "award_slate")
        .order_by("-academic_year__start_year")
    )


def awards_of(cycle: Cycle) -> QuerySet[Award]:
    return (
        Award.objects.filter(cycle=cycle)
        .select_related("person", "college", "category")
        .order_by("role", "category__rank", "role_rank", "person__number")
    )


def explain(award: Award) -> str:
    """Why a person is on the list, in the reader's language."""
    why = award.why or {}
    chinese = (translation.get_language() or "").startswith("zh")
    name = award.category.name_zh if chinese else award.category.name_en
    role = StaffRole(award.role).label
    if why.get("rule") == "committee":
        text = _("Added by the committee: %(reason)s") % {"reason": why.get("reason", "")}
        if why.get("override"):
            text += " " + _("(over the eligibility or recommendation rule, by this recorded reason)")
        return text
    if why.get("rule") == "college":
        text = _(
            "Rank %(rank)s of %(pool)s eligible, recommended %(role)s candidates; %(award)s takes up to %(cap)s per "
            "college, filled top-down within each college among those not placed higher."
        ) % {"rank": award.role_rank, "pool": why.get("pool"), "role": role, "award": name, "cap": why.get("cap")}
    else:
        text = _(
            "Rank %(rank)s of %(pool)s eligible, recommended %(role)s candidates; the ladder is filled top-down and "
            "%(award)s takes up to %(cap)s."
        ) % {"rank": award.role_rank, "pool": why.get("pool"), "role": role, "award": name, "cap": why.get("cap")}
    if "moved_from" in why:
        before = why["moved_from"] if chinese else why.get("moved_from_en", why["moved_from"])
        text += " " + _("Moved by the committee from %(award)s: %(reason)s") % {
            "award": before,
            "reason": why.get("reason", ""),
        }
    return text


@dataclass
class Block:
    category: AwardCategory
    awards: list[Award] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return self.category.cap is not None and not self.category.per_college and len(self.awards) >= self.category.cap


@dataclass
class Ladder:
    role: str
    label: str
    blocks: list[Block]


def ladders_of(cycle: Cycle, *, with_why: bool = True) -> list[Ladder]:
    """Each role's ladder: its categories top-down with their awards (two queries)."""
    categories = list(AwardCategory.objects.filter(cycle=cycle).order_by("role", "rank"))
    blocks = {c.pk: Block(c) for c in categories}
    for award in awards_of(cycle):
        award.category = blocks[award.category_id].category
        if with_why:
            award.explanation = explain(award)
        blocks[award.category_id].awards.append(award)
    ladders = []
    for role in StaffRole:
        role_blocks = [blocks[c.pk] for c in categories if c.role == role]
        if role_blocks:
            ladders.append(Ladder(role.value, role.label, role_blocks))
    return ladders


def adjustments_of(cycle: Cycle) -> QuerySet[Adjustment]:
    return Adjustment.objects.filter(cycle=cycle).select_related("person", "category_from", "category_to", "actor")


def objections_of(cycle: Cycle) -> QuerySet[Objection]:
    return Objection.objects.filter(cycle=cycle).select_related("subject", "category", "filed_by", "resolved_by")


def objections_visible_to(user, cycle: Cycle | None = None) -> QuerySet[Objection]:
    """School offices see every objection; anyone else the objections they filed."""
    qs = Objection.objects.select_related("subject", "category", "filed_by", "cycle__academic_year")
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    if roles_of(user).sees_all_colleges:
        return qs
    return qs.filter(filed_by=user)


def awards_visible_to(user) -> QuerySet[Award]:
    """School offices see every list, drafts too; anyone else the lists in publicity or final."""
    qs = Award.objects.select_related("person", "college", "category", "cycle__academic_year")
    if roles_of(user).sees_all_colleges:
        return qs
    return qs.filter(cycle__award_slate__state__in=[AwardState.PUBLICITY, AwardState.FINALISED])


def honour_roll(*, year: int | None = None, role: str | None = None) -> QuerySet[Award]:
    """Winners of final lists (R-27), newest year first; past years stay."""
    qs = Award.objects.filter(cycle__award_slate__state=AwardState.FINALISED).select_related(
        "person", "college", "category", "cycle__academic_year"
    )
    if year is not None:
        qs = qs.filter(cycle__academic_year__start_year=year)
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("-cycle__academic_year__start_year", "role", "category__rank", "role_rank", "person__number")


def honour_years() -> list[int]:
    return list(
        Cycle.objects.filter(award_slate__state=AwardState.FINALISED)
        .order_by("-academic_year__start_year")
        .values_list("academic_year__start_year", flat=True)
    )


# --- The stipend sheet ---------------------------------------------------------------------------------------


@dataclass
class CollegeTotal:
    college_id: int | None
    name: str
    awards: int = 0
    award_amount: Decimal = ZERO
    allowance_people: int = 0
    allowance_amount: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.award_amount + self.allowance_amount


@dataclass
class StipendSheet:
    cycle: Cycle
    awards: list[Award]
    allowances: dict[str, Decimal]  # role → yuan per person; a role without a row gets none
    colleges: list[CollegeTotal]
    overall: CollegeTotal


def allowance_recipients(cycle: Cycle) -> QuerySet[Candidate]:
    """Who receives the work allowance (R-23): everyone evaluated in a role who passed its duty compliance."""
    return Candidate.objects.filter(cycle=cycle, compliance_passed=True)


def stipend_sheet(cycle: Cycle) -> StipendSheet:
    """Every award with its amount, the allowances, and totals per college and overall, summed by the database."""
    awards = list(awards_of(cycle))
    allowances = dict(
        WorkAllowance.objects.filter(academic_year_id=cycle.academic_year_id).values_list("role", "amount")
    )
    colleges: dict[int | None, CollegeTotal] = {}

    def total_of(college_id, name) -> CollegeTotal:
        if college_id not in colleges:
            colleges[college_id] = CollegeTotal(college_id, name)
        return colleges[college_id]

    for row in (
        Award.objects.filter(cycle=cycle)
        .values("college_id", "college__name")
        .annotate(n=Count("id"), amount=Sum("category__stipend"))
        .order_by()
    ):
        entry = total_of(row["college_id"], row["college__name"] or "—")
        # Exact yuan to the cent (SQLite returns the sum without its scale).
        entry.awards, entry.award_amount = row["n"], (row["amount"] or ZERO).quantize(CENT)
    for row in (
        allowance_recipients(cycle).values("college_id", "college__name", "role").annotate(n=Count("id")).order_by()
    ):
        amount = allowances.get(row["role"])
        if amount is None:
            continue
        entry = total_of(row["college_id"], row["college__name"] or "—")
        entry.allowance_people += row["n"]
        entry.allowance_amount += amount * row["n"]
    ordered = sorted(colleges.values(), key=lambda c: (c.college_id is None, c.name))
    overall = CollegeTotal(None, _("Whole school"))
    for entry in ordered:
        overall.awards += entry.awards
        overall.award_amount += entry.award_amount
        overall.allowance_people += entry.allowance_people
        overall.allowance_amount += entry.allowance_amount
    return StipendSheet(cycle, awards, allowances, ordered, overall)
