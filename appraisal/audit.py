"""The audit log's words for the appraisal app (`collab.audit.audit_record` action codes and their names);
`audit_register()` runs from the app's `AppConfig.ready()`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_actions_register


class AppraisalAuditAction(models.TextChoices):
    POLICY_UPDATE = "appraisal_policy.update", _("Appraisal policy edited")
    GRADE_CREATE = "appraisal_grade.create", _("Grade added")
    GRADE_UPDATE = "appraisal_grade.update", _("Grade edited")
    GRADE_DELETE = "appraisal_grade.delete", _("Grade deleted")
    CYCLE_CREATE = "appraisal_cycle.create", _("Appraisal cycle added")
    CYCLE_UPDATE = "appraisal_cycle.update", _("Appraisal cycle edited")
    CYCLE_DELETE = "appraisal_cycle.delete", _("Appraisal cycle deleted")
    CYCLE_RESCHEDULE = "appraisal_cycle.reschedule", _("Appraisal cycle's stage dates moved")
    CYCLE_LAUNCH = "appraisal_cycle.launch", _("Appraisal cycle launched")
    CYCLE_CLOSE = "appraisal_cycle.close", _("Appraisal cycle closed")
    STAGE_ADVANCE = "appraisal.stage_advance", _("Appraisal moved to the next stage")
    STAGE_REOPEN = "appraisal.stage_reopen", _("Stage reopened for one person")
    REMIND = "appraisal.remind", _("Appraisal reminders sent")
    GOAL_PROPOSE = "goal_proposal.create", _("Personal goal proposed")
    GOAL_ACCEPT = "goal_proposal.accept", _("Personal goal proposal accepted")
    GOAL_RETURN = "goal_proposal.return", _("Personal goal proposal returned")
    GOAL_WITHDRAW = "goal_proposal.withdraw", _("Personal goal proposal withdrawn")
    CHECK_IN_CREATE = "check_in.create", _("Check-in recorded")
    CHECK_IN_UPDATE = "check_in.update", _("Check-in edited")
    SELF_SUBMIT = "appraisal.submit_self", _("Self-assessment submitted")
    MANAGER_SUBMIT = "appraisal.submit_manager", _("Manager assessment submitted")
    # assessment part
    MANAGER_DRAFT = "appraisal.manager_draft", _("Manager assessment draft saved")
    CALIBRATION_CREATE = "calibration.create", _("Calibration session added")
    CALIBRATION_CHANGE = "calibration.grade_change", _("Grade changed in calibration")
    CALIBRATION_CLOSE = "calibration.close", _("Calibration session closed")
    RELEASE = "appraisal.release", _("Appraisal results released")
    RESULT_MEETING = "appraisal.result_meeting", _("Result meeting recorded")
    CONFIRM = "appraisal.confirm", _("Result confirmed")
    AUTO_CONFIRM = "appraisal.auto_confirm", _("Result confirmed automatically at the deadline")
    APPEAL_CREATE = "appeal.create", _("Appeal raised")
    APPEAL_STEP = "appeal.step", _("Appeal answered")
    DEVELOPMENT_NOTE = "development_note.create", _("Development note added")
    # goals-checkins
    GOAL_PROPOSAL_UPDATE = "goal_proposal.update", _("Personal goal proposal edited and proposed again")
    CHECK_IN_ACTION_DONE = "check_in_action.done", _("Agreed action marked done")
    CHECK_IN_PRIVATE_NOTE = "check_in.private_note", _("Private note on a check-in saved")


def audit_register() -> None:
    audit_actions_register(AppraisalAuditAction)
