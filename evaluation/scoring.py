"""The three observation points normalised to 0–100 and weighted (R-25). Pure functions: no database.

The formulas (stated on the cycle page):
- duty compliance = 100 × (quota lines met) / (quota lines due), over both semesters of the judged year
  (a line is one student, class, colleague or week of one rule); nobody with nothing due scores 100;
- passed = (rules met) ≥ threshold % of (rules judged), a rule of a semester being met when none of its lines
  is short; the default threshold 100 % means every rule met ("at least", POLICY.md);
- student satisfaction = 100 × (mean answer − 1) / 4 on the 5-point scale; no score below 5 responses;
- peer recognition, votes = 100 × (votes received) / (most votes received by anyone of the same college and
  role), 0 when nobody there received a vote; scores = the score the college working group entered;
- final = Σ weightᵢ × pointᵢ / Σ weightᵢ over the points that exist (a missing point's weight is shared out).
All results are rounded half up to two decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from evaluation.models import MIN_RESPONSES, SCALE_MAX, SCALE_MIN

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def compliance_point(*, lines_met: int, lines_due: int) -> Decimal:
    if lines_due == 0:
        return _round(HUNDRED)
    return _round(HUNDRED * lines_met / lines_due)


def compliance_passed(*, rules_met: int, rules_judged: int, threshold: int) -> bool:
    return rules_met * 100 >= threshold * rules_judged


def satisfaction_point(*, responses: int, score_sum: int, answer_count: int) -> Decimal | None:
    if responses < MIN_RESPONSES or answer_count == 0:
        return None
    mean = Decimal(score_sum) / answer_count
    return _round(HUNDRED * (mean - SCALE_MIN) / (SCALE_MAX - SCALE_MIN))


def peer_vote_point(*, votes: int, most_votes_in_group: int) -> Decimal:
    if most_votes_in_group == 0:
        return _round(Decimal(0))
    return _round(HUNDRED * votes / most_votes_in_group)


def final_score(points: list[tuple[int, Decimal | None]]) -> Decimal | None:
    """`points` are (weight, point) pairs; a point of None takes no part, and its weight is shared out."""
    present = [(weight, point) for weight, point in points if point is not None and weight > 0]
    total_weight = sum(weight for weight, _ in present)
    if total_weight == 0:
        return None
    return _round(sum((weight * point for weight, point in present), Decimal(0)) / total_weight)
