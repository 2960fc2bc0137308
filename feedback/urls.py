"""Pages of the feedback app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from collab.api import tenant_router
from feedback.api.results import ReviewResultViewSet
from feedback.api.templates import ReviewTemplateViewSet
from feedback.views import results, templates

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
api_router.register(r"review-results", ReviewResultViewSet, basename="api-review-result")
