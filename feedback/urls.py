"""Pages of the feedback app (included under /t/<slug>/ by collab/urls.py) and its API resources
(`api_router`, under /api/v1/t/<slug>/)."""

from django.urls import path

from collab.api import tenant_router
from feedback.api.events import EventViewSet
from feedback.api.templates import ReviewTemplateViewSet
from feedback.views import events, templates

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
    path("feedback/events/", events.event_list, name="event-list"),
    path("feedback/events/new/", events.event_create, name="event-create"),
    path("feedback/events/import/", events.event_import, name="event-import"),
    path("feedback/events/measures/", events.event_measures, name="event-measures"),
    path("feedback/events/<id:pk>/", events.event_detail, name="event-detail"),
    path("feedback/events/<id:pk>/complete/", events.event_complete, name="event-complete"),
]

api_router = tenant_router()
api_router.register(r"review-templates", ReviewTemplateViewSet, basename="api-review-template")
api_router.register(r"events", EventViewSet, basename="api-event")
