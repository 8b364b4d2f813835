"""Everyone's three points and final score, scoped to what the reader may see. Three queries, whatever the size."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from evaluation.models import (
    MIN_RESPONSES,
    PHASE_ORDER,
    Candidate,
    Cycle,
    PeerMode,
    PeerScore,
    PeerVote,
    Phase,
    SurveyResponse,
)
from evaluation.scoring import final_score, peer_vote_point, satisfaction_point
from mentoring.selectors.people import roles_of


@dataclass
class ScoreRow:
    candidate: Candidate
    responses: int
    satisfaction: Decimal | None
    peer: Decimal | None
    votes: int
    final: Decimal | None

    @property
    def compliance(self) -> Decimal:
        return self.candidate.compliance_score

    @property
    def eligible(self) -> bool:
        return self.candidate.eligible

    @property
    def satisfaction_shown(self) -> bool:
        return self.responses >= MIN_RESPONSES


def candidates_visible_to(user, cycle: Cycle) -> QuerySet[Candidate]:
    """School offices: everyone; college admins and leads: their colleges; a worker: their own rows."""
    roles = roles_of(user)
    qs = Candidate.objects.filter(cycle=cycle).select_related("person", "college")
    if roles.sees_all_colleges:
        return qs
    colleges = roles.admin_college_ids | roles.student_affairs_college_ids
    if colleges:
        return qs.filter(college_id__in=colleges) | qs.filter(person=user)
    return qs.filter(person=user)


def recommend_quota(group_size: int, percent: int) -> int:
    """Recommendations allowed in one college and role: the percentage of its people, rounded up, at least 1."""
    return max(1, math.ceil(group_size * percent / 100)) if group_size else 0


def score_rows(cycle: Cycle, candidates: QuerySet[Candidate]) -> list[ScoreRow]:
    rows = list(candidates)
    ids = [c.pk for c in rows]
    survey = {
        cid: (n, total, count)
        for cid, n, total, count in SurveyResponse.objects.filter(candidate_id__in=ids)
        .values("candidate_id")
        .annotate(n=Count("id"), total=Sum("score_sum"), count=Sum("answer_count"))
        .values_list("candidate_id", "n", "total", "count")
    }
    votes: dict[int, int] = {}
    peer_scores: dict[int, Decimal] = {}
    most: dict[tuple[int | None, str], int] = defaultdict(int)
    if cycle.peer_mode == PeerMode.VOTES:
        # The most votes of each college and role over the whole cycle, not only the rows in view.
        for cid, college_id, role, n in (
            PeerVote.objects.filter(candidate__cycle=cycle)
            .values("candidate_id", "candidate__college_id", "candidate__role")
            .annotate(n=Count("id"))
            .values_list("candidate_id", "candidate__college_id", "candidate__role", "n")
        ):
            votes[cid] = n
            most[(college_id, role)] = max(most[(college_id, role)], n)
    else:
        peer_scores = dict(PeerScore.objects.filter(candidate_id__in=ids).values_list("candidate_id", "score"))

    # Before the peer phase nobody has been recognised yet: the point is missing, not zero.
    peer_started = cycle.phase_index >= PHASE_ORDER.index(Phase.PEER)
    result = []
    for c in rows:
        n, total, count = survey.get(c.pk, (0, 0, 0))
        satisfaction = satisfaction_point(responses=n, score_sum=total or 0, answer_count=count or 0)
        if not peer_started:
            peer = None
        elif cycle.peer_mode == PeerMode.VOTES:
            peer = peer_vote_point(votes=votes.get(c.pk, 0), most_votes_in_group=most[(c.college_id, c.role)])
        else:
            peer = peer_scores.get(c.pk)
        final = final_score(
            [
                (cycle.weight_compliance, c.compliance_score),
                (cycle.weight_satisfaction, satisfaction),
                (cycle.weight_peer, peer),
            ]
        )
        result.append(ScoreRow(c, n, satisfaction, peer, votes.get(c.pk, 0), final))
    return result


SORT_KEYS = {
    "final": lambda r: (r.final is not None, r.final or 0),
    "compliance": lambda r: r.compliance,
    "satisfaction": lambda r: (r.satisfaction is not None, r.satisfaction or 0),
    "peer": lambda r: (r.peer is not None, r.peer or 0),
    "number": lambda r: r.candidate.person.number,
}


def rows_sorted(rows: list[ScoreRow], key: str) -> list[ScoreRow]:
    """Sort by a column (default final score, best first); names sort ascending."""
    key = key if key in SORT_KEYS else "final"
    rows = sorted(rows, key=lambda r: r.candidate.person.number)
    return sorted(rows, key=SORT_KEYS[key], reverse=key != "number")


def comments_of(candidate_ids: list[int]) -> dict[int, list[str]]:
    """Comments without names, only for people with at least MIN_RESPONSES responses (one query)."""
    shown = (
        SurveyResponse.objects.filter(candidate_id__in=candidate_ids)
        .values("candidate_id")
        .annotate(n=Count("id"))
        .filter(n__gte=MIN_RESPONSES)
        .values("candidate_id")
    )
    found: dict[int, list[str]] = defaultdict(list)
    for cid, comment in (
        SurveyResponse.objects.filter(candidate_id__in=shown)
        .exclude(comment="")
        .order_by("comment")
        .values_list("candidate_id", "comment")
    ):
        found[cid].append(comment)
    return found
