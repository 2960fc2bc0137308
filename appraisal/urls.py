"""Pages of the appraisal app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from appraisal.api.check_ins import CheckInViewSet
from appraisal.api.cycles import AppraisalCycleViewSet
from appraisal.api.goal_proposals import GoalProposalViewSet
from appraisal.views import check_ins as check_in_pages
from appraisal.views import goal_proposals as goal_pages
from appraisal.views import setup as setup_views
from collab.api import tenant_router

urlpatterns: list = [
    # goals-checkins
    path("appraisal/<id:pk>/goals/", goal_pages.appraisal_goals, name="appraisal-goals"),
    path("appraisal/goals-to-agree/", goal_pages.goals_to_agree, name="appraisal-goals-to-agree"),
    path("appraisal/goal-proposals/<id:pk>/accept/", goal_pages.goal_proposal_accept,
         name="appraisal-goal-proposal-accept"),
    path("appraisal/goal-proposals/<id:pk>/return/", goal_pages.goal_proposal_return,
         name="appraisal-goal-proposal-return"),
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
]  # fmt: skip

api_router = tenant_router()
# goals-checkins
api_router.register("goal-proposals", GoalProposalViewSet, basename="api-goal-proposal")
api_router.register("check-ins", CheckInViewSet, basename="api-check-in")
# setup
api_router.register(r"appraisal-cycles", AppraisalCycleViewSet, basename="api-appraisal-cycle")
