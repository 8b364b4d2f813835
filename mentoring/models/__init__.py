from mentoring.models.assignments import AdvisorAssignment, CounselorAssignment, MentorAssignment
from mentoring.models.calendar import AcademicYear, Semester, TeachingWeek, WeekKind
from mentoring.models.oversight import ExportJob, ExportState, FindingState, SteeringMeeting, SupervisionFinding
from mentoring.models.policy import Period, PolicyVersion, QuotaRule, Scope, StaffRole
from mentoring.models.records import (
    SENSITIVE_FLAGS,
    Attendance,
    FlagType,
    Interaction,
    Kind,
    Mode,
    SensitiveRead,
    StudentFlag,
    Topic,
)
from mentoring.models.roster import RosterImport

__all__ = [
    "SENSITIVE_FLAGS",
    "AcademicYear",
    "AdvisorAssignment",
    "Attendance",
    "CounselorAssignment",
    "ExportJob",
    "ExportState",
    "FindingState",
    "FlagType",
    "Interaction",
    "Kind",
    "MentorAssignment",
    "Mode",
    "Period",
    "PolicyVersion",
    "QuotaRule",
    "RosterImport",
    "Scope",
    "Semester",
    "SensitiveRead",
    "StaffRole",
    "SteeringMeeting",
    "StudentFlag",
    "SupervisionFinding",
    "TeachingWeek",
    "Topic",
    "WeekKind",
]
