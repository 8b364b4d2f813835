"""Deadline reminders of the evaluation (issue 7): before a phase's deadline, exactly the people who still owe
something in that phase are told, 3 days and 1 day before (DEADLINE_LEAD_DAYS).

Who is pending is read from the database at run time and depends on the active phase only; a phase that is not
active reminds nobody (its people cannot act, or can no longer act):
- survey phase (deadline `survey_until`): students with a mentor, class advisor or counselor to rate in the
  judged year (a candidate, as `evaluation.selectors.survey.survey_targets` finds them) and no participation row
  (`deadline.survey`); candidates whose self report is still empty, once per person naming the roles
  (`deadline.self_report`);
- peer phase (`peer_until`): when colleagues vote, candidates who have a colleague to vote for (same college and
  role) and have cast no vote in that role; when the working group scores, the admins of each college with people
  still without a score (`deadline.peer`);
- college review (`college_until`): the admins of each college where a role has eligible people and nobody is
  recommended yet (`deadline.recommend`). The school review has no reminder: the school admin moves the cycle.

A run on the day of a stage sends it; a run that missed that day (beat down) catches up until the next stage's
day, and the last stage until the deadline itself. A run sends one stage at most, so a beat that was down for the
3-day reminder sends only the 1-day one. The key `cycle-<id>-<phase>-<deadline>-<n>d` makes a second run, a second
beat or a redelivered task send nothing twice, and gives a moved deadline its own reminders. The reasons are
mandatory: muting them has no effect.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import College, Role, RoleGrant, Student, User
from accounts.notifications.reasons import reason_register
from accounts.notifications.services import Outgoing, notifications_queue
from evaluation.models import Candidate, Cycle, PeerMode, PeerScore, PeerVote, Phase, SurveyParticipation
from evaluation.selectors.survey import survey_last_day
from mentoring.models import AdvisorAssignment, CounselorAssignment, MentorAssignment, StaffRole

SURVEY = reason_register(
    "deadline.survey",
    gettext_lazy("Satisfaction survey deadline: students who have not answered"),
    mandatory=True,
)
SELF_REPORT = reason_register(
    "deadline.self_report",
    gettext_lazy("Self report deadline: people evaluated who have not written it"),
    mandatory=True,
)
PEER = reason_register(
    "deadline.peer",
    gettext_lazy("Peer recognition deadline: colleagues who have not voted, colleges with scores missing"),
    mandatory=True,
)
RECOMMEND = reason_register(
    "deadline.recommend",
    gettext_lazy("College review deadline: college admins who have not recommended anyone"),
    mandatory=True,
)

# Days before a deadline on which its reminder goes out, first stage first.
DEADLINE_LEAD_DAYS = (3, 1)
# People per call of notifications_queue: one transaction and one IN list of this size each.
QUEUE_CHUNK = 2000


@dataclass
class Pending:
    """One person who still owes something, the lines that say what, and where to do it."""

    person_id: int
    lines: list[str] = field(default_factory=list)
    link: str = ""


@dataclass
class DeadlinePlan:
    """Who is reminded of one deadline at one stage, and the key that makes the messages unique."""

    reason: str
    period_key: str
    subject: str
    intro: str
    pending: list[Pending]


def deadline_stage(*, deadline: date, today: date, leads: Iterable[int] = DEADLINE_LEAD_DAYS) -> int | None:
    """The stage (days before the deadline) a run on `today` sends: the latest one whose day has come; None
    before the first stage and after the deadline."""
    days_left = (deadline - today).days
    if days_left < 0:
        return None
    due = [lead for lead in leads if lead >= days_left]
    return min(due) if due else None


def when_text(*, deadline: date, today: date) -> str:
    days_left = (deadline - today).days
    if days_left <= 0:
        return _("today")
    if days_left == 1:
        return _("tomorrow")
    return ngettext("in %(n)s day", "in %(n)s days", days_left) % {"n": days_left}


def deadline_plans_queue(plans: Iterable[DeadlinePlan]) -> list[int]:
    """Queue one message per pending (active) person of each plan; returns the ids still waiting to be sent."""
    ids: list[int] = []
    for plan in plans:
        pending = sorted(plan.pending, key=lambda p: p.person_id)
        for start in range(0, len(pending), QUEUE_CHUNK):
            chunk = pending[start : start + QUEUE_CHUNK]
            people = User.objects.filter(pk__in=[p.person_id for p in chunk], is_active=True).only(
                "pk", "name", "number", "email"
            )
            people = {u.pk: u for u in people}
            ids += notifications_queue(
                reason=plan.reason,
                period_key=plan.period_key,
                messages=[
                    Outgoing(
                        recipient=people[p.person_id],
                        subject=plan.subject,
                        body="\n".join([plan.intro, *(f"- {line}" for line in p.lines)]),
                        link=p.link,
                    )
                    for p in chunk
                    if p.person_id in people
                ],
            )
    return ids


def college_admins(college_ids: Iterable[int]) -> dict[int, list[int]]:
    """The admins of each college: person id → the colleges they administer among `college_ids`."""
    found: dict[int, list[int]] = defaultdict(list)
    for user_id, college_id in (
        RoleGrant.objects.filter(role=Role.COLLEGE_ADMIN, college_id__in=list(college_ids), user__is_active=True)
        .order_by("college__code")
        .values_list("user_id", "college_id")
    ):
        found[user_id].append(college_id)
    return found


# --- who is pending -----------------------------------------------------------------------------------------------


def students_pending_survey(cycle: Cycle):
    """Students with a carer to rate (a candidate in that role on the judged year's last day) and no answer yet.

    One query, whatever the number of students: the set-wise form of `survey_targets` per student.
    """
    day = survey_last_day(cycle)
    in_role = {role: Candidate.objects.filter(cycle=cycle, role=role).values("person_id") for role in StaffRole}
    mentor = MentorAssignment.objects.valid_on(day).filter(
        student=OuterRef("pk"), mentor_id__in=in_role[StaffRole.MENTOR]
    )
    advisor = AdvisorAssignment.objects.valid_on(day).filter(
        school_class=OuterRef("school_class"), advisor_id__in=in_role[StaffRole.ADVISOR]
    )
    counselor = CounselorAssignment.objects.valid_on(day).filter(
        school_class=OuterRef("school_class"), counselor_id__in=in_role[StaffRole.COUNSELOR]
    )
    return (
        Student.objects.filter(user__is_active=True)
        .filter(Exists(mentor) | Exists(advisor) | Exists(counselor))
        .exclude(Exists(SurveyParticipation.objects.filter(cycle=cycle, student=OuterRef("pk"))))
    )


def _roles_by_person(candidates) -> dict[int, list[str]]:
    roles: dict[int, list[str]] = defaultdict(list)
    for person_id, role in candidates.order_by("person_id", "role").values_list("person_id", "role"):
        roles[person_id].append(str(StaffRole(role).label))
    return roles


def self_reports_pending(cycle: Cycle) -> dict[int, list[str]]:
    """People evaluated whose self report is empty: person id → their roles without one."""
    return _roles_by_person(Candidate.objects.filter(cycle=cycle, self_report="", person__is_active=True))


def voters_pending(cycle: Cycle) -> dict[int, list[str]]:
    """People who have a colleague to vote for (same college and role) and no vote in that role: person → roles."""
    colleague = Candidate.objects.filter(cycle=cycle, college=OuterRef("college"), role=OuterRef("role")).exclude(
        pk=OuterRef("pk")
    )
    voted = PeerVote.objects.filter(voter=OuterRef("person"), candidate__cycle=cycle, candidate__role=OuterRef("role"))
    return _roles_by_person(
        Candidate.objects.filter(cycle=cycle, college__isnull=False, person__is_active=True)
        .filter(Exists(colleague))
        .exclude(Exists(voted))
    )


def peer_scores_missing(cycle: Cycle) -> dict[int, int]:
    """College id → the number of its people without a peer score (when the working group scores)."""
    return dict(
        Candidate.objects.filter(cycle=cycle, college__isnull=False)
        .exclude(Exists(PeerScore.objects.filter(candidate=OuterRef("pk"))))
        .values("college_id")
        .annotate(n=Count("pk"))
        .values_list("college_id", "n")
    )


def recommendations_missing(cycle: Cycle) -> dict[int, list[str]]:
    """College id → the roles in which it has eligible people and has recommended nobody yet."""
    groups = (
        Candidate.objects.filter(cycle=cycle, college__isnull=False)
        .values("college_id", "role")
        .annotate(
            eligible=Count("pk", filter=Q(compliance_passed=True, ineligible_reason="")),
            recommended=Count("pk", filter=Q(recommended=True)),
        )
        .filter(eligible__gt=0, recommended=0)
        .order_by("college_id", "role")
    )
    missing: dict[int, list[str]] = defaultdict(list)
    for group in groups:
        missing[group["college_id"]].append(str(StaffRole(group["role"]).label))
    return missing


# --- the plans of one run -----------------------------------------------------------------------------------------


def _key(cycle: Cycle, phase: str, lead: int) -> str:
    """The deadline is part of the key: a deadline the school admin moves gets its own reminders."""
    return f"cycle-{cycle.pk}-{phase}-{cycle.deadline_of(phase).isoformat()}-{lead}d"


def _survey_plans(cycle: Cycle, lead: int, today: date) -> list[DeadlinePlan]:
    year = cycle.academic_year.start_year
    words = {
        "year": cycle.academic_year,
        "deadline": cycle.survey_until.isoformat(),
        "when": when_text(deadline=cycle.survey_until, today=today),
    }
    survey_link = reverse("evaluation:survey", kwargs={"year": year})
    report_link = reverse("evaluation:self_report", kwargs={"year": year})
    students = list(students_pending_survey(cycle).order_by("pk").values_list("pk", flat=True))
    return [
        DeadlinePlan(
            reason=SURVEY.code,
            period_key=_key(cycle, Phase.SURVEY, lead),
            subject=_("Answer the satisfaction survey by %(deadline)s") % words,
            intro=_(
                "The satisfaction survey about your mentor, class advisor and counselor in %(year)s closes on "
                "%(deadline)s (%(when)s). You have not answered it yet; your answers are anonymous."
            )
            % words,
            pending=[Pending(pk, link=survey_link) for pk in students],
        ),
        DeadlinePlan(
            reason=SELF_REPORT.code,
            period_key=_key(cycle, Phase.SURVEY, lead),
            subject=_("Write your self report by %(deadline)s") % words,
            intro=_("Self reports for the evaluation of %(year)s close on %(deadline)s (%(when)s). Still missing as:")
            % words,
            pending=[Pending(pk, roles, report_link) for pk, roles in self_reports_pending(cycle).items()],
        ),
    ]


def _peer_plan(cycle: Cycle, lead: int, today: date) -> DeadlinePlan:
    year = cycle.academic_year.start_year
    words = {
        "year": cycle.academic_year,
        "deadline": cycle.peer_until.isoformat(),
        "when": when_text(deadline=cycle.peer_until, today=today),
    }
    if cycle.peer_mode == PeerMode.VOTES:
        link = reverse("evaluation:vote", kwargs={"year": year})
        return DeadlinePlan(
            reason=PEER.code,
            period_key=_key(cycle, Phase.PEER, lead),
            subject=_("Vote for your colleagues by %(deadline)s") % words,
            intro=_(
                "Peer recognition for the evaluation of %(year)s closes on %(deadline)s (%(when)s). "
                "You have not voted yet as:"
            )
            % words,
            pending=[Pending(pk, roles, link) for pk, roles in voters_pending(cycle).items()],
        )
    missing = peer_scores_missing(cycle)
    colleges = {c.pk: c for c in College.objects.filter(pk__in=list(missing))}
    pending = [
        Pending(
            person_id,
            [
                _("%(college)s: %(n)s without a score") % {"college": colleges[c].name, "n": missing[c]}
                for c in college_ids
            ],
            reverse("evaluation:college_review", kwargs={"year": year, "code": colleges[college_ids[0]].code}),
        )
        for person_id, college_ids in college_admins(missing).items()
    ]
    return DeadlinePlan(
        reason=PEER.code,
        period_key=_key(cycle, Phase.PEER, lead),
        subject=_("Enter the peer scores by %(deadline)s") % words,
        intro=_(
            "Peer recognition for the evaluation of %(year)s closes on %(deadline)s (%(when)s). "
            "People still without a peer score:"
        )
        % words,
        pending=pending,
    )


def _recommend_plan(cycle: Cycle, lead: int, today: date) -> DeadlinePlan:
    words = {
        "year": cycle.academic_year,
        "deadline": cycle.college_until.isoformat(),
        "when": when_text(deadline=cycle.college_until, today=today),
    }
    missing = recommendations_missing(cycle)
    colleges = {c.pk: c for c in College.objects.filter(pk__in=list(missing))}
    pending = [
        Pending(
            person_id,
            [
                _("%(college)s: %(roles)s") % {"college": colleges[c].name, "roles": ", ".join(missing[c])}
                for c in college_ids
            ],
            reverse(
                "evaluation:college_review",
                kwargs={"year": cycle.academic_year.start_year, "code": colleges[college_ids[0]].code},
            ),
        )
        for person_id, college_ids in college_admins(missing).items()
    ]
    return DeadlinePlan(
        reason=RECOMMEND.code,
        period_key=_key(cycle, Phase.COLLEGE, lead),
        subject=_("Recommend your college's candidates by %(deadline)s") % words,
        intro=_("The college review of %(year)s closes on %(deadline)s (%(when)s). Nobody is recommended yet in:")
        % words,
        pending=pending,
    )


def deadline_plans(*, today: date) -> list[DeadlinePlan]:
    """The reminders due on `today`, for every cycle whose active phase has a deadline at a reminder stage."""
    plans: list[DeadlinePlan] = []
    cycles = Cycle.objects.filter(phase__in=[Phase.SURVEY, Phase.PEER, Phase.COLLEGE]).select_related("academic_year")
    for cycle in cycles.order_by("pk"):
        lead = deadline_stage(deadline=cycle.deadline_of(cycle.phase), today=today)
        if lead is None:
            continue
        if cycle.phase == Phase.SURVEY:
            plans += _survey_plans(cycle, lead, today)
        elif cycle.phase == Phase.PEER:
            plans.append(_peer_plan(cycle, lead, today))
        else:
            plans.append(_recommend_plan(cycle, lead, today))
    return plans


def deadline_queue(*, today: date) -> list[int]:
    """Queue the evaluation's deadline reminders due on `today`; returns the ids waiting to be sent."""
    with translation.override(settings.LANGUAGE_CODE):
        return deadline_plans_queue(deadline_plans(today=today))


# --- a phase opens ------------------------------------------------------------------------------------------------

PHASE_OPENED = reason_register(
    "evaluation.phase_opened",
    gettext_lazy("An evaluation phase opens: the people who have something to do in it"),
    mandatory=False,
    help=gettext_lazy("The deadline reminders of the same phase still reach you."),
)


def _opened_key(cycle: Cycle, phase: str) -> str:
    return f"cycle-{cycle.pk}-{phase}-open"


def phase_opened_plans(cycle: Cycle, *, today: date) -> list[DeadlinePlan]:
    """Who is told that the cycle's phase has opened: the people the phase's deadline reminders would reach today
    (at opening everyone who can act is pending), and, when the cycle closes, everyone evaluated.

    Preparation and school review tell nobody: the school admin, who moved the cycle, is the only one acting.
    """
    phase = cycle.phase
    if phase in (Phase.SURVEY, Phase.PEER, Phase.COLLEGE):
        builders = {Phase.SURVEY: _survey_plans, Phase.PEER: _peer_plan, Phase.COLLEGE: _recommend_plan}
        built = builders[phase](cycle, 0, today)
        plans = built if isinstance(built, list) else [built]
        deadline = cycle.deadline_of(phase).isoformat()
        subject = _("The evaluation of %(year)s: “%(phase)s” is open until %(deadline)s") % {
            "year": cycle.academic_year,
            "phase": cycle.get_phase_display(),
            "deadline": deadline,
        }
        return [
            DeadlinePlan(
                reason=PHASE_OPENED.code,
                period_key=_opened_key(cycle, phase),
                subject=subject,
                intro=plan.intro,
                pending=plan.pending,
            )
            for plan in plans
        ]
    if phase == Phase.CLOSED:
        link = reverse("evaluation:scores", kwargs={"year": cycle.academic_year.start_year})
        words = {"year": cycle.academic_year}
        return [
            DeadlinePlan(
                reason=PHASE_OPENED.code,
                period_key=_opened_key(cycle, phase),
                subject=_("The evaluation of %(year)s is closed") % words,
                intro=_("The evaluation of %(year)s is closed and its scores are final; the awards are selected next.")
                % words,
                pending=[
                    Pending(pk, link=link)
                    for pk in Candidate.objects.filter(cycle=cycle, person__is_active=True)
                    .order_by("person_id")
                    .values_list("person_id", flat=True)
                    .distinct()
                ],
            )
        ]
    return []


def phase_opened_queue(*, cycle_id: int, phase: str, today: date) -> list[int]:
    """Queue the messages of a phase that has just opened; nothing if the cycle has moved on meanwhile."""
    cycle = Cycle.objects.select_related("academic_year").filter(pk=cycle_id, phase=phase).first()
    if cycle is None:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        return deadline_plans_queue(phase_opened_plans(cycle, today=today))
