"""What the evaluation under way asks of someone now, for their home page (R-24, R-25)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from evaluation.models import Candidate, Cycle, PeerMode, PeerVote, Phase
from evaluation.selectors.cycles import cycle_current_kept
from evaluation.selectors.survey import survey_answered
from mentoring.selectors.people import Roles


@dataclass(frozen=True)
class Todo:
    label: str
    url: str
    deadline: date
    done: bool


def evaluation_todo(user: User, roles: Roles) -> tuple[Cycle | None, list[Todo]]:
    """The current cycle, if it is in a phase that asks something of people, and what it asks of `user`: a
    student's satisfaction survey (survey phase); a candidate's self report (survey phase) and peer votes (peer
    phase, when peers vote); each with the phase's deadline and whether it is done. The cycle from the cache
    (`cycle_current_kept`); one or two queries more only while such a phase is open."""
    cycle = cycle_current_kept()
    if cycle is None or cycle.phase not in (Phase.SURVEY, Phase.PEER):
        return None, []
    year = cycle.academic_year.start_year
    deadline = cycle.deadline_of(cycle.phase)
    todo = []
    if roles.is_student:
        if cycle.phase == Phase.SURVEY:
            todo.append(
                Todo(
                    _("Satisfaction survey about my mentor, class advisor and counselor"),
                    reverse("evaluation:survey", args=[year]),
                    deadline,
                    survey_answered(cycle, user.student),
                )
            )
        return cycle, todo
    # Candidates are the people who owed something in the judged year, whatever they hold now.
    reports = list(Candidate.objects.filter(cycle=cycle, person=user).values_list("self_report", flat=True))
    if not reports:
        return cycle, todo
    if cycle.phase == Phase.SURVEY:
        done = all(report.strip() for report in reports)
        todo.append(Todo(_("My self report"), reverse("evaluation:self_report", args=[year]), deadline, done))
    elif cycle.peer_mode == PeerMode.VOTES:
        done = PeerVote.objects.filter(voter=user, candidate__cycle=cycle).exists()
        todo.append(
            Todo(_("Peer recognition: vote for colleagues"), reverse("evaluation:vote", args=[year]), deadline, done)
        )
    return cycle, todo
