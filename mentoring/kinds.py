"""What each kind of record is: the role that records it, the requirement it serves, the forms it takes.

Pure data, the single place the record form, the service and the demo read from.
"""

from __future__ import annotations

from dataclasses import dataclass

from mentoring.models import FlagType, Kind, Mode, StaffRole


@dataclass(frozen=True)
class KindInfo:
    requirement: str
    roles: tuple[str, ...]
    modes: tuple[str, ...]
    sensitive: bool = False
    topics: bool = False
    flags: tuple[str, ...] = ()  # the student must carry one of these flags on the day


M, A, C = StaffRole.MENTOR, StaffRole.ADVISOR, StaffRole.COUNSELOR
ONE, GROUP, CLASS, COLLEAGUE, NONE = Mode.ONE_TO_ONE, Mode.GROUP, Mode.CLASS, Mode.COLLEAGUE, Mode.NONE
CARE_FLAGS = (FlagType.ACADEMIC_WARNING, FlagType.DEMOTED, FlagType.PSYCH_CRISIS, FlagType.OUTSTANDING)

KIND_INFO: dict[str, KindInfo] = {
    Kind.MENTOR_TALK: KindInfo("R-03", (M,), (ONE, GROUP), topics=True),
    Kind.LEARNING_TEAM: KindInfo("R-02", (M,), (GROUP,), topics=True),
    Kind.STUDY_PLAN: KindInfo("R-04", (M,), (ONE,), topics=True, flags=(FlagType.ACADEMIC_DIFFICULTY,)),
    Kind.STUDY_FOLLOWUP: KindInfo("R-04", (M,), (ONE,), topics=True, flags=(FlagType.ACADEMIC_DIFFICULTY,)),
    Kind.EXCHANGE: KindInfo("R-05", (M, A, C), (COLLEAGUE,)),
    Kind.CLASS_CHECKIN: KindInfo("R-06", (A,), (CLASS,)),
    Kind.CLASS_MEETING: KindInfo("R-07", (A,), (CLASS,)),
    Kind.CARE: KindInfo("R-08", (A,), (ONE,), flags=CARE_FLAGS),
    Kind.THEME_ACTIVITY: KindInfo("R-09", (A,), (CLASS,)),
    Kind.PARENT_CONTACT: KindInfo("R-10", (A, C), (ONE,)),
    Kind.SELECTION_WORK: KindInfo("R-11", (A,), (NONE, GROUP, ONE)),
    Kind.PARTY_TALK: KindInfo("R-12", (C,), (ONE, GROUP)),
    Kind.THEME_CLASS_MEETING: KindInfo("R-13", (C,), (CLASS,)),
    Kind.DORM_VISIT: KindInfo("R-14", (C,), (GROUP, ONE, NONE)),
    Kind.CLASS_SITIN: KindInfo("R-15", (C,), (CLASS,)),
    Kind.ONLINE_WORK: KindInfo("R-16", (C,), (NONE,)),
    Kind.CRISIS_CASE: KindInfo("R-17", (C,), (ONE,), sensitive=True),
    Kind.STUDENT_SERVICE: KindInfo("R-18", (C,), (NONE, GROUP, ONE)),
}


def kinds_for_roles(roles: set[str]) -> list[tuple[str, str]]:
    """(role, kind) pairs a person holding `roles` may record, in the order of the policy."""
    return [(role, kind) for kind, info in KIND_INFO.items() for role in info.roles if role in roles]
