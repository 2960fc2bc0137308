"""Pages of the feedback app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from collab.api import tenant_router
from feedback.api.campaigns import ReviewCampaignViewSet
from feedback.api.events import EventViewSet
from feedback.api.point_proposals import PointProposalViewSet
from feedback.api.points import PointItemViewSet, PointLedgerViewSet
from feedback.api.ratings import RatingViewSet
from feedback.api.results import ReviewResultViewSet
from feedback.api.templates import ReviewTemplateViewSet
from feedback.views import campaigns, event_measures, events, ratings, results, templates
from feedback.views.points import catalog as point_catalog
from feedback.views.points import ledger as point_ledger
from feedback.views.points import proposals as point_proposals

urlpatterns = [
    path("feedback/review-templates/", templates.review_template_list, name="review-template-list"),
    path("feedback/review-templates/new/", templates.review_template_create, name="review-template-create"),
    path(
        "feedback/review-templates/<id:pk>/edit/", templates.review_template_edit, name="review-template-edit"
    ),
    path(
        "feedback/review-templates/<id:pk>/delete/",
        templates.review_template_delete,
        name="review-template-delete",
    ),
    path("feedback/campaigns/", campaigns.campaign_list, name="campaign-list"),
    path("feedback/campaigns/new/", campaigns.campaign_create, name="campaign-create"),
    path("feedback/campaigns/<id:pk>/", campaigns.campaign_detail, name="campaign-detail"),
    path("feedback/campaigns/<id:pk>/edit/", campaigns.campaign_edit, name="campaign-edit"),
    path("feedback/campaigns/<id:pk>/delete/", campaigns.campaign_delete, name="campaign-delete"),
    path("feedback/ratings/", ratings.rating_list, name="rating-list"),
    path("feedback/ratings/<id:pk>/", ratings.rating_form, name="rating-form"),
    # Bonus and penalty points (协同加减分)
    path("feedback/points/mine/", point_ledger.point_mine, name="point-mine"),
    path("feedback/points/proposals/", point_proposals.point_proposal_list, name="point-proposal-list"),
    path(
        "feedback/points/proposals/new/events/", point_proposals.point_proposal_events,
        name="point-proposal-events",
    ),  # fmt: skip
    path(
        "feedback/points/proposals/new/", point_proposals.point_proposal_create, name="point-proposal-create"
    ),
    path(
        "feedback/points/proposals/<id:pk>/",
        point_proposals.point_proposal_detail,
        name="point-proposal-detail",
    ),
    path(
        "feedback/points/proposals/<id:pk>/approve/",
        point_proposals.point_proposal_approve,
        name="point-proposal-approve",
    ),
    path(
        "feedback/points/proposals/<id:pk>/reject/",
        point_proposals.point_proposal_reject,
        name="point-proposal-reject",
    ),
    path(
        "feedback/points/proposals/<id:pk>/evidence/",
        point_proposals.point_proposal_evidence,
        name="point-proposal-evidence",
    ),
    path("feedback/points/items/", point_catalog.point_item_list, name="point-item-list"),
    path("feedback/points/items/new/", point_catalog.point_item_create, name="point-item-create"),
    path("feedback/points/items/<id:pk>/edit/", point_catalog.point_item_edit, name="point-item-edit"),
    path("feedback/points/settings/", point_catalog.point_settings, name="point-settings"),
    path(
        "feedback/points/settings/leads/<id:pk>/remove/",
        point_catalog.point_lead_remove,
        name="point-lead-remove",
    ),
    path("feedback/points/ledger/", point_ledger.point_ledger, name="point-ledger"),
    path(
        "feedback/points/ledger/<id:pk>/correct/",
        point_ledger.point_ledger_correct,
        name="point-ledger-correct",
    ),
    path("feedback/points/totals/", point_ledger.point_totals, name="point-totals"),
    path("feedback/points/totals/export/", point_ledger.point_totals_export, name="point-totals-export"),
    path("feedback/events/", events.event_list, name="event-list"),
    path("feedback/events/new/", events.event_create, name="event-create"),
    path("feedback/events/import/", events.event_import, name="event-import"),
    path("feedback/events/export/", events.event_export, name="event-export"),
    path("feedback/events/about/", event_measures.event_about, name="event-about"),
    path("feedback/events/measures/", event_measures.event_measures, name="event-measures"),
    path(
        "feedback/events/measures/export/", event_measures.event_measures_export, name="event-measures-export"
    ),
    path("feedback/events/<id:pk>/", events.event_detail, name="event-detail"),
    path("feedback/events/<id:pk>/complete/", events.event_complete, name="event-complete"),
]

urlpatterns += [
    path("feedback/review-results/", results.review_result_list, name="review-result-list"),
    path(
        "feedback/review-results/response-rates/", results.review_response_rates, name="review-response-rates"
    ),
    path("feedback/review-results/<id:pk>/", results.review_result_detail, name="review-result-detail"),
    path(
        "feedback/review-results/<id:pk>/export/", results.review_result_export, name="review-result-export"
    ),
]

api_router = tenant_router()
api_router.register(r"review-templates", ReviewTemplateViewSet, basename="api-review-template")
api_router.register(r"review-campaigns", ReviewCampaignViewSet, basename="api-review-campaign")
api_router.register(r"ratings", RatingViewSet, basename="api-rating")
api_router.register(r"point-items", PointItemViewSet, basename="api-point-item")
api_router.register(r"point-proposals", PointProposalViewSet, basename="api-point-proposal")
api_router.register(r"point-ledger", PointLedgerViewSet, basename="api-point-ledger")
api_router.register(r"events", EventViewSet, basename="api-event")
api_router.register(r"review-results", ReviewResultViewSet, basename="api-review-result")
