"""Award selection as a pure, deterministic function of the candidates and the award ladders (R-26).

Same input, same proposal: no database, no clock, no randomness. The service that runs a cycle's selection
loads the candidates and tiers, calls `propose`, and stores what it returns.

The rules (stated in the UI and README):
- Only candidates who are eligible (passed duty compliance, not marked ineligible) and recommended by their
  college take part.
- Per role, candidates are ranked by final score, then duty compliance, then student satisfaction, then peer
  recognition (all descending); the ladder is filled top-down, each tier up to its cap; a person receives at most
  one award of a role's ladder.
- A tier whose scope is "college" (学院学生工作专项) is capped per college.
- Where the last person inside a cap and the first person outside it are equal on all four numbers, everyone
  with those numbers at that boundary is flagged for the committee; the order among them falls back to the staff
  number so that the proposal is still deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Candidate:
    person_id: int
    number: str
    role: str
    college_id: int | None
    final: Decimal
    compliance: Decimal
    satisfaction: Decimal
    peer: Decimal
    eligible: bool = True
    recommended: bool = True

    @property
    def merit(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        return (self.final, self.compliance, self.satisfaction, self.peer)


@dataclass(frozen=True)
class Tier:
    category_id: int
    role: str
    rank: int  # 1 = top of the ladder
    cap: int
    per_college: bool = False


@dataclass(frozen=True)
class Proposal:
    person_id: int
    category_id: int
    role_rank: int  # the person's place in their role's ranking, 1-based
    tied: bool  # equal to someone on the other side of this tier's cap: the committee decides


def _ranked(candidates: Iterable[Candidate]) -> list[Candidate]:
    return sorted(
        candidates,
        key=lambda c: (-c.final, -c.compliance, -c.satisfaction, -c.peer, c.number, c.person_id),
    )


def _fill(pool: list[Candidate], cap: int) -> tuple[list[Candidate], set[int]]:
    """The first `cap` of an already ranked pool, and the ids tied across the cap boundary."""
    taken = pool[:cap]
    tied: set[int] = set()
    if 0 < cap < len(pool) and pool[cap - 1].merit == pool[cap].merit:
        boundary = pool[cap - 1].merit
        tied = {c.person_id for c in pool if c.merit == boundary}
    return taken, tied


def propose(candidates: Iterable[Candidate], tiers: Iterable[Tier]) -> list[Proposal]:
    ranked = _ranked(c for c in candidates if c.eligible and c.recommended)
    proposals: list[Proposal] = []
    by_role: dict[str, list[Candidate]] = {}
    for candidate in ranked:
        by_role.setdefault(candidate.role, []).append(candidate)
    ladders: dict[str, list[Tier]] = {}
    for tier in tiers:
        ladders.setdefault(tier.role, []).append(tier)

    for role, pool in by_role.items():
        place = {c.person_id: i for i, c in enumerate(pool, start=1)}
        remaining = list(pool)
        flagged: set[int] = set()  # tied across a boundary: flagged in whichever tier they land
        for tier in sorted(ladders.get(role, []), key=lambda t: t.rank):
            if tier.per_college:
                taken, tied = [], set()
                colleges = dict.fromkeys(c.college_id for c in remaining)
                for college_id in colleges:
                    college_pool = [c for c in remaining if c.college_id == college_id]
                    college_taken, college_tied = _fill(college_pool, tier.cap)
                    taken += college_taken
                    tied |= college_tied
            else:
                taken, tied = _fill(remaining, tier.cap)
            chosen = {c.person_id for c in taken}
            flagged |= tied
            proposals += [
                Proposal(c.person_id, tier.category_id, place[c.person_id], c.person_id in flagged)
                for c in _ranked(taken)
            ]
            remaining = [c for c in remaining if c.person_id not in chosen]
    return proposals
