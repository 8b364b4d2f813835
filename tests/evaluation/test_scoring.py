"""Normalisation and weighting, worked through by hand with small numbers (the formulas on the cycle page)."""

from __future__ import annotations

from decimal import Decimal

from evaluation.scoring import (
    compliance_passed,
    compliance_point,
    final_score,
    peer_vote_point,
    satisfaction_point,
)


def test_compliance_point_is_the_share_of_quota_lines_met():
    # 3 of 6 lines → 50; 1 of 3 → 33.333… → 33.33; 2 of 3 → 66.666… → 66.67 (half up); nothing due → 100.
    assert compliance_point(lines_met=3, lines_due=6) == Decimal("50.00")
    assert compliance_point(lines_met=1, lines_due=3) == Decimal("33.33")
    assert compliance_point(lines_met=2, lines_due=3) == Decimal("66.67")
    assert compliance_point(lines_met=0, lines_due=0) == Decimal("100.00")


def test_compliance_passes_only_when_the_threshold_share_of_rules_is_met():
    assert compliance_passed(rules_met=4, rules_judged=4, threshold=100) is True
    assert compliance_passed(rules_met=3, rules_judged=4, threshold=100) is False
    assert compliance_passed(rules_met=3, rules_judged=4, threshold=75) is True
    assert compliance_passed(rules_met=2, rules_judged=4, threshold=75) is False


def test_satisfaction_maps_the_5_point_scale_onto_0_to_100():
    # Five students × four questions, all answered 4: mean 4 → 100 × (4 − 1) / 4 = 75.
    assert satisfaction_point(responses=5, score_sum=80, answer_count=20) == Decimal("75.00")
    # All 1 → 0; all 5 → 100; mean 3.3 (66 / 20) → 100 × 2.3 / 4 = 57.5.
    assert satisfaction_point(responses=5, score_sum=20, answer_count=20) == Decimal("0.00")
    assert satisfaction_point(responses=5, score_sum=100, answer_count=20) == Decimal("100.00")
    assert satisfaction_point(responses=5, score_sum=66, answer_count=20) == Decimal("57.50")


def test_satisfaction_has_no_score_below_five_responses():
    assert satisfaction_point(responses=4, score_sum=80, answer_count=16) is None


def test_peer_votes_are_scaled_to_the_most_voted_colleague_of_the_group():
    assert peer_vote_point(votes=2, most_votes_in_group=4) == Decimal("50.00")
    assert peer_vote_point(votes=4, most_votes_in_group=4) == Decimal("100.00")
    assert peer_vote_point(votes=0, most_votes_in_group=0) == Decimal("0.00")


def test_final_score_weights_the_three_points():
    # 40 % × 50 + 40 % × 75 + 20 % × 50 = 20 + 30 + 10 = 60.
    points = [(40, Decimal("50.00")), (40, Decimal("75.00")), (20, Decimal("50.00"))]
    assert final_score(points) == Decimal("60.00")


def test_final_score_shares_out_the_weight_of_a_missing_point():
    # No satisfaction (fewer than 5 answers): (40 × 50 + 20 × 50) / 60 = 50.
    assert final_score([(40, Decimal("50.00")), (40, None), (20, Decimal("50.00"))]) == Decimal("50.00")
    # (40 × 100 + 20 × 0) / 60 = 66.666… → 66.67.
    assert final_score([(40, Decimal("100.00")), (40, None), (20, Decimal("0.00"))]) == Decimal("66.67")


def test_final_score_is_none_without_any_point():
    assert final_score([(40, None), (40, None), (20, None)]) is None
