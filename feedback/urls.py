"""Pages of the feedback app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from collab.api import tenant_router
from feedback.api.campaigns import ReviewCampaignViewSet
from feedback.api.ratings import RatingViewSet
from feedback.api.templates import ReviewTemplateViewSet
from feedback.views import campaigns, ratings, templates

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
]

api_router = tenant_router()
api_router.register(r"review-templates", ReviewTemplateViewSet, basename="api-review-template")
api_router.register(r"review-campaigns", ReviewCampaignViewSet, basename="api-review-campaign")
api_router.register(r"ratings", RatingViewSet, basename="api-rating")
