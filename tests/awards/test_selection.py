"""The award ladder filled by hand (R-26): caps, one award per person, ties, the eligible and recommended only."""

from __future__ import annotations

from decimal import Decimal

from awards.selection import Candidate, Tier, propose

TOP, NOMINATION, EXCELLENT = 1, 2, 3
C_TOP, C_NOMINATION, C_SPECIAL, C_WORKER = 11, 12, 13, 14


def mentor(i: int, score: str, **extra) -> Candidate:
    value = Decimal(score)
    defaults = {"college_id": 1, "compliance": value, "satisfaction": value, "peer": value}
    defaults.update(extra)
    return Candidate(person_id=i, number=f"T{i:04d}", role="mentor", final=value, **defaults)


MENTOR_LADDER = [
    Tier(category_id=TOP, role="mentor", rank=1, cap=10),
    Tier(category_id=NOMINATION, role="mentor", rank=2, cap=15),
    Tier(category_id=EXCELLENT, role="mentor", rank=3, cap=3),
]


def by_category(proposals) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {}
    for p in proposals:
        result.setdefault(p.category_id, []).append(p.person_id)
    return result


def test_thirty_eligible_mentors_fill_ten_top_fifteen_nominations_and_the_excellent_cap():
    # Scores 100, 99, …, 71: person i has score 101 - i.
    candidates = [mentor(i, str(101 - i)) for i in range(1, 31)]

    result = by_category(propose(candidates, MENTOR_LADDER))

    assert result[TOP] == list(range(1, 11))
    assert result[NOMINATION] == list(range(11, 26))
    assert result[EXCELLENT] == [26, 27, 28]
    assert sum(len(v) for v in result.values()) == 28  # persons 29 and 30 get nothing: caps are maxima


def test_a_person_holds_at_most_one_award_of_the_ladder():
    proposals = propose([mentor(i, str(101 - i)) for i in range(1, 31)], MENTOR_LADDER)

    people = [p.person_id for p in proposals]
    assert len(people) == len(set(people))


def test_counselor_nominations_stop_at_five_and_the_college_tier_is_capped_per_college():
    counselors = [
        Candidate(
            i,
            f"C{i:03d}",
            "counselor",
            college_id=1 + i % 2,
            final=Decimal(100 - i),
            compliance=Decimal(1),
            satisfaction=Decimal(1),
            peer=Decimal(1),
        )
        for i in range(1, 25)
    ]
    ladder = [
        Tier(C_TOP, "counselor", 1, 10),
        Tier(C_NOMINATION, "counselor", 2, 5),
        Tier(C_SPECIAL, "counselor", 3, 2, per_college=True),
        Tier(C_WORKER, "counselor", 4, 3),
    ]

    result = by_category(propose(counselors, ladder))

    assert result[C_TOP] == list(range(1, 11))
    assert result[C_NOMINATION] == [11, 12, 13, 14, 15]
    assert result[C_SPECIAL] == [16, 17, 18, 19]  # two from each college: 16 and 18 (college 1), 17 and 19 (college 2)
    assert result[C_WORKER] == [20, 21, 22]


def test_ineligible_and_unrecommended_people_never_appear():
    candidates = [mentor(i, str(101 - i)) for i in range(1, 13)]
    candidates[0] = mentor(1, "100", eligible=False)
    candidates[1] = mentor(2, "99", recommended=False)

    proposals = propose(candidates, MENTOR_LADDER)

    people = {p.person_id for p in proposals}
    assert 1 not in people and 2 not in people
    assert by_category(proposals)[TOP] == list(range(3, 13))


def test_ties_are_broken_by_compliance_then_satisfaction_then_peer():
    a = mentor(1, "90", compliance=Decimal("80"), satisfaction=Decimal("70"), peer=Decimal("60"))
    b = mentor(2, "90", compliance=Decimal("81"), satisfaction=Decimal("60"), peer=Decimal("60"))
    c = mentor(3, "90", compliance=Decimal("80"), satisfaction=Decimal("71"), peer=Decimal("10"))
    ladder = [Tier(TOP, "mentor", 1, 2), Tier(NOMINATION, "mentor", 2, 5)]

    result = by_category(propose([a, b, c], ladder))

    assert result == {TOP: [2, 3], NOMINATION: [1]}


def test_a_tie_still_unbroken_at_a_cap_boundary_is_flagged_for_the_committee():
    candidates = [mentor(i, str(101 - i)) for i in range(1, 10)] + [
        mentor(10, "50"),
        mentor(11, "50"),
        mentor(12, "40"),
    ]

    proposals = {p.person_id: p for p in propose(candidates, MENTOR_LADDER)}

    assert (proposals[10].category_id, proposals[10].tied) == (TOP, True)
    assert (proposals[11].category_id, proposals[11].tied) == (NOMINATION, True)
    assert proposals[9].tied is False
    assert proposals[12].tied is False


def test_the_same_input_in_any_order_gives_the_same_proposal():
    candidates = [mentor(i, str(50 + (i * 37) % 41)) for i in range(1, 40)]

    first = propose(candidates, MENTOR_LADDER)
    second = propose(list(reversed(candidates)), list(reversed(MENTOR_LADDER)))

    assert first == second


def test_roles_are_selected_separately():
    mentors = [mentor(i, "90") for i in range(1, 4)]
    advisor = Candidate(9, "A9", "advisor", 1, Decimal("99"), Decimal("99"), Decimal("99"), Decimal("99"))
    ladder = [*MENTOR_LADDER, Tier(21, "advisor", 1, 10)]

    result = by_category(propose([*mentors, advisor], ladder))

    assert result == {TOP: [1, 2, 3], 21: [9]}
