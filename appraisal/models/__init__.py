"""The personal performance cycle (issue 11): policy and grades, cycles and appraisals, goals set together,
check-ins, assessment, calibration, appeals and development notes. Django finds every model here."""

from appraisal.models.appeals import Appeal, AppealLevel, AppealStatus, AppealStep, AppealStepDecision
from appraisal.models.assessment import GoalAssessment
from appraisal.models.calibration import (
    CalibrationMember,
    CalibrationSession,
    CalibrationStatus,
    GradeChange,
    GradeChangeReason,
    GradeSource,
)
from appraisal.models.checkins import CheckIn, CheckInAction, CheckInGoal, CheckInPrivateNote
from appraisal.models.cycles import (
    DATED_STAGES,
    STAGE_ORDER,
    Appraisal,
    AppraisalCycle,
    Confirmation,
    CycleStage,
    CycleStatus,
    ParticipantRule,
    Potential,
    Stage,
    StageReopening,
)
from appraisal.models.development import DevelopmentKind, DevelopmentNote
from appraisal.models.goals import (
    GoalProposal,
    PersonalGoal,
    PersonalGoalVersion,
    ProposalKind,
    ProposalStatus,
)
from appraisal.models.policy import (
    AppraisalPolicy,
    DistributionBound,
    DistributionMode,
    DistributionRule,
    Grade,
)

__all__ = [
    "DATED_STAGES",
    "STAGE_ORDER",
    "Appeal",
    "AppealLevel",
    "AppealStatus",
    "AppealStep",
    "AppealStepDecision",
    "Appraisal",
    "AppraisalCycle",
    "AppraisalPolicy",
    "CalibrationMember",
    "CalibrationSession",
    "CalibrationStatus",
    "CheckIn",
    "CheckInAction",
    "CheckInGoal",
    "CheckInPrivateNote",
    "Confirmation",
    "CycleStage",
    "CycleStatus",
    "DevelopmentKind",
    "DevelopmentNote",
    "DistributionBound",
    "DistributionMode",
    "DistributionRule",
    "GoalAssessment",
    "GoalProposal",
    "Grade",
    "GradeChange",
    "GradeChangeReason",
    "GradeSource",
    "ParticipantRule",
    "PersonalGoal",
    "PersonalGoalVersion",
    "Potential",
    "ProposalKind",
    "ProposalStatus",
    "Stage",
    "StageReopening",
]
