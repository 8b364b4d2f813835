"""Benchmark: the award selection for a 40,000-student school (DESIGN budget ≤ 2 s).

Builds ≈4,000 candidates across the three roles (3,000 mentors, 800 class advisors, 200 counselors in 30
colleges) with reproducible random scores in memory, and times `awards.selection.propose` over the policy's
award table (R-26; "several" caps set to 30 for mentors and student workers, 2 per college for the college
special). With `--year`, the candidates are instead built from the rows of that year's cycle in the
database given by DATABASE_URL, as the service loads them (that load is timed too), without writing anything.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from awards.selection import Candidate, Tier, propose
from awards.services.categories import award_table

SEVERAL = {"mentor_excellent": 30, "counselor_college_special": 2, "counselor_excellent_worker": 30}


def _tiers() -> list[Tier]:
    return [
        Tier(
            i,
            row["role"],
            row["rank"],
            row["cap"] if row["cap"] is not None else SEVERAL[row["code"]],
            row["scope"] == "college",
        )
        for i, row in enumerate(award_table()["categories"], start=1)
    ]


def _candidates(mentors: int, advisors: int, counselors: int, colleges: int, seed: int) -> list[Candidate]:
    rng = random.Random(seed)
    made = []

    def point() -> Decimal:
        return Decimal(rng.randint(4000, 10000)) / 100

    for role, n in (("mentor", mentors), ("advisor", advisors), ("counselor", counselors)):
        for i in range(n):
            made.append(
                Candidate(
                    person_id=len(made) + 1,
                    number=f"{role[0].upper()}{i:05d}",
                    role=role,
                    college_id=i % colleges,
                    final=Decimal(rng.randint(6000, 9000)) / 100,  # many ties on the final score, on purpose
                    compliance=point(),
                    satisfaction=point(),
                    peer=point(),
                    eligible=rng.random() > 0.1,
                    recommended=rng.random() > 0.3,
                )
            )
    return made


class Command(BaseCommand):
    help = "Time the award selection for ≈4,000 candidates across roles (budget ≤ 2 s)."

    def add_arguments(self, parser):
        parser.add_argument("--mentors", type=int, default=3000)
        parser.add_argument("--advisors", type=int, default=800)
        parser.add_argument("--counselors", type=int, default=200)
        parser.add_argument("--colleges", type=int, default=30)
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--year", type=int, help="also load the candidates of this year's cycle from the database")

    def handle(self, *args, **options):
        tiers = _tiers()
        candidates = _candidates(
            options["mentors"], options["advisors"], options["counselors"], options["colleges"], options["seed"]
        )
        if options["year"] is not None:
            candidates = self._from_database(options["year"])
        timings = []
        result = []
        for _ in range(max(1, options["repeat"])):
            started = time.perf_counter()
            result = propose(candidates, tiers)
            timings.append(time.perf_counter() - started)
        again = propose(list(reversed(candidates)), list(reversed(tiers)))
        timings.sort()
        self.stdout.write(
            f"bench_selection: {len(candidates)} candidates, {len(result)} awards proposed, "
            f"{sum(p.tied for p in result)} flagged as tied; "
            f"median {timings[len(timings) // 2]:.3f} s, worst {timings[-1]:.3f} s over {len(timings)} runs "
            f"(budget 2 s); same proposal in reverse input order: {again == result}"
        )

    def _from_database(self, year: int) -> list[Candidate]:
        from awards.services.proposal import _pure, _scored
        from evaluation.models import Cycle

        cycle = Cycle.objects.select_related("academic_year").filter(academic_year__start_year=year).first()
        if cycle is None:
            raise CommandError(f"No evaluation cycle for {year}.")
        started = time.perf_counter()
        candidates = [_pure(*row) for row in _scored(cycle)]
        self.stdout.write(
            f"loaded {len(candidates)} candidates with their points in {time.perf_counter() - started:.3f} s"
        )
        return candidates
