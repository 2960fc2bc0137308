"""Pages of the appraisal app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from appraisal.api.appeals import AppealViewSet
from appraisal.api.appraisals import AppraisalViewSet
from appraisal.api.calibrations import CalibrationViewSet
from appraisal.api.check_ins import CheckInViewSet
from appraisal.api.cycles import AppraisalCycleViewSet
from appraisal.api.goal_proposals import GoalProposalViewSet
from appraisal.views import assessment
from appraisal.views import calibration as calibration_views
from appraisal.views import check_ins as check_in_pages
from appraisal.views import goal_proposals as goal_pages
from appraisal.views import results as result_views
from appraisal.views import setup as setup_views
from collab.api import tenant_router

urlpatterns: list = [
    # assessment: the appraisal list and one appraisal's overview, self-assessment and manager assessment
    path("appraisal/", assessment.appraisal_list, name="appraisal-list"),
    path("appraisal/<id:pk>/", assessment.appraisal_detail, name="appraisal-detail"),
    # goals-checkins
    path("appraisal/<id:pk>/goals/", goal_pages.appraisal_goals, name="appraisal-goals"),
    path("appraisal/goals-to-agree/", goal_pages.goals_to_agree, name="appraisal-goals-to-agree"),
    path("appraisal/goal-proposals/<id:pk>/accept/", goal_pages.goal_proposal_accept,
         name="appraisal-goal-proposal-accept"),
    path("appraisal/goal-proposals/<id:pk>/return/", goal_pages.goal_proposal_return,
         name="appraisal-goal-proposal-return"),
    path("appraisal/goal-proposals/<id:pk>/withdraw/", goal_pages.goal_proposal_withdraw,
         name="appraisal-goal-proposal-withdraw"),
    path("appraisal/<id:pk>/check-ins/", check_in_pages.appraisal_check_ins, name="appraisal-check-ins"),
    path("appraisal/check-ins/<id:pk>/note/", check_in_pages.check_in_private_note,
         name="appraisal-check-in-note"),
    path("appraisal/check-in-actions/<id:pk>/done/", check_in_pages.check_in_action_done,
         name="appraisal-check-in-action-done"),
    # setup: the policy, cycles and the progress board
    path("appraisal/settings/", setup_views.appraisal_settings, name="appraisal-settings"),
    path("appraisal/cycles/", setup_views.cycle_list, name="appraisal-cycle-list"),
    path("appraisal/cycles/new/", setup_views.cycle_create, name="appraisal-cycle-create"),
    path("appraisal/cycles/<id:pk>/", setup_views.cycle_detail, name="appraisal-cycle-detail"),
    path("appraisal/cycles/<id:pk>/edit/", setup_views.cycle_edit, name="appraisal-cycle-edit"),
    path("appraisal/cycles/<id:pk>/delete/", setup_views.cycle_delete, name="appraisal-cycle-delete"),
    path("appraisal/cycles/<id:pk>/board/", setup_views.cycle_board, name="appraisal-board"),
    # calibration-release
    path("appraisal/calibrations/", calibration_views.calibration_list, name="calibration-list"),
    path("appraisal/calibrations/new/", calibration_views.calibration_create, name="calibration-create"),
    path("appraisal/calibrations/<id:pk>/", calibration_views.calibration_detail, name="calibration-detail"),
    path("appraisal/<id:pk>/result/", result_views.appraisal_result, name="appraisal-result"),
    path("appraisal/appeals/", result_views.appeal_list, name="appeal-list"),
    path("appraisal/cycles/<id:pk>/release/", result_views.appraisal_release, name="appraisal-release"),
    path("appraisal/cycles/<id:pk>/export/", result_views.appraisal_export, name="appraisal-export"),
]  # fmt: skip

api_router = tenant_router()
api_router.register("appraisals", AppraisalViewSet, basename="api-appraisal")
# goals-checkins
api_router.register("goal-proposals", GoalProposalViewSet, basename="api-goal-proposal")
api_router.register("check-ins", CheckInViewSet, basename="api-check-in")
# setup
api_router.register("appraisal-cycles", AppraisalCycleViewSet, basename="api-appraisal-cycle")
# calibration-release (`confirm` and `appeal` are actions of `appraisals`: appraisal.api.answers)
api_router.register("calibrations", CalibrationViewSet, basename="api-calibration")
api_router.register("appeals", AppealViewSet, basename="api-appeal")
